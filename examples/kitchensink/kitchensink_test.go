package kitchensink_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/wardhq/ward/examples/kitchensink/ksapi"
	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store/sqlite"
)

// fakeAuth authenticates "Authorization: <scheme> <username>" against a
// fixed set of users. "bad" is an invalid credential, "down" a backend
// failure.
type fakeAuth struct {
	name, scheme string
	users        map[string]*identity.User
}

func (a *fakeAuth) Name() string      { return a.name }
func (a *fakeAuth) Challenge() string { return a.scheme + ` realm="api"` }
func (a *fakeAuth) Authenticate(r *http.Request) (*identity.User, error) {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || scheme != a.scheme {
		return nil, nil
	}
	switch cred {
	case "bad":
		return nil, &authn.Error{Status: http.StatusUnauthorized, Detail: "Invalid token."}
	case "down":
		return nil, fmt.Errorf("redis: %w", identity.ErrUnavailable)
	}
	u, ok := a.users[cred]
	if !ok {
		return nil, &authn.Error{Status: http.StatusUnauthorized, Detail: "Invalid token."}
	}
	return u, nil
}

// fakeThrottle allows limit[scope] requests per caller and scope.
type fakeThrottle struct {
	mu    sync.Mutex
	limit map[string]int
	seen  map[string]int
}

func (t *fakeThrottle) Allow(r *http.Request, u *identity.User, scope string) (bool, time.Duration, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := scope + "/anon"
	if u != nil {
		key = fmt.Sprintf("%s/%d", scope, u.ID)
	}
	t.seen[key]++
	if t.seen[key] > t.limit[scope] {
		return false, 42 * time.Second, nil
	}
	return true, 0, nil
}

type env struct {
	srv   *httptest.Server
	db    *sql.DB
	users map[string]*identity.User
	app   *rest.App
	// handler is what srv serves.
	handler http.Handler
}

func setup(t *testing.T) *env { return setupDialect(t, rest.SQLite) }

// dialects runs f against SQLite and against PostgreSQL (in a schema of its
// own, dropped afterwards; skipped without a server unless CI=true).
func dialects(t *testing.T, f func(t *testing.T, e *env)) {
	for _, d := range []rest.Dialect{rest.SQLite, rest.Postgres} {
		t.Run(string(d), func(t *testing.T) { f(t, setupDialect(t, d)) })
	}
}

func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	for _, user := range []string{"postgres", "root"} {
		if db, err = sql.Open("pgx", "postgres://"+user+"@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3"); err == nil {
			if err = db.Ping(); err == nil {
				break
			}
			db.Close()
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	db.SetMaxOpenConns(1) // search_path is per connection
	name := fmt.Sprintf("ward_ks_%d", time.Now().UnixNano())
	for _, q := range []string{"CREATE SCHEMA " + name, "SET search_path TO " + name} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + name + " CASCADE")
		db.Close()
	})
	return db
}

func setupDialect(t *testing.T, dialect rest.Dialect) *env {
	t.Helper()
	var db *sql.DB
	if dialect == rest.Postgres {
		db = openPostgres(t)
	} else {
		// As the service opens it: foreign keys on, immediate transactions.
		dsn := sqlite.DSN(filepath.Join(t.TempDir(), "ks.db"))
		var err error
		if db, err = sql.Open("sqlite", dsn); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	}
	return setupDB(t, db, dialect)
}

// setupDB creates the users and the resource tables in db and serves the
// kitchen sink over them.
func setupDB(t *testing.T, db *sql.DB, dialect rest.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE ward_users (id BIGINT PRIMARY KEY, username TEXT NOT NULL UNIQUE, is_staff BOOLEAN NOT NULL DEFAULT FALSE, is_active BOOLEAN NOT NULL DEFAULT TRUE)`); err != nil {
		t.Fatal(err)
	}
	users := map[string]*identity.User{
		"alice": {ID: 1, Username: "alice", IsActive: true, Perms: []string{"team.1", "tickets.add", "tickets.view"}},
		"bob":   {ID: 2, Username: "bob", IsActive: true, Perms: []string{"team.2"}},
		"carol": {ID: 3, Username: "carol", IsActive: true, Perms: []string{"team.1"}},
		"root":  {ID: 4, Username: "root", IsActive: true, IsStaff: true},
	}
	for _, u := range users {
		q := `INSERT INTO ward_users (id, username, is_staff) VALUES (?, ?, ?)`
		if dialect == rest.Postgres {
			q = `INSERT INTO ward_users (id, username, is_staff) VALUES ($1, $2, $3)`
		}
		if _, err := db.ExecContext(ctx, q, u.ID, u.Username, u.IsStaff); err != nil {
			t.Fatal(err)
		}
	}
	def := ksapi.Definition()
	if err := schema.Migrate(ctx, db, string(dialect), def.Tables); err != nil {
		t.Fatal(err)
	}
	app := &rest.App{
		DB:      db,
		Dialect: dialect,
		Authenticators: map[string]authn.Authenticator{
			"jwt":   &fakeAuth{name: "jwt", scheme: "Bearer", users: users},
			"token": &fakeAuth{name: "token", scheme: "Token", users: users},
		},
		Throttle: &fakeThrottle{limit: map[string]int{"user": 1000, "burst": 3}, seen: map[string]int{}},
	}
	r := chi.NewRouter()
	def.Mount(r, app)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &env{srv: srv, db: db, users: users, app: app, handler: r}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// do sends a request; auth is "" (anonymous), a username (Bearer), or a
// whole Authorization value when it contains a space.
func (e *env) do(t *testing.T, method, path, auth string, body any) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		if !strings.Contains(auth, " ") {
			auth = "Bearer " + auth
		}
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func (e *env) mustCreate(t *testing.T, path, user string, body any) map[string]any {
	t.Helper()
	r := e.do(t, "POST", path, user, body)
	if r.status != http.StatusCreated {
		t.Fatalf("POST %s as %s: %d %s", path, user, r.status, r.body)
	}
	return r.json(t)
}

func TestItemsCRUD(t *testing.T) { dialects(t, testItemsCRUD) }

func testItemsCRUD(t *testing.T, e *env) {
	before := time.Now().UTC().Add(-time.Second)
	it := e.mustCreate(t, "/api/items", "alice", map[string]any{"name": "ab", "stock": 3, "owner": "bob", "id": 99, "created_at": "2000-01-01T00:00:00Z", "reviewer": 2})
	if it["owner"] != "alice" || it["reviewer"] != "bob" || it["id"] == float64(99) || it["status"] != "draft" || it["notes"] != "" || it["pinned"] != false || it["price"] != nil {
		t.Fatalf("created %v", it)
	}
	created, err := time.Parse(time.RFC3339Nano, it["created_at"].(string))
	if err != nil || created.Before(before) || !strings.HasSuffix(it["created_at"].(string), "Z") {
		t.Fatalf("created_at %v (%v)", it["created_at"], err)
	}
	path := fmt.Sprintf("/api/items/%v", it["id"])
	if r := e.do(t, "GET", path, "alice", nil); r.status != 200 || r.json(t)["name"] != "ab" {
		t.Fatalf("retrieve: %d %s", r.status, r.body)
	}
	// PUT: every required field; absent defaults are applied again.
	r := e.do(t, "PUT", path, "alice", map[string]any{"name": "cd", "pinned": true})
	if r.status != 200 || r.json(t)["name"] != "cd" || r.json(t)["pinned"] != true || r.json(t)["stock"] != float64(3) {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	// PATCH validates only the fields sent.
	r = e.do(t, "PATCH", path, "alice", map[string]any{"stock": 7, "due": "2030-05-01T10:00:00+02:00"})
	m := r.json(t)
	if r.status != 200 || m["name"] != "cd" || m["stock"] != float64(7) || m["reviewer"] != "bob" || m["due"] != "2030-05-01T08:00:00Z" || m["owner"] != "alice" {
		t.Fatalf("partial update: %d %s", r.status, r.body)
	}
	if r := e.do(t, "PUT", path, "alice", map[string]any{"stock": 1}); r.status != 400 || !strings.Contains(string(r.body), `"name":["This field is required."]`) {
		t.Fatalf("PUT without name: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", path, "alice", nil); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("destroy: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", path, "alice", nil); r.status != 404 || r.json(t)["detail"] != "Not found." {
		t.Fatalf("after destroy: %d %s", r.status, r.body)
	}
}

func TestValidation(t *testing.T) {
	e := setup(t)
	big := `{"name": "` + strings.Repeat("a", 2<<20) + `"}`
	cases := []struct {
		name string
		body any
		want string // exact body
	}{
		{"missing", map[string]any{}, `{"name":["This field is required."]}`},
		{"null", map[string]any{"name": nil}, `{"name":["This field may not be null."]}`},
		{"blank", map[string]any{"name": ""}, `{"name":["This field may not be blank."]}`},
		{"too long", map[string]any{"name": "abcdef"}, `{"name":["Ensure this field has no more than 5 characters."]}`},
		{"too short", map[string]any{"name": "é"}, `{"name":["Ensure this field has at least 2 characters."]}`},
		{"not a string", map[string]any{"name": true}, `{"name":["Not a valid string."]}`},
		{"bad choice", map[string]any{"name": "ab", "status": "x"}, `{"status":["\"x\" is not a valid choice."]}`},
		{"bad int", map[string]any{"name": "ab", "stock": "x"}, `{"stock":["A valid integer is required."]}`},
		{"fraction", map[string]any{"name": "ab", "stock": 1.5}, `{"stock":["A valid integer is required."]}`},
		{"above max", map[string]any{"name": "ab", "stock": 101}, `{"stock":["Ensure this value is less than or equal to 100."]}`},
		{"below min", map[string]any{"name": "ab", "price": -1}, `{"price":["Ensure this value is greater than or equal to 0."]}`},
		{"bad bool", map[string]any{"name": "ab", "pinned": "maybe"}, `{"pinned":["Must be a valid boolean."]}`},
		{"bool null", map[string]any{"name": "ab", "pinned": nil}, `{"pinned":["This field may not be null."]}`},
		{"bad time", map[string]any{"name": "ab", "due": "tomorrow"}, `{"due":["` + rest.DateTimeFormatError + `"]}`},
		{"no such user", map[string]any{"name": "ab", "reviewer": 99}, `{"reviewer":["Invalid pk \"99\" - object does not exist."]}`},
		{"user by name", map[string]any{"name": "ab", "reviewer": "bob"}, `{"reviewer":["Incorrect type. Expected pk value, received str."]}`},
		{"two fields", map[string]any{"stock": -1}, `{"name":["This field is required."],"stock":["Ensure this value is greater than or equal to 0."]}`},
		{"malformed", `{"name": "ab"`, `{"detail":"JSON parse error - invalid JSON"}`},
		{"not an object", `["ab"]`, `{"non_field_errors":["Invalid data. Expected a dictionary, but got a different type."]}`},
		{"too large", big, `{"detail":"Request body too large."}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, "POST", "/api/items", "alice", c.body)
			if got := strings.TrimSpace(string(r.body)); got != c.want || (r.status != 400 && r.status != 413) {
				t.Fatalf("%d %s\nwant %s", r.status, got, c.want)
			}
		})
	}
	// Characters, not bytes: five two-byte characters fit in max_length 5.
	if it := e.mustCreate(t, "/api/items", "alice", map[string]any{"name": "ééééé"}); it["name"] != "ééééé" {
		t.Fatalf("%v", it)
	}
	// Another content type is 415.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/items", strings.NewReader("name=ab"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer alice")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 415 {
		t.Fatalf("form body: %d", res.StatusCode)
	}
}

// TestPermissionMatrix drives every resource with every kind of caller.
func TestPermissionMatrix(t *testing.T) { dialects(t, testPermissionMatrix) }

func testPermissionMatrix(t *testing.T, e *env) {
	item := e.mustCreate(t, "/api/items", "alice", map[string]any{"name": "ab"})
	doc := e.mustCreate(t, "/api/docs", "alice", map[string]any{"team": 1, "title": "plan"})
	art := e.mustCreate(t, "/api/articles", "Token alice", map[string]any{"title": "t"})
	post := e.mustCreate(t, "/api/posts", "alice", map[string]any{"title": "t"})
	rev := e.mustCreate(t, "/api/reviews", "alice", map[string]any{"author_id": 1, "text": "good"})
	sec := e.mustCreate(t, "/api/secrets", "root", map[string]any{"value": "s"})
	tic := e.mustCreate(t, "/api/tickets", "alice", map[string]any{"subject": "help"})
	id := func(m map[string]any) string { return fmt.Sprint(m["id"]) }

	cases := []struct {
		method, path, auth string
		body               any
		want               int
	}{
		// items: IsAuthenticated & IsOwner (owner scope: another's is 404).
		{"GET", "/api/items", "", nil, 401},
		{"GET", "/api/items/" + id(item), "", nil, 401},
		{"GET", "/api/items/" + id(item), "bob", nil, 404},
		{"PATCH", "/api/items/" + id(item), "bob", map[string]any{"name": "zz"}, 404},
		{"DELETE", "/api/items/" + id(item), "bob", nil, 404},
		{"GET", "/api/items/" + id(item), "alice", nil, 200},
		{"GET", "/api/items/" + id(item), "Bearer bad", nil, 401},
		{"GET", "/api/items/" + id(item), "Bearer down", nil, 503},
		{"GET", "/api/items/" + id(item), "Digest x", nil, 401}, // unknown scheme: anonymous
		// docs: SameTeam (a Go class with a Go scope function).
		{"GET", "/api/docs/" + id(doc), "carol", nil, 200},
		{"GET", "/api/docs/" + id(doc), "bob", nil, 404},
		{"GET", "/api/docs/" + id(doc), "root", nil, 403}, // no team: the request check denies
		{"POST", "/api/docs", "bob", map[string]any{"team": 1, "title": "x"}, 403},
		{"POST", "/api/docs", "bob", map[string]any{"team": 2, "title": "x"}, 201},
		// articles: token only; IsAdminUser | (IsAuthenticated & IsOwner); destroy IsAdminUser.
		{"GET", "/api/articles/" + id(art), "alice", nil, 401}, // Bearer is not in this chain
		{"GET", "/api/articles/" + id(art), "Token alice", nil, 200},
		{"GET", "/api/articles/" + id(art), "Token bob", nil, 404},
		{"GET", "/api/articles/" + id(art), "Token root", nil, 200},
		{"DELETE", "/api/articles/" + id(art), "Token alice", nil, 403},
		// posts: IsAuthenticatedOrReadOnly & IsOwnerOrReadOnly (scope all).
		{"GET", "/api/posts/" + id(post), "", nil, 200},
		{"POST", "/api/posts", "", map[string]any{"title": "x"}, 401},
		{"PUT", "/api/posts/" + id(post), "bob", map[string]any{"title": "x"}, 403},
		{"PUT", "/api/posts/" + id(post), "alice", map[string]any{"title": "y"}, 200},
		// reviews: field rule author_id == caller id, checked on create too.
		{"POST", "/api/reviews", "alice", map[string]any{"author_id": 2, "text": "x"}, 403},
		{"GET", "/api/reviews/" + id(rev), "bob", nil, 404},
		{"GET", "/api/reviews/" + id(rev), "alice", nil, 200},
		// secrets: staff rule inside an Or with a negation.
		{"GET", "/api/secrets/" + id(sec), "alice", nil, 404},
		{"POST", "/api/secrets", "alice", map[string]any{"value": "x"}, 403},
		{"GET", "/api/secrets/" + id(sec), "root", nil, 200},
		{"DELETE", "/api/secrets/" + id(sec), "root", nil, 405},
		{"DELETE", "/api/secrets/" + id(sec), "", nil, 401},
		// tickets: DjangoModelPermissions & IsOwner.
		{"GET", "/api/tickets/" + id(tic), "alice", nil, 200},
		{"PATCH", "/api/tickets/" + id(tic), "alice", map[string]any{"subject": "x"}, 403}, // no tickets.change
		{"GET", "/api/tickets", "bob", nil, 403},
		// Unsupported methods check model permissions by method before the 405.
		{"PUT", "/api/tickets", "alice", map[string]any{}, 403},             // no tickets.change
		{"POST", "/api/tickets/" + id(tic), "alice", map[string]any{}, 405}, // tickets.add
		// users: IsAdminUser, list and retrieve only; permissions before the method.
		{"POST", "/api/users", "", map[string]any{}, 401},
		{"POST", "/api/users", "alice", map[string]any{}, 403},
		{"POST", "/api/users", "root", map[string]any{}, 405},
		{"GET", "/api/users/1", "root", nil, 200},
		{"GET", "/api/users/99", "root", nil, 404},
		{"GET", "/api/users", "alice", nil, 403},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.auth, func(t *testing.T) {
			r := e.do(t, c.method, c.path, c.auth, c.body)
			if r.status != c.want {
				t.Fatalf("got %d %s, want %d", r.status, r.body, c.want)
			}
			switch r.status {
			case 401:
				if r.header.Get("WWW-Authenticate") == "" {
					t.Fatal("401 without WWW-Authenticate")
				}
			case 405:
				if r.header.Get("Allow") == "" {
					t.Fatal("405 without Allow")
				}
			case 503:
				if strings.Contains(string(r.body), "redis") {
					t.Fatalf("503 leaks the cause: %s", r.body)
				}
			}
		})
	}
	// The list is scoped in SQL: bob sees none of alice's items, staff sees secrets.
	if m := e.do(t, "GET", "/api/items", "bob", nil).json(t); m["count"] != float64(0) {
		t.Fatalf("bob's items: %v", m)
	}
	if m := e.do(t, "GET", "/api/secrets", "alice", nil).json(t); m["count"] != float64(0) {
		t.Fatalf("alice's secrets: %v", m)
	}
	if m := e.do(t, "GET", "/api/users", "root", nil).json(t); m["count"] != float64(4) {
		t.Fatalf("users: %v", m)
	} else if u := m["results"].([]any)[0].(map[string]any); u["username"] != "alice" || u["is_staff"] != false || u["id"] != float64(1) {
		t.Fatalf("users: %v", u)
	}
}

func TestPagination(t *testing.T) { dialects(t, testPagination) }

func testPagination(t *testing.T, e *env) {
	if m := e.do(t, "GET", "/api/items", "alice", nil).json(t); m["count"] != float64(0) || m["next"] != nil || len(m["results"].([]any)) != 0 {
		t.Fatalf("empty: %v", m)
	}
	for i, s := range []int{5, 9, 1, 9, 3} {
		e.mustCreate(t, "/api/items", "alice", map[string]any{"name": fmt.Sprintf("n%d", i), "stock": s})
	}
	e.mustCreate(t, "/api/items", "bob", map[string]any{"name": "bob", "stock": 50})
	var names []string
	base := e.srv.URL + "/api/items"
	wantNext := []any{base + "?page=2", base + "?page=3", nil}
	wantPrev := []any{nil, base, base + "?page=2"}
	for p := 1; p <= 3; p++ {
		m := e.do(t, "GET", fmt.Sprintf("/api/items?page=%d", p), "alice", nil).json(t)
		if m["count"] != float64(5) || m["next"] != wantNext[p-1] || m["previous"] != wantPrev[p-1] {
			t.Fatalf("page %d: %v", p, m)
		}
		for _, r := range m["results"].([]any) {
			names = append(names, r.(map[string]any)["name"].(string))
		}
	}
	// -stock, then id as the tie-breaker.
	if got := strings.Join(names, ","); got != "n1,n3,n0,n4,n2" {
		t.Fatalf("order %s", got)
	}
	for _, q := range []string{"page=4", "page=0", "page=-1", "page=abc", "page="} {
		r := e.do(t, "GET", "/api/items?"+q, "alice", nil)
		if r.status != 404 || r.json(t)["detail"] != "Invalid page." {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
	}
}

func TestMethodsAndPaths(t *testing.T) {
	e := setup(t)
	it := e.mustCreate(t, "/api/items", "alice", map[string]any{"name": "ab"})
	detail := fmt.Sprintf("/api/items/%v", it["id"])
	cases := []struct {
		method, path, auth string
		status             int
		allow              string
	}{
		{"OPTIONS", "/api/items", "alice", 200, "GET, POST, HEAD, OPTIONS"},
		{"OPTIONS", detail, "alice", 200, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"},
		{"DELETE", "/api/items", "alice", 405, "GET, POST, HEAD, OPTIONS"},
		{"DELETE", "/api/items", "", 401, ""},
		{"POST", detail, "alice", 405, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"},
		{"GET", "/api/items/", "alice", 404, ""},
		{"GET", detail + "/", "alice", 404, ""},
		{"GET", "/api/items/abc", "alice", 404, ""},
		{"GET", "/api/items/0", "alice", 404, ""},
		{"GET", "/api/items/01", "alice", 404, ""},
		{"GET", "/api/items/99999999999999999999", "alice", 404, ""},
		{"OPTIONS", "/api/users", "root", 200, "GET, HEAD, OPTIONS"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := e.do(t, c.method, c.path, c.auth, nil)
			if r.status != c.status || r.header.Get("Allow") != c.allow {
				t.Fatalf("got %d Allow %q %s", r.status, r.header.Get("Allow"), r.body)
			}
			if r.status == 404 && r.json(t)["detail"] != "Not found." {
				t.Fatalf("404 body %s", r.body)
			}
		})
	}
	get := e.do(t, "GET", detail, "alice", nil)
	head := e.do(t, "HEAD", detail, "alice", nil)
	if head.status != 200 || len(head.body) != 0 || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
		t.Fatalf("HEAD: %d %q", head.status, head.body)
	}
}

func TestThrottleAndBackendErrors(t *testing.T) {
	e := setup(t)
	for i := 0; i < 3; i++ {
		if r := e.do(t, "GET", "/api/posts", "alice", nil); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := e.do(t, "GET", "/api/posts", "alice", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "42" {
		t.Fatalf("4th: %d %v %s", r.status, r.header, r.body)
	}
	// Other callers have their own bucket.
	if r := e.do(t, "GET", "/api/posts", "bob", nil); r.status != 200 {
		t.Fatalf("bob: %d", r.status)
	}
	// A database failure denies with 503 and says nothing about why.
	if _, err := e.db.Exec(`DROP TABLE items`); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"GET /api/items", "GET /api/items/1", "POST /api/items"} {
		method, path, _ := strings.Cut(m, " ")
		r := e.do(t, method, path, "alice", map[string]any{"name": "ab"})
		if r.status != 503 || strings.Contains(string(r.body), "items") || strings.Contains(string(r.body), "SQL") {
			t.Fatalf("%s: %d %s", m, r.status, r.body)
		}
	}
}

// TestCorruptStrings: nothing corrupt is stored, on any backend. A string
// holding NUL is DRF's 400 (PostgreSQL cannot store it; SQLite would),
// invalid UTF-8 is a parse error rather than U+FFFD, and a body in another
// charset is 415 rather than decoded as UTF-8.
func TestCorruptStrings(t *testing.T) { dialects(t, testCorruptStrings) }

func testCorruptStrings(t *testing.T, e *env) {
	it := e.mustCreate(t, "/api/items", "alice", map[string]any{"name": "ab", "notes": "n"})
	path := fmt.Sprintf("/api/items/%v", it["id"])
	cases := []struct {
		name, method, path, ct, body string
		status                       int
		want                         string // exact body
	}{
		{"NUL in a string", "POST", "/api/items", "", `{"name":"a\u0000b"}`, 400, `{"name":["Null characters are not allowed."]}`},
		{"NUL in a text", "POST", "/api/items", "", `{"name":"ab","notes":"x\u0000"}`, 400, `{"notes":["Null characters are not allowed."]}`},
		{"NUL alone", "POST", "/api/reviews", "", `{"author_id":1,"text":"\u0000"}`, 400, `{"text":["Null characters are not allowed."]}`},
		{"NUL in a choice", "POST", "/api/items", "", `{"name":"ab","status":"draft\u0000"}`, 400, `{"status":["\"draft\u0000\" is not a valid choice."]}`},
		{"NUL on PATCH", "PATCH", path, "", `{"notes":"a\u0000b"}`, 400, `{"notes":["Null characters are not allowed."]}`},
		{"NUL on PUT", "PUT", path, "", `{"name":"a\u0000"}`, 400, `{"name":["Null characters are not allowed."]}`},
		{"lone surrogate", "POST", "/api/items", "", `{"name":"a\ud800"}`, 400, `{"name":["Surrogate characters are not allowed: U+D800."]}`},
		{"invalid UTF-8", "POST", "/api/items", "", "{\"name\":\"\xe9t\xe9\"}", 400, `{"detail":"JSON parse error - invalid UTF-8"}`},
		{"invalid UTF-8 on PATCH", "PATCH", path, "", "{\"notes\":\"\xff\"}", 400, `{"detail":"JSON parse error - invalid UTF-8"}`},
		{"latin-1", "POST", "/api/items", "application/json; charset=latin-1", "{\"name\":\"\xe9t\xe9\"}", 415, `{"detail":"Unsupported media type \"application/json; charset=latin-1\" in request."}`},
		{"latin-1 on PATCH", "PATCH", path, "application/json; charset=ISO-8859-1", `{"notes":"x"}`, 415, `{"detail":"Unsupported media type \"application/json; charset=ISO-8859-1\" in request."}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, e.srv.URL+c.path, strings.NewReader(c.body))
			ct := c.ct
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer alice")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status || strings.TrimSpace(string(b)) != c.want {
				t.Fatalf("%d %s\nwant %d %s", res.StatusCode, b, c.status, c.want)
			}
		})
	}
	// Nothing was stored or changed: one item, as created; no review.
	var n int
	var name, notes string
	if err := e.db.QueryRow(`SELECT COUNT(*), MIN(name), MIN(notes) FROM items`).Scan(&n, &name, &notes); err != nil || n != 1 || name != "ab" || notes != "n" {
		t.Fatalf("items: %d %q %q %v", n, name, notes, err)
	}
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM reviews`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("reviews: %d %v", n, err)
	}
}

// TestUpdateChecksTheObjectAsWritten: update and partial_update run the
// object check again on the object as it will be written, inside the
// write's transaction; a denial is the object check's 403 and nothing is
// written. Rules of every kind: a field rule on a string (letters), on an
// int (reviews), and a Go class (docs).
func TestUpdateChecksTheObjectAsWritten(t *testing.T) {
	dialects(t, testUpdateChecksTheObjectAsWritten)
}

func testUpdateChecksTheObjectAsWritten(t *testing.T, e *env) {
	letter := e.mustCreate(t, "/api/letters", "alice", map[string]any{"author": "alice", "text": "dear bob"})
	rev := e.mustCreate(t, "/api/reviews", "alice", map[string]any{"author_id": 1, "text": "good"})
	doc := e.mustCreate(t, "/api/docs", "alice", map[string]any{"team": 1, "title": "plan"})
	lp, rp, dp := fmt.Sprint("/api/letters/", letter["id"]), fmt.Sprint("/api/reviews/", rev["id"]), fmt.Sprint("/api/docs/", doc["id"])
	denied := `{"detail":"You do not have permission to perform this action."}`
	cases := []struct {
		name, method, path string
		body               map[string]any
		status             int
		want               string // exact body on a denial
	}{
		{"letter PATCH to bob", "PATCH", lp, map[string]any{"author": "bob"}, 403, denied},
		{"letter PUT to bob", "PUT", lp, map[string]any{"author": "bob", "text": "changed"}, 403, denied},
		{"letter PATCH to bob, padded", "PATCH", lp, map[string]any{"author": " bob "}, 403, denied},
		{"review PATCH to bob", "PATCH", rp, map[string]any{"author_id": 2}, 403, denied},
		{"review PUT to bob", "PUT", rp, map[string]any{"author_id": 2, "text": "bad"}, 403, denied},
		{"doc PATCH to team 2", "PATCH", dp, map[string]any{"team": 2}, 403, denied},
		{"doc PUT to team 2", "PUT", dp, map[string]any{"team": 2, "title": "x"}, 403, denied},
		// A normal update still succeeds, PATCH and PUT.
		{"letter PATCH", "PATCH", lp, map[string]any{"text": "dear carol"}, 200, ""},
		{"letter PUT", "PUT", lp, map[string]any{"author": "alice", "text": "dear dan"}, 200, ""},
		{"review PATCH", "PATCH", rp, map[string]any{"text": "fine"}, 200, ""},
		{"doc PUT", "PUT", dp, map[string]any{"team": 1, "title": "plan b"}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.method, c.path, "alice", c.body)
			if r.status != c.status || (c.want != "" && strings.TrimSpace(string(r.body)) != c.want) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, c.status, c.want)
			}
		})
	}
	// Nothing denied was written: the objects are as the allowed updates
	// left them, still alice's, and in none of bob's lists.
	if m := e.do(t, "GET", lp, "alice", nil).json(t); m["author"] != "alice" || m["text"] != "dear dan" {
		t.Fatalf("letter: %v", m)
	}
	if m := e.do(t, "GET", rp, "alice", nil).json(t); m["author_id"] != float64(1) || m["text"] != "fine" {
		t.Fatalf("review: %v", m)
	}
	if m := e.do(t, "GET", dp, "alice", nil).json(t); m["team"] != float64(1) || m["title"] != "plan b" {
		t.Fatalf("doc: %v", m)
	}
	for _, p := range []string{"/api/letters", "/api/reviews", "/api/docs"} {
		if m := e.do(t, "GET", p, "bob", nil).json(t); m["count"] != float64(0) {
			t.Fatalf("bob's %s: %v", p, m)
		}
	}
	var author string
	if err := e.db.QueryRow(`SELECT author FROM letters`).Scan(&author); err != nil || author != "alice" {
		t.Fatalf("stored author %q %v", author, err)
	}
}
