package rest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// benchOrder is an orders-like row: the shop's order list reads
// created_at and total, newest first by default.
type benchOrder struct {
	ID         int64        `json:"id"`
	CustomerID int64        `json:"customer"`
	Total      *apd.Decimal `json:"total"`
	CreatedAt  time.Time    `json:"created_at"`
}

// benchRows is the size of the table (WARD_BENCH_ROWS overrides it).
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("WARD_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var benchTable = struct {
	once sync.Once
	tb   *Table[benchOrder]
	err  error
}{}

// ordersBench fills a SQLite table once per process with benchRows()
// orders, with the (created_at, id) and (total, id) indexes the generator
// declares for a cursor-paginated resource.
func ordersBench(b *testing.B) *Table[benchOrder] {
	benchTable.once.Do(func() {
		dir, err := os.MkdirTemp("", "ward-paging-bench")
		if err != nil {
			benchTable.err = err
			return
		}
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "b.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)&_txlock=immediate")
		if err != nil {
			benchTable.err = err
			return
		}
		benchTable.tb, benchTable.err = fillBench(db, benchRows())
	})
	if benchTable.err != nil {
		b.Fatal(benchTable.err)
	}
	return benchTable.tb
}

func fillBench(db *sql.DB, n int) (*Table[benchOrder], error) {
	ctx := context.Background()
	def := schema.Table{Name: "orders", Columns: []schema.Column{
		{Name: "customer_id", Type: "int"},
		{Name: "total", Type: "decimal", Nullable: true, MaxDigits: 12, DecimalPlaces: 2},
		{Name: "created_at", Type: "datetime"},
	}, Indexes: []schema.Index{
		{Name: schema.IndexName("orders", []string{"created_at", "id"}), Columns: []string{"created_at", "id"}},
		{Name: schema.IndexName("orders", []string{"total", "id"}), Columns: []string{"total", "id"}},
	}}
	if err := schema.Migrate(ctx, db, string(SQLite), []schema.Table{def}); err != nil {
		return nil, err
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ins, err := tx.Prepare(`INSERT INTO "orders" ("customer_id", "total", "created_at") VALUES (?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		// Several orders share a created_at and many a total: id breaks ties.
		at := start.Add(time.Duration(i/3) * time.Millisecond)
		if _, err := ins.Exec(1+i%50, int64(100*(1+i%997)), at); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &Table[benchOrder]{
		DB: db, Dialect: SQLite, Name: `"orders"`,
		Select: `SELECT "id", "customer_id", "total", "created_at" FROM "orders"`,
		ID:     func(o *benchOrder) int64 { return o.ID },
		Scan: func(row Scanner) (*benchOrder, error) {
			var o benchOrder
			if err := row.Scan(&o.ID, &o.CustomerID, ScanDecimalPtr(&o.Total, 2), &o.CreatedAt); err != nil {
				return nil, err
			}
			return &o, nil
		},
	}, nil
}

func benchListing(p Pagination) *Listing[benchOrder] {
	return &Listing[benchOrder]{
		Pagination: p, PageSize: 10, MaxLimit: 100,
		Columns: []Column[benchOrder]{
			{Name: "id", SQL: `"id"`, Value: func(o *benchOrder) any { return o.ID }},
			{Name: "total", SQL: `"total"`, Nullable: true, Value: func(o *benchOrder) any { return BindDecimal(o.Total, 2) }},
			{Name: "created_at", SQL: `"created_at"`, Value: func(o *benchOrder) any { return o.CreatedAt }},
		},
		Default: []Term{{Name: "created_at", Desc: true}, {Name: "id", Desc: true}},
		Fields:  []string{"created_at", "total"},
	}
}

// benchHandler is a generated list action without authentication.
func benchHandler(tb *Table[benchOrder], l *Listing[benchOrder]) http.Handler {
	v := &View{App: &App{CursorKey: testCursorKey}, Resource: "orders"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, ok := l.Parse(v, w, r, nil)
		if !ok {
			return
		}
		rows, count, err := tb.List(r.Context(), sqlexpr.Where{}, list.Query)
		if err != nil {
			v.Fail(w, err)
			return
		}
		list.Write(w, r, rows, count)
	})
}

// cursorAt is the cursor of the page that starts after row `offset` of
// the ordering: the next link of the page before it.
func cursorAt(b *testing.B, tb *Table[benchOrder], l *Listing[benchOrder], ordering string, offset int) string {
	w := httptest.NewRecorder()
	lr, ok := l.Parse(&View{App: &App{CursorKey: testCursorKey}, Resource: "orders"}, w, httptest.NewRequest("GET", "/x?ordering="+ordering, nil), nil)
	if !ok {
		b.Fatal(w.Body)
	}
	q := lr.Query
	q.Limit, q.Offset = 1, offset-1
	rows, _, err := tb.List(context.Background(), sqlexpr.Where{}, q)
	if err != nil || len(rows) != 1 {
		b.Fatal(rows, err)
	}
	return encodeCursor(testCursorKey, "orders", lr.at(rows[0], false))
}

func serve(b *testing.B, h http.Handler, u string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
	if w.Code != 200 || w.Body.Len() < 200 {
		b.Fatalf("%s: %d %s", u, w.Code, w.Body)
	}
}

// BenchmarkPaging compares page 1 and page 1,000 (10 a page) of an
// orders-like list of 100,000 rows on SQLite: a cursor page costs the
// same at any depth (keyset, an index range scan), while limit/offset
// page 1,000 reads and skips 9,990 rows (and counts the table).
//
//	go test ./runtime/rest -run XXX -bench Paging -benchmem
func BenchmarkPaging(b *testing.B) {
	tb := ordersBench(b)
	cursor := benchHandler(tb, benchListing(CursorPagination))
	offset := benchHandler(tb, benchListing(LimitOffsetPagination))
	const depth = 999 * 10 // rows before page 1,000
	for _, c := range []struct {
		name string
		h    http.Handler
		url  func() string
	}{
		{"cursor/page1", cursor, func() string { return "/api/orders" }},
		{"cursor/page1000", cursor, func() string {
			return "/api/orders?cursor=" + url.QueryEscape(cursorAt(b, tb, benchListing(CursorPagination), "", depth))
		}},
		{"cursor/-total/page1", cursor, func() string { return "/api/orders?ordering=-total" }},
		{"cursor/-total/page1000", cursor, func() string {
			return "/api/orders?ordering=-total&cursor=" + url.QueryEscape(cursorAt(b, tb, benchListing(CursorPagination), "-total", depth))
		}},
		{"limit_offset/page1", offset, func() string { return "/api/orders?limit=10" }},
		{"limit_offset/page1000", offset, func() string { return fmt.Sprintf("/api/orders?limit=10&offset=%d", depth) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			u := c.url()
			serve(b, c.h, u)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve(b, c.h, u)
			}
		})
	}
}
