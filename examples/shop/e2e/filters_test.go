package e2e

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"sort"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// listed returns the count and the values of key in the results of a
// page, sorted, from a 200 list answer.
func listed(t *testing.T, what string, r e2ekit.Response, key string) (int, []string) {
	t.Helper()
	e2ekit.Expect(t, what, r, 200)
	var page struct {
		Count   int              `json:"count"`
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil {
		t.Fatalf("%s: %s: %v", what, r.Body, err)
	}
	out := []string{}
	for _, o := range page.Results {
		out = append(out, str(o[key]))
	}
	sort.Strings(out)
	return page.Count, out
}

func sorted(s ...string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// TestShopFilters drives every contract line about the products' and the
// orders' filters and search, on SQLite and PostgreSQL.
func TestShopFilters(t *testing.T) { onEachBackend(t, testShopFilters) }

func testShopFilters(t *testing.T, sh *shop) {
	tools := sh.category(t, "Tools")
	toys := sh.category(t, "Toys")
	empty := sh.category(t, "Empty")
	const (
		blue, red, old, back, ecl = "Blue Widget", "red gadget", "Old Widget", `Back\slash`, "Éclair"
	)
	for _, p := range []struct {
		name, sku, cat, price string
		cost                  any
		active                bool
	}{
		{blue, "BW-1", tools, "12.50", "5.00", true},
		{red, "RG_2", toys, "7.00", nil, true},
		{old, "OW%3", tools, "12.49", "3.00", false},
		{back, "BS-4", toys, "99999999.99", "20.00", true},
		{ecl, "EC-5", tools, "0.00", nil, true},
	} {
		sh.product(t, p.cat, p.sku, map[string]any{"name": p.name, "price": p.price, "cost": p.cost, "active": p.active})
	}
	products := func(c *e2ekit.Client, query string) (int, []string) {
		t.Helper()
		return listed(t, query, c.Do("GET", "/api/products?"+query, nil), "name")
	}
	everyone := []struct {
		who string
		c   *e2ekit.Client
	}{{"anonymous", sh.anon}, {"alice", sh.alice}}

	t.Run("products", func(t *testing.T) {
		for _, tc := range []struct {
			query      string
			staff, not []string // for staff, for everyone else
		}{
			// Unknown parameters are ignored; an empty value is no filter.
			{"", sorted(blue, red, old, back, ecl), sorted(blue, red, back, ecl)},
			{"colour=blue&price__gte=&category=&search=&active=&stock__lte=0", sorted(blue, red, old, back, ecl), sorted(blue, red, back, ecl)},
			{"category=" + tools, sorted(blue, old, ecl), sorted(blue, ecl)},
			{"category=" + empty, sorted(), sorted()},
			{"active=true", sorted(blue, red, back, ecl), sorted(blue, red, back, ecl)},
			{"active=TRUE", sorted(blue, red, back, ecl), sorted(blue, red, back, ecl)},
			{"active=1", sorted(blue, red, back, ecl), sorted(blue, red, back, ecl)},
			{"active=false", sorted(old), sorted()}, // non-staff: always empty
			{"active=False", sorted(old), sorted()},
			{"active=0", sorted(old), sorted()},
			{"active=maybe", sorted(blue, red, old, back, ecl), sorted(blue, red, back, ecl)}, // other values: ignored
			{"price__gte=12.49", sorted(blue, old, back), sorted(blue, back)},                 // inclusive
			{"price__lte=12.49", sorted(red, old, ecl), sorted(red, ecl)},
			{"price__gte=7&price__lte=12.5", sorted(blue, red, old), sorted(blue, red)},
			{"price__gte=12.4900000000000000001", sorted(blue, back), sorted(blue, back)}, // no digit limits
			{"price__lte=1e3", sorted(blue, red, old, ecl), sorted(blue, red, ecl)},
			{"price__gte=1E8", sorted(), sorted()},
			{"price__lte=-0.5", sorted(), sorted()},
			{"price__gte=" + url.QueryEscape(" 99999999.99 "), sorted(back), sorted(back)},
			// AND of everything, within what the caller may see.
			{"category=" + tools + "&active=true&price__lte=12.5&search=widget", sorted(blue), sorted(blue)},
			// Search: terms on whitespace and commas, each in name or sku.
			{"search=widget", sorted(blue, old), sorted(blue)},
			{"search=WIDGET", sorted(blue, old), sorted(blue)},
			{"search=bw-1", sorted(blue), sorted(blue)},
			{"search=" + url.QueryEscape("widget bw"), sorted(blue), sorted(blue)}, // name and sku
			{"search=" + url.QueryEscape("widget,ow"), sorted(old), sorted()},
			{"search=" + url.QueryEscape("  red ,, gadget  "), sorted(red), sorted(red)},
			{"search=" + url.QueryEscape("red blue"), sorted(), sorted()},
			{"search=" + url.QueryEscape("%"), sorted(old), sorted()},
			{"search=_", sorted(red), sorted(red)},
			{"search=" + url.QueryEscape(`\`), sorted(back), sorted(back)},
			{"search=" + url.QueryEscape("g_2"), sorted(red), sorted(red)},
			{"search=" + url.QueryEscape("w%3"), sorted(old), sorted()},
			{"search=" + url.QueryEscape(" , "), sorted(blue, red, old, back, ecl), sorted(blue, red, back, ecl)}, // no terms
			{"search=5", sorted(ecl), sorted(ecl)},                                                                // EC-5's sku, never its cost or price
			// Case folds for ASCII letters only, on both backends alike.
			{"search=" + url.QueryEscape("ÉCLAIR"), sorted(ecl), sorted(ecl)},
			{"search=" + url.QueryEscape("éclair"), sorted(), sorted()},
			// cost__lte: staff only; a product without cost never matches.
			{"cost__lte=5", sorted(blue, old), sorted(blue, red, back, ecl)},
			{"cost__lte=1e9", sorted(blue, old, back), sorted(blue, red, back, ecl)},
			{"cost__lte=abc", nil, sorted(blue, red, back, ecl)},
		} {
			if tc.staff != nil {
				n, got := products(sh.root, tc.query)
				if !reflect.DeepEqual(got, tc.staff) || n != len(tc.staff) {
					t.Errorf("staff ?%s: count %d, %q; want %q", tc.query, n, got, tc.staff)
				}
			}
			for _, e := range everyone {
				n, got := products(e.c, tc.query)
				if !reflect.DeepEqual(got, tc.not) || n != len(tc.not) {
					t.Errorf("%s ?%s: count %d, %q; want %q", e.who, tc.query, n, got, tc.not)
				}
			}
		}
	})

	t.Run("cost__lte is unknown to non-staff", func(t *testing.T) {
		for _, e := range everyone {
			for _, q := range []string{"", "search=widget", "category=" + tools + "&price__gte=1"} {
				want := e.c.Do("GET", "/api/products?"+q, nil)
				e2ekit.Expect(t, e.who+" ?"+q, want, 200)
				if bytes.Contains(want.Body, []byte(`"cost"`)) {
					t.Fatalf("%s sees cost: %s", e.who, want.Body)
				}
				for _, v := range []string{"5", "0", "-1", "abc", "1e999", "NaN", "%00"} {
					sep := "&"
					if q == "" {
						sep = ""
					}
					got := e.c.Do("GET", "/api/products?"+q+sep+"cost__lte="+v, nil)
					if got.Status != 200 || !bytes.Equal(got.Body, want.Body) {
						t.Errorf("%s ?%s&cost__lte=%s: %d %s; without it: %s", e.who, q, v, got.Status, got.Body, want.Body)
					}
				}
			}
		}
	})

	t.Run("bad values", func(t *testing.T) {
		number := []string{"Enter a number."}
		category := []string{"Select a valid choice. That choice is not one of the available choices."}
		for _, tc := range []struct {
			c     *e2ekit.Client
			query string
			want  map[string][]string
		}{
			{sh.anon, "price__gte=abc", map[string][]string{"price__gte": number}},
			{sh.anon, "price__lte=1,5", map[string][]string{"price__lte": number}},
			{sh.alice, "price__gte=NaN&price__lte=Infinity", map[string][]string{"price__gte": number, "price__lte": number}},
			{sh.root, "cost__lte=abc", map[string][]string{"cost__lte": number}},
			{sh.root, "cost__lte=x&price__gte=y&category=z", map[string][]string{"cost__lte": number, "price__gte": number, "category": category}},
			{sh.anon, "category=999999", map[string][]string{"category": category}},
			{sh.anon, "category=abc", map[string][]string{"category": category}},
			{sh.root, "category=1.5", map[string][]string{"category": category}},
			{sh.anon, "category=99999999999999999999999", map[string][]string{"category": category}},
			// Filters come before pagination, as DRF's filter_queryset.
			{sh.anon, "page=abc&price__gte=abc", map[string][]string{"price__gte": number}},
		} {
			r := tc.c.Do("GET", "/api/products?"+tc.query, nil)
			e2ekit.Expect(t, "?"+tc.query, r, 400)
			if got := errorsOf(t, r); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("?%s: %v, want %v", tc.query, got, tc.want)
			}
		}
	})

	t.Run("count and links after the filters", func(t *testing.T) {
		for i := range 21 {
			sh.product(t, toys, "BULK-"+str(float64(i)), map[string]any{"name": "bulk", "price": "1.00"})
		}
		r := sh.anon.Do("GET", "/api/products?search=bulk&price__lte=1&unknown=x", nil)
		e2ekit.Expect(t, "bulk page", r, 200)
		m := r.JSON(t)
		if m["count"] != float64(21) {
			t.Errorf("count %v, want 21", m["count"])
		}
		next, _ := m["next"].(string)
		u, err := url.Parse(next)
		if err != nil || u.Query().Get("search") != "bulk" || u.Query().Get("price__lte") != "1" || u.Query().Get("page") != "2" {
			t.Errorf("next %q keeps the filters and goes to page 2", next)
		}
		if n, got := listed(t, "page 2", sh.anon.Do("GET", "/api/products?search=bulk&price__lte=1&page=2", nil), "name"); n != 21 || len(got) != 1 {
			t.Errorf("page 2: count %d, %d results", n, len(got))
		}
	})

	t.Run("orders", func(t *testing.T) {
		p := sh.product(t, tools, "ORD-1", map[string]any{"stock": 10})
		pid := json.Number(str(p["id"]))
		order := func(c *e2ekit.Client) string {
			r := c.Do("POST", "/api/orders", map[string]any{"product": pid, "quantity": 1})
			e2ekit.Expect(t, "order", r, 201)
			return id(t, r)
		}
		setStatus := func(id, status string) {
			e2ekit.Expect(t, "status "+status, sh.root.Do("PATCH", "/api/orders/"+id, map[string]any{"status": status}), 200)
		}
		pending, paid, shipped := order(sh.alice), order(sh.alice), order(sh.alice)
		setStatus(paid, "paid")
		setStatus(shipped, "shipped")
		bobs := order(sh.bob)
		setStatus(bobs, "paid")
		orders := func(c *e2ekit.Client, query string) []string {
			t.Helper()
			_, got := listed(t, query, c.Do("GET", "/api/orders?"+query, nil), "id")
			return got
		}
		for _, tc := range []struct {
			c     *e2ekit.Client
			query string
			want  []string
		}{
			{sh.alice, "status=paid", sorted(paid)}, // never another customer's
			{sh.alice, "status=pending", sorted(pending)},
			{sh.alice, "status=cancelled", sorted()},
			{sh.root, "status=paid", sorted(paid, bobs)},
			{sh.alice, "status__in=paid,shipped", sorted(paid, shipped)},
			{sh.alice, "status__in=paid,nope,Pending", sorted(paid)}, // unknown values match nothing
			{sh.alice, "status__in=nope", sorted()},
			{sh.alice, "status__in=", sorted(pending, paid, shipped)},
			{sh.alice, "status=&total__gte=1000&unknown=1", sorted(pending, paid, shipped)},
			{sh.bob, "status__in=paid,pending", sorted(bobs)},
		} {
			if got := orders(tc.c, tc.query); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("?%s: %q, want %q", tc.query, got, tc.want)
			}
		}
		for _, s := range []string{"Paid", "nope", " paid", "paid,shipped"} {
			r := sh.alice.Do("GET", "/api/orders?status="+url.QueryEscape(s), nil)
			e2ekit.Expect(t, "status="+s, r, 400)
			want := map[string][]string{"status": {"Select a valid choice. " + s + " is not one of the available choices."}}
			if got := errorsOf(t, r); !reflect.DeepEqual(got, want) {
				t.Errorf("status=%q: %v, want %v", s, got, want)
			}
		}
		e2ekit.Expect(t, "anonymous orders with a filter", sh.anon.Do("GET", "/api/orders?status=nope", nil), 401)
	})
}
