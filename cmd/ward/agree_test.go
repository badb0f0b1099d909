package main

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/spec"
)

// The classes random expressions draw from: every built-in, and a rule of
// each kind over the same three fields.
var (
	propBuiltins = []string{"AllowAny", "IsAuthenticated", "IsAdminUser", "IsAuthenticatedOrReadOnly", "ReadOnly", "DjangoModelPermissions"}
	propRules    = []string{"IsOwner", "StaffOnly", "ByName", "IsActive"}
)

// randomExpr writes a random expression of depth at most d; ~ only over
// built-ins (the loader refuses it over classes with an object rule).
func randomExpr(r *rand.Rand, d int, builtinOnly bool) string {
	leaf := func() string {
		if builtinOnly || r.IntN(2) == 0 {
			return propBuiltins[r.IntN(len(propBuiltins))]
		}
		return propRules[r.IntN(len(propRules))]
	}
	if d == 0 {
		return leaf()
	}
	switch r.IntN(5) {
	case 0, 1:
		return leaf()
	case 2:
		return "(" + randomExpr(r, d-1, builtinOnly) + " & " + randomExpr(r, d-1, builtinOnly) + ")"
	case 3:
		return "(" + randomExpr(r, d-1, builtinOnly) + " | " + randomExpr(r, d-1, builtinOnly) + ")"
	}
	return "~" + randomExpr(r, d-1, true)
}

// randomSpec is a spec of n resources, each with a random expression
// (and sometimes another for one action), on a random chain.
func randomSpec(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 14))
	var b strings.Builder
	b.WriteString(`version: 1
service: {name: prop, package: propapi, output: propapi}
authentication:
  default: [jwt]
  jwt: {key_env: P_JWT_KEY}
  session: {}
permissions:
  classes:
    IsOwner: {rule: {owner: owner}}
    StaffOnly: {rule: {staff: true}}
    ByName: {rule: {field: author, equals: username}}
    IsActive: {rule: {field: active, value: true}}
resources:
`)
	actions := []string{"list", "create", "retrieve", "update", "partial_update", "destroy"}
	var top []int // resources that are not nested, parents to be
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  r%d:\n    fields:\n      author: {type: string, default: \"\"}\n      active: {type: bool, default: true}\n      owner: {type: user, owner: true}\n", i)
		if len(top) > 0 && r.IntN(4) == 0 {
			// Nested under an earlier resource: /rJ/{rj_id}/rI.
			j := top[r.IntN(len(top))]
			fmt.Fprintf(&b, "      up: {type: ref, to: r%d}\n    parent: {resource: r%d, field: up}\n", j, j)
		} else {
			top = append(top, i)
		}
		fmt.Fprintf(&b, "    permissions: %q\n    public: true\n    allow_anonymous_writes: true\n    reason: a test\n"+
			"    acknowledge: {write_wider_than_retrieve: random, create_not_retrievable: random, never_passes: random, always_passes: random}\n", randomExpr(r, 3, false))
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    action_permissions: {%s: %q}\n", actions[r.IntN(len(actions))], randomExpr(r, 2, false))
		}
		if r.IntN(3) == 0 {
			// An extra action; its stub answers 501 once every check passed.
			// (the loader refuses DjangoModelPermissions on an extra action).
			e := randomExpr(r, 2, false)
			for strings.Contains(e, "DjangoModelPermissions") {
				e = randomExpr(r, 2, false)
			}
			fmt.Fprintf(&b, "    extra_actions:\n      poke: {method: %s, detail: %v, permissions: %q}\n",
				[]string{"GET", "POST", "DELETE"}[r.IntN(3)], r.IntN(2) == 0, e)
		}
		if r.IntN(4) == 0 {
			b.WriteString("    authentication: [session]\n")
		}
	}
	return b.String()
}

// TestMatrixAgreesWithGeneratedHandlers is the property test of issue 14:
// for random expressions over the built-ins and the rules, the matrix
// computed from the spec alone agrees with the generated handlers driven
// over HTTP (agreeTest, below), for every endpoint, kind of caller and
// kind of object, lists included (the object is listed or not).
func TestMatrixAgreesWithGeneratedHandlers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated service")
	}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { agree(t, seed) })
	}
}

func agree(t *testing.T, seed uint64) {
	dir := moduleDir(t)
	src := randomSpec(seed, 30)
	if _, err := spec.Load("api.yaml", []byte(src)); err != nil {
		t.Fatalf("random spec: %v\n%s", err, src)
	}
	specPath := filepath.Join(dir, "api.yaml")
	write(t, specPath, src)
	if out, code := ward(t, "generate", "-spec", specPath); code != 0 {
		t.Fatalf("generate: %s", out)
	}
	write(t, filepath.Join(dir, "propapi/agree_test.go"), agreeTest)
	cmd := exec.Command("go", "test", "-count=1", "./"+filepath.Base(dir)+"/propapi")
	cmd.Dir = filepath.Dir(dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s\nspec:\n%s", err, b, src)
	}
}

// agreeTest drives the generated handlers: per endpoint, caller and case
// of the matrix, it writes the one object of the table directly (its
// owner and author as the kind of caller says, active as the case says),
// sends the request as a user of that kind, and checks the status (and,
// on a list, whether the object is on the page) against the matrix.
const agreeTest = `package propapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	_ "modernc.org/sqlite"

	"example.com/wardtest/regen/propapi"
	"github.com/wardhq/ward/generator/access"
	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/spec"
	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store/sqlite"
)

type fakeAuth struct {
	name, challenge string
	users           map[string]*identity.User
}

func (a *fakeAuth) Name() string      { return a.name }
func (a *fakeAuth) Challenge() string { return a.challenge }
func (a *fakeAuth) Authenticate(r *http.Request) (*identity.User, error) {
	name := r.Header.Get("X-User")
	if name == "" {
		return nil, nil
	}
	u, ok := a.users[name]
	if !ok {
		return nil, &authn.Error{Status: http.StatusUnauthorized, Detail: "Invalid token."}
	}
	return u, nil
}

const callerID, otherID = 1, 2

func TestAgree(t *testing.T) {
	svc, err := spec.LoadFile("../api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := access.Build(svc)
	db, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(t.TempDir(), "p.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Exec("CREATE TABLE ward_users (id BIGINT PRIMARY KEY, username TEXT NOT NULL UNIQUE, is_staff BOOLEAN NOT NULL DEFAULT FALSE, is_active BOOLEAN NOT NULL DEFAULT TRUE)"); err != nil {
		t.Fatal(err)
	}
	for _, u := range [][]any{{callerID, "caller"}, {otherID, "other"}} {
		if _, err := db.Exec("INSERT INTO ward_users (id, username) VALUES (?, ?)", u...); err != nil {
			t.Fatal(err)
		}
	}
	def := propapi.Definition()
	if err := schema.Migrate(ctx, db, "sqlite", def.Tables); err != nil {
		t.Fatal(err)
	}
	users := map[string]*identity.User{}
	app := &rest.App{DB: db, Dialect: rest.SQLite, Authenticators: map[string]authn.Authenticator{
		"jwt":     &fakeAuth{name: "jwt", challenge: "Bearer realm=\"api\"", users: users},
		"session": &fakeAuth{name: "session", users: users},
	}}
	r := chi.NewRouter()
	def.Mount(r, app)
	checked := 0
	for _, res := range m.Resources {
		for _, ep := range res.Endpoints {
			for _, cell := range ep.Cells {
				for _, k := range cell.Cases {
					checkOne(t, db, r, users, svc, res, ep, cell, k)
					checked++
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked %d cases", checked)
	}
}

// userOf is a user of the kind of caller c.
func userOf(c string) *identity.User {
	u := &identity.User{ID: callerID, Username: "caller", IsActive: true}
	switch {
	case c == "staff":
		u.IsStaff = true
	case strings.HasPrefix(c, "perm:"):
		u.Perms = []string{strings.TrimPrefix(c, "perm:")}
	}
	return u
}

// row is one object's values, as the kind of caller and the case say.
type row struct {
	owner  int
	author string
	active bool
}

// rowOf reads the facts of an object (prefix "" for the resource's own,
// "the parent's " for the parent's) and the caller's relation to it.
func rowOf(caller, subjectPrefix, factPrefix, object string) row {
	o := row{owner: otherID, author: "other", active: true}
	for _, f := range strings.Split(object, ", ") {
		if f == factPrefix+"active ≠ true" {
			o.active = false
		}
	}
	switch caller {
	case subjectPrefix + "owner(owner)":
		o.owner = callerID
	case subjectPrefix + "field(author=username)":
		o.author = "caller"
	}
	return o
}

// clear empties every table, nested ones first.
func clear(t *testing.T, db *sql.DB, svc *plan.Service) {
	t.Helper()
	for _, nested := range []bool{true, false} {
		for _, r := range svc.Resources {
			if (r.Parent != nil) == nested {
				if _, err := db.Exec("DELETE FROM " + r.Table); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func checkOne(t *testing.T, db *sql.DB, h http.Handler, users map[string]*identity.User, svc *plan.Service, res *access.Resource, ep *access.Endpoint, cell *access.Cell, k *access.Case) {
	t.Helper()
	var pr *plan.Resource
	for _, r := range svc.Resources {
		if r.Name == res.Name {
			pr = r
		}
	}
	clear(t, db, svc)
	own := rowOf(cell.Caller, "", "", k.Object)
	if p := pr.Parent; p != nil {
		up := rowOf(cell.Caller, p.Resource+":", "the parent's ", k.Object)
		if _, err := db.Exec("INSERT INTO "+p.Table+" (id, author, active, owner_id) VALUES (5, ?, ?, ?)", up.author, up.active, up.owner); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO "+pr.Table+" (id, author, active, owner_id, "+p.Column+") VALUES (7, ?, ?, ?, 5)", own.author, own.active, own.owner); err != nil {
			t.Fatal(err)
		}
	} else if _, err := db.Exec("INSERT INTO "+pr.Table+" (id, author, active, owner_id) VALUES (7, ?, ?, ?)", own.author, own.active, own.owner); err != nil {
		t.Fatal(err)
	}
	owner, author, active := own.owner, own.author, own.active
	_ = owner
	var body []byte
	switch ep.Method {
	case "POST", "PUT":
		body, _ = json.Marshal(map[string]any{"author": author, "active": active})
	case "PATCH":
		body = []byte("{}")
	}
	route := strings.Replace(ep.Route, "{id}", "7", 1)
	if i := strings.Index(route, "{"); i >= 0 {
		j := strings.Index(route, "}")
		route = route[:i] + "5" + route[j+1:] // the parent's id
	}
	req := httptest.NewRequest(ep.Method, route, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cell.Caller != "anonymous" {
		users[cell.Caller] = userOf(cell.Caller)
		req.Header.Set("X-User", cell.Caller)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	got := fmt.Sprint(w.Code)
	if ep.Extra != "" && w.Code == http.StatusNotImplemented {
		got = "200" // the stub answers 501 once every check passed
	}
	if ep.Action == "list" && w.Code == 200 {
		listed := strings.Contains(w.Body.String(), "\"id\":7")
		got += map[bool]string{true: " listed", false: " not listed"}[listed]
	}
	for _, o := range k.Outcomes {
		if o.String() == got {
			return
		}
	}
	t.Errorf("%s %s (%s) as %s on %q: the handler answers %s %s, the matrix says %s", res.Name, ep.Key(), ep.Permission, cell.Caller, k.Object, got, strings.TrimSpace(w.Body.String()), access.CellText(&access.Cell{Cases: []*access.Case{k}}))
}
`
