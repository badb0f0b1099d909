// Package policytest runs a spec's policy tests (tests: in api.yaml)
// against the generated handlers: the service of a Definition, built by
// service.New over a fresh SQLite database in a temporary folder, driven
// in process over httptest. Ward generates the *_gen_test.go that calls
// Run; a person does not call it.
//
// The callers are real users made by the createuser command: "alice" (an
// authenticated user, and the owner of "own" objects), "bob" (the owner
// of "other" objects), a staff user, and a user per model permission the
// tests name, granted it alone. The objects are rows inserted with SQL:
// the fields a test gives (with:), the owner field, and for every other
// column its default or a placeholder of its type (a referenced row is
// inserted first). Hooks do not run for them: a test is about who may do
// what, not about the values.
package policytest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/service"
	"github.com/wardhq/ward/runtime/sqlexpr"
	"github.com/wardhq/ward/runtime/store/sqlite"
)

// Resource is what the tests need to make a resource's objects.
type Resource struct {
	Name  string // the resource's name in the spec
	Table string
	// Owner is the column of the owner field ("" for none).
	Owner string
	// Parent is the URL parameter and the column naming the parent object
	// of a nested resource ("" for none): "product_id", "product_id".
	ParentParam, ParentColumn string
	// Columns maps each field a test may set (with:) to its column.
	Columns map[string]string
}

// Case is one policy test.
type Case struct {
	Name string
	Line int // of the test in the spec
	// As is the caller: "anonymous", "authenticated", "staff",
	// "owner(F)", "perm:R.code".
	As string
	// Auth is the authentication class the caller uses: "token", "jwt"
	// or "basic" ("" for anonymous).
	Auth          string
	Method, Route string
	Resource      string
	// Object is "own" or "other" on a detail route ({id}), "" otherwise.
	Object string
	With   map[string]any // column values of the object, by field name
	Body   string         // JSON, "" for none
	Expect int
}

// Run runs every case as a subtest, against one service.
func Run(t *testing.T, def *service.Definition, spec string, resources []Resource, cases []Case) {
	t.Helper()
	h := Start(t, def, resources, cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if code, body := h.Do(t, c); code != c.Expect {
				t.Error(Mismatch(spec, c, code, body))
			}
		})
	}
}

// Mismatch is the failure of case c, whose request the handlers answered
// with code and body.
func Mismatch(spec string, c Case, code int, body string) string {
	return fmt.Sprintf("%s:%d: test %q: %s %s as %s: the handlers answered %d, the spec expects %d (body: %.200s)",
		spec, c.Line, c.Name, c.Method, c.Route, c.As, code, c.Expect, strings.TrimSpace(body))
}

// Harness is the service the cases run against, with its users.
type Harness struct {
	def       *service.Definition
	handler   http.Handler
	db        *sql.DB
	tables    map[string]schema.Table
	resources map[string]Resource
	ids       map[string]int64  // user ids by name
	creds     map[string]string // the Authorization header, by user and class
	seq       int
}

const password = "policy-test-pass-1"

// Start serves def over a fresh database with the users cases need.
func Start(t *testing.T, def *service.Definition, resources []Resource, cases []Case) *Harness {
	dir := t.TempDir()
	env := map[string]string{def.EnvPrefix + "_DATA": dir}
	if def.Auth.JWT != nil && def.Auth.JWT.KeyEnv != "" {
		key := make([]byte, 32)
		rand.Read(key)
		env[def.Auth.JWT.KeyEnv] = hex.EncodeToString(key)
	}
	if def.Throttle.LoginRateEnv != "" {
		env[def.Throttle.LoginRateEnv] = "10000/minute"
	}
	opts := []service.Option{
		service.WithEnv(func(k string) string { return env[k] }),
		service.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	h := &Harness{def: def, tables: map[string]schema.Table{}, resources: map[string]Resource{},
		ids: map[string]int64{}, creds: map[string]string{}}
	for _, tb := range def.Tables {
		h.tables[tb.Name] = tb
	}
	for _, r := range resources {
		h.resources[r.Name] = r
	}
	users := map[string]bool{"alice": false, "bob": false, "staff": true}
	for _, c := range cases {
		if p, ok := strings.CutPrefix(c.As, "perm:"); ok {
			users[p] = false
		}
	}
	for _, name := range sortedKeys(users) {
		args := []string{"createuser", "--username", userName(name), "--password", password}
		if users[name] {
			args = append(args, "--staff")
		}
		var out strings.Builder
		if code := service.Run(t.Context(), def, args, strings.NewReader(""), &out, &out, opts...); code != 0 {
			t.Fatalf("createuser %s: exit %d: %s", name, code, out.String())
		}
	}
	svc, err := service.New(context.Background(), def, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	h.handler = svc.Handler()
	if h.db, err = sqlite.Open(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	for name := range users {
		var id int64
		if err := h.db.QueryRow(`SELECT id FROM ward_users WHERE username = ?`, userName(name)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		h.ids[name] = id
		if strings.Contains(name, ".") {
			if _, err := h.db.Exec(`INSERT INTO ward_user_perms (user_id, perm) VALUES (?, ?)`, id, name); err != nil {
				t.Fatal(err)
			}
		}
	}
	return h
}

// userName is the username of a caller: a permission's holder is
// "perm_orders_view".
func userName(name string) string {
	if strings.Contains(name, ".") {
		return "perm_" + strings.ReplaceAll(name, ".", "_")
	}
	return name
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// user is the user a case's caller is, "" for anonymous.
func user(as string) string {
	switch {
	case as == "anonymous":
		return ""
	case as == "staff":
		return "staff"
	case strings.HasPrefix(as, "perm:"):
		return strings.TrimPrefix(as, "perm:")
	}
	return "alice"
}

// Do makes the objects of case c and sends its request; it returns the
// status and the body of the answer.
func (h *Harness) Do(t *testing.T, c Case) (int, string) {
	r := h.resources[c.Resource]
	route := c.Route
	var parent int64
	if c.Object != "" {
		owner := "bob"
		if c.Object == "own" {
			owner = "alice"
		}
		row := h.insert(t, r.Table, r.Owner, owner, c.With, r)
		route = strings.Replace(route, "{id}", strconv.FormatInt(row, 10), 1)
		if r.ParentColumn != "" {
			h.db.QueryRow(`SELECT `+sqlexpr.Ident(r.ParentColumn)+` FROM `+sqlexpr.Ident(r.Table)+` WHERE id = ?`, row).Scan(&parent)
		}
	} else if r.ParentColumn != "" {
		parent = h.insertRef(t, h.tables[r.Table], r.ParentColumn)
	}
	if r.ParentParam != "" {
		route = strings.Replace(route, "{"+r.ParentParam+"}", strconv.FormatInt(parent, 10), 1)
	}
	req := httptest.NewRequest(c.Method, route, strings.NewReader(c.Body))
	if c.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if u := user(c.As); u != "" {
		req.Header.Set("Authorization", h.credential(t, u, c.Auth))
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// credential logs user in with class and returns the Authorization
// header.
func (h *Harness) credential(t *testing.T, user, class string) string {
	key := user + " " + class
	if v, ok := h.creds[key]; ok {
		return v
	}
	var path, field, scheme string
	switch class {
	case "token":
		path, field, scheme = h.def.Auth.Token.Path+"/login", "token", "Token "
	case "jwt":
		path, field, scheme = h.def.Auth.JWT.Path+"/login", "access_token", "Bearer "
	default:
		v := "Basic " + base64.StdEncoding.EncodeToString([]byte(userName(user)+":"+password))
		h.creds[key] = v
		return v
	}
	body, _ := json.Marshal(map[string]string{"username": userName(user), "password": password})
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, req)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	tok, _ := out[field].(string)
	if w.Code != http.StatusOK || tok == "" {
		t.Fatalf("log in %s with %s: %d %s", userName(user), class, w.Code, w.Body.String())
	}
	h.creds[key] = scheme + tok
	return h.creds[key]
}

// insert adds a row to table and returns its id: with gives fields'
// values, ownerCol the owner's column, set to the user named owner.
func (h *Harness) insert(t *testing.T, table, ownerCol, owner string, with map[string]any, r Resource) int64 {
	tb, ok := h.tables[table]
	if !ok {
		t.Fatalf("no table %s in the definition", table)
	}
	values := map[string]any{}
	for f, v := range with {
		values[r.Columns[f]] = v
	}
	if ownerCol != "" {
		values[ownerCol] = h.ids[owner]
	}
	var cols, marks []string
	var args []any
	for _, c := range tb.Columns {
		v, ok := values[c.Name]
		if !ok {
			v, ok = h.placeholder(t, tb, c)
		}
		if !ok {
			continue
		}
		cols, marks, args = append(cols, sqlexpr.Ident(c.Name)), append(marks, "?"), append(args, v)
	}
	q := "INSERT INTO " + sqlexpr.Ident(table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	if len(cols) == 0 {
		q = "INSERT INTO " + sqlexpr.Ident(table) + " DEFAULT VALUES"
	}
	res, err := h.db.Exec(q, args...)
	if err != nil {
		t.Fatalf("insert into %s: %v", table, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// placeholder is a value for column c of a row the test makes: its
// default, or a value of its type; false leaves a nullable column NULL.
func (h *Harness) placeholder(t *testing.T, tb schema.Table, c schema.Column) (any, bool) {
	if c.Default != nil && c.Type != "decimal" {
		return c.Default, true
	}
	if c.Nullable && c.Type != "user" {
		return nil, false
	}
	h.seq++
	switch c.Type {
	case "string", "text":
		return fmt.Sprintf("%s-%d", c.Name, h.seq), true
	case "int":
		return int64(1), true
	case "float":
		return 1.0, true
	case "decimal":
		n := int64(1)
		for range c.DecimalPlaces {
			n *= 10
		}
		return n, true
	case "bool":
		return true, true
	case "datetime":
		return time.Now().UTC().Truncate(time.Microsecond), true
	case "user":
		return h.ids["bob"], true
	case "ref":
		return h.insertRef(t, tb, c.Name), true
	}
	return nil, false
}

// insertRef inserts the row column col of tb refers to, owned by alice
// when its resource has an owner, and returns its id.
func (h *Harness) insertRef(t *testing.T, tb schema.Table, col string) int64 {
	for _, c := range tb.Columns {
		if c.Name != col {
			continue
		}
		var r Resource
		for _, x := range h.resources {
			if x.Table == c.References {
				r = x
			}
		}
		return h.insert(t, c.References, r.Owner, "alice", nil, r)
	}
	t.Fatalf("no column %s in %s", col, tb.Name)
	return 0
}
