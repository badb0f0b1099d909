package shop_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/wardhq/ward/examples/shop/shopapi"
	"github.com/wardhq/ward/runtime/service"
	"github.com/wardhq/ward/runtime/store/sqlite"
)

// discard is a ResponseWriter that keeps only the status and the body's
// length, so that the benchmarks measure the service, not a recorder.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) Write(b []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	d.n += len(b)
	return len(b), nil
}
func (d *discard) WriteHeader(c int) {
	if d.code == 0 {
		d.code = c
	}
}

// catalogSize is the number of products the list benchmarks page through.
const catalogSize = 100_000

// benchShop serves the shop in-process as serve does, with 10 categories
// and size products (catalogSize for the list benchmarks): a third named "Widget ...", one in seven
// inactive, prices spread over 0.00..999.99. It returns the handler, a
// customer's access token and the database the hand-written baseline reads.
func benchShop(b *testing.B, size int) (http.Handler, string, *sql.DB) {
	dir := b.TempDir()
	env := map[string]string{"SHOP_DATA": dir, "SHOP_JWT_KEY": "bench-signing-key-0123456789abcdef!!"}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	for _, args := range [][]string{
		{"createuser", "--username", "root", "--password", "root-pass-1", "--staff"},
		{"createuser", "--username", "alice", "--password", "alice-pass-1"},
	} {
		if code := service.Run(b.Context(), shopapi.Definition(), args, strings.NewReader(""), &out, &out, service.WithEnv(getenv)); code != 0 {
			b.Fatalf("%s: %d %s", args[0], code, out.String())
		}
	}
	log, closeLog := service.NewLogger(io.Discard)
	b.Cleanup(func() { closeLog() })
	svc, err := service.New(b.Context(), shopapi.Definition(), service.WithEnv(getenv), service.WithLogger(log))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	h := svc.Handler()
	call := func(method, path, access, body string, want int) string {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if access != "" {
			r.Header.Set("Authorization", "Bearer "+access)
		}
		h.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	token := func(user, pass string) string {
		var login struct {
			Access string `json:"access_token"`
		}
		json.Unmarshal([]byte(call("POST", "/auth/jwt/login", "", `{"username":"`+user+`","password":"`+pass+`"}`, 200)), &login)
		return login.Access
	}
	root, alice := token("root", "root-pass-1"), token("alice", "alice-pass-1")
	for i := range 10 {
		call("POST", "/api/categories", root, `{"name":"Category `+string(rune('A'+i))+`"}`, 201)
	}
	// One product through the API, so that the rows below are stored as
	// Ward stores them (scaled prices, its timestamps), then the rest in
	// one statement.
	call("POST", "/api/products", root, `{"name":"Seed","sku":"SEED","category":1,"price":"1.00"}`, 201)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO products (name, sku, category_id, price, cost, stock, active, created_at)
		SELECT CASE WHEN i % 3 = 0 THEN 'Widget ' ELSE 'Gadget ' END || i, 'SKU-' || i, i % 10 + 1,
			(i * 7919) % 100000, NULL, 5, i % 7 != 0, (SELECT created_at FROM products WHERE sku = 'SEED')
		FROM n`, size-1); err != nil {
		b.Fatal(err)
	}
	return h, alice, db
}

// listQuery is a customer's filtered, searched and ordered first page.
const listQuery = "/api/products?category=3&price__gte=10&price__lte=500&search=widget&ordering=-price"

// BenchmarkProductList compares the shop's list handler (JWT, the read
// scope, the filters, search, ordering, the page, the count, hiding cost,
// JSON) with the same query written by hand: two prepared statements (the
// page and its count) and encoding/json, with no authentication at all.
func BenchmarkProductList(b *testing.B) {
	h, access, db := benchShop(b, catalogSize)
	b.Run("ward", func(b *testing.B) { benchGet(b, h, listQuery, access, 1000) })
	b.Run("handwritten", func(b *testing.B) {
		const where = ` FROM products WHERE active AND category_id = ? AND price >= ? AND price <= ?
			AND (lower(name) LIKE ? ESCAPE '\' OR lower(sku) LIKE ? ESCAPE '\')`
		page, err := db.Prepare(`SELECT id, name, sku, category_id, price, stock, active, created_at` + where + ` ORDER BY price DESC, id LIMIT 20`)
		if err != nil {
			b.Fatal(err)
		}
		count, err := db.Prepare(`SELECT count(*)` + where)
		if err != nil {
			b.Fatal(err)
		}
		args := []any{3, 1000, 50000, "%widget%", "%widget%"}
		type product struct {
			ID        int64     `json:"id"`
			Name      string    `json:"name"`
			Sku       string    `json:"sku"`
			Category  int64     `json:"category"`
			Price     string    `json:"price"`
			Stock     int64     `json:"stock"`
			Active    bool      `json:"active"`
			CreatedAt time.Time `json:"created_at"`
		}
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			var body struct {
				Count    int       `json:"count"`
				Next     *string   `json:"next"`
				Previous *string   `json:"previous"`
				Results  []product `json:"results"`
			}
			if err := count.QueryRowContext(context.Background(), args...).Scan(&body.Count); err != nil {
				b.Fatal(err)
			}
			rows, err := page.QueryContext(context.Background(), args...)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var p product
				var cents int64
				if err := rows.Scan(&p.ID, &p.Name, &p.Sku, &p.Category, &cents, &p.Stock, &p.Active, &p.CreatedAt); err != nil {
					b.Fatal(err)
				}
				p.Price = formatCents(cents)
				body.Results = append(body.Results, p)
			}
			if err := rows.Close(); err != nil {
				b.Fatal(err)
			}
			buf.Reset()
			if err := json.NewEncoder(&buf).Encode(body); err != nil || len(body.Results) != 20 {
				b.Fatalf("%d results, %v", len(body.Results), err)
			}
		}
	})
}

// BenchmarkProductPage is a customer's first page of 20 products, without
// filters, in a catalog of 100: the page, its count and the JSON, cost
// hidden on every row, with little SQL around them.
func BenchmarkProductPage(b *testing.B) {
	h, access, _ := benchShop(b, 100)
	benchGet(b, h, "/api/products", access, 2000)
}

// benchGet serves GET path with a Bearer access token through h, over and
// over, and fails unless each answer is 200 with at least minBytes.
func benchGet(b *testing.B, h http.Handler, path, access string, minBytes int) {
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Authorization", "Bearer "+access)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, r.Clone(r.Context()))
		if w.code != http.StatusOK || w.n < minBytes {
			b.Fatalf("status %d, %d bytes", w.code, w.n)
		}
	}
}

// formatCents writes a scaled price with its two places.
func formatCents(c int64) string {
	s := []byte{byte('0' + c/100%10), '.', byte('0' + c/10%10), byte('0' + c%10)}
	if c >= 1000 {
		return formatInt(c/100) + string(s[1:])
	}
	return string(s)
}

func formatInt(n int64) string {
	var b [20]byte
	i := len(b)
	for n > 0 || i == len(b) {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
