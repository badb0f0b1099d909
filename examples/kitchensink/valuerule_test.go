package kitchensink_test

import (
	"fmt"
	"testing"
)

// TestActiveListings: IsAdminUser | IsActive, a rule on a constant. Staff
// see every listing; everyone else, anonymous included, sees only the
// active ones, in lists and lookups alike, and cannot write.
func TestActiveListings(t *testing.T) { dialects(t, testActiveListings) }

func testActiveListings(t *testing.T, e *env) {
	on := e.mustCreate(t, "/api/listings", "root", map[string]any{"title": "on"})
	off := e.mustCreate(t, "/api/listings", "root", map[string]any{"title": "off", "active": false})
	e.mustCreate(t, "/api/listings", "root", map[string]any{"title": "on too", "active": true})
	onPath, offPath := fmt.Sprint("/api/listings/", on["id"]), fmt.Sprint("/api/listings/", off["id"])
	for _, c := range []struct {
		user         string
		count        float64
		onSt, offSt  int
		createStatus int
	}{
		{"root", 3, 200, 200, 0},
		{"alice", 2, 200, 404, 403},
		{"", 2, 200, 404, 401},
	} {
		name := c.user
		if name == "" {
			name = "anonymous"
		}
		t.Run(name, func(t *testing.T) {
			if m := e.do(t, "GET", "/api/listings", c.user, nil).json(t); m["count"] != c.count {
				t.Fatalf("list: %v", m)
			}
			if r := e.do(t, "GET", onPath, c.user, nil); r.status != c.onSt {
				t.Fatalf("active: %d %s", r.status, r.body)
			}
			if r := e.do(t, "GET", offPath, c.user, nil); r.status != c.offSt {
				t.Fatalf("inactive: %d %s", r.status, r.body)
			}
			if c.createStatus != 0 {
				if r := e.do(t, "POST", "/api/listings", c.user, map[string]any{"title": "x"}); r.status != c.createStatus {
					t.Fatalf("create: %d %s", r.status, r.body)
				}
				if r := e.do(t, "PATCH", onPath, c.user, map[string]any{"active": false}); r.status != c.createStatus {
					t.Fatalf("update: %d %s", r.status, r.body)
				}
			}
		})
	}
	// Staff switch the listings; the others' view follows.
	if r := e.do(t, "PATCH", offPath, "root", map[string]any{"active": true}); r.status != 200 {
		t.Fatalf("activate: %d %s", r.status, r.body)
	}
	if r := e.do(t, "PATCH", onPath, "root", map[string]any{"active": false}); r.status != 200 {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", offPath, "alice", nil); r.status != 200 {
		t.Fatalf("activated: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", onPath, "", nil); r.status != 404 {
		t.Fatalf("deactivated: %d %s", r.status, r.body)
	}
}
