// Package e2e drives the blog example as a real process over real HTTP,
// exactly as the contract (blog-api.md) describes it.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardhq/ward/generator/openapi/oascheck"
)

// oas validates every request and response of the tests' clients against
// the generated openapi.json.
var oas *oascheck.Checker

var blogBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "blog-e2e-bin")
	if err != nil {
		panic(err)
	}
	blogBin = filepath.Join(dir, "blog")
	cmd := exec.Command("go", "build", "-o", blogBin, "github.com/wardhq/ward/examples/blog/cmd/blog")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the blog:", err)
		os.Exit(1)
	}
	doc, err := os.ReadFile(filepath.Join("..", "blogapi", "openapi.json"))
	if err == nil {
		oas, err = oascheck.New(doc)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reading openapi.json:", err)
		os.Exit(1)
	}
	code := m.Run()
	// Every exchange of the clients went through oas: 0 mismatches.
	fmt.Println(oas.Report())
	if oas.Failed() && code == 0 {
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

const testKey = "e2e-test-signing-key-0123456789abcdef"

// server is one running blog process.
type server struct {
	t    *testing.T
	base string
	data string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	env  []string
	bin  string // the binary that serves; "" for the blog
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func blogEnv(data string, extra ...string) []string {
	env := append(os.Environ(), "BLOG_DATA="+data, "BLOG_JWT_KEY="+testKey)
	return append(env, extra...)
}

func run(t *testing.T, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(blogBin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func startServer(t *testing.T, extraEnv ...string) *server {
	t.Helper()
	s := newServer(t, extraEnv...)
	s.start()
	return s
}

// newServer makes a data folder with the users alice, bob and root, and
// a server on it that is not started yet.
func newServer(t *testing.T, extraEnv ...string) *server {
	t.Helper()
	data := t.TempDir()
	s := &server{t: t, data: data, env: blogEnv(data, extraEnv...)}
	for _, u := range [][]string{
		{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		{"createuser", "--username", "bob", "--password", "bob-pass-1"},
		{"createuser", "--username", "root", "--password", "root-pass-1", "--staff"},
	} {
		if out, code := run(t, s.env, "", u...); code != 0 {
			t.Fatalf("%v: exit %d: %s", u, code, out)
		}
	}
	return s
}

func (s *server) start() {
	t := s.t
	addr := freeAddr(t)
	s.base = "http://" + addr
	s.log = new(bytes.Buffer)
	bin := blogBin
	if s.bin != "" {
		bin = s.bin
	}
	s.cmd = exec.Command(bin, "serve", "--addr", addr)
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy; log:\n%s", s.log.String())
}

// client is one user agent with its own cookies.
type client struct {
	t    *testing.T
	s    *server
	http *http.Client
	auth string // Authorization header to send, if any
}

func (s *server) client() *client {
	jar, _ := cookiejar.New(nil)
	// The blog's exchanges are checked against its openapi.json; another
	// binary (the cookie-mode blog) is another service with another document.
	tr := oas.Transport(nil)
	if s.bin != "" {
		tr = http.DefaultTransport
	}
	return &client{t: s.t, s: s, http: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

func (r response) detail(t *testing.T) string {
	t.Helper()
	d, _ := r.json(t)["detail"].(string)
	return d
}

func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
		ctype = "application/json"
	}
	req, err := http.NewRequest(method, c.s.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func expect(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
}

func cookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (c *client) jwtLogin(user, pw string) string {
	c.t.Helper()
	r := c.do("POST", "/auth/jwt/login", map[string]string{"username": user, "password": pw})
	expect(c.t, "jwt login "+user, r, 200)
	tok, _ := r.json(c.t)["access_token"].(string)
	if tok == "" {
		c.t.Fatalf("no access_token in %s", r.body)
	}
	return tok
}

func (s *server) as(user, pw string) *client {
	c := s.client()
	c.auth = "Bearer " + c.jwtLogin(user, pw)
	return c
}

func TestJWTFlow(t *testing.T) {
	s := startServer(t)
	c := s.client()

	r := c.do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	expect(t, "login", r, 200)
	body := r.json(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(300) || body["access_token"] == "" {
		t.Fatalf("login body %s", r.body)
	}
	rc := cookie(r, "refresh_token")
	if rc == nil || !rc.HttpOnly || !rc.Secure || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/auth/jwt" {
		t.Fatalf("refresh cookie %+v (Set-Cookie %q)", rc, r.header.Values("Set-Cookie"))
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("login Cache-Control %q", r.header.Get("Cache-Control"))
	}
	access := body["access_token"].(string)

	c.auth = "Bearer " + access
	me := c.do("GET", "/auth/me", nil)
	expect(t, "me", me, 200)
	if m := me.json(t); m["username"] != "alice" || m["is_staff"] != false || m["id"] == nil {
		t.Fatalf("me %s", me.body)
	}

	// Refresh with the cookie: a new access token in the header and body, a rotated cookie.
	c.auth = ""
	old := rc.Value
	r = c.do("POST", "/auth/jwt/refresh", nil)
	expect(t, "refresh", r, 200)
	h := r.header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || r.json(t)["access_token"] != strings.TrimPrefix(h, "Bearer ") {
		t.Fatalf("refresh header %q body %s", h, r.body)
	}
	nc := cookie(r, "refresh_token")
	if nc == nil || nc.Value == old {
		t.Fatalf("refresh token not rotated")
	}

	// The old refresh token is rejected, and its reuse 2 s after its
	// rotation (past the 1 s grace for two tabs) revokes the family.
	time.Sleep(2 * time.Second)
	stale := s.client()
	r = stale.do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": old})
	expect(t, "reuse of rotated refresh token", r, 401)
	r = c.do("POST", "/auth/jwt/refresh", nil)
	expect(t, "refresh after family revoked by reuse", r, 401)

	// A fresh login; logout revokes its refresh token.
	c2 := s.client()
	access = c2.jwtLogin("alice", "alice-pass-1")
	c2.auth = "Bearer " + access
	r = c2.do("POST", "/auth/jwt/logout", nil)
	expect(t, "logout", r, 204)
	c2.auth = ""
	r = c2.do("POST", "/auth/jwt/refresh", nil)
	expect(t, "refresh after logout", r, 401)

	// No refresh token at all.
	r = s.client().do("POST", "/auth/jwt/refresh", nil)
	expect(t, "refresh without token", r, 401)

	// Bad credentials.
	r = s.client().do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "wrong"})
	expect(t, "bad login", r, 401)
	if d := r.detail(t); d != "No active account found with the given credentials" {
		t.Fatalf("bad login detail %q", d)
	}
}

func TestAuthenticationErrors(t *testing.T) {
	s := startServer(t)
	anon := s.client()

	// An invalid Authorization header of a known class is 401 even on an open endpoint.
	for _, h := range []string{"Bearer not-a-jwt", "Token deadbeef", "Basic !!!", "Basic " + b64("alice:wrong"), "Bearer"} {
		r := anon.do("GET", "/api/health", nil, "Authorization", h)
		expect(t, "health with "+h, r, 401)
	}
	// An unknown scheme is ignored: anonymous.
	r := anon.do("GET", "/api/health", nil, "Authorization", "Digest username=x")
	expect(t, "health with Digest", r, 200)
	if m := r.json(t); m["status"] != "ok" {
		t.Fatalf("health body %s", r.body)
	}
	// An unknown session cookie is anonymous, not an error.
	r = anon.do("GET", "/api/posts", nil, "Cookie", "sessionid=nonsense")
	expect(t, "posts with unknown session", r, 200)

	// 401 with the first class's challenge for anonymous, 403 for a user.
	r = anon.do("POST", "/api/posts", map[string]string{"title": "x"})
	expect(t, "anonymous create", r, 401)
	if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Fatalf("WWW-Authenticate %q", got)
	}
	// Authentication and permissions come before the method.
	r = anon.do("POST", "/api/users", map[string]string{})
	expect(t, "anonymous POST /api/users", r, 401)
	r = s.as("alice", "alice-pass-1").do("POST", "/api/users", map[string]string{})
	expect(t, "user POST /api/users", r, 403)
	r = s.as("root", "root-pass-1").do("POST", "/api/users", map[string]string{})
	expect(t, "staff POST /api/users", r, 405)
	if r.header.Get("Allow") == "" {
		t.Fatalf("405 without Allow")
	}
	// The login endpoints ignore Authorization.
	r = anon.do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "Authorization", "Bearer garbage")
	expect(t, "login with a bad bearer", r, 200)
	// Auth endpoints: OPTIONS is 200 with Allow, another method 405 with Allow.
	for _, path := range []string{"/auth/jwt/login", "/auth/token/logout", "/auth/session/login", "/auth/me", "/api/health"} {
		r = anon.do("OPTIONS", path, nil)
		expect(t, "OPTIONS "+path, r, 200)
		if r.header.Get("Allow") == "" {
			t.Fatalf("OPTIONS %s without Allow", path)
		}
	}
	r = anon.do("GET", "/auth/jwt/login", nil)
	expect(t, "GET /auth/jwt/login", r, 405)
	if r.header.Get("Allow") != "POST, OPTIONS" {
		t.Fatalf("Allow %q", r.header.Get("Allow"))
	}
	// Logins take JSON only.
	r = anon.do("POST", "/auth/jwt/login", "username=alice&password=alice-pass-1", "Content-Type", "application/x-www-form-urlencoded")
	expect(t, "form login", r, 415)
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
	s := startServer(t)
	c := s.client()
	r := c.do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	expect(t, "token login", r, 200)
	key, _ := r.json(t)["token"].(string)
	r = c.do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	key2, _ := r.json(t)["token"].(string)
	if key == "" || key2 == "" || key == key2 {
		t.Fatalf("token keys %q %q", key, key2)
	}
	c.auth = "Token " + key
	expect(t, "me by token", c.do("GET", "/auth/me", nil), 200)
	expect(t, "token logout", c.do("POST", "/auth/token/logout", nil), 204)
	expect(t, "me after token logout", c.do("GET", "/auth/me", nil), 401)
	c.auth = "Token " + key2
	expect(t, "the other token survives", c.do("GET", "/auth/me", nil), 200)

	b := s.client()
	b.auth = "Basic " + b64("bob:bob-pass-1")
	me := b.do("GET", "/auth/me", nil)
	expect(t, "me by basic", me, 200)
	if me.json(t)["username"] != "bob" {
		t.Fatalf("basic me %s", me.body)
	}
	created := b.do("POST", "/api/posts", map[string]string{"title": "by basic"})
	expect(t, "create by basic", created, 201)
}

func TestSessionAndCSRF(t *testing.T) {
	s := startServer(t)
	c := s.client()
	r := c.do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	expect(t, "session login", r, 200)
	sid, csrf := cookie(r, "sessionid"), cookie(r, "csrftoken")
	if sid == nil || !sid.HttpOnly || csrf == nil {
		t.Fatalf("session cookies %q", r.header.Values("Set-Cookie"))
	}
	// The jar does not send Secure cookies over plain HTTP to 127.0.0.1 in every Go version; send them by hand.
	cookies := "sessionid=" + sid.Value + "; csrftoken=" + csrf.Value
	expect(t, "me by session", c.do("GET", "/auth/me", nil, "Cookie", cookies), 200)
	r = c.do("POST", "/api/posts", map[string]string{"title": "no csrf"}, "Cookie", cookies)
	expect(t, "unsafe without CSRF", r, 403)
	if d := r.detail(t); !strings.HasPrefix(d, "CSRF Failed: ") {
		t.Fatalf("CSRF detail %q", d)
	}
	r = c.do("POST", "/api/posts", map[string]string{"title": "bad csrf"}, "Cookie", cookies, "X-CSRFToken", "x"+csrf.Value)
	expect(t, "unsafe with a wrong CSRF token", r, 403)
	r = c.do("POST", "/api/posts", map[string]string{"title": "with csrf"}, "Cookie", cookies, "X-CSRFToken", csrf.Value)
	expect(t, "unsafe with CSRF", r, 201)

	expect(t, "session logout without CSRF", c.do("POST", "/auth/session/logout", nil, "Cookie", cookies), 403)
	expect(t, "session logout", c.do("POST", "/auth/session/logout", nil, "Cookie", cookies, "X-CSRFToken", csrf.Value), 204)
	r = c.do("GET", "/auth/me", nil, "Cookie", cookies)
	if r.status == 200 {
		t.Fatalf("session still valid after logout")
	}

	// A new id at each login, also on a live session, which ends (no fixation).
	r1 := s.client().do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	expect(t, "session login again", r1, 200)
	live := "sessionid=" + cookie(r1, "sessionid").Value
	r2 := s.client().do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "Cookie", live)
	expect(t, "re-login on a live session", r2, 200)
	if sid2 := cookie(r2, "sessionid"); sid2 == nil || "sessionid="+sid2.Value == live {
		t.Fatalf("session id not renewed at login")
	} else {
		expect(t, "me with the new session", s.client().do("GET", "/auth/me", nil, "Cookie", "sessionid="+sid2.Value), 200)
	}
	r = s.client().do("GET", "/auth/me", nil, "Cookie", live)
	expect(t, "me with the replaced session (anonymous)", r, 401)
}

func TestPostsOwnershipAndValidation(t *testing.T) {
	s := startServer(t)
	alice, bob, root := s.as("alice", "alice-pass-1"), s.as("bob", "bob-pass-1"), s.as("root", "root-pass-1")
	anon := s.client()

	r := alice.do("POST", "/api/posts", map[string]any{"title": "Hello", "body": "World", "owner": "bob", "id": 999, "created_at": "2000-01-01T00:00:00Z"})
	expect(t, "create", r, 201)
	p := r.json(t)
	if p["owner"] != "alice" || p["title"] != "Hello" || p["body"] != "World" || p["id"] == float64(999) {
		t.Fatalf("created %s", r.body)
	}
	if ts, _ := p["created_at"].(string); ts == "" || strings.HasPrefix(ts, "2000") {
		t.Fatalf("created_at %v", p["created_at"])
	} else if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Fatalf("created_at not RFC 3339: %v", err)
	}
	id := fmt.Sprint(int64(p["id"].(float64)))

	expect(t, "anonymous read", anon.do("GET", "/api/posts/"+id, nil), 200)
	expect(t, "HEAD", anon.do("HEAD", "/api/posts/"+id, nil), 200)
	o := anon.do("OPTIONS", "/api/posts/"+id, nil)
	expect(t, "OPTIONS", o, 200)
	if o.header.Get("Allow") == "" {
		t.Fatal("OPTIONS without Allow")
	}
	r = bob.do("PATCH", "/api/posts/"+id, map[string]string{"title": "mine now"})
	expect(t, "bob patches alice's post", r, 403)
	expect(t, "bob deletes alice's post", bob.do("DELETE", "/api/posts/"+id, nil), 403)
	expect(t, "staff patches alice's post", root.do("PATCH", "/api/posts/"+id, map[string]string{"title": "x"}), 403)
	r = alice.do("PATCH", "/api/posts/"+id, map[string]string{"title": "Hello again"})
	expect(t, "owner patches", r, 200)
	if r.json(t)["title"] != "Hello again" || r.json(t)["body"] != "World" {
		t.Fatalf("patched %s", r.body)
	}
	r = alice.do("PUT", "/api/posts/"+id, map[string]string{"body": "no title"})
	expect(t, "PUT without title", r, 400)
	if m := r.json(t); fmt.Sprint(m["title"]) != "[This field is required.]" {
		t.Fatalf("PUT errors %s", r.body)
	}
	r = alice.do("POST", "/api/posts", map[string]any{"title": strings.Repeat("é", 200)})
	expect(t, "200 characters (400 bytes)", r, 201)
	r = alice.do("POST", "/api/posts", map[string]any{"title": strings.Repeat("é", 201)})
	expect(t, "201 characters", r, 400)
	r = alice.do("POST", "/api/posts", map[string]any{})
	expect(t, "missing title", r, 400)
	if m := r.json(t); fmt.Sprint(m["title"]) != "[This field is required.]" {
		t.Fatalf("errors %s", r.body)
	}
	r = alice.do("POST", "/api/posts", map[string]any{"title": ""})
	expect(t, "empty title", r, 400)

	expect(t, "trailing slash", anon.do("GET", "/api/posts/", nil), 404)
	r = anon.do("GET", "/api/posts/abc", nil)
	expect(t, "non-integer id", r, 404)
	if r.detail(t) != "Not found." {
		t.Fatalf("404 detail %q", r.detail(t))
	}
	expect(t, "unknown id", anon.do("GET", "/api/posts/99999", nil), 404)
	expect(t, "owner deletes", alice.do("DELETE", "/api/posts/"+id, nil), 204)
	expect(t, "deleted", anon.do("GET", "/api/posts/"+id, nil), 404)
}

func TestPaginationAndOrdering(t *testing.T) {
	s := startServer(t)
	alice := s.as("alice", "alice-pass-1")
	for i := 0; i < 45; i++ {
		expect(t, "create", alice.do("POST", "/api/posts", map[string]any{"title": fmt.Sprintf("post %d", i)}), 201)
	}
	anon := s.client()
	r := anon.do("GET", "/api/posts", nil)
	expect(t, "page 1", r, 200)
	m := r.json(t)
	res := m["results"].([]any)
	if m["count"] != float64(45) || len(res) != 20 || m["previous"] != nil {
		t.Fatalf("page 1: count %v, %d results, previous %v", m["count"], len(res), m["previous"])
	}
	if m["next"] != s.base+"/api/posts?page=2" {
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
	r = anon.do("GET", "/api/posts?page=3", nil)
	expect(t, "page 3", r, 200)
	m = r.json(t)
	if len(m["results"].([]any)) != 5 || m["next"] != nil || m["previous"] != s.base+"/api/posts?page=2" {
		t.Fatalf("page 3 %v %v %v", len(m["results"].([]any)), m["next"], m["previous"])
	}
	for _, bad := range []string{"4", "0", "-1", "x"} {
		r = anon.do("GET", "/api/posts?page="+bad, nil)
		expect(t, "page "+bad, r, 404)
		if r.detail(t) != "Invalid page." {
			t.Fatalf("page %s detail %q", bad, r.detail(t))
		}
	}
}

func TestNotesAreScoped(t *testing.T) {
	s := startServer(t)
	alice, bob := s.as("alice", "alice-pass-1"), s.as("bob", "bob-pass-1")
	expect(t, "anonymous notes", s.client().do("GET", "/api/notes", nil), 401)
	r := alice.do("POST", "/api/notes", map[string]any{"text": "alice's secret"})
	expect(t, "create note", r, 201)
	if r.json(t)["owner"] != "alice" {
		t.Fatalf("note %s", r.body)
	}
	id := fmt.Sprint(int64(r.json(t)["id"].(float64)))
	expect(t, "bob creates a note", bob.do("POST", "/api/notes", map[string]any{"text": "bob's"}), 201)
	expect(t, "bob reads alice's note", bob.do("GET", "/api/notes/"+id, nil), 404)
	expect(t, "bob deletes alice's note", bob.do("DELETE", "/api/notes/"+id, nil), 404)
	r = bob.do("GET", "/api/notes", nil)
	expect(t, "bob's list", r, 200)
	if m := r.json(t); m["count"] != float64(1) {
		t.Fatalf("bob sees %v notes: %s", m["count"], r.body)
	}
	expect(t, "alice reads her note", alice.do("GET", "/api/notes/"+id, nil), 200)
	r = alice.do("POST", "/api/notes", map[string]any{"text": strings.Repeat("x", 1001)})
	expect(t, "note too long", r, 400)
}

func TestUsersAreStaffOnly(t *testing.T) {
	s := startServer(t)
	expect(t, "anonymous users", s.client().do("GET", "/api/users", nil), 401)
	expect(t, "user users", s.as("alice", "alice-pass-1").do("GET", "/api/users", nil), 403)
	r := s.as("root", "root-pass-1").do("GET", "/api/users", nil)
	expect(t, "staff users", r, 200)
	m := r.json(t)
	if m["count"] != float64(3) {
		t.Fatalf("users %s", r.body)
	}
	first := m["results"].([]any)[0].(map[string]any)
	if first["username"] != "alice" || first["is_staff"] != false || first["password"] != nil || first["password_hash"] != nil {
		t.Fatalf("user row %v", first)
	}
	expect(t, "staff user detail", s.as("root", "root-pass-1").do("GET", fmt.Sprintf("/api/users/%v", first["id"]), nil), 200)
	expect(t, "staff DELETE user", s.as("root", "root-pass-1").do("DELETE", fmt.Sprintf("/api/users/%v", first["id"]), nil), 405)
}

func TestLoginThrottle(t *testing.T) {
	s := startServer(t)
	c := s.client()
	paths := []string{"/auth/jwt/login", "/auth/token/login", "/auth/session/login"}
	for i := 0; i < 10; i++ {
		r := c.do("POST", paths[i%3], map[string]string{"username": "alice", "password": "wrong"}, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		expect(t, fmt.Sprintf("attempt %d", i+1), r, 401)
	}
	r := c.do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "X-Forwarded-For", "10.9.9.9")
	expect(t, "11th attempt", r, 429)
	if r.header.Get("Retry-After") == "" || !strings.HasPrefix(r.detail(t), "Request was throttled. Expected available in ") {
		t.Fatalf("429 %q %s", r.header.Get("Retry-After"), r.body)
	}
}

func TestShortKeyRefused(t *testing.T) {
	data := t.TempDir()
	out, code := run(t, append(os.Environ(), "BLOG_DATA="+data, "BLOG_JWT_KEY=short"), "", "serve", "--addr", freeAddr(t))
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
	out, code := run(t, blogEnv(t.TempDir()), "", "serve", "--addr", ln.Addr().String())
	if code == 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("port taken: exit %d, output %q", code, out)
	}
}

func TestSIGTERMDrains(t *testing.T) {
	s := startServer(t)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
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
	if out, code := run(t, env, "", "createuser", "--username", "alice", "--password", "alice-pass-1"); code != 0 {
		t.Fatalf("createuser: %s", out)
	}
	s := &server{t: t, data: data, env: env}
	s.start()
	c := s.client()
	access := c.jwtLogin("alice", "alice-pass-1")
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	s.start()
	c = s.client()
	c.auth = "Bearer " + access
	expect(t, "token from before a restart", c.do("GET", "/auth/me", nil), 200)
}
