// Package e2e drives the blog example as a real process over real HTTP,
// exactly as the contract (blog-api.md) describes it.
package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// svc is the blog under test: e2ekit.Service builds it, and checks every
// exchange of the tests' clients against the generated openapi.json.
var svc = &e2ekit.Service{Name: "blog", Package: "github.com/wardhq/ward/examples/blog/cmd/blog", OpenAPI: "../blogapi/openapi.json"}

func TestMain(m *testing.M) { os.Exit(svc.Main(m)) }

func TestJWTFlow(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()

	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	e2ekit.Expect(t, "login", r, 200)
	body := r.JSON(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(300) || body["access_token"] == "" {
		t.Fatalf("login body %s", r.Body)
	}
	rc := e2ekit.Cookie(r, "refresh_token")
	if rc == nil || !rc.HttpOnly || !rc.Secure || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/auth/jwt" {
		t.Fatalf("refresh cookie %+v (Set-Cookie %q)", rc, r.Header.Values("Set-Cookie"))
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("login Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	access := body["access_token"].(string)

	c.Auth = "Bearer " + access
	me := c.Do("GET", "/auth/me", nil)
	e2ekit.Expect(t, "me", me, 200)
	if m := me.JSON(t); m["username"] != "alice" || m["is_staff"] != false || m["id"] == nil {
		t.Fatalf("me %s", me.Body)
	}

	// Refresh with the cookie: a new access token in the header and body, a rotated cookie.
	c.Auth = ""
	old := rc.Value
	r = c.Do("POST", "/auth/jwt/refresh", nil)
	e2ekit.Expect(t, "refresh", r, 200)
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || r.JSON(t)["access_token"] != strings.TrimPrefix(h, "Bearer ") {
		t.Fatalf("refresh header %q body %s", h, r.Body)
	}
	nc := e2ekit.Cookie(r, "refresh_token")
	if nc == nil || nc.Value == old {
		t.Fatalf("refresh token not rotated")
	}

	// The old refresh token is rejected, and its reuse 2 s after its
	// rotation (past the 1 s grace for two tabs) revokes the family.
	time.Sleep(2 * time.Second)
	stale := s.Client()
	r = stale.Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": old})
	e2ekit.Expect(t, "reuse of rotated refresh token", r, 401)
	r = c.Do("POST", "/auth/jwt/refresh", nil)
	e2ekit.Expect(t, "refresh after family revoked by reuse", r, 401)

	// A fresh login; logout revokes its refresh token.
	c2 := s.Client()
	access = c2.JWTLogin("alice", "alice-pass-1")
	c2.Auth = "Bearer " + access
	r = c2.Do("POST", "/auth/jwt/logout", nil)
	e2ekit.Expect(t, "logout", r, 204)
	c2.Auth = ""
	r = c2.Do("POST", "/auth/jwt/refresh", nil)
	e2ekit.Expect(t, "refresh after logout", r, 401)

	// No refresh token at all.
	r = s.Client().Do("POST", "/auth/jwt/refresh", nil)
	e2ekit.Expect(t, "refresh without token", r, 401)

	// Bad credentials.
	r = s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "wrong"})
	e2ekit.Expect(t, "bad login", r, 401)
	if d := r.Detail(t); d != "No active account found with the given credentials" {
		t.Fatalf("bad login detail %q", d)
	}
}

func TestAuthenticationErrors(t *testing.T) {
	s := svc.StartServer(t)
	anon := s.Client()

	// An invalid Authorization header of a known class is 401 even on an open endpoint.
	for _, h := range []string{"Bearer not-a-jwt", "Token deadbeef", "Basic !!!", "Basic " + b64("alice:wrong"), "Bearer"} {
		r := anon.Do("GET", "/api/health", nil, "Authorization", h)
		e2ekit.Expect(t, "health with "+h, r, 401)
	}
	// An unknown scheme is ignored: anonymous.
	r := anon.Do("GET", "/api/health", nil, "Authorization", "Digest username=x")
	e2ekit.Expect(t, "health with Digest", r, 200)
	if m := r.JSON(t); m["status"] != "ok" {
		t.Fatalf("health body %s", r.Body)
	}
	// An unknown session cookie is anonymous, not an error.
	r = anon.Do("GET", "/api/posts", nil, "Cookie", "sessionid=nonsense")
	e2ekit.Expect(t, "posts with unknown session", r, 200)

	// 401 with the first class's challenge for anonymous, 403 for a user.
	r = anon.Do("POST", "/api/posts", map[string]string{"title": "x"})
	e2ekit.Expect(t, "anonymous create", r, 401)
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Fatalf("WWW-Authenticate %q", got)
	}
	// Authentication and permissions come before the method.
	r = anon.Do("POST", "/api/users", map[string]string{})
	e2ekit.Expect(t, "anonymous POST /api/users", r, 401)
	r = s.As("alice", "alice-pass-1").Do("POST", "/api/users", map[string]string{})
	e2ekit.Expect(t, "user POST /api/users", r, 403)
	r = s.As("root", "root-pass-1").Do("POST", "/api/users", map[string]string{})
	e2ekit.Expect(t, "staff POST /api/users", r, 405)
	if r.Header.Get("Allow") == "" {
		t.Fatalf("405 without Allow")
	}
	// The login endpoints ignore Authorization.
	r = anon.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "Authorization", "Bearer garbage")
	e2ekit.Expect(t, "login with a bad bearer", r, 200)
	// Auth endpoints: OPTIONS is 200 with Allow, another method 405 with Allow.
	for _, path := range []string{"/auth/jwt/login", "/auth/token/logout", "/auth/session/login", "/auth/me", "/api/health"} {
		r = anon.Do("OPTIONS", path, nil)
		e2ekit.Expect(t, "OPTIONS "+path, r, 200)
		if r.Header.Get("Allow") == "" {
			t.Fatalf("OPTIONS %s without Allow", path)
		}
	}
	r = anon.Do("GET", "/auth/jwt/login", nil)
	e2ekit.Expect(t, "GET /auth/jwt/login", r, 405)
	if r.Header.Get("Allow") != "POST, OPTIONS" {
		t.Fatalf("Allow %q", r.Header.Get("Allow"))
	}
	// Logins take JSON only.
	r = anon.Do("POST", "/auth/jwt/login", "username=alice&password=alice-pass-1", "Content-Type", "application/x-www-form-urlencoded")
	e2ekit.Expect(t, "form login", r, 415)
}

func b64(s string) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out strings.Builder
	b := []byte(s)
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := 0
		for j := 0; j < 3; j++ {
			n <<= 8
			if i+j < len(b) {
				n |= uint32(b[i+j])
				k++
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				out.WriteByte(enc[(n>>(18-6*j))&63])
			} else {
				out.WriteByte('=')
			}
		}
	}
	return out.String()
}

func TestTokenAndBasic(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()
	r := c.Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	e2ekit.Expect(t, "token login", r, 200)
	key, _ := r.JSON(t)["token"].(string)
	r = c.Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	key2, _ := r.JSON(t)["token"].(string)
	if key == "" || key2 == "" || key == key2 {
		t.Fatalf("token keys %q %q", key, key2)
	}
	c.Auth = "Token " + key
	e2ekit.Expect(t, "me by token", c.Do("GET", "/auth/me", nil), 200)
	e2ekit.Expect(t, "token logout", c.Do("POST", "/auth/token/logout", nil), 204)
	e2ekit.Expect(t, "me after token logout", c.Do("GET", "/auth/me", nil), 401)
	c.Auth = "Token " + key2
	e2ekit.Expect(t, "the other token survives", c.Do("GET", "/auth/me", nil), 200)

	b := s.Client()
	b.Auth = "Basic " + b64("bob:bob-pass-1")
	me := b.Do("GET", "/auth/me", nil)
	e2ekit.Expect(t, "me by basic", me, 200)
	if me.JSON(t)["username"] != "bob" {
		t.Fatalf("basic me %s", me.Body)
	}
	created := b.Do("POST", "/api/posts", map[string]string{"title": "by basic"})
	e2ekit.Expect(t, "create by basic", created, 201)
}

func TestSessionAndCSRF(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()
	r := c.Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	e2ekit.Expect(t, "session login", r, 200)
	sid, csrf := e2ekit.Cookie(r, "sessionid"), e2ekit.Cookie(r, "csrftoken")
	if sid == nil || !sid.HttpOnly || csrf == nil {
		t.Fatalf("session cookies %q", r.Header.Values("Set-Cookie"))
	}
	// The jar does not send Secure cookies over plain HTTP to 127.0.0.1 in every Go version; send them by hand.
	cookies := "sessionid=" + sid.Value + "; csrftoken=" + csrf.Value
	e2ekit.Expect(t, "me by session", c.Do("GET", "/auth/me", nil, "Cookie", cookies), 200)
	r = c.Do("POST", "/api/posts", map[string]string{"title": "no csrf"}, "Cookie", cookies)
	e2ekit.Expect(t, "unsafe without CSRF", r, 403)
	if d := r.Detail(t); !strings.HasPrefix(d, "CSRF Failed: ") {
		t.Fatalf("CSRF detail %q", d)
	}
	r = c.Do("POST", "/api/posts", map[string]string{"title": "bad csrf"}, "Cookie", cookies, "X-CSRFToken", "x"+csrf.Value)
	e2ekit.Expect(t, "unsafe with a wrong CSRF token", r, 403)
	r = c.Do("POST", "/api/posts", map[string]string{"title": "with csrf"}, "Cookie", cookies, "X-CSRFToken", csrf.Value)
	e2ekit.Expect(t, "unsafe with CSRF", r, 201)

	e2ekit.Expect(t, "session logout without CSRF", c.Do("POST", "/auth/session/logout", nil, "Cookie", cookies), 403)
	e2ekit.Expect(t, "session logout", c.Do("POST", "/auth/session/logout", nil, "Cookie", cookies, "X-CSRFToken", csrf.Value), 204)
	r = c.Do("GET", "/auth/me", nil, "Cookie", cookies)
	if r.Status == 200 {
		t.Fatalf("session still valid after logout")
	}

	// A new id at each login, also on a live session, which ends (no fixation).
	r1 := s.Client().Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	e2ekit.Expect(t, "session login again", r1, 200)
	live := "sessionid=" + e2ekit.Cookie(r1, "sessionid").Value
	r2 := s.Client().Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "Cookie", live)
	e2ekit.Expect(t, "re-login on a live session", r2, 200)
	if sid2 := e2ekit.Cookie(r2, "sessionid"); sid2 == nil || "sessionid="+sid2.Value == live {
		t.Fatalf("session id not renewed at login")
	} else {
		e2ekit.Expect(t, "me with the new session", s.Client().Do("GET", "/auth/me", nil, "Cookie", "sessionid="+sid2.Value), 200)
	}
	r = s.Client().Do("GET", "/auth/me", nil, "Cookie", live)
	e2ekit.Expect(t, "me with the replaced session (anonymous)", r, 401)
}

func TestPostsOwnershipAndValidation(t *testing.T) {
	s := svc.StartServer(t)
	alice, bob, root := s.As("alice", "alice-pass-1"), s.As("bob", "bob-pass-1"), s.As("root", "root-pass-1")
	anon := s.Client()

	r := alice.Do("POST", "/api/posts", map[string]any{"title": "Hello", "body": "World", "owner": "bob", "id": 999, "created_at": "2000-01-01T00:00:00Z"})
	e2ekit.Expect(t, "create", r, 201)
	p := r.JSON(t)
	if p["owner"] != "alice" || p["title"] != "Hello" || p["body"] != "World" || p["id"] == float64(999) {
		t.Fatalf("created %s", r.Body)
	}
	if ts, _ := p["created_at"].(string); ts == "" || strings.HasPrefix(ts, "2000") {
		t.Fatalf("created_at %v", p["created_at"])
	} else if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Fatalf("created_at not RFC 3339: %v", err)
	}
	id := fmt.Sprint(int64(p["id"].(float64)))

	e2ekit.Expect(t, "anonymous read", anon.Do("GET", "/api/posts/"+id, nil), 200)
	e2ekit.Expect(t, "HEAD", anon.Do("HEAD", "/api/posts/"+id, nil), 200)
	o := anon.Do("OPTIONS", "/api/posts/"+id, nil)
	e2ekit.Expect(t, "OPTIONS", o, 200)
	if o.Header.Get("Allow") == "" {
		t.Fatal("OPTIONS without Allow")
	}
	r = bob.Do("PATCH", "/api/posts/"+id, map[string]string{"title": "mine now"})
	e2ekit.Expect(t, "bob patches alice's post", r, 403)
	e2ekit.Expect(t, "bob deletes alice's post", bob.Do("DELETE", "/api/posts/"+id, nil), 403)
	e2ekit.Expect(t, "staff patches alice's post", root.Do("PATCH", "/api/posts/"+id, map[string]string{"title": "x"}), 403)
	r = alice.Do("PATCH", "/api/posts/"+id, map[string]string{"title": "Hello again"})
	e2ekit.Expect(t, "owner patches", r, 200)
	if r.JSON(t)["title"] != "Hello again" || r.JSON(t)["body"] != "World" {
		t.Fatalf("patched %s", r.Body)
	}
	r = alice.Do("PUT", "/api/posts/"+id, map[string]string{"body": "no title"})
	e2ekit.Expect(t, "PUT without title", r, 400)
	if m := r.JSON(t); fmt.Sprint(m["title"]) != "[This field is required.]" {
		t.Fatalf("PUT errors %s", r.Body)
	}
	r = alice.Do("POST", "/api/posts", map[string]any{"title": strings.Repeat("é", 200)})
	e2ekit.Expect(t, "200 characters (400 bytes)", r, 201)
	r = alice.Do("POST", "/api/posts", map[string]any{"title": strings.Repeat("é", 201)})
	e2ekit.Expect(t, "201 characters", r, 400)
	r = alice.Do("POST", "/api/posts", map[string]any{})
	e2ekit.Expect(t, "missing title", r, 400)
	if m := r.JSON(t); fmt.Sprint(m["title"]) != "[This field is required.]" {
		t.Fatalf("errors %s", r.Body)
	}
	r = alice.Do("POST", "/api/posts", map[string]any{"title": ""})
	e2ekit.Expect(t, "empty title", r, 400)

	e2ekit.Expect(t, "trailing slash", anon.Do("GET", "/api/posts/", nil), 404)
	r = anon.Do("GET", "/api/posts/abc", nil)
	e2ekit.Expect(t, "non-integer id", r, 404)
	if r.Detail(t) != "Not found." {
		t.Fatalf("404 detail %q", r.Detail(t))
	}
	e2ekit.Expect(t, "unknown id", anon.Do("GET", "/api/posts/99999", nil), 404)
	e2ekit.Expect(t, "owner deletes", alice.Do("DELETE", "/api/posts/"+id, nil), 204)
	e2ekit.Expect(t, "deleted", anon.Do("GET", "/api/posts/"+id, nil), 404)
}

func TestPaginationAndOrdering(t *testing.T) {
	s := svc.StartServer(t)
	alice := s.As("alice", "alice-pass-1")
	for i := 0; i < 45; i++ {
		e2ekit.Expect(t, "create", alice.Do("POST", "/api/posts", map[string]any{"title": fmt.Sprintf("post %d", i)}), 201)
	}
	anon := s.Client()
	r := anon.Do("GET", "/api/posts", nil)
	e2ekit.Expect(t, "page 1", r, 200)
	m := r.JSON(t)
	res := m["results"].([]any)
	if m["count"] != float64(45) || len(res) != 20 || m["previous"] != nil {
		t.Fatalf("page 1: count %v, %d results, previous %v", m["count"], len(res), m["previous"])
	}
	if m["next"] != s.Base+"/api/posts?page=2" {
		t.Fatalf("next %v", m["next"])
	}
	last := -1.0
	for _, x := range res {
		id := x.(map[string]any)["id"].(float64)
		if id <= last {
			t.Fatalf("not ordered by id")
		}
		last = id
	}
	r = anon.Do("GET", "/api/posts?page=3", nil)
	e2ekit.Expect(t, "page 3", r, 200)
	m = r.JSON(t)
	if len(m["results"].([]any)) != 5 || m["next"] != nil || m["previous"] != s.Base+"/api/posts?page=2" {
		t.Fatalf("page 3 %v %v %v", len(m["results"].([]any)), m["next"], m["previous"])
	}
	for _, bad := range []string{"4", "0", "-1", "x"} {
		r = anon.Do("GET", "/api/posts?page="+bad, nil)
		e2ekit.Expect(t, "page "+bad, r, 404)
		if r.Detail(t) != "Invalid page." {
			t.Fatalf("page %s detail %q", bad, r.Detail(t))
		}
	}
}

func TestNotesAreScoped(t *testing.T) {
	s := svc.StartServer(t)
	alice, bob := s.As("alice", "alice-pass-1"), s.As("bob", "bob-pass-1")
	e2ekit.Expect(t, "anonymous notes", s.Client().Do("GET", "/api/notes", nil), 401)
	r := alice.Do("POST", "/api/notes", map[string]any{"text": "alice's secret"})
	e2ekit.Expect(t, "create note", r, 201)
	if r.JSON(t)["owner"] != "alice" {
		t.Fatalf("note %s", r.Body)
	}
	id := fmt.Sprint(int64(r.JSON(t)["id"].(float64)))
	e2ekit.Expect(t, "bob creates a note", bob.Do("POST", "/api/notes", map[string]any{"text": "bob's"}), 201)
	e2ekit.Expect(t, "bob reads alice's note", bob.Do("GET", "/api/notes/"+id, nil), 404)
	e2ekit.Expect(t, "bob deletes alice's note", bob.Do("DELETE", "/api/notes/"+id, nil), 404)
	r = bob.Do("GET", "/api/notes", nil)
	e2ekit.Expect(t, "bob's list", r, 200)
	if m := r.JSON(t); m["count"] != float64(1) {
		t.Fatalf("bob sees %v notes: %s", m["count"], r.Body)
	}
	e2ekit.Expect(t, "alice reads her note", alice.Do("GET", "/api/notes/"+id, nil), 200)
	r = alice.Do("POST", "/api/notes", map[string]any{"text": strings.Repeat("x", 1001)})
	e2ekit.Expect(t, "note too long", r, 400)
}

func TestUsersAreStaffOnly(t *testing.T) {
	s := svc.StartServer(t)
	e2ekit.Expect(t, "anonymous users", s.Client().Do("GET", "/api/users", nil), 401)
	e2ekit.Expect(t, "user users", s.As("alice", "alice-pass-1").Do("GET", "/api/users", nil), 403)
	r := s.As("root", "root-pass-1").Do("GET", "/api/users", nil)
	e2ekit.Expect(t, "staff users", r, 200)
	m := r.JSON(t)
	if m["count"] != float64(3) {
		t.Fatalf("users %s", r.Body)
	}
	first := m["results"].([]any)[0].(map[string]any)
	if first["username"] != "alice" || first["is_staff"] != false || first["password"] != nil || first["password_hash"] != nil {
		t.Fatalf("user row %v", first)
	}
	e2ekit.Expect(t, "staff user detail", s.As("root", "root-pass-1").Do("GET", fmt.Sprintf("/api/users/%v", first["id"]), nil), 200)
	e2ekit.Expect(t, "staff DELETE user", s.As("root", "root-pass-1").Do("DELETE", fmt.Sprintf("/api/users/%v", first["id"]), nil), 405)
}

func TestLoginThrottle(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()
	paths := []string{"/auth/jwt/login", "/auth/token/login", "/auth/session/login"}
	for i := 0; i < 10; i++ {
		r := c.Do("POST", paths[i%3], map[string]string{"username": "alice", "password": "wrong"}, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		e2ekit.Expect(t, fmt.Sprintf("attempt %d", i+1), r, 401)
	}
	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "X-Forwarded-For", "10.9.9.9")
	e2ekit.Expect(t, "11th attempt", r, 429)
	if r.Header.Get("Retry-After") == "" || !strings.HasPrefix(r.Detail(t), "Request was throttled. Expected available in ") {
		t.Fatalf("429 %q %s", r.Header.Get("Retry-After"), r.Body)
	}
}

func TestShortKeyRefused(t *testing.T) {
	data := t.TempDir()
	out, code := svc.Run(t, append(os.Environ(), "BLOG_DATA="+data, "BLOG_JWT_KEY=short"), "", "serve", "--addr", e2ekit.FreeAddr(t))
	if code == 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("short key: exit %d, output %q", code, out)
	}
}

func TestPortTakenRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out, code := svc.Run(t, svc.Env(t.TempDir()), "", "serve", "--addr", ln.Addr().String())
	if code == 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("port taken: exit %d, output %q", code, out)
	}
}

func TestSIGTERMDrains(t *testing.T) {
	s := svc.StartServer(t)
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

func TestKeyGeneratedOnceAndKept(t *testing.T) {
	data := t.TempDir()
	env := append(os.Environ(), "BLOG_DATA="+data)
	if out, code := svc.Run(t, env, "", "createuser", "--username", "alice", "--password", "alice-pass-1"); code != 0 {
		t.Fatalf("createuser: %s", out)
	}
	s := &e2ekit.Server{Service: svc, T: t, Data: data, Env: env}
	s.Start()
	c := s.Client()
	access := c.JWTLogin("alice", "alice-pass-1")
	s.Cmd.Process.Signal(syscall.SIGTERM)
	s.Cmd.Wait()
	s.Start()
	c = s.Client()
	c.Auth = "Bearer " + access
	e2ekit.Expect(t, "token from before a restart", c.Do("GET", "/auth/me", nil), 200)
}
