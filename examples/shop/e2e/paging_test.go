package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// The contract's lines on ordering (products, orders) and cursor
// pagination (orders), driven over HTTP on SQLite and PostgreSQL.

// page is a list body: its keys, links and results' ids.
type page struct {
	keys       []string
	next, prev *string
	ids        []string
	rows       []map[string]any
}

// pageOf GETs path as c (200 expected) and reads the list body.
func pageOf(t *testing.T, c *e2ekit.Client, path string) page {
	t.Helper()
	r := c.Do("GET", path, nil)
	e2ekit.Expect(t, "GET "+path, r, 200)
	m := r.JSON(t)
	p := page{keys: keys(m)}
	if s, ok := m["next"].(string); ok {
		p.next = &s
	}
	if s, ok := m["previous"].(string); ok {
		p.prev = &s
	}
	for _, o := range m["results"].([]any) {
		row := o.(map[string]any)
		p.rows = append(p.rows, row)
		p.ids = append(p.ids, str(row["id"]))
	}
	return p
}

// relative is the path and query of an absolute link of the shop, after
// checking that it is absolute and names the server's host.
func relative(t *testing.T, c *e2ekit.Client, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "http" || "http://"+u.Host != c.Server.Base {
		t.Fatalf("link %q is not an absolute URL of %s", link, c.Server.Base)
	}
	return u.RequestURI()
}

// TestProductOrdering: ?ordering= over price, name and created_at, with id
// ascending breaking the ties; unknown names (cost, id, stock) dropped;
// decimals compared as numbers; the ordering kept in the page links.
func TestProductOrdering(t *testing.T) { onEachBackend(t, testProductOrdering) }

func testProductOrdering(t *testing.T, sh *shop) {
	cat := sh.category(t, "Tools")
	type prod struct {
		id, name string
		price    string
		cost     string
	}
	var all []prod
	// Names whose order is the same in every collation; prices that sort
	// differently as text ("100.00" < "9.50") and with ties.
	for i, p := range []struct{ name, price, cost string }{
		{"kiwi", "9.50", "1.00"}, {"apple", "100.00", "5.00"}, {"mango", "10.00", "9.00"},
		{"banana", "9.50", "2.00"}, {"cherry", "2.25", "0.50"}, {"grape", "10.00", "3.00"},
	} {
		got := sh.product(t, cat, fmt.Sprintf("SKU-%d", i), map[string]any{"name": p.name, "price": p.price, "cost": p.cost})
		all = append(all, prod{id: str(got["id"]), name: p.name, price: p.price, cost: p.cost})
	}
	hidden := sh.product(t, cat, "OFF-1", map[string]any{"name": "zzz", "price": "0.01", "active": false})
	order := func(less func(a, b prod) int) []string {
		s := slices.Clone(all)
		slices.SortStableFunc(s, less) // all is in id order: ties stay by id
		var out []string
		for _, p := range s {
			out = append(out, p.id)
		}
		return out
	}
	dec := func(s string) *apd.Decimal { d, _, _ := apd.NewFromString(s); return d }
	byID := order(func(a, b prod) int { return 0 })
	byPrice := order(func(a, b prod) int { return dec(a.price).Cmp(dec(b.price)) })
	byPriceDesc := order(func(a, b prod) int { return dec(b.price).Cmp(dec(a.price)) })
	byName := order(func(a, b prod) int { return strings.Compare(a.name, b.name) })
	byPriceDescName := order(func(a, b prod) int {
		if c := dec(b.price).Cmp(dec(a.price)); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	reversed := slices.Clone(byID)
	slices.Reverse(reversed)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", byID},
		{"?ordering=price", byPrice},
		{"?ordering=-price", byPriceDesc}, // equal prices by ascending id
		{"?ordering=name", byName},
		{"?ordering=-price,name", byPriceDescName},
		{"?ordering=" + url.QueryEscape(" -price , name "), byPriceDescName},
		{"?ordering=created_at", byID},
		{"?ordering=-created_at", reversed},
		{"?ordering=cost", byID},
		{"?ordering=id", byID},
		{"?ordering=-id", byID},
		{"?ordering=stock", byID},
		{"?ordering=cost,-price", byPriceDesc},
		{"?ordering=--price", byID},
		{"?ordering=", byID},
		{"?ordering=Price", byID},
	} {
		for _, who := range []*e2ekit.Client{sh.anon, sh.root} {
			got := pageOf(t, who, "/api/products"+c.query).ids
			if who == sh.root {
				got = slices.DeleteFunc(got, func(id string) bool { return id == str(hidden["id"]) })
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
	}
	// Staff cannot order by cost either: the answer is the default order.
	if got := pageOf(t, sh.root, "/api/products?ordering=-cost").ids; !reflect.DeepEqual(got[:len(got)-1], byID) {
		t.Errorf("staff ?ordering=-cost: %v", got)
	}

	// The links keep the ordering: page 2 continues it.
	for i := range 20 {
		sh.product(t, cat, fmt.Sprintf("MORE-%02d", i), map[string]any{"name": fmt.Sprintf("more %02d", i), "price": fmt.Sprintf("%d.00", 50+i)})
	}
	p1 := pageOf(t, sh.anon, "/api/products?ordering=-price&x=1")
	if p1.next == nil || !strings.Contains(*p1.next, "ordering=-price") || !strings.Contains(*p1.next, "x=1") {
		t.Fatalf("next %v lost the parameters", p1.next)
	}
	p2 := pageOf(t, sh.anon, relative(t, sh.anon, *p1.next))
	got := append(slices.Clone(p1.ids), p2.ids...)
	if len(got) != 26 || p1.rows[0]["price"] != "100.00" || p2.rows[len(p2.rows)-1]["price"] != "2.25" {
		t.Errorf("two pages by -price: %v / %v", p1.rows, p2.rows)
	}
}

// orderShop gives alice n orders of a 1.00..7.00 product at quantities
// cycling over 1..4 (so totals tie), bob two; it returns alice's order ids
// in creation order and their totals.
func orderShop(t *testing.T, sh *shop, n int) (ids []string, totals map[string]string) {
	t.Helper()
	cat := sh.category(t, "Tools")
	var products []json.Number
	for i, price := range []string{"1.00", "2.50", "7.00"} {
		p := sh.product(t, cat, fmt.Sprintf("P-%d", i), map[string]any{"price": price, "stock": 100000})
		products = append(products, json.Number(str(p["id"])))
	}
	totals = map[string]string{}
	for i := range n {
		r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": products[i%3], "quantity": 1 + i%4})
		e2ekit.Expect(t, "alice's order", r, 201)
		ids = append(ids, id(t, r))
		totals[ids[len(ids)-1]] = r.JSON(t)["total"].(string)
	}
	for range 2 {
		r := sh.bob.Do("POST", "/api/orders", map[string]any{"product": products[0], "quantity": 1})
		e2ekit.Expect(t, "bob's order", r, 201)
	}
	return ids, totals
}

// walk follows next from path to the last page and returns the ids in
// order and the pages; every page has at most 10 results and exactly the
// keys next, previous, results.
func walk(t *testing.T, c *e2ekit.Client, path string) ([]string, []page) {
	t.Helper()
	return walkThen(t, c, path, func(int) {})
}

// walkThen is walk calling after(n) once page n is read.
func walkThen(t *testing.T, c *e2ekit.Client, path string, after func(n int)) ([]string, []page) {
	t.Helper()
	var all []string
	var pages []page
	for path != "" {
		p := pageOf(t, c, path)
		if !reflect.DeepEqual(p.keys, []string{"next", "previous", "results"}) || len(p.ids) > 10 {
			t.Fatalf("%s: keys %v, %d results", path, p.keys, len(p.ids))
		}
		if (len(pages) == 0) != (p.prev == nil) {
			t.Fatalf("%s: page %d has previous %v", path, len(pages)+1, p.prev)
		}
		pages = append(pages, p)
		all = append(all, p.ids...)
		after(len(pages))
		path = ""
		if p.next != nil {
			path = relative(t, c, *p.next)
		}
		if len(pages) > 1000 {
			t.Fatal("the walk does not end")
		}
	}
	return all, pages
}

// TestOrderCursor: the orders list is cursor-paginated, 10 a page, with no
// count; walking next visits every order once in the chosen order;
// previous gives the same pages back; ordering takes the first recognised
// name and id follows its direction; a cursor the service did not issue
// is 404 "Invalid cursor".
func TestOrderCursor(t *testing.T) { onEachBackend(t, testOrderCursor) }

func testOrderCursor(t *testing.T, sh *shop) {
	ids, totals := orderShop(t, sh, 25)
	newest := slices.Clone(ids)
	slices.Reverse(newest)
	byTotal := func(desc bool) []string {
		s := slices.Clone(ids) // creation order is id order
		slices.SortStableFunc(s, func(a, b string) int {
			ta, _, _ := apd.NewFromString(totals[a])
			tb, _, _ := apd.NewFromString(totals[b])
			return ta.Cmp(tb)
		})
		if desc {
			slices.Reverse(s) // -total, then -id
		}
		return s
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", newest},
		{"?ordering=-created_at", newest},
		{"?ordering=created_at", ids},
		{"?ordering=total", byTotal(false)},
		{"?ordering=-total", byTotal(true)},
		{"?ordering=bogus,-total,created_at", byTotal(true)}, // the first recognised name counts
		{"?ordering=id", newest},
		{"?ordering=quantity", newest},
		{"?ordering=total&status__x=1", byTotal(false)},
	} {
		got, pages := walk(t, sh.alice, "/api/orders"+c.query)
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s: walked %v, want %v", c.query, got, c.want)
		}
		if len(pages) != 3 || len(pages[0].ids) != 10 {
			t.Fatalf("%s: %d pages", c.query, len(pages))
		}
		q, _ := url.ParseQuery(strings.TrimPrefix(c.query, "?"))
		next, _ := url.Parse(*pages[0].next)
		for k := range q {
			if next.Query().Get(k) != q.Get(k) {
				t.Errorf("%s: next %s lost %s", c.query, *pages[0].next, k)
			}
		}
		// previous leads back through the same pages.
		prev := pages[len(pages)-1].prev
		for i := len(pages) - 2; i >= 0; i-- {
			p := pageOf(t, sh.alice, relative(t, sh.alice, *prev))
			if !reflect.DeepEqual(p.ids, pages[i].ids) || p.next == nil {
				t.Fatalf("%s: previous to page %d: %v, want %v", c.query, i+1, p.ids, pages[i].ids)
			}
			prev = p.prev
		}
		if prev != nil {
			t.Errorf("%s: the first page reached backwards has previous %s", c.query, *prev)
		}
	}
	// Staff see every order; cursor= is the first page.
	if got, _ := walk(t, sh.root, "/api/orders?cursor="); len(got) != 27 {
		t.Errorf("staff walked %d orders", len(got))
	}

	// Cursors the service did not issue.
	p1 := pageOf(t, sh.alice, "/api/orders")
	next, _ := url.Parse(*p1.next)
	cur := next.Query().Get("cursor")
	bad := []string{cur[:len(cur)-1], cur[:len(cur)/2], cur + "A", cur + "==", "A" + cur, strings.ToUpper(cur), "../" + cur}
	for i := 0; i < len(cur); i += 3 {
		ch := byte('A')
		if cur[i] == 'A' {
			ch = 'B'
		}
		bad = append(bad, cur[:i]+string(ch)+cur[i+1:])
	}
	for _, b := range bad {
		r := sh.alice.Do("GET", "/api/orders?cursor="+url.QueryEscape(b), nil)
		if r.Status != 404 || r.Detail(t) != "Invalid cursor" {
			t.Fatalf("cursor %q: %d %s", b, r.Status, r.Body)
		}
	}
	if r := sh.alice.Do("GET", "/api/orders?cursor=abc", nil); r.Status != 404 || !reflect.DeepEqual(r.JSON(t), map[string]any{"detail": "Invalid cursor"}) {
		t.Errorf("made-up cursor: %d %s", r.Status, r.Body)
	}
	// With another ordering or filters: some page or Invalid cursor, never a 5xx.
	for _, q := range []string{"ordering=total", "ordering=-total", "ordering=created_at", "status=paid", "status__in=paid,pending", "ordering=bogus"} {
		r := sh.alice.Do("GET", "/api/orders?"+q+"&cursor="+url.QueryEscape(cur), nil)
		if r.Status != 200 && !(r.Status == 404 && r.Detail(t) == "Invalid cursor") {
			t.Errorf("cursor with %s: %d %s", q, r.Status, r.Body)
		}
	}
	// Bob's cursor position read by alice is still only alice's orders.
	bp := pageOf(t, sh.root, "/api/orders")
	if p := pageOf(t, sh.alice, relative(t, sh.alice, *bp.next)); len(p.ids) > 0 {
		for _, id := range p.ids {
			if !slices.Contains(ids, id) {
				t.Errorf("alice sees order %s through staff's cursor", id)
			}
		}
	}
}

// TestOrderCursorWhileWriting: a walk along next visits every order that
// existed when it began and still exists, exactly once, while other
// requests create and delete orders; with the default order the orders
// created meanwhile are never reached.
func TestOrderCursorWhileWriting(t *testing.T) { onEachBackend(t, testOrderCursorWhileWriting) }

func testOrderCursorWhileWriting(t *testing.T, sh *shop) {
	ids, _ := orderShop(t, sh, 60)
	r := sh.alice.Do("GET", "/api/products", nil)
	product := json.Number(str(r.JSON(t)["results"].([]any)[0].(map[string]any)["id"]))
	for _, ordering := range []string{"", "?ordering=total", "?ordering=-total", "?ordering=created_at"} {
		var mu sync.Mutex
		deleted, created := map[string]bool{}, map[string]bool{}
		var ops atomic.Int64 // the writes made so far
		stop := make(chan struct{})
		done := make(chan struct{})
		writer := func() { // the writer: one order created, one deleted, until the walk ends
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": product, "quantity": 1 + i%4})
				if r.Status != 201 {
					t.Errorf("create during the walk: %d %s", r.Status, r.Body)
					return
				}
				ops.Add(1)
				mu.Lock()
				created[id(t, r)] = true
				victim := ""
				for _, id := range ids[(i*7)%len(ids):] {
					if !deleted[id] {
						victim = id
						break
					}
				}
				mu.Unlock()
				if victim == "" || i%2 == 1 {
					continue
				}
				if r := sh.root.Do("DELETE", "/api/orders/"+victim, nil); r.Status != 204 {
					t.Errorf("delete during the walk: %d %s", r.Status, r.Body)
					return
				}
				ops.Add(1)
				mu.Lock()
				deleted[victim] = true
				mu.Unlock()
			}
		}
		// The walk begins with its first page; the writer starts then, and
		// every next page waits for a few more of its writes.
		got, _ := walkThen(t, sh.alice, "/api/orders"+ordering, func(n int) {
			if n == 1 {
				go writer()
			}
			for deadline := time.Now().Add(10 * time.Second); ops.Load() < int64(3*n) && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		})
		close(stop)
		<-done
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("%q: order %s visited twice: %v", ordering, id, got)
			}
			seen[id] = true
			if ordering == "" && created[id] {
				t.Errorf("default order: the walk reached %s, created during it", id)
			}
		}
		for _, id := range ids {
			if !deleted[id] && !seen[id] {
				t.Errorf("%q: order %s existed throughout and was not visited", ordering, id)
			}
		}
		if len(deleted) == 0 || len(created) == 0 {
			t.Errorf("%q: the writer made %d orders and deleted %d: nothing ran during the walk", ordering, len(created), len(deleted))
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return deleted[id] })
		t.Logf("%q: walked %d orders while %d were created and %d deleted", ordering, len(got), len(created), len(deleted))
	}
}

// TestCursorAcrossInstances: two instances on one PostgreSQL database and
// one Redis, given the same SHOP_JWT_KEY, accept each other's cursors.
func TestCursorAcrossInstances(t *testing.T) {
	pg, rd := postgres(t), redis(t)
	sh := startShop(t, pg, rd)
	orderShop(t, sh, 15)
	data := t.TempDir()
	other := &e2ekit.Server{Service: svc, T: t, Data: data, Env: svc.Env(data, pg, rd)}
	other.Start()
	alice := other.Client()
	alice.Auth = sh.alice.Auth
	p1 := pageOf(t, sh.alice, "/api/orders")
	u, _ := url.Parse(*p1.next)
	p2 := pageOf(t, alice, u.RequestURI())
	if len(p2.ids) != 5 || p2.prev == nil {
		t.Fatalf("page 2 on the other instance: %+v", p2)
	}
	back := pageOf(t, sh.alice, relative(t, alice, *p2.prev))
	if !reflect.DeepEqual(back.ids, p1.ids) {
		t.Errorf("previous from the other instance: %v, want %v", back.ids, p1.ids)
	}
}
