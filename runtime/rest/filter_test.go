package rest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// good is a row of the filter tests' table: one column of each type a
// filter reads.
type good struct {
	ID     int64
	Name   string
	Sku    string
	Price  string // decimal(10,2), as written
	Cost   string // "" for NULL
	Stock  int64
	Weight float64
	Active bool
	At     time.Time
	Status string
	Shelf  int64
}

func goodsSchema(dialect Dialect, db *sql.DB) error {
	return schema.Migrate(context.Background(), db, string(dialect), []schema.Table{
		{Name: "shelves", Columns: []schema.Column{{Name: "active", Type: "bool"}, {Name: "owner_id", Type: "int"}}},
		{Name: "goods", Columns: []schema.Column{
			{Name: "name", Type: "string"}, {Name: "sku", Type: "string"},
			{Name: "price", Type: "decimal", MaxDigits: 10, DecimalPlaces: 2},
			{Name: "cost", Type: "decimal", MaxDigits: 10, DecimalPlaces: 2, Nullable: true},
			{Name: "stock", Type: "int"}, {Name: "weight", Type: "float"}, {Name: "active", Type: "bool"},
			{Name: "at", Type: "datetime"}, {Name: "status", Type: "string"},
			{Name: "shelf_id", Type: "ref", References: "shelves"},
		}},
	})
}

func goodsTable(dialect Dialect, db *sql.DB) *Table[good] {
	return &Table[good]{
		DB: db, Dialect: dialect, Name: `"goods"`,
		Select:    `SELECT "id", "name" FROM "goods"`,
		InsertSQL: `INSERT INTO "goods" ("name", "sku", "price", "cost", "stock", "weight", "active", "at", "status", "shelf_id") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id", "name"`,
		InsertArgs: func(o *good) []any {
			var cost *apd.Decimal
			if o.Cost != "" {
				cost = MustDecimal(o.Cost)
			}
			return []any{o.Name, o.Sku, BindDecimal(MustDecimal(o.Price), 2), BindDecimal(cost, 2), o.Stock, o.Weight, o.Active, o.At, o.Status, o.Shelf}
		},
		ID: func(o *good) int64 { return o.ID },
		Scan: func(r Scanner) (*good, error) {
			var o good
			return &o, r.Scan(&o.ID, &o.Name)
		},
	}
}

var goodsFilters = FilterSet{
	Filters: []Filter{
		{Field: "name", Column: "name", Type: FilterString, Lookups: []FilterLookup{LookupExact, LookupIn}},
		{Field: "price", Column: "price", Type: FilterDecimal, Lookups: []FilterLookup{LookupExact, LookupIn, LookupGte, LookupLte, LookupGt, LookupLt}, MaxDigits: 10, DecimalPlaces: 2},
		{Field: "cost", Column: "cost", Type: FilterDecimal, Lookups: []FilterLookup{LookupLte, LookupIsNull}, MaxDigits: 10, DecimalPlaces: 2},
		{Field: "stock", Column: "stock", Type: FilterInt, Lookups: []FilterLookup{LookupExact, LookupIn, LookupGte, LookupLte, LookupGt, LookupLt}},
		{Field: "weight", Column: "weight", Type: FilterFloat, Lookups: []FilterLookup{LookupGte, LookupLt, LookupIn}},
		{Field: "active", Column: "active", Type: FilterBool, Lookups: []FilterLookup{LookupExact}},
		{Field: "at", Column: "at", Type: FilterDateTime, Lookups: []FilterLookup{LookupExact, LookupGte, LookupLt}},
		{Field: "status", Column: "status", Type: FilterString, Lookups: []FilterLookup{LookupExact, LookupIn}, Choices: []any{"pending", "paid", "shipped", "cancelled"}},
		{Field: "shelf", Column: "shelf_id", Type: FilterRef, Lookups: []FilterLookup{LookupExact}, Target: &FilterTarget{Resource: "shelves", Table: `"shelves"`, Scope: shelfScope}},
	},
	Search: []string{"name", "sku"},
}

var goodsRows = []good{
	{Name: "Blue Widget", Sku: "BW-1", Price: "12.50", Cost: "5.00", Stock: 3, Weight: 1.5, Active: true, At: time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), Status: "paid"},
	{Name: "red gadget", Sku: "RG_2", Price: "7.00", Stock: 0, Weight: 0.25, Active: true, At: time.Date(2024, 1, 2, 10, 0, 0, 500000000, time.UTC), Status: "pending"},
	{Name: "Ünïcode Éclair", Sku: "UE%3", Price: "0.00", Cost: "0.01", Stock: 10, Weight: 2, At: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Status: "shipped", Shelf: 1},
	{Name: `back\slash`, Sku: "BS-4", Price: "99999999.99", Cost: "99999999.99", Stock: -5, Weight: -1, Active: true, At: time.Date(2023, 12, 31, 23, 59, 59, 999999000, time.UTC), Status: "cancelled", Shelf: 1},
	{Name: "éclair", Sku: "ec-5", Price: "12.49", Stock: 9223372036854775807, Weight: 1e300, Active: true, At: time.Date(2024, 1, 1, 10, 0, 0, 1000, time.UTC), Status: "paid"},
}

// goodsDBs runs f with the goods (shelf 1 inactive and owned by user 1,
// shelf 2 active; rows as goodsRows, Shelf 0 meaning shelf 2) on SQLite
// and on PostgreSQL.
func goodsDBs(t *testing.T, f func(t *testing.T, tb *Table[good])) {
	open := map[string]func(t *testing.T) (Dialect, *sql.DB){
		"sqlite": func(t *testing.T) (Dialect, *sql.DB) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return SQLite, db
		},
		"postgres": func(t *testing.T) (Dialect, *sql.DB) { return Postgres, postgresNotes(t).DB },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			d, db := open[name](t)
			if err := goodsSchema(d, db); err != nil {
				t.Fatal(err)
			}
			ins := `INSERT INTO "shelves" ("active", "owner_id") VALUES (?, ?)`
			if d == Postgres {
				ins = sqlexpr.Rebind(ins)
			}
			for _, s := range []shelf{{Active: false, Owner: 1}, {Active: true, Owner: 2}} {
				if _, err := db.Exec(ins, s.Active, s.Owner); err != nil {
					t.Fatal(err)
				}
			}
			tb := goodsTable(d, db)
			for _, g := range goodsRows {
				if g.Shelf == 0 {
					g.Shelf = 2
				}
				if _, err := tb.Create(context.Background(), &g); err != nil {
					t.Fatal(err)
				}
			}
			f(t, tb)
		})
	}
}

// filtered lists the names of the goods the query selects for u, or
// returns the error of Where.
func filtered(t *testing.T, tb *Table[good], u *identity.User, query string, hide ...string) ([]string, error) {
	t.Helper()
	r := httptest.NewRequest("GET", "/goods", nil)
	r.URL.RawQuery = query
	req := &perm.Request{HTTP: r, User: u, Action: perm.ActionList, Resource: "goods", DB: handle(tb.DB, tb.Dialect)}
	where, err := goodsFilters.Where(req, hide)
	if err != nil {
		return nil, err
	}
	rows, n, err := tb.List(context.Background(), where, ListQuery{Order: []OrderKey{{Column: `"id"`}}, Limit: 100, Count: true})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	names := []string{}
	for _, r := range rows {
		names = append(names, r.Name)
	}
	if n != len(names) {
		t.Fatalf("%s: count %d, %d rows", query, n, len(names))
	}
	return names, nil
}

var (
	staff = &identity.User{ID: 3, IsActive: true, IsStaff: true}
	owner = &identity.User{ID: 1, IsActive: true}
)

// TestFilterWhere: every lookup of every type selects the rows
// django-filter would (numbers compared exactly), identically on SQLite
// and PostgreSQL.
func TestFilterWhere(t *testing.T) {
	const (
		blue, red, uni, back, ecl = "Blue Widget", "red gadget", "Ünïcode Éclair", `back\slash`, "éclair"
	)
	all := []string{blue, red, uni, back, ecl}
	cases := []struct {
		query string
		hide  []string
		want  []string
	}{
		{"", nil, all},
		{"unknown=1&price=&search=&ordering=zzz", nil, all},
		{"name=red gadget", nil, []string{red}},
		{"name=%20red%20gadget%20", nil, []string{red}}, // trimmed, as CharField
		{"name=Red gadget", nil, nil},                   // exact is case-sensitive
		{"name=%20%20", nil, all},                       // blank once trimmed: no filter
		{"name__in=red gadget,éclair", nil, []string{red, ecl}},
		{"price=12.5", nil, []string{blue}},
		{"price=12.500000", nil, []string{blue}},
		{"price=12.501", nil, nil},
		{"price__in=7,12.49,1e9,0.001", nil, []string{red, ecl}},
		{"price__gte=12.49", nil, []string{blue, back, ecl}},
		{"price__gte=12.491", nil, []string{blue, back}},
		{"price__gt=12.49", nil, []string{blue, back}},
		{"price__gt=12.489", nil, []string{blue, back, ecl}},
		{"price__lte=12.499", nil, []string{red, uni, ecl}},
		{"price__lt=12.491", nil, []string{red, uni, ecl}},
		{"price__lt=12.49", nil, []string{red, uni}},
		{"price__gte=1e8", nil, nil},
		{"price__lte=1e8", nil, all},
		{"price__lte=1e999999", nil, all},
		{"price__gte=-1e999999", nil, all},
		{"price__lt=-0.0001", nil, nil},
		{"price__lte=-0.0001", nil, nil},
		{"price__gte=99999999.989", nil, []string{back}},
		{"price__gte=99999999.991", nil, nil},
		{"price__gte=%2B1_2.4_9", nil, []string{blue, back, ecl}},
		{"price__gte=0&price__lte=12.49", nil, []string{red, uni, ecl}},
		{"price__gte=13&price__gte=12.49", nil, []string{blue, back, ecl}}, // the last one counts
		{"cost__lte=5", nil, []string{blue, uni}},                          // NULL never matches
		{"cost__lte=1e20", nil, []string{blue, uni, back}},
		{"cost__lte=abc", []string{"cost"}, all}, // hidden: ignored, whatever its value
		{"cost__isnull=true", nil, []string{red, ecl}},
		{"cost__isnull=FALSE", nil, []string{blue, uni, back}},
		{"cost__isnull=maybe", nil, all},
		{"stock=0", nil, []string{red}},
		{"stock=0.5", nil, nil},
		{"stock__gte=0.5", nil, []string{blue, uni, ecl}},
		{"stock__lt=-4.5", nil, []string{back}},
		{"stock__gt=9223372036854775806", nil, []string{ecl}},
		{"stock__gte=9223372036854775808", nil, nil},
		{"stock__lte=1e30", nil, all},
		{"stock__in=3,10,1e40,-5", nil, []string{blue, uni, back}},
		{"weight__gte=1.5", nil, []string{blue, uni, ecl}},
		{"weight__lt=0.3", nil, []string{red, back}},
		{"weight__in=2,-1", nil, []string{uni, back}},
		{"active=true", nil, []string{blue, red, back, ecl}},
		{"active=False", nil, []string{uni}},
		{"active=1", nil, []string{blue, red, back, ecl}},
		{"active=yes", nil, all}, // not a BooleanWidget value: no filter
		{"at=2024-01-01T10:00:00Z", nil, []string{blue}},
		{"at__gte=2024-01-01T10:00:00.000001Z", nil, []string{red, uni, ecl}},
		{"at__gte=2024-01-02 11:00:00%2B01:00", nil, []string{red, uni}},
		{"at__lt=2024-01-01", nil, []string{back}},
		{"at__lt=2024-01-01T10:00", nil, []string{back}},
		{"at__gte=2024-01-02T10:00:00.5", nil, []string{red, uni}},
		{"status=paid", nil, []string{blue, ecl}},
		{"status__in=paid,shipped,nope", nil, []string{blue, uni, ecl}},
		{"status__in=nope", nil, nil},
		{"shelf=2", nil, []string{blue, red, ecl}},
		{"shelf=%20%2B0_2%20", nil, []string{blue, red, ecl}}, // as Python's int()
		{"search=widget", nil, []string{blue}},
		{"search=WIDGET", nil, []string{blue}},
		{"search=bw-1", nil, []string{blue}},
		{"search=e,blue", nil, []string{blue}},
		{"search=%20e%20%20gadget%20", nil, []string{red}},
		{"search=eclair", nil, nil},                 // no accent folding
		{"search=ÉCLAIR", nil, []string{uni}},       // ASCII letters only fold
		{"search=é", nil, []string{ecl}},            // é matches é only, not É
		{"search=%25", nil, []string{uni}},          // % is literal
		{"search=_", nil, []string{red}},            // _ is literal
		{"search=%5C", nil, []string{back}},         // \ is literal
		{"search=g_2", nil, []string{red}},          //
		{"search=r%00ed", nil, []string{red}},       // NUL removed
		{"search=widget", []string{"name"}, nil},    // name hidden: searched in sku only
		{"search=bw", []string{"name", "sku"}, all}, // nothing searchable: ignored
		{"search=b&active=true&price__lt=20", nil, []string{blue}},
	}
	goodsDBs(t, func(t *testing.T, tb *Table[good]) {
		for _, c := range cases {
			got, err := filtered(t, tb, staff, c.query, c.hide...)
			if err != nil {
				t.Errorf("%s: %v", c.query, err)
				continue
			}
			want := c.want
			if want == nil {
				want = []string{}
			}
			sort.Strings(got)
			want = append([]string{}, want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (hide %v): got %q, want %q", c.query, c.hide, got, want)
			}
		}
	})
}

// TestFilterErrors: bad values are 400 with one key per bad parameter, all
// at once, with django-filter's messages; a reference the caller cannot
// see is refused exactly as a missing one.
func TestFilterErrors(t *testing.T) {
	choice := func(v string) string { return "Select a valid choice. " + v + " is not one of the available choices." }
	cases := []struct {
		u     *identity.User
		query string
		want  map[string][]string
	}{
		{staff, "price__gte=abc&price__lte=1,5&stock=NaN&weight__gte=inf&cost__lte=Infinity", map[string][]string{
			"price__gte": {filterNumber}, "price__lte": {filterNumber}, "stock": {filterNumber}, "weight__gte": {filterNumber}, "cost__lte": {filterNumber}}},
		{staff, "price__in=1,x&stock__in=1,,2,y", map[string][]string{"price__in": {filterNumber}, "stock__in": {filterNumber}}},
		{staff, "price=%20%20", map[string][]string{"price": {filterNumber}}},
		{staff, "at=yesterday&at__gte=2024-13-01&at__lt=2024-01-01T25:00", map[string][]string{"at": {filterDateTime}, "at__gte": {filterDateTime}, "at__lt": {filterDateTime}}},
		{staff, "status=Paid", map[string][]string{"status": {choice("Paid")}}},
		{staff, "status=%20paid", map[string][]string{"status": {choice(" paid")}}},
		{staff, "name=a%00b", map[string][]string{"name": {"Null characters are not allowed."}}},
		{staff, "shelf=abc", map[string][]string{"shelf": {filterRef}}},
		{staff, "shelf=99", map[string][]string{"shelf": {filterRef}}},
		{staff, "shelf=99999999999999999999", map[string][]string{"shelf": {filterRef}}},
		{staff, "shelf=2.0", map[string][]string{"shelf": {filterRef}}},
		{staff, "shelf=2__0", map[string][]string{"shelf": {filterRef}}},
		{staff, "shelf=-", map[string][]string{"shelf": {filterRef}}},
		{nil, "shelf=1", map[string][]string{"shelf": {filterRef}}},                                   // inactive, not theirs
		{&identity.User{ID: 2, IsActive: true}, "shelf=1", map[string][]string{"shelf": {filterRef}}}, // another's
		{staff, "search=" + distinctTerms(maxTerms+1), map[string][]string{"search": {"Ensure this value has at most 100 terms."}}},
		{staff, "name__in=" + strings.Repeat("a,", maxTerms), map[string][]string{"name__in": {"Ensure this value has at most 100 items."}}},
	}
	goodsDBs(t, func(t *testing.T, tb *Table[good]) {
		for _, c := range cases {
			_, err := filtered(t, tb, c.u, c.query)
			var inv *Invalid
			if !errors.As(err, &inv) {
				t.Errorf("%s: %v, want *Invalid", c.query, err)
				continue
			}
			if got := map[string][]string(inv.Errors); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s:\n got %v\nwant %v", c.query, got, c.want)
			}
		}
		// The owner of the inactive shelf may name it.
		if got, err := filtered(t, tb, owner, "shelf=1"); err != nil || len(got) != 2 {
			t.Errorf("owner: shelf=1: %q, %v", got, err)
		}
		// A term repeated counts once; maxTerms distinct terms are fine.
		for _, q := range []string{strings.Repeat("t ", 5*maxTerms), distinctTerms(maxTerms)} {
			if _, err := filtered(t, tb, staff, "search="+q); err != nil {
				t.Errorf("search=%.20s...: %v", q, err)
			}
		}
	})
}

func distinctTerms(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "t%d ", i)
	}
	return b.String()
}

// TestFilterRefFailsClosed: a reference check that cannot be made is an
// error (503), never a filter that lets rows through.
func TestFilterRefFailsClosed(t *testing.T) {
	req := &perm.Request{HTTP: httptest.NewRequest("GET", "/goods?shelf=1", nil), User: staff}
	if _, err := goodsFilters.Where(req, nil); !errors.Is(err, sqlexpr.ErrNoDB) {
		t.Errorf("without a database: %v", err)
	}
	failing := FilterSet{Filters: []Filter{{Field: "shelf", Column: "shelf_id", Type: FilterRef, Lookups: []FilterLookup{LookupExact},
		Target: &FilterTarget{Table: `"shelves"`, Scope: func(*perm.Request) (sqlexpr.Where, error) { return sqlexpr.Nothing, errors.New("down") }}}}}
	if _, err := failing.Where(req, nil); err == nil || err.Error() != "down" {
		t.Errorf("failing scope: %v", err)
	}
}

// TestFilterDecimalDifferential compares decimal and integer bounds, drawn
// at random around the stored values, with apd's exact comparison, on
// SQLite and PostgreSQL.
func TestFilterDecimalDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	var bounds []string
	for range 300 {
		whole := r.IntN(20)
		b := fmt.Sprintf("%d.%0*d", whole, 1+r.IntN(5), r.IntN(100000))
		if r.IntN(4) == 0 {
			b = "-" + b
		}
		if r.IntN(5) == 0 {
			b += fmt.Sprintf("e%d", r.IntN(21)-10)
		}
		bounds = append(bounds, b)
	}
	bounds = append(bounds, "0", "-0", "7", "7.00", "12.49", "12.4900001", "99999999.99", "1e8", "-1e8", "9.999999999999999999e7")
	prices := map[string]*apd.Decimal{}
	for _, g := range goodsRows {
		prices[g.Name] = MustDecimal(g.Price)
	}
	cmpOK := map[string]func(c int) bool{
		"": func(c int) bool { return c == 0 }, "__gte": func(c int) bool { return c >= 0 }, "__gt": func(c int) bool { return c > 0 },
		"__lte": func(c int) bool { return c <= 0 }, "__lt": func(c int) bool { return c < 0 },
	}
	goodsDBs(t, func(t *testing.T, tb *Table[good]) {
		for _, b := range bounds {
			bd := MustDecimal(b)
			for suffix, ok := range cmpOK {
				got, err := filtered(t, tb, staff, "price"+suffix+"="+url.QueryEscape(b))
				if err != nil {
					t.Fatalf("%s: %v", b, err)
				}
				var want []string
				for name, p := range prices {
					if ok(p.Cmp(bd)) {
						want = append(want, name)
					}
				}
				sort.Strings(got)
				sort.Strings(want)
				if len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
					t.Errorf("price%s=%s: got %q, want %q", suffix, b, got, want)
				}
			}
		}
	})
}

func TestParseFilterTime(t *testing.T) {
	utc := func(s string) time.Time { x, _ := time.Parse(time.RFC3339Nano, s); return x.UTC() }
	for _, c := range []struct {
		in   string
		want time.Time // zero: refused
	}{
		{"2024-01-02", utc("2024-01-02T00:00:00Z")},
		{" 2024-01-02T03:04 ", utc("2024-01-02T03:04:00Z")},
		{"2024-01-02 03:04:05", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02T03:04:05.1234567Z", utc("2024-01-02T03:04:05.123456Z")},
		{"2024-01-02T03:04:05+02:00", utc("2024-01-02T01:04:05Z")},
		{"2024-01-02T03:04:05-0130", utc("2024-01-02T04:34:05Z")},
		{"2024-01-02T03:04:05+02", utc("2024-01-02T01:04:05Z")},
		{"2024-01-02t03:04:05z", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02T03:04:05,25Z", utc("2024-01-02T03:04:05.25Z")},
		{"2024-01-02T03:04.5", time.Time{}},
		{"2024-01-02T3:04:05", time.Time{}},
		{"2024-02-30", time.Time{}},
		{"2024-01-02T24:00:00", time.Time{}},
		{"2024-01-02T03:04:05+25:00", time.Time{}},
		{"2024-01-02T03:04:05.", time.Time{}},
		{"2024-01-02X03:04:05", time.Time{}},
		{"", time.Time{}},
		{"tomorrow", time.Time{}},
	} {
		got, ok := ParseFilterTime(c.in)
		if ok != !c.want.IsZero() || !got.Equal(c.want) {
			t.Errorf("%q: %v %v, want %v", c.in, got, ok, c.want)
		}
	}
}

func TestSearchTerms(t *testing.T) {
	for in, want := range map[string][]string{
		"":                 nil,
		" a  b,c,,d ":      {"a", "b", "c", "d"},
		"a\tb\nc\u00a0d":   {"a", "b", "c", "d"},
		"a\x1cb\x1fc":      {"a", "b", "c"},
		"x\x00y":           {"xy"},
		"\u3000wide\u2003": {"wide"},
	} {
		if got := SearchTerms(in); !reflect.DeepEqual(got, want) && (len(got)+len(want) > 0) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// FuzzFilterWhere: any query string gives a condition whose placeholders
// match its arguments, or field errors; never a panic.
func FuzzFilterWhere(f *testing.F) {
	for _, s := range []string{"price__gte=1e999999999&search=a,b", "at=2024-01-02T03:04:05%2B02:00", "stock__in=1,2,3", "status__in=paid,,x", "price=-0.000", "weight__gte=1e400", "search=%25_%5C"} {
		f.Add(s)
	}
	set := goodsFilters
	set.Filters = set.Filters[:len(set.Filters)-1] // no reference: no database
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/goods", nil)
		r.URL.RawQuery = query
		where, err := set.Where(&perm.Request{HTTP: r}, nil)
		if err != nil {
			var inv *Invalid
			if !errors.As(err, &inv) || inv.Errors.Empty() {
				t.Fatalf("%q: %v", query, err)
			}
			return
		}
		if n := strings.Count(where.SQL, "?"); n != len(where.Args) {
			t.Fatalf("%q: %d placeholders, %d args: %s", query, n, len(where.Args), where.SQL)
		}
	})
}

// FuzzScale: the rounded bound selects exactly the integers n/10^2 that
// the exact comparison selects.
func FuzzScale(f *testing.F) {
	for _, s := range []string{"12.345", "-0.001", "1e20", "99999999.995", "-7"} {
		f.Add(s, int64(1234))
	}
	f.Fuzz(func(t *testing.T, s string, probe int64) {
		p, ok := splitDecimal(s)
		if !ok || len(s) > 40 {
			return
		}
		d, _, err := apd.NewFromString(strings.ReplaceAll(s, "_", ""))
		if err != nil {
			t.Skip()
		}
		probe %= 1e10
		v := apd.New(probe, -2)
		for _, up := range []bool{false, true} {
			b := scale(p, 2, 1e10-1, up)
			c := v.Cmp(d)
			switch {
			case up && !b.over && !b.under: // v >= d  <=>  probe >= n
				if (c >= 0) != (probe >= b.n) {
					t.Fatalf("%s ceil %d: probe %d", s, b.n, probe)
				}
			case !up && !b.over && !b.under: // v <= d  <=>  probe <= n
				if (c <= 0) != (probe <= b.n) {
					t.Fatalf("%s floor %d: probe %d", s, b.n, probe)
				}
			case b.over && c > 0, b.under && c < 0:
				t.Fatalf("%s: %d is beyond the bound", s, probe)
			}
		}
	})
}

// strictRFC3339 is RFC 3339 as Python reads it (Go's parser is laxer:
// one-digit hours, year 0).
var strictRFC3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)

// FuzzParseFilterTime: every RFC 3339 time Go reads (strictly written, from
// year 1) is read the same, to the microsecond; nothing panics.
func FuzzParseFilterTime(f *testing.F) {
	for _, s := range []string{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789+05:30", "2024-01-02", "2024-01-02 03:04", "0001-01-01T00:00:00-23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseFilterTime(s)
		if ok && got.Location() != time.UTC {
			t.Fatalf("%q: %v is not UTC", s, got)
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !strictRFC3339.MatchString(s) || want.Year() < 1 {
			return
		}
		if !ok || !got.Equal(want.Truncate(time.Microsecond)) {
			t.Fatalf("%q: %v %v, Go reads %v", s, got, ok, want)
		}
	})
}

// TestFilterChoicesTyped: a choice is bound as the spec wrote it (an int
// choice as an int64), matched by its text; unknown __in values drop out.
func TestFilterChoicesTyped(t *testing.T) {
	set := FilterSet{Filters: []Filter{
		{Field: "rank", Column: "rank", Type: FilterInt, Lookups: []FilterLookup{LookupExact, LookupIn}, Choices: []any{int64(1), int64(2)}},
		{Field: "ratio", Column: "ratio", Type: FilterFloat, Lookups: []FilterLookup{LookupExact}, Choices: []any{0.5, 1.5}},
	}}
	for _, c := range []struct {
		query string
		want  sqlexpr.Where
	}{
		{"rank=2", sqlexpr.Where{SQL: `"rank" = ?`, Args: []any{int64(2)}}},
		{"rank__in=2,x,1,2", sqlexpr.Where{SQL: `"rank" IN (?, ?)`, Args: []any{int64(2), int64(1)}}},
		{"rank__in=x", sqlexpr.Nothing},
		{"ratio=1.5", sqlexpr.Where{SQL: `"ratio" = ?`, Args: []any{1.5}}},
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.URL.RawQuery = c.query
		got, err := set.Where(&perm.Request{HTTP: r}, nil)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %#v %v, want %#v", c.query, got, err, c.want)
		}
	}
	r := httptest.NewRequest("GET", "/x?rank=02", nil)
	var inv *Invalid
	if _, err := set.Where(&perm.Request{HTTP: r}, nil); !errors.As(err, &inv) || inv.Errors["rank"][0] != "Select a valid choice. 02 is not one of the available choices." {
		t.Errorf("rank=02: %v", err)
	}
}
