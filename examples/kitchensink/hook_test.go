package kitchensink_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func wareStock(t *testing.T, e *env, id any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(fmt.Sprint(`SELECT stock FROM wares WHERE id = `, id)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHookStock: ValidatePurchase (ksapi/validate_purchase.go) takes the
// stock and sets the read-only total inside the write; a short stock is
// its 400, a changed quantity its 409, the object check's denial after it
// a 403, and each of these leaves the stock and the purchases as they were.
func TestHookStock(t *testing.T) { dialects(t, testHookStock) }

func testHookStock(t *testing.T, e *env) {
	ware := e.mustCreate(t, "/api/wares", "root", map[string]any{"name": "pen", "price": 3, "stock": 5})
	id := ware["id"]
	p := e.mustCreate(t, "/api/purchases", "alice", map[string]any{"ware": id, "quantity": 2, "total": 1})
	if p["total"] != float64(6) || wareStock(t, e, id) != 3 {
		t.Fatalf("purchase %v, stock %d", p, wareStock(t, e, id))
	}
	purchase := fmt.Sprint("/api/purchases/", p["id"])
	cases := []struct {
		name, method, path, user string
		body                     map[string]any
		status                   int
		want                     string
	}{
		{"short stock", "POST", "/api/purchases", "alice", map[string]any{"ware": id, "quantity": 4}, 400, `{"quantity":["Not enough stock."]}`},
		{"no such ware", "POST", "/api/purchases", "alice", map[string]any{"ware": 999, "quantity": 1}, 400, `{"quantity":["Not enough stock."]}`},
		{"field errors come first", "POST", "/api/purchases", "alice", map[string]any{"ware": id, "quantity": 0}, 400, `{"quantity":["Ensure this value is greater than or equal to 1."]}`},
		{"quantity fixed", "PATCH", purchase, "alice", map[string]any{"quantity": 1}, 409, `{"detail":"A purchase's ware and quantity cannot change."}`},
		{"total is read-only", "PATCH", purchase, "alice", map[string]any{"total": 0}, 200, `"total":6`},
		{"another's purchase", "PATCH", purchase, "bob", map[string]any{"quantity": 2}, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.method, c.path, c.user, c.body)
			if r.status != c.status || (c.want != "" && !strings.Contains(string(r.body), c.want)) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, c.status, c.want)
			}
		})
	}
	var n int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM purchases`).Scan(&n); err != nil || n != 1 || wareStock(t, e, id) != 3 {
		t.Fatalf("%d purchases, stock %d (%v)", n, wareStock(t, e, id), err)
	}
}

// TestHookLastUnit: of N concurrent purchases of a ware with one unit left,
// exactly one is 201 and every other is the hook's 400, never a 5xx; the
// stock ends at 0.
func TestHookLastUnit(t *testing.T) { dialects(t, testHookLastUnit) }

func testHookLastUnit(t *testing.T, e *env) {
	const n = 8
	ware := e.mustCreate(t, "/api/wares", "root", map[string]any{"name": "last", "price": 10, "stock": 1})
	users := []string{"alice", "bob", "carol", "root"}
	statuses := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := e.do(t, "POST", "/api/purchases", users[i%len(users)], map[string]any{"ware": ware["id"], "quantity": 1})
			statuses[i], bodies[i] = r.status, strings.TrimSpace(string(r.body))
		}()
	}
	close(start)
	wg.Wait()
	created, short := 0, 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			created++
		case s == http.StatusBadRequest && bodies[i] == `{"quantity":["Not enough stock."]}`:
			short++
		default:
			t.Errorf("a concurrent purchase: %d %s", s, bodies[i])
		}
	}
	if created != 1 || short != n-1 || wareStock(t, e, ware["id"]) != 0 {
		t.Fatalf("created %d, short %d, stock %d", created, short, wareStock(t, e, ware["id"]))
	}
}
