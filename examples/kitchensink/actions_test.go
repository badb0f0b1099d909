package kitchensink_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestExtraActions: an extra action Ward scaffolded and nobody wrote
// answers 501 naming its file, after the request check and the lookup; a
// written one runs in its transaction and its answer hides the fields the
// caller may not read; the route's other methods are 405 with Allow.
func TestExtraActions(t *testing.T) { dialects(t, testExtraActions) }

func testExtraActions(t *testing.T, e *env) {
	ware := fmt.Sprint(e.mustCreate(t, "/api/wares", "root", map[string]any{"name": "pen", "price": 3, "stock": 7})["id"])
	d := e.mustCreate(t, "/api/deliveries", "alice", map[string]any{"address": "1 Main St", "parcel": 1})
	del := fmt.Sprint(d["id"])
	for _, c := range []struct {
		name, method, path, user string
		status                   int
		want, absent             string
	}{
		{"stub not written", "POST", "/api/wares/" + ware + "/restock", "root", 501, `{"detail":"RestockWare is not written yet: edit ksapi/restock_ware.go"}`, ""},
		{"stub: request check first", "POST", "/api/wares/" + ware + "/restock", "alice", 403, "", ""},
		{"stub: anonymous", "POST", "/api/wares/" + ware + "/restock", "", 401, "", ""},
		{"stub: lookup first", "POST", "/api/wares/999/restock", "root", 404, "Not found.", ""},
		{"stub: other methods", "GET", "/api/wares/" + ware + "/restock", "root", 405, `Method \"GET\" not allowed.`, ""},
		{"another's delivery", "POST", "/api/deliveries/" + del + "/pay", "bob", 404, "Not found.", ""},
		{"pay: cost hidden", "POST", "/api/deliveries/" + del + "/pay", "alice", 200, `"status":"paid"`, "cost"},
		{"pay twice", "POST", "/api/deliveries/" + del + "/pay", "alice", 409, `{"detail":"Only a new delivery can be paid."}`, ""},
		{"trailing slash", "POST", "/api/deliveries/" + del + "/pay/", "alice", 404, "", ""},
		{"collection action", "GET", "/api/wares/stock", "alice", 200, `{"units":7}`, ""},
		{"collection action: HEAD", "HEAD", "/api/wares/stock", "alice", 200, "", ""},
		{"collection action: anonymous", "GET", "/api/wares/stock", "", 401, "", ""},
		{"collection action: other methods", "POST", "/api/wares/stock", "alice", 405, `Method \"POST\" not allowed.`, ""},
		{"collection action: trailing slash", "GET", "/api/wares/stock/", "alice", 404, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.method, c.path, c.user, nil)
			if r.status != c.status || !strings.Contains(string(r.body), c.want) || (c.absent != "" && strings.Contains(string(r.body), c.absent)) {
				t.Fatalf("%d %s, want %d with %s", r.status, r.body, c.status, c.want)
			}
			allow := "POST, OPTIONS"
			if strings.HasSuffix(c.path, "/stock") {
				allow = "GET, HEAD, OPTIONS"
			}
			if c.status == 405 && r.header.Get("Allow") != allow {
				t.Errorf("Allow %q, want %q", r.header.Get("Allow"), allow)
			}
		})
	}
	d2 := e.mustCreate(t, "/api/deliveries", "alice", map[string]any{"address": "2 Main St", "parcel": 1})
	r := e.do(t, "POST", fmt.Sprint("/api/deliveries/", d2["id"], "/pay"), "root", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"cost":null`) {
		t.Fatalf("staff pay: %d %s", r.status, r.body)
	}
	if r := e.do(t, "OPTIONS", "/api/deliveries/"+del+"/pay", "", nil); r.status != 200 || r.header.Get("Allow") != "POST, OPTIONS" {
		t.Fatalf("OPTIONS: %d, Allow %q", r.status, r.header.Get("Allow"))
	}
}

// TestNestedComments: a document's comments live under it; the document
// must be visible through its own func scope (TeamScope), else every route
// is 404; lists and lookups see that document's comments only.
func TestNestedComments(t *testing.T) { dialects(t, testNestedComments) }

func testNestedComments(t *testing.T, e *env) {
	doc := fmt.Sprint(e.mustCreate(t, "/api/docs", "alice", map[string]any{"team": 1, "title": "Plan"})["id"])
	other := fmt.Sprint(e.mustCreate(t, "/api/docs", "alice", map[string]any{"team": 1, "title": "Other"})["id"])
	comments := "/api/docs/" + doc + "/comments"
	c := e.mustCreate(t, comments, "alice", map[string]any{"text": "first", "doc": 999})
	if fmt.Sprint(c["doc"]) != doc {
		t.Fatalf("the doc comes from the URL: %v", c)
	}
	comment := comments + "/" + fmt.Sprint(c["id"])
	for _, tc := range []struct {
		name, method, path, user string
		status                   int
	}{
		{"author lists", "GET", comments, "alice", 200},
		{"author retrieves", "GET", comment, "alice", 200},
		{"another team: list", "GET", comments, "bob", 404},
		{"another team: create", "POST", comments, "bob", 404},
		{"another team: OPTIONS", "OPTIONS", comments, "bob", 404},
		{"another team: retrieve", "GET", comment, "bob", 404},
		{"same team, not the owner", "GET", comment, "carol", 404},
		{"anonymous: the parent first", "GET", comments, "", 404},
		{"under another document", "GET", "/api/docs/" + other + "/comments/" + fmt.Sprint(c["id"]), "alice", 404},
		{"unknown document", "GET", "/api/docs/999/comments", "alice", 404},
		{"author deletes", "DELETE", comment, "alice", 204},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.do(t, tc.method, tc.path, tc.user, nil); r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
	e.mustCreate(t, "/api/docs/"+other+"/comments", "carol", map[string]any{"text": "elsewhere"})
	if r := e.do(t, "GET", comments, "carol", nil); r.status != 200 || !strings.Contains(string(r.body), `"count":0`) {
		t.Fatalf("another document's comments are not listed: %d %s", r.status, r.body)
	}
}
