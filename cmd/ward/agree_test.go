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
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  r%d:\n    fields:\n      author: {type: string, default: \"\"}\n      active: {type: bool, default: true}\n      owner: {type: user, owner: true}\n", i)
		fmt.Fprintf(&b, "    permissions: %q\n    public: true\n    allow_anonymous_writes: true\n", randomExpr(r, 3, false))
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    action_permissions: {%s: %q}\n", actions[r.IntN(len(actions))], randomExpr(r, 2, false))
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
					checkOne(t, db, r, users, res, ep, cell, k)
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

func checkOne(t *testing.T, db *sql.DB, h http.Handler, users map[string]*identity.User, res *access.Resource, ep *access.Endpoint, cell *access.Cell, k *access.Case) {
	t.Helper()
	owner, author, active := otherID, "other", !strings.Contains(k.Object, "active ≠ true")
	switch cell.Caller {
	case "owner(owner)":
		owner = callerID
	case "field(author=username)":
		author = "caller"
	}
	if _, err := db.Exec("DELETE FROM " + res.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO "+res.Name+" (id, author, active, owner_id) VALUES (7, ?, ?, ?)", author, active, owner); err != nil {
		t.Fatal(err)
	}
	var body []byte
	switch ep.Method {
	case "POST", "PUT":
		body, _ = json.Marshal(map[string]any{"author": author, "active": active})
	case "PATCH":
		body = []byte("{}")
	}
	req := httptest.NewRequest(ep.Method, strings.Replace(ep.Route, "{id}", "7", 1), bytes.NewReader(body))
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
