package e2e

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

const notPending = "Only a pending order can be cancelled."

// stockOf is the product's stock, as staff see it.
func (sh *shop) stockOf(t *testing.T, pid string) float64 {
	t.Helper()
	r := sh.root.Do("GET", "/api/products/"+pid, nil)
	e2ekit.Expect(t, "product "+pid, r, 200)
	s, _ := r.JSON(t)["stock"].(float64)
	return s
}

// order places an order of quantity units of pid as c.
func (sh *shop) order(t *testing.T, c *e2ekit.Client, pid string, quantity int) string {
	t.Helper()
	r := c.Do("POST", "/api/orders", map[string]any{"product": json.Number(pid), "quantity": quantity})
	e2ekit.Expect(t, "order", r, 201)
	return id(t, r)
}

// TestCancel: every line of the contract on POST /api/orders/{id}/cancel,
// on both backends.
func TestCancel(t *testing.T) { onEachBackend(t, testCancel) }

func testCancel(t *testing.T, sh *shop) {
	cat := sh.category(t, "Tools")
	pid := str(sh.product(t, cat, "CAN-1", map[string]any{"stock": 10})["id"])
	cancel := func(o string) string { return "/api/orders/" + o + "/cancel" }

	t.Run("a pending order is cancelled and its quantity goes back", func(t *testing.T) {
		o := sh.order(t, sh.alice, pid, 3)
		if s := sh.stockOf(t, pid); s != 7 {
			t.Fatalf("stock after the order %v, want 7", s)
		}
		// No body is read: whatever is sent, of whatever type.
		r := sh.alice.Do("POST", cancel(o), "not json at all", "Content-Type", "text/plain")
		e2ekit.Expect(t, "cancel", r, 200)
		got := r.JSON(t)
		want := []string{"created_at", "customer", "id", "note", "product", "quantity", "status", "total"}
		if ks := keys(got); !slices.Equal(ks, want) {
			t.Errorf("keys %v, want %v", ks, want)
		}
		if got["status"] != "cancelled" || str(got["id"]) != o || got["customer"] != "alice" || got["total"] != "59.97" {
			t.Errorf("cancelled order %s", r.Body)
		}
		if s := sh.stockOf(t, pid); s != 10 {
			t.Errorf("stock after the cancel %v, want 10", s)
		}
		if st := sh.alice.Do("GET", "/api/orders/"+o, nil).JSON(t)["status"]; st != "cancelled" {
			t.Errorf("stored status %v", st)
		}
		// Twice: 409, and the stock goes back only once.
		r = sh.alice.Do("POST", cancel(o), nil)
		e2ekit.Expect(t, "second cancel", r, 409)
		if r.Detail(t) != notPending {
			t.Errorf("second cancel: %s", r.Body)
		}
		if s := sh.stockOf(t, pid); s != 10 {
			t.Errorf("stock after the second cancel %v, want 10", s)
		}
	})

	t.Run("any other status is 409 and nothing changes", func(t *testing.T) {
		for _, status := range []string{"paid", "shipped"} {
			o := sh.order(t, sh.alice, pid, 2)
			e2ekit.Expect(t, "mark "+status, sh.root.Do("PATCH", "/api/orders/"+o, map[string]any{"status": status}), 200)
			before := sh.stockOf(t, pid)
			r := sh.root.Do("POST", cancel(o), nil)
			e2ekit.Expect(t, "cancel a "+status+" order", r, 409)
			if r.Detail(t) != notPending {
				t.Errorf("%s: %s", status, r.Body)
			}
			if st := sh.root.Do("GET", "/api/orders/"+o, nil).JSON(t)["status"]; st != status {
				t.Errorf("status after the refused cancel %v, want %s", st, status)
			}
			if s := sh.stockOf(t, pid); s != before {
				t.Errorf("stock %v, want %v", s, before)
			}
		}
	})

	t.Run("the stock goes back to an inactive product", func(t *testing.T) {
		p := str(sh.product(t, cat, "CAN-2", map[string]any{"stock": 4})["id"])
		o := sh.order(t, sh.alice, p, 4)
		e2ekit.Expect(t, "deactivate", sh.root.Do("PATCH", "/api/products/"+p, map[string]any{"active": false}), 200)
		e2ekit.Expect(t, "cancel", sh.alice.Do("POST", cancel(o), nil), 200)
		if s := sh.stockOf(t, p); s != 4 {
			t.Errorf("stock %v, want 4", s)
		}
	})

	t.Run("the lookup is the order's", func(t *testing.T) {
		bobs := sh.order(t, sh.bob, pid, 1)
		for _, tc := range []struct {
			name   string
			c      *e2ekit.Client
			path   string
			status int
			detail string
		}{
			{"anonymous", sh.anon, cancel(bobs), 401, notProvided},
			{"another customer's order", sh.alice, cancel(bobs), 404, notFound},
			{"unknown order", sh.alice, cancel("999999"), 404, notFound},
			{"not an integer", sh.alice, cancel("1x"), 404, notFound},
			{"zero", sh.alice, cancel("0"), 404, notFound},
			{"trailing slash", sh.bob, cancel(bobs) + "/", 404, notFound},
			{"staff cancel any order", sh.root, cancel(bobs), 200, ""},
		} {
			r := tc.c.Do("POST", tc.path, nil)
			e2ekit.Expect(t, tc.name, r, tc.status)
			if tc.detail != "" && r.Detail(t) != tc.detail {
				t.Errorf("%s: %s", tc.name, r.Body)
			}
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") != `Bearer realm="api"` {
				t.Errorf("%s: WWW-Authenticate %q", tc.name, r.Header.Get("WWW-Authenticate"))
			}
		}
		if st := sh.bob.Do("GET", "/api/orders/"+bobs, nil).JSON(t)["status"]; st != "cancelled" {
			t.Errorf("bob's order after staff's cancel: %v", st)
		}
	})

	t.Run("methods", func(t *testing.T) {
		o := sh.order(t, sh.alice, pid, 1)
		for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
			r := sh.alice.Do(m, cancel(o), nil)
			e2ekit.Expect(t, m, r, 405)
			if r.Detail(t) != `Method "`+m+`" not allowed.` || r.Header.Get("Allow") != "POST, OPTIONS" {
				t.Errorf("%s: %s, Allow %q", m, r.Body, r.Header.Get("Allow"))
			}
		}
		r := sh.alice.Do("HEAD", cancel(o), nil)
		if r.Status != 405 || r.Header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("HEAD: %d, Allow %q", r.Status, r.Header.Get("Allow"))
		}
		// Anonymous: the permission check comes first.
		e2ekit.Expect(t, "anonymous GET", sh.anon.Do("GET", cancel(o), nil), 401)
		for _, c := range []*e2ekit.Client{sh.anon, sh.alice} {
			r := c.Do("OPTIONS", cancel(o), nil)
			e2ekit.Expect(t, "OPTIONS", r, 200)
			if r.Header.Get("Allow") != "POST, OPTIONS" {
				t.Errorf("OPTIONS: Allow %q", r.Header.Get("Allow"))
			}
		}
		if st := sh.alice.Do("GET", "/api/orders/"+o, nil).JSON(t)["status"]; st != "pending" {
			t.Errorf("status after the 405s: %v", st)
		}
	})

	t.Run("concurrent cancels", func(t *testing.T) { concurrentCancels(t, sh, []string{sh.s.Base}) })
}

// concurrentCancels cancels one order 8 times at once, spread over bases:
// exactly one 200, the others 409, and the stock goes back once.
func concurrentCancels(t *testing.T, sh *shop, bases []string) {
	cat := sh.category(t, "Race")
	pid := str(sh.product(t, cat, "CAN-RACE", map[string]any{"stock": 5})["id"])
	o := sh.order(t, sh.alice, pid, 2)
	callers := []*e2ekit.Client{sh.alice, sh.root}
	codes, bodies := concurrently(8, bases, "/api/orders/"+o+"/cancel",
		func(i int) string { return callers[i%2].Auth },
		func(int) string { return "" })
	done := 0
	for i, c := range codes {
		switch {
		case c == 200:
			done++
		case c == 409 && json.Valid([]byte(bodies[i])) && bodies[i] == `{"detail":"`+notPending+`"}`+"\n":
		default:
			t.Errorf("cancel %d: %d %s", i, c, bodies[i])
		}
	}
	if done != 1 {
		t.Fatalf("%d cancels got 200, want exactly 1 (%v)", done, codes)
	}
	if s := sh.stockOf(t, pid); s != 5 {
		t.Fatalf("stock %v, want 5: it went back %v times", s, (s-3)/2)
	}
}

// TestCancelAcrossInstances: two serve processes on one PostgreSQL database
// and one Redis serialise concurrent cancels of one order too.
func TestCancelAcrossInstances(t *testing.T) {
	sh := startShop(t, postgres(t), redis(t))
	other := &e2ekit.Server{Service: svc, T: t, Data: t.TempDir(), Env: sh.s.Env}
	other.Start()
	concurrentCancels(t, sh, []string{sh.s.Base, other.Base})
}
