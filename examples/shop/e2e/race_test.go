package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// concurrently sends n POSTs at once, the i-th to bases[i%len(bases)] with
// the i-th caller's Authorization and body, and returns their statuses and
// bodies (status -1: no answer).
func concurrently(n int, bases []string, path string, auth func(i int) string, body func(i int) string) ([]int, []string) {
	codes, bodies := make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", bases[i%len(bases)]+path, strings.NewReader(body(i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", auth(i))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				codes[i], bodies[i] = -1, err.Error()
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			codes[i], bodies[i] = res.StatusCode, string(b)
		}()
	}
	wg.Wait()
	return codes, bodies
}

// exactlyOne checks that exactly one answer is 201 and every other is 400
// with the message want, never a 5xx.
func exactlyOne(t *testing.T, codes []int, bodies []string, want string) {
	t.Helper()
	created := 0
	for i, c := range codes {
		switch {
		case c == 201:
			created++
		case c == 400 && strings.Contains(bodies[i], want):
		default:
			t.Errorf("request %d: %d %s", i, c, bodies[i])
		}
	}
	if created != 1 {
		t.Fatalf("%d requests got 201, want exactly 1 (%v)", created, codes)
	}
}

// lastUnit orders the last unit of a new product 8 times at once, spread
// over bases, and checks that exactly one order succeeds and the stock ends
// at 0.
func lastUnit(t *testing.T, sh *shop, bases []string) {
	cat := sh.category(t, "Tools")
	p := sh.product(t, cat, "LAST-1", map[string]any{"stock": 1})
	pid := str(p["id"])
	callers := []*e2ekit.Client{sh.alice, sh.bob}
	codes, bodies := concurrently(8, bases, "/api/orders",
		func(i int) string { return callers[i%2].Auth },
		func(int) string { return fmt.Sprintf(`{"product":%s,"quantity":1}`, pid) })
	exactlyOne(t, codes, bodies, `{"quantity":["Not enough stock."]}`)
	if s := sh.root.Do("GET", "/api/products/"+pid, nil).JSON(t)["stock"]; s != float64(0) {
		t.Fatalf("stock %v, want 0", s)
	}
}

// TestLastUnit: of concurrent orders for the last unit exactly one is 201
// and the others 400 "Not enough stock.", never a 5xx.
func TestLastUnit(t *testing.T) {
	onEachBackend(t, func(t *testing.T, sh *shop) { lastUnit(t, sh, []string{sh.s.Base}) })
}

// TestLastUnitAcrossInstances: two serve processes on one PostgreSQL
// database and one Redis never oversell either.
func TestLastUnitAcrossInstances(t *testing.T) {
	sh := startShop(t, postgres(t), redis(t))
	other := &e2ekit.Server{Service: svc, T: t, Data: t.TempDir(), Env: sh.s.Env}
	other.Start()
	lastUnit(t, sh, []string{sh.s.Base, other.Base})
}

// TestDuplicateSkuRace: concurrent creates of one sku give one 201 and
// 400s with the uniqueness message, never a 5xx.
func TestDuplicateSkuRace(t *testing.T) {
	onEachBackend(t, func(t *testing.T, sh *shop) {
		cat := sh.category(t, "Tools")
		body, _ := json.Marshal(map[string]any{"name": "Race", "sku": "RACE-1", "category": json.Number(cat), "price": "1.00"})
		codes, bodies := concurrently(8, []string{sh.s.Base}, "/api/products",
			func(int) string { return sh.root.Auth },
			func(int) string { return string(body) })
		exactlyOne(t, codes, bodies, `{"sku":["product with this sku already exists."]}`)
	})
}
