package kitchensink_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestUnique: a duplicate unique field or unique_together set is 400 with
// DRF's message, on create and on update, and nothing is written; an
// update keeping its own values is fine; the check covers the whole table,
// not only what the caller sees, as DRF's validators do.
func TestUnique(t *testing.T) { dialects(t, testUnique) }

func testUnique(t *testing.T, e *env) {
	dupSKU := `{"sku":["product with this sku already exists."]}`
	dupVote := `{"non_field_errors":["The fields post, owner must make a unique set."]}`
	p1 := e.mustCreate(t, "/api/products", "alice", map[string]any{"sku": "A-1", "name": "one"})
	p2 := e.mustCreate(t, "/api/products", "alice", map[string]any{"sku": "A-2", "name": "two"})
	v1 := e.mustCreate(t, "/api/votes", "alice", map[string]any{"post": 7})
	path := func(base string, m map[string]any) string { return fmt.Sprint(base, "/", m["id"]) }
	cases := []struct {
		name, method, path, user string
		body                     map[string]any
		status                   int
		want                     string
	}{
		{"duplicate sku", "POST", "/api/products", "bob", map[string]any{"sku": "A-1", "name": "x"}, 400, dupSKU},
		{"duplicate sku, trimmed", "POST", "/api/products", "bob", map[string]any{"sku": " A-1 ", "name": "x"}, 400, dupSKU},
		{"other case is another sku", "POST", "/api/products", "bob", map[string]any{"sku": "a-1", "name": "x"}, 201, ""},
		{"with other field errors", "POST", "/api/products", "bob", map[string]any{"sku": "A-1"}, 400, `{"name":["This field is required."]}`},
		{"PATCH to a duplicate", "PATCH", path("/api/products", p2), "alice", map[string]any{"sku": "A-1"}, 400, dupSKU},
		{"PUT to a duplicate", "PUT", path("/api/products", p2), "alice", map[string]any{"sku": "A-1", "name": "two"}, 400, dupSKU},
		{"PATCH keeping its own sku", "PATCH", path("/api/products", p1), "alice", map[string]any{"sku": "A-1", "name": "uno"}, 200, ""},
		{"duplicate vote", "POST", "/api/votes", "alice", map[string]any{"post": 7, "up": false}, 400, dupVote},
		{"another user's vote", "POST", "/api/votes", "bob", map[string]any{"post": 7}, 201, ""},
		{"another post", "POST", "/api/votes", "alice", map[string]any{"post": 8}, 201, ""},
		{"PATCH to a duplicate set", "PATCH", "", "alice", map[string]any{"post": 7}, 400, dupVote},
		{"PATCH keeping its own set", "PATCH", path("/api/votes", v1), "alice", map[string]any{"post": 7, "up": false}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.path
			if p == "" { // alice's vote on post 8
				var id int64
				if err := e.db.QueryRow(`SELECT id FROM votes WHERE post = 8`).Scan(&id); err != nil {
					t.Fatal(err)
				}
				p = fmt.Sprint("/api/votes/", id)
			}
			r := e.do(t, c.method, p, c.user, c.body)
			if r.status != c.status || (c.want != "" && strings.TrimSpace(string(r.body)) != c.want) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, c.status, c.want)
			}
		})
	}
	var products int
	var sku2 string
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM products`).Scan(&products); err != nil || products != 3 {
		t.Fatalf("%d products %v", products, err)
	}
	if err := e.db.QueryRow(fmt.Sprint(`SELECT sku FROM products WHERE id = `, p2["id"])).Scan(&sku2); err != nil || sku2 != "A-2" {
		t.Fatalf("a refused update wrote sku %q %v", sku2, err)
	}
	var votes int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM votes`).Scan(&votes); err != nil || votes != 3 {
		t.Fatalf("%d votes %v", votes, err)
	}
}

// TestUniqueRace: of concurrent creates of one sku exactly one is 201 and
// every other 400 with DRF's message, never a 5xx.
func TestUniqueRace(t *testing.T) { dialects(t, testUniqueRace) }

func testUniqueRace(t *testing.T, e *env) {
	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	bodies := make([]string, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := e.do(t, "POST", "/api/products", "alice", map[string]any{"sku": "RACE", "name": fmt.Sprint("n", i)})
			statuses[i], bodies[i] = r.status, strings.TrimSpace(string(r.body))
		}()
	}
	close(start)
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			created++
		case s == http.StatusBadRequest && bodies[i] == `{"sku":["product with this sku already exists."]}`:
		default:
			t.Errorf("%d %s", s, bodies[i])
		}
	}
	if created != 1 {
		t.Fatalf("%d created", created)
	}
}
