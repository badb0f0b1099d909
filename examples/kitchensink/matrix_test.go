package kitchensink_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/access"
	"github.com/wardhq/ward/generator/spec"
	"github.com/wardhq/ward/runtime/identity"
)

// matrixResource says how to drive one resource: who creates its objects
// and with what, and which case of the matrix that object is.
type matrixResource struct {
	name    string
	creator string         // the object's creator: the subject of the resource's rules
	create  map[string]any // the body of create (and of POST rows)
	put     map[string]any // a full body that keeps what the rules look at
	patch   map[string]any
	object  string // the matrix case of the object created ("" when there is one)
	skip    string // a caller the kitchen sink has no user for
	scheme  string // the chain's scheme
}

// TestMatrixAgreesWithHandlers drives the kitchen sink's handlers over
// HTTP with a user of each kind of caller the matrix lists, on every
// endpoint of these resources, each on a fresh object: the status must be
// one the matrix, computed from api.yaml alone, gives for that cell (one
// exactly, unless a check: go class or a func scope decides).
func TestMatrixAgreesWithHandlers(t *testing.T) {
	svc, err := spec.LoadFile("api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := access.Build(svc)
	e := setup(t)
	e.app.Throttle.(*fakeThrottle).limit = map[string]int{"user": 1 << 30, "burst": 1 << 30}
	for i, code := range []string{"view", "add", "change", "delete"} {
		u := &identity.User{ID: int64(11 + i), Username: "t" + code, IsActive: true, Perms: []string{"tickets." + code}}
		e.users[u.Username] = u
		if _, err := e.db.Exec(`INSERT INTO ward_users (id, username) VALUES (?, ?)`, u.ID, u.Username); err != nil {
			t.Fatal(err)
		}
	}
	resources := []matrixResource{
		{name: "items", creator: "alice", create: map[string]any{"name": "ab"}, put: map[string]any{"name": "cd"}, patch: map[string]any{"name": "ef"}},
		{name: "articles", creator: "alice", scheme: "Token", create: map[string]any{"title": "t"}, put: map[string]any{"title": "u"}, patch: map[string]any{"title": "v"}},
		{name: "posts", creator: "alice", create: map[string]any{"title": "t"}, put: map[string]any{"title": "u"}, patch: map[string]any{"title": "v"}},
		{name: "reviews", creator: "alice", create: map[string]any{"author_id": 1, "text": "x"}, put: map[string]any{"author_id": 1, "text": "y"}, patch: map[string]any{"text": "z"}},
		{name: "letters", creator: "alice", create: map[string]any{"author": "alice", "text": "x"}, put: map[string]any{"author": "alice", "text": "y"}, patch: map[string]any{"text": "z"}},
		{name: "secrets", creator: "root", create: map[string]any{"value": "s"}},
		{name: "tickets", creator: "alice", create: map[string]any{"subject": "s"}, put: map[string]any{"subject": "t"}, patch: map[string]any{"subject": "u"}, skip: "owner(owner)"},
		{name: "listings", creator: "root", create: map[string]any{"title": "l", "active": true}, put: map[string]any{"title": "m", "active": true}, patch: map[string]any{"title": "n"}, object: "active = true"},
		{name: "listings", creator: "root", create: map[string]any{"title": "l", "active": false}, put: map[string]any{"title": "m", "active": false}, patch: map[string]any{"title": "n"}, object: "active ≠ true"},
		{name: "products", creator: "alice", create: map[string]any{"sku": "SKU", "name": "n"}, put: map[string]any{"sku": "SKU", "name": "o"}, patch: map[string]any{"name": "p"}},
		{name: "docs", creator: "alice", create: map[string]any{"team": 1, "title": "p"}, put: map[string]any{"team": 1, "title": "q"}, patch: map[string]any{"title": "r"}},
	}
	n := 0
	for _, mr := range resources {
		res := resourceOf(t, m, mr.name)
		for _, ep := range res.Endpoints {
			for _, cell := range ep.Cells {
				if cell.Caller == mr.skip {
					continue
				}
				n++
				checkCell(t, e, mr, ep, cell, n)
			}
		}
	}
	if n < 300 {
		t.Fatalf("checked only %d cells", n)
	}
}

func resourceOf(t *testing.T, m *access.Matrix, name string) *access.Resource {
	for _, r := range m.Resources {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no resource %s in the matrix", name)
	return nil
}

// userOf is the kitchen sink's user of a kind of caller: bob has no
// relation to alice's objects and no model permission of these resources.
func userOf(caller, creator string) string {
	switch {
	case caller == "anonymous":
		return ""
	case caller == "authenticated":
		return "bob"
	case caller == "staff":
		return "root"
	case strings.HasPrefix(caller, "perm:tickets."):
		return "t" + strings.TrimPrefix(caller, "perm:tickets.")
	}
	return creator // the subject of an owner or field rule
}

func checkCell(t *testing.T, e *env, mr matrixResource, ep *access.Endpoint, cell *access.Cell, n int) {
	t.Helper()
	scheme := mr.scheme
	if scheme == "" {
		scheme = "Bearer"
	}
	auth := func(user string) string {
		if user == "" {
			return ""
		}
		return scheme + " " + user
	}
	body := map[string]any{}
	for k, v := range mr.create {
		body[k] = v
	}
	if s, ok := body["sku"]; ok {
		body["sku"] = fmt.Sprintf("%v%d", s, n) // unique
	}
	route := strings.Replace(ep.Route, "{id}", "0", 1)
	if strings.Contains(ep.Route, "{id}") {
		obj := e.mustCreate(t, "/api/"+mr.name, auth(mr.creator), body)
		route = strings.Replace(ep.Route, "{id}", fmt.Sprint(obj["id"]), 1)
		body["sku"] = fmt.Sprintf("SKU-%d-b", n)
	}
	var send any
	switch ep.Method {
	case http.MethodPost:
		send = body
	case http.MethodPut:
		send = withSKU(mr.put, n)
	case http.MethodPatch:
		send = mr.patch
	}
	if send == nil && (ep.Method == http.MethodPut || ep.Method == http.MethodPatch) {
		send = map[string]any{}
	}
	got := e.do(t, ep.Method, route, auth(userOf(cell.Caller, mr.creator)), send).status
	k := caseOf(cell, mr.object)
	if k == nil {
		t.Fatalf("%s as %s: no case %q in %+v", ep.Key(), cell.Caller, mr.object, cell.Cases)
	}
	for _, o := range k.Outcomes {
		if o.Status == got {
			return
		}
	}
	t.Errorf("%s %s (%s) as %s: the handler answers %d, the matrix says %s", mr.name, ep.Key(), mr.object, cell.Caller, got, access.CellText(&access.Cell{Cases: []*access.Case{k}}))
}

func withSKU(b map[string]any, n int) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		out[k] = v
	}
	if _, ok := out["sku"]; ok {
		out["sku"] = fmt.Sprintf("SKU-%d-put", n)
	}
	return out
}

// caseOf picks the case of the object: the one named, or the only one.
func caseOf(c *access.Cell, object string) *access.Case {
	for _, k := range c.Cases {
		if k.Object == object || len(c.Cases) == 1 {
			return k
		}
	}
	return nil
}
