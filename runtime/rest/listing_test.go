package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/sqlexpr"
)

func TestParseOrdering(t *testing.T) {
	allowed := func(n string) bool { return slices.Contains([]string{"price", "name", "created_at"}, n) }
	cases := []struct {
		raw  string
		want string
	}{
		{"", ""},
		{"price", "price"},
		{"-price", "-price"},
		{" -price , name ", "-price,name"},
		{"-price,name,created_at", "-price,name,created_at"},
		{"cost,id,stock", ""},             // unknown names are dropped
		{"cost,-name", "-name"},           // ... and the rest counts
		{"--price,+price,price", "price"}, // one "-" only, no "+"
		{"- price", ""},                   // the name is trimmed, not what follows "-"
		{"price,-price", "price"},         // a name counts once
		{"Price,NAME", ""},                // names are case-sensitive, as Django's
		{",,,", ""},
		{"name,", "name"},
		{"\tname\n", "name"},
	}
	for _, c := range cases {
		var got []string
		for _, term := range ParseOrdering(c.raw, allowed) {
			got = append(got, term.String())
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("ParseOrdering(%q) = %v, want %q", c.raw, got, c.want)
		}
	}
}

func TestLimitOffset(t *testing.T) {
	cases := []struct {
		query         string
		limit, offset int
	}{
		{"", 20, 0},
		{"limit=5", 5, 0},
		{"limit=100", 100, 0},
		{"limit=101", 100, 0},                     // capped
		{"limit=99999999999999999999999", 100, 0}, // capped, however large
		{"limit=0", 20, 0},
		{"limit=-3", 20, 0},
		{"limit=x", 20, 0},
		{"limit=1.5", 20, 0},
		{"limit=", 20, 0},
		{"limit=%205%20", 5, 0}, // Python's int() trims whitespace
		{"limit=+7", 7, 0},
		{"limit=007", 7, 0},
		{"limit=1_0", 10, 0}, // and reads underscores between digits
		{"limit=1__0", 20, 0},
		{"limit=_10", 20, 0},
		{"limit=3&limit=4", 4, 0}, // the last value counts, as in Django
		{"offset=10", 20, 10},
		{"offset=0", 20, 0},
		{"offset=-5", 20, 0},
		{"offset=x", 20, 0},
		{"offset=99999999999999999999999", 20, maxOffset},
		{"limit=5&offset=12", 5, 12},
	}
	for _, c := range cases {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		l, o := LimitOffset(q, 20, 100)
		if l != c.limit || o != c.offset {
			t.Errorf("%q: limit %d offset %d, want %d %d", c.query, l, o, c.limit, c.offset)
		}
	}
}

// pricedListing lists priced by price, cost (nullable) or id.
func pricedListing(p Pagination, size int) *Listing[priced] {
	return &Listing[priced]{
		Pagination: p,
		PageSize:   size,
		MaxLimit:   100,
		Columns: []Column[priced]{
			{Name: "id", SQL: `"id"`, Value: func(o *priced) any { return o.ID }},
			{Name: "price", SQL: `"price"`, Value: func(o *priced) any { return BindDecimal(&o.Price, 2) }},
			{Name: "cost", SQL: `"cost"`, Nullable: true, Value: func(o *priced) any { return BindDecimal(o.Cost, 2) }},
		},
		Default: []Term{{Name: "id"}},
		Fields:  []string{"price", "cost", "id"},
	}
}

var testCursorKey = []byte("0123456789abcdef0123456789abcdef")

// listHandler is what a generated list action does, without the checks.
func listHandler(tb *Table[priced], l *Listing[priced], where sqlexpr.Where) http.HandlerFunc {
	v := &View{App: &App{CursorKey: testCursorKey}, Resource: "priced"}
	return func(w http.ResponseWriter, r *http.Request) {
		list, ok := l.Parse(v, w, r, nil)
		if !ok {
			return
		}
		rows, count, err := tb.List(r.Context(), where, list.Query)
		if err != nil {
			v.Fail(w, err)
			return
		}
		list.Write(w, r, rows, count)
	}
}

type listBody struct {
	Count    *int      `json:"count"`
	Next     *string   `json:"next"`
	Previous *string   `json:"previous"`
	Results  []priced2 `json:"results"`
	Detail   string    `json:"detail"`
}

// priced2 is priced as JSON shows it.
type priced2 struct {
	ID    int64
	Price string
	Cost  *string
}

func get(t *testing.T, h http.Handler, u string) (int, listBody) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
	var b listBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("%s: %d %s", u, w.Code, w.Body)
	}
	return w.Code, b
}

func ids(rows []priced2) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// fillPriced stores n rows with few distinct prices and costs, a third
// of them without cost, and returns them by id.
func fillPriced(t *testing.T, tb *Table[priced], n int) map[int64]*priced {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	out := map[int64]*priced{}
	for range n {
		p := &priced{Price: *MustDecimal(fmt.Sprintf("%d.%02d", rng.IntN(5), rng.IntN(3)*25))}
		if rng.IntN(3) > 0 {
			p.Cost = MustDecimal(fmt.Sprintf("-%d.50", rng.IntN(4)))
		}
		got, err := tb.Create(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		out[got.ID] = got
	}
	return out
}

// sortedIDs is the order the database must give: key then id in its
// direction (cursor), or then id ascending; NULL below every value.
func sortedIDs(rows map[int64]*priced, key string, desc, idFollows bool) []int64 {
	var out []int64
	for id := range rows {
		out = append(out, id)
	}
	cmpKey := func(a, b *priced) int {
		switch key {
		case "price":
			return a.Price.Cmp(&b.Price)
		case "cost":
			switch {
			case a.Cost == nil && b.Cost == nil:
				return 0
			case a.Cost == nil:
				return -1
			case b.Cost == nil:
				return 1
			}
			return a.Cost.Cmp(b.Cost)
		}
		return 0
	}
	slices.SortFunc(out, func(x, y int64) int {
		c := cmpKey(rows[x], rows[y])
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		if desc && idFollows {
			return int(y - x)
		}
		return int(x - y)
	})
	return out
}

// TestCursorWalk walks next to the end and previous back to the start
// for every ordering, nullable cost included, on SQLite and PostgreSQL:
// the rows come in the order the database sorts them, each once, and
// previous gives back the same pages.
func TestCursorWalk(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		rows := fillPriced(t, tb, 47)
		h := listHandler(tb, pricedListing(CursorPagination, 5), sqlexpr.Where{})
		for _, ord := range []string{"", "price", "-price", "cost", "-cost", "id", "-id", "-cost,price", "bogus"} {
			key := strings.TrimPrefix(strings.Split(ord, ",")[0], "-")
			if key == "bogus" {
				key = ""
			}
			want := sortedIDs(rows, key, strings.HasPrefix(ord, "-"), true)
			var got []int64
			var pages [][]int64
			u := "http://h/x?ordering=" + url.QueryEscape(ord)
			for u != "" {
				code, b := get(t, h, u)
				if code != 200 || b.Count != nil || len(b.Results) > 5 {
					t.Fatalf("%s: %d %+v", u, code, b)
				}
				if (len(pages) == 0) != (b.Previous == nil) {
					t.Fatalf("%s: previous %v on page %d", u, b.Previous, len(pages)+1)
				}
				pages = append(pages, ids(b.Results))
				got = append(got, ids(b.Results)...)
				u = ""
				if b.Next != nil {
					u = *b.Next
					if !strings.Contains(u, "ordering="+url.QueryEscape(ord)) && ord != "" {
						t.Fatalf("next %s lost the ordering", u)
					}
				} else if prev := b.Previous; prev != nil {
					// Walk back from the last page.
					for i := len(pages) - 2; i >= 0; i-- {
						code, pb := get(t, h, *prev)
						if code != 200 || !reflect.DeepEqual(ids(pb.Results), pages[i]) {
							t.Fatalf("ordering %q: previous to page %d gave %v, want %v", ord, i+1, ids(pb.Results), pages[i])
						}
						if (i == 0) != (pb.Previous == nil) {
							t.Fatalf("ordering %q: page %d read backwards has previous %v", ord, i+1, pb.Previous)
						}
						if pb.Next == nil {
							t.Fatalf("ordering %q: page %d read backwards has no next", ord, i+1)
						}
						prev = pb.Previous
					}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ordering %q: walked %v, want %v", ord, got, want)
			}
		}
	})
}

// TestCursorEdges: a page emptied under a cursor still links back and
// forth to the rows that remain; a cursor's next after deletions skips
// nothing that remains.
func TestCursorEdges(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		rows := fillPriced(t, tb, 12)
		h := listHandler(tb, pricedListing(CursorPagination, 5), sqlexpr.Where{})
		all := sortedIDs(rows, "", false, true)
		_, p1 := get(t, h, "http://h/x")
		_, p2 := get(t, h, *p1.Next)
		// Delete page 3 (rows 11, 12) and the last row of page 2.
		for _, id := range all[9:] {
			if err := tb.Delete(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		_, p3 := get(t, h, *p2.Next)
		if len(p3.Results) != 0 || p3.Next != nil || p3.Previous == nil {
			t.Fatalf("emptied page: %+v", p3)
		}
		// Its previous is the page before, up to the last row that remains.
		_, back := get(t, h, *p3.Previous)
		if !reflect.DeepEqual(ids(back.Results), all[4:9]) {
			t.Errorf("previous of the emptied page: %v, want %v", ids(back.Results), all[4:9])
		}
		// Everything before page 2's start deleted: its previous is an
		// empty page whose next is page 2 again.
		for _, id := range all[:5] {
			tb.Delete(context.Background(), id)
		}
		_, empty := get(t, h, *p2.Previous)
		if len(empty.Results) != 0 || empty.Previous != nil || empty.Next == nil {
			t.Fatalf("emptied first page: %+v", empty)
		}
		_, again := get(t, h, *empty.Next)
		if !reflect.DeepEqual(ids(again.Results), all[5:9]) {
			t.Errorf("next of the emptied first page: %v, want %v", ids(again.Results), all[5:9])
		}
	})
}

// TestCursorRefusesWhatItDidNotIssue: any change to a cursor, or a cursor
// of another resource or key, is 404 "Invalid cursor"; a cursor of another
// ordering is 404 too; another filter gives some page.
func TestCursorRefusesWhatItDidNotIssue(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		fillPriced(t, tb, 12)
		h := listHandler(tb, pricedListing(CursorPagination, 5), sqlexpr.Where{})
		_, p1 := get(t, h, "http://h/x?ordering=-price")
		next, _ := url.Parse(*p1.Next)
		c := next.Query().Get("cursor")
		if code, _ := get(t, h, "http://h/x?ordering=-price&cursor="+c); code != 200 {
			t.Fatalf("the cursor as issued: %d", code)
		}
		bad := []string{c[:len(c)-1], c + "A", c + "=", "A" + c, c[1:], "x", "%00", c + "%0A", strings.ToUpper(c)}
		for i := range c {
			for _, r := range []byte{'A', 'b', '_', '-'} {
				if c[i] != r {
					bad = append(bad, c[:i]+string(r)+c[i+1:])
				}
			}
		}
		other := encodeCursor(testCursorKey, "others", &position{Ordering: "-price,-id", Key: []*string{ptr("d2:1.00"), ptr("i1")}})
		forged := encodeCursor([]byte("another key of thirty-two bytes!"), "priced", &position{Ordering: "-price,-id", Key: []*string{ptr("d2:1.00"), ptr("i1")}})
		bad = append(bad, other, forged)
		for _, b := range bad {
			code, body := get(t, h, "http://h/x?ordering=-price&cursor="+b)
			if code != 404 || body.Detail != "Invalid cursor" {
				t.Fatalf("cursor %q: %d %+v", b, code, body)
			}
		}
		if code, body := get(t, h, "http://h/x?ordering=price&cursor="+c); code != 404 || body.Detail != "Invalid cursor" {
			t.Errorf("another ordering: %d %+v", code, body)
		}
		filtered := listHandler(tb, pricedListing(CursorPagination, 5), sqlexpr.Where{SQL: `"cost" IS NULL`})
		if code, _ := get(t, filtered, "http://h/x?ordering=-price&cursor="+c); code != 200 {
			t.Errorf("another filter: %d", code)
		}
		if code, body := get(t, h, "http://h/x?cursor="); code != 200 || body.Previous != nil {
			t.Errorf("cursor= is the first page: %d %+v", code, body)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestLimitOffsetPages: DRF's LimitOffsetPagination links and bodies.
func TestLimitOffsetPages(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		rows := fillPriced(t, tb, 7)
		all := sortedIDs(rows, "", false, false)
		h := listHandler(tb, pricedListing(LimitOffsetPagination, 3), sqlexpr.Where{})
		u := func(s string) *string { s = "http://h/x" + s; return &s }
		cases := []struct {
			query      string
			results    []int64
			next, prev *string
		}{
			{"", all[0:3], u("?limit=3&offset=3"), nil},
			{"?limit=2&offset=2&q=a", all[2:4], u("?limit=2&offset=4&q=a"), u("?limit=2&q=a")},
			{"?offset=3", all[3:6], u("?limit=3&offset=6"), u("?limit=3")},
			{"?offset=4", all[4:7], nil, u("?limit=3&offset=1")},
			{"?offset=6&limit=0", all[6:7], nil, u("?limit=3&offset=3")},
			{"?offset=7", []int64{}, nil, u("?limit=3&offset=4")},
			{"?offset=50&limit=x", []int64{}, nil, u("?limit=3&offset=47")},
			{"?limit=500", all, nil, nil},
			{"?offset=-1&limit=-1", all[0:3], u("?limit=3&offset=3"), nil},
			{"?ordering=-price&limit=7", sortedIDs(rows, "price", true, false), nil, nil},
		}
		for _, c := range cases {
			code, b := get(t, h, "http://h/x"+c.query)
			if code != 200 || b.Count == nil || *b.Count != 7 || !reflect.DeepEqual(ids(b.Results), c.results) ||
				!reflect.DeepEqual(b.Next, c.next) || !reflect.DeepEqual(b.Previous, c.prev) {
				t.Errorf("%s: %d count %v results %v next %v previous %v; want %v %v %v", c.query, code, b.Count, ids(b.Results), str(b.Next), str(b.Previous), c.results, str(c.next), str(c.prev))
			}
		}
	})
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// TestPageOrdering: under page numbers every name counts and id ascending
// breaks the ties; a hidden field is not offered.
func TestPageOrdering(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		rows := fillPriced(t, tb, 9)
		l := pricedListing(PageNumberPagination, 20)
		v := &View{App: &App{}, Resource: "priced"}
		for _, c := range []struct {
			ordering string
			hide     []string
			want     []int64
		}{
			{"-price", nil, sortedIDs(rows, "price", true, false)},
			{"cost", nil, sortedIDs(rows, "cost", false, false)},
			{"-cost", nil, sortedIDs(rows, "cost", true, false)},
			{"-cost", []string{"cost"}, sortedIDs(rows, "", false, false)},
			{"nothing", nil, sortedIDs(rows, "", false, false)},
		} {
			w := httptest.NewRecorder()
			list, ok := l.Parse(v, w, httptest.NewRequest("GET", "/x?ordering="+c.ordering, nil), c.hide)
			if !ok {
				t.Fatal(w.Body)
			}
			got, n, err := tb.List(context.Background(), sqlexpr.Where{}, list.Query)
			if err != nil || n != 9 {
				t.Fatal(n, err)
			}
			var gotIDs []int64
			for _, r := range got {
				gotIDs = append(gotIDs, r.ID)
			}
			if !reflect.DeepEqual(gotIDs, c.want) {
				t.Errorf("ordering %q hide %v: %v, want %v", c.ordering, c.hide, gotIDs, c.want)
			}
		}
	})
}

func TestCursorValues(t *testing.T) {
	for _, v := range []any{int64(-7), 1.25, "a,b\x00", true, MustDecimalArg("12.50"), nil, ptr(int64(3)), (*string)(nil)} {
		e, err := encodeValue(v)
		if err != nil {
			t.Fatal(v, err)
		}
		got, err := decodeValue(e)
		want := deref(v)
		if _, isPtr := v.(*int64); !isPtr {
			if _, isPtr := v.(*string); !isPtr {
				want = v
			}
		}
		if d, ok := v.(DecimalArg); ok {
			g, _ := got.(DecimalArg)
			if err != nil || g.Places != d.Places || g.V.Cmp(d.V) != 0 {
				t.Errorf("%v: %v %v", v, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %v %v", v, got, err)
		}
	}
}

func MustDecimalArg(s string) DecimalArg { return BindDecimal(MustDecimal(s), 2) }

func FuzzDecodeCursor(f *testing.F) {
	good := encodeCursor(testCursorKey, "priced", &position{Ordering: "-price,-id", Key: []*string{ptr("d2:1.00"), ptr("i1")}})
	f.Add(good)
	f.Add("")
	f.Add("eyJvIjoiIn0")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodeCursor(testCursorKey, "priced", s)
		if err == nil && s != good {
			t.Fatalf("accepted %q: %+v", s, p)
		}
		if p != nil {
			for _, k := range p.Key {
				decodeValue(k)
			}
		}
	})
}

func FuzzDecodeValue(f *testing.F) {
	for _, s := range []string{"i1", "d2:1.50", "t2026-01-01T00:00:00Z", "s", "f1e308", "bX", "d99:1", "d2:NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := decodeValue(&s)
		if err != nil {
			return
		}
		// What decodes encodes again, to a value that decodes the same.
		e, err := encodeValue(v)
		if err != nil {
			t.Fatalf("%q decoded to %#v, which does not encode: %v", s, v, err)
		}
		if _, err := decodeValue(e); err != nil {
			t.Fatalf("%q: re-encoded %q does not decode: %v", s, str(e), err)
		}
	})
}

func FuzzParseOrdering(f *testing.F) {
	for _, s := range []string{"-price,name", " - price", ",,", "--x", "price,-price"} {
		f.Add(s)
	}
	fields := []string{"price", "name", "id"}
	f.Fuzz(func(t *testing.T, raw string) {
		terms := ParseOrdering(raw, func(n string) bool { return slices.Contains(fields, n) })
		seen := map[string]bool{}
		for _, term := range terms {
			if !slices.Contains(fields, term.Name) || seen[term.Name] {
				t.Fatalf("%q: %v", raw, terms)
			}
			seen[term.Name] = true
		}
	})
}

func FuzzLimitOffset(f *testing.F) {
	for _, s := range []string{"limit=5&offset=10", "limit=-1", "offset=1_000", "limit=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		l, o := LimitOffset(q, 20, 100)
		if l < 1 || l > 100 || o < 0 || o > maxOffset {
			t.Fatalf("%q: limit %d offset %d", raw, l, o)
		}
	})
}

// FuzzPosition: a payload reads only if it is exactly what marshal writes
// for what it read (the signature covers the bytes, so there is one
// payload for each position).
func FuzzPosition(f *testing.F) {
	f.Add((&position{Ordering: "-total,-id", Reverse: true, Key: []*string{nil, ptr("i7")}}).marshal())
	f.Add((&position{Ordering: "id", Inclusive: true, Key: []*string{ptr("i1")}}).marshal())
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := unmarshalPosition(b)
		if err != nil {
			return
		}
		if got := p.marshal(); !bytes.Equal(got, b) {
			t.Fatalf("%x read as %+v, written back as %x", b, p, got)
		}
	})
}

// TestCursorWithoutKeyFailsClosed: with no key to sign cursors a page
// that needs a link is 503, and no cursor is accepted.
func TestCursorWithoutKeyFailsClosed(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		fillPriced(t, tb, 7)
		l := pricedListing(CursorPagination, 5)
		v := &View{App: &App{}, Resource: "priced"}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			list, ok := l.Parse(v, w, r, nil)
			if !ok {
				return
			}
			rows, count, err := tb.List(r.Context(), sqlexpr.Where{}, list.Query)
			if err != nil {
				t.Fatal(err)
			}
			list.Write(w, r, rows, count)
		})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
		if w.Code != 503 {
			t.Errorf("page 1 without a key: %d %s", w.Code, w.Body)
		}
		c := encodeCursor(nil, "priced", &position{Ordering: "id", Key: []*string{ptr("i1")}})
		w = httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/x?cursor="+c, nil))
		if w.Code != 404 {
			t.Errorf("a cursor without a key: %d %s", w.Code, w.Body)
		}
	})
}
