package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/store/postgres"
)

// envOf is a WithEnv source from a map.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestNewEmbedsWithUserMiddleware builds a service with New, adds a
// middleware of the team's, and drives it with httptest: the middleware
// runs on every request inside the runtime's (its headers and the
// runtime's are on every answer, its panics are recovered and logged, the
// requests it answers are logged), and the routes work against the stores.
func TestNewEmbedsWithUserMiddleware(t *testing.T) {
	env := map[string]string{"DEMO_DATA": t.TempDir()}
	var out bytes.Buffer
	if code := Run(t.Context(), testDef(), []string{"createuser", "--username", "alice", "--password", "alice-pass-1"}, strings.NewReader(""), &out, &out, WithEnv(envOf(env))); code != 0 {
		t.Fatalf("createuser: %d %s", code, out.String())
	}

	def := testDef()
	def.Mount = func(r chi.Router, app *rest.App) {
		r.Get("/api/users-count", func(w http.ResponseWriter, r *http.Request) {
			var n int
			if err := app.DB.QueryRowContext(r.Context(), `SELECT COUNT(*) FROM ward_users`).Scan(&n); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			json.NewEncoder(w).Encode(n)
		})
	}
	var seen atomic.Int64
	team := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen.Add(1)
			w.Header().Set("X-Team", "yes")
			switch r.URL.Path {
			case "/team/panic":
				panic("team middleware")
			case "/team/teapot":
				w.WriteHeader(http.StatusTeapot)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	var logBuf lockedBuffer
	svc, err := New(t.Context(), def, WithEnv(envOf(env)), WithLogger(slog.New(slog.NewJSONHandler(&logBuf, nil))), WithMiddleware(team))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()

	login, err := http.Post(srv.URL+"/auth/jwt/login", "application/json", strings.NewReader(`{"username":"alice","password":"alice-pass-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Access string `json:"access_token"`
	}
	json.NewDecoder(login.Body).Decode(&tok)
	login.Body.Close()
	if login.StatusCode != 200 || tok.Access == "" {
		t.Fatalf("login: %d %+v", login.StatusCode, tok)
	}

	tests := []struct {
		path   string
		bearer bool
		status int
		body   string
	}{
		{"/health", false, 200, `{"status":"ok"}`},
		{"/auth/me", false, 401, ""},
		{"/auth/me", true, 200, `"username":"alice"`},
		{"/api/users-count", false, 200, "1"},
		{"/nowhere", false, 404, `{"detail":"Not found."}`},
		{"/team/teapot", false, 418, ""},
		{"/team/panic", false, 500, `{"detail":"A server error occurred."}`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
		if tt.bearer {
			req.Header.Set("Authorization", "Bearer "+tok.Access)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || !strings.Contains(b.String(), tt.body) {
			t.Errorf("GET %s: %d %s, want %d with %s", tt.path, res.StatusCode, b.String(), tt.status, tt.body)
		}
		if res.Header.Get("X-Team") != "yes" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: headers %v", tt.path, res.Header)
		}
	}
	if n := seen.Load(); n != int64(len(tests))+1 {
		t.Errorf("the team's middleware saw %d requests, want %d", n, len(tests)+1)
	}
	log := logBuf.String()
	if n := strings.Count(log, `"msg":"request"`); n != len(tests)+1 {
		t.Errorf("%d request lines, want %d:\n%s", n, len(tests)+1, log)
	}
	for _, want := range []string{`"path":"/team/teapot","status":418`, `"msg":"panic"`, `"path":"/team/panic","status":500`, `"path":"/auth/me","status":200`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
}

// TestNewRefuses: New fails as serve does, before anything is served.
func TestNewRefuses(t *testing.T) {
	stale := testDef()
	stale.APIVersion++
	unknownClass := testDef()
	unknownClass.Auth.Default = []string{"jwt", "kerberos"}
	tests := []struct {
		name string
		def  *Definition
		env  map[string]string
		want string
	}{
		{"no definition", nil, nil, "no service definition"},
		{"another API version", stale, nil, "run `ward generate` again"},
		{"short key", testDef(), map[string]string{"DEMO_JWT_KEY": "too-short"}, "DEMO_JWT_KEY"},
		{"bad CORS origin", testDef(), map[string]string{"DEMO_CORS_ORIGINS": "*"}, "DEMO_CORS_ORIGINS"},
		{"unknown class", unknownClass, nil, "kerberos"},
	}
	for _, tt := range tests {
		env := map[string]string{"DEMO_DATA": t.TempDir()}
		for k, v := range tt.env {
			env[k] = v
		}
		svc, err := New(t.Context(), tt.def, WithEnv(envOf(env)))
		if err == nil {
			svc.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestCloseReleasesTheStores: after Close, the SQLite file is no longer
// open in the process, the PostgreSQL connections are gone from the server
// and the Redis client's connections from Redis.
func TestCloseReleasesTheStores(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		if _, err := os.Stat("/proc/self/fd"); err != nil {
			t.Skip("no /proc/self/fd")
		}
		data := t.TempDir()
		svc, err := New(t.Context(), testDef(), WithEnv(envOf(map[string]string{"DEMO_DATA": data})))
		if err != nil {
			t.Fatal(err)
		}
		if n := openFilesUnder(t, data); n == 0 {
			t.Fatalf("no file under %s open after New", data)
		}
		if err := svc.Close(); err != nil {
			t.Fatal(err)
		}
		if n := openFilesUnder(t, data); n != 0 {
			t.Fatalf("%d files under %s still open after Close", n, data)
		}
		if err := svc.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
	t.Run("postgres and redis", func(t *testing.T) {
		name := "ward_close_" + randomHex(6)
		dbURL, redisURL := pgAndRedis(t, name)
		svc, err := New(t.Context(), testDef(), WithEnv(envOf(map[string]string{
			"DEMO_DATA": t.TempDir(), "DEMO_JWT_KEY": randomHex(32),
			"DEMO_DATABASE_URL": dbURL, "DEMO_REDIS_URL": redisURL,
		})))
		if err != nil {
			t.Fatal(err)
		}
		// A login touches both: users in PostgreSQL, the throttle in Redis.
		srv := httptest.NewServer(svc.Handler())
		res, err := http.Post(srv.URL+"/auth/jwt/login", "application/json", strings.NewReader(`{"username":"nobody","password":"nobody-pass-1"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		srv.Close()
		if res.StatusCode != 401 {
			t.Fatalf("login: %d", res.StatusCode)
		}
		if pg, rd := connections(t, name); pg == 0 || rd == 0 {
			t.Fatalf("before Close: %d PostgreSQL and %d Redis connections, want some", pg, rd)
		}
		if err := svc.Close(); err != nil {
			t.Fatal(err)
		}
		if pg, rd := connections(t, name); pg != 0 || rd != 0 {
			t.Fatalf("after Close: %d PostgreSQL and %d Redis connections, want none", pg, rd)
		}
	})
}

// openFilesUnder counts the process's open files under dir.
func openFilesUnder(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir+"/") {
			n++
		}
	}
	return n
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const (
	testPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	testRedis    = "127.0.0.1:6379"
)

// unreachable skips, except under CI=true where it fails.
func unreachable(t *testing.T, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is unreachable under CI=true: %v", what, err)
	}
	t.Skipf("%s is unreachable: %v", what, err)
}

// pgAndRedis returns URLs of a fresh PostgreSQL schema and of a Redis
// database whose connections carry name (application_name, client_name);
// the schema and the service's keys ("demo:*") go when the test ends.
func pgAndRedis(t *testing.T, name string) (dbURL, redisURL string) {
	t.Helper()
	admin, err := postgres.Open(t.Context(), testPostgres)
	if err != nil {
		unreachable(t, "PostgreSQL", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + name + " CASCADE")
		admin.Close()
	})
	rc := goredis.NewClient(&goredis.Options{Addr: testRedis, DB: 7})
	if err := rc.Ping(t.Context()).Err(); err != nil {
		unreachable(t, "Redis", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rc.Scan(ctx, 0, "demo:*", 500).Iterator()
		for iter.Next(ctx) {
			rc.Del(ctx, iter.Val())
		}
		rc.Close()
	})
	q := url.Values{"sslmode": {"disable"}, "search_path": {name}, "application_name": {name}}
	return "postgres://postgres@127.0.0.1:5432/test?" + q.Encode(), "redis://" + testRedis + "/7?client_name=" + name
}

// connections counts the connections named name on PostgreSQL and Redis.
func connections(t *testing.T, name string) (pg, rd int) {
	t.Helper()
	db, err := sql.Open("pgx", testPostgres)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1`, name).Scan(&pg); err != nil {
		t.Fatal(err)
	}
	rc := goredis.NewClient(&goredis.Options{Addr: testRedis})
	defer rc.Close()
	list, err := rc.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	rd = strings.Count(list, " name="+name+" ")
	return pg, rd
}

// lockedBuffer is a log written by the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
