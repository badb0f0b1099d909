package e2e

// contract_test.go walks the blog API contract (blog-api.md) line by line,
// over real HTTP against the real binary, for every line the other e2e
// tests do not already pin. Each test names the contract lines it covers.

import (
	"bufio"
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
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// ---- helpers ----

// rawDo sends raw (a complete HTTP/1.1 request, as curl would write it) to
// addr over a fresh connection and reads one response. For HEAD it also
// reports whether any byte followed the headers.
func rawDo(t *testing.T, addr, raw string) (*http.Response, []byte, bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	method := strings.SplitN(raw, " ", 2)[0]
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response to %q: %v", strings.SplitN(raw, "\r\n", 2)[0], err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	extra := false
	if method == "HEAD" {
		conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		b := make([]byte, 1)
		n, _ := br.Read(b)
		extra = n > 0
	}
	return resp, body, extra
}

func addrOf(s *e2ekit.Server) string { return strings.TrimPrefix(s.Base, "http://") }

// stop sends SIGTERM and waits; after it the log can be read safely.
func stop(t *testing.T, s *e2ekit.Server) {
	t.Helper()
	if s.Cmd.ProcessState != nil {
		return
	}
	s.Cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		s.Cmd.Process.Kill()
		t.Fatal("no exit within 20s of SIGTERM")
	}
}

// keys returns the sorted keys of m, joined by commas.
func keys(m map[string]any) string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}

func idOf(t *testing.T, r e2ekit.Response) string {
	t.Helper()
	f, ok := r.JSON(t)["id"].(float64)
	if !ok || f != float64(int64(f)) || f <= 0 {
		t.Fatalf("id is not a positive integer: %s", r.Body)
	}
	return strconv.FormatInt(int64(f), 10)
}

// claims decodes a JWT's claims without verifying it.
func claims(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	var c jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil {
		t.Fatalf("not a JWT: %v", err)
	}
	return c
}

// resign signs tok's header and claims again with key, after edit.
func resign(t *testing.T, tok string, key []byte, edit func(jwt.MapClaims)) string {
	t.Helper()
	var c jwt.MapClaims
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, &c)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(c)
	}
	nt := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	for k, v := range parsed.Header {
		if k != "alg" {
			nt.Header[k] = v
		}
	}
	s, err := nt.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func num(t *testing.T, c jwt.MapClaims, name string) int64 {
	t.Helper()
	f, ok := c[name].(float64)
	if !ok {
		t.Fatalf("claim %s missing in %v", name, c)
	}
	return int64(f)
}

// fromAddr is a client whose connections leave from the loopback address
// ip (e.g. 127.0.0.2): another peer address, for per-client throttling.
func fromAddr(s *e2ekit.Server, ip string) *e2ekit.Client {
	c := s.Client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	jar, _ := cookiejar.New(nil)
	c.HTTP = &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext}}
	return c
}

func oneLineFailure(t *testing.T, what, out string, code int) {
	t.Helper()
	out = strings.TrimSpace(out)
	if code == 0 || out == "" || strings.Contains(out, "\n") {
		t.Fatalf("%s: exit %d, output %q; want a non-zero exit and one line", what, code, out)
	}
}

// serveBriefly runs serve on env and returns its output and exit status; a
// serve still running after 5 s is stopped and reported as exit 0.
func serveBriefly(t *testing.T, env []string) (string, int) {
	t.Helper()
	cmd := exec.Command(svc.Bin, "serve", "--addr", e2ekit.FreeAddr(t))
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), ee.ExitCode()
		}
		return out.String(), 0
	case <-time.After(5 * time.Second):
		cmd.Process.Signal(syscall.SIGTERM)
		<-done
		return out.String(), 0
	}
}

// ---- Authentication classes, challenges and DRF's details ----

// Contract: "Authentication classes, in this order" (JWT, Token, Session,
// Basic); "unauthenticated ... 401 with WWW-Authenticate: Bearer
// realm="api"; an authenticated one gets 403"; "An invalid Authorization
// header of any class ... gets 401, even on an open endpoint"; "An unknown
// or expired sessionid cookie is ... anonymous"; "Digest ... ignored";
// "The login and refresh endpoints ... ignore Authorization".
func TestContractAuthentication(t *testing.T) {
	// A generous login rate: failed Basic and Token credentials count
	// against the login bucket, and this test sends many.
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=1000/minute")
	anon := s.Client()
	alice := s.As("alice", "alice-pass-1")
	r := alice.Do("POST", "/api/posts", map[string]string{"title": "alice's"})
	e2ekit.Expect(t, "create", r, 201)
	post := idOf(t, r)
	r = alice.Do("POST", "/api/notes", map[string]string{"text": "alice's note"})
	e2ekit.Expect(t, "create note", r, 201)
	note := idOf(t, r)

	t.Run("anonymous denied is 401 with the Bearer challenge", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/notes"}, {"POST", "/api/notes"}, {"GET", "/api/notes/" + note},
			{"PUT", "/api/notes/" + note}, {"DELETE", "/api/notes/" + note},
			{"POST", "/api/posts"}, {"PUT", "/api/posts/" + post}, {"PATCH", "/api/posts/" + post},
			{"DELETE", "/api/posts/" + post}, {"PATCH", "/api/posts/99999"},
			{"GET", "/api/users"}, {"GET", "/api/users/1"}, {"GET", "/auth/me"},
			{"DELETE", "/api/posts"}, {"PUT", "/api/notes"}, {"POST", "/api/users"},
			{"POST", "/auth/jwt/logout"}, {"POST", "/auth/me"}, {"DELETE", "/auth/me"},
		} {
			r := anon.Do(c.method, c.path, map[string]string{"title": "x", "text": "x"})
			if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Bearer realm="api"` || r.Detail(t) != "Authentication credentials were not provided." {
				t.Errorf("anonymous %s %s: %d, WWW-Authenticate %q, body %s", c.method, c.path, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
		}
	})

	t.Run("authenticated denied is 403 without a challenge", func(t *testing.T) {
		bob := s.As("bob", "bob-pass-1")
		for _, c := range []struct {
			who          *e2ekit.Client
			method, path string
		}{
			{alice, "GET", "/api/users"}, {alice, "GET", "/api/users/1"}, {alice, "POST", "/api/users"},
			{bob, "PUT", "/api/posts/" + post}, {bob, "PATCH", "/api/posts/" + post}, {bob, "DELETE", "/api/posts/" + post},
		} {
			r := c.who.Do(c.method, c.path, map[string]string{"title": "x"})
			if r.Status != 403 || r.Header.Get("WWW-Authenticate") != "" || r.Detail(t) != "You do not have permission to perform this action." {
				t.Errorf("%s %s: %d, WWW-Authenticate %q, body %s", c.method, c.path, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
		}
	})

	t.Run("an invalid Authorization of any class is 401 everywhere", func(t *testing.T) {
		access := strings.TrimPrefix(alice.Auth, "Bearer ")
		lr := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "login", lr, 200)
		refresh := e2ekit.Cookie(lr, "refresh_token").Value
		tr := s.Client().Do("POST", "/auth/token/login", map[string]string{"username": "bob", "password": "bob-pass-1"})
		e2ekit.Expect(t, "token login", tr, 200)
		dead := tr.JSON(t)["token"].(string)
		dc := s.Client()
		dc.Auth = "Token " + dead
		e2ekit.Expect(t, "token logout", dc.Do("POST", "/auth/token/logout", nil), 204)

		expired := resign(t, access, []byte(e2ekit.TestKey), func(c jwt.MapClaims) {
			c["exp"] = float64(time.Now().Add(-time.Hour).Unix())
			c["iat"] = float64(time.Now().Add(-2 * time.Hour).Unix())
			c["nbf"] = c["iat"]
		})
		otherKey := resign(t, access, []byte("another-key-of-at-least-32-bytes!!"), nil)
		hdr, _ := json.Marshal(map[string]string{"alg": "none", "typ": "at+jwt"})
		noneAlg := strings.TrimRight(b64url(hdr), "=") + "." + strings.Split(access, ".")[1] + "."

		cases := []struct {
			name, header, detail string
		}{
			{"expired access token", "Bearer " + expired, ""},
			{"access token signed with another key", "Bearer " + otherKey, ""},
			{"alg none", "Bearer " + noneAlg, ""},
			{"refresh token used as access token", "Bearer " + refresh, ""},
			{"three values", "Bearer a b", "Authorization header must contain two space-delimited values"},
			{"unknown token", "Token 0123456789abcdef0123456789abcdef01234567", "Invalid token."},
			{"deleted token", "Token " + dead, "Invalid token."},
			{"empty token", "Token", "Invalid token header. No credentials provided."},
			{"token with spaces", "Token a b", "Invalid token header. Token string should not contain spaces."},
			{"basic wrong password", "Basic " + b64("alice:wrong"), "Invalid username/password."},
			{"basic unknown user", "Basic " + b64("mallory:x"), "Invalid username/password."},
			{"basic not base64", "Basic !!!", "Invalid basic header. Credentials not correctly base64 encoded."},
			{"basic without colon", "Basic " + b64("alice"), ""},
			{"basic empty", "Basic", "Invalid basic header. No credentials provided."},
		}
		for _, c := range cases {
			for _, path := range []string{"/api/health", "/api/posts", "/api/posts/" + post, "/auth/me"} {
				r := anon.Do("GET", path, nil, "Authorization", c.header)
				if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Bearer realm="api"` || r.Detail(t) == "" {
					t.Errorf("%s on GET %s: %d, WWW-Authenticate %q, body %s", c.name, path, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
					continue
				}
				if c.detail != "" && r.Detail(t) != c.detail {
					t.Errorf("%s on GET %s: detail %q, want DRF's %q", c.name, path, r.Detail(t), c.detail)
				}
			}
		}
		// simplejwt's shape for a bad token: detail and code token_not_valid.
		r := anon.Do("GET", "/api/posts", nil, "Authorization", "Bearer "+expired)
		if m := r.JSON(t); m["code"] != "token_not_valid" {
			t.Errorf("expired token body %s, want code token_not_valid", r.Body)
		}
		// A resigned token with the right key is valid: BLOG_JWT_KEY is the raw HS256 secret.
		good := resign(t, access, []byte(e2ekit.TestKey), nil)
		c := s.Client()
		c.Auth = "Bearer " + good
		if r := c.Do("GET", "/auth/me", nil); r.Status != 200 || r.JSON(t)["username"] != "alice" {
			t.Errorf("token signed with BLOG_JWT_KEY's raw bytes: %d %s", r.Status, r.Body)
		}
	})

	t.Run("Digest is ignored: anonymous", func(t *testing.T) {
		h := []string{"Authorization", `Digest username="alice", realm="api", nonce="x", uri="/", response="y"`}
		e2ekit.Expect(t, "GET /api/posts with Digest", anon.Do("GET", "/api/posts", nil, h...), 200)
		r := anon.Do("GET", "/api/notes", nil, h...)
		if r.Status != 401 || r.Detail(t) != "Authentication credentials were not provided." {
			t.Errorf("GET /api/notes with Digest: %d %s, want anonymous 401", r.Status, r.Body)
		}
		r = anon.Do("GET", "/api/notes", nil, "Authorization", "Negotiate abc")
		e2ekit.Expect(t, "Negotiate is ignored", r, 401)
	})

	t.Run("unknown sessionid is anonymous, never a CSRF failure", func(t *testing.T) {
		for _, v := range []string{"nonsense", strings.Repeat("a", 32), "", "%zz"} {
			ck := []string{"Cookie", "sessionid=" + v}
			e2ekit.Expect(t, "GET /api/posts with sessionid="+v, anon.Do("GET", "/api/posts", nil, ck...), 200)
			r := anon.Do("GET", "/api/notes", nil, ck...)
			if r.Status != 401 || r.Detail(t) != "Authentication credentials were not provided." {
				t.Errorf("GET /api/notes with sessionid=%q: %d %s", v, r.Status, r.Body)
			}
			r = anon.Do("POST", "/api/posts", map[string]string{"title": "x"}, ck...)
			if r.Status != 401 {
				t.Errorf("POST /api/posts with sessionid=%q and no CSRF: %d %s, want 401 (anonymous)", v, r.Status, r.Body)
			}
		}
		// A session that ended (logout) is anonymous too.
		c := s.Client()
		r := c.Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "session login", r, 200)
		sid, csrf := e2ekit.Cookie(r, "sessionid").Value, e2ekit.Cookie(r, "csrftoken").Value
		ck := "sessionid=" + sid + "; csrftoken=" + csrf
		e2ekit.Expect(t, "session logout", c.Do("POST", "/auth/session/logout", nil, "Cookie", ck, "X-CSRFToken", csrf), 204)
		e2ekit.Expect(t, "GET /api/posts with an ended session", c.Do("GET", "/api/posts", nil, "Cookie", ck), 200)
		e2ekit.Expect(t, "GET /api/notes with an ended session", c.Do("GET", "/api/notes", nil, "Cookie", ck), 401)
	})

	t.Run("classes run in order: JWT, Token, Session, Basic", func(t *testing.T) {
		r := s.Client().Do("POST", "/auth/session/login", map[string]string{"username": "bob", "password": "bob-pass-1"})
		e2ekit.Expect(t, "bob's session", r, 200)
		bobCsrf := e2ekit.Cookie(r, "csrftoken").Value
		bobSession := "sessionid=" + e2ekit.Cookie(r, "sessionid").Value + "; csrftoken=" + bobCsrf
		tr := s.Client().Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "alice's token", tr, 200)
		aliceToken := "Token " + tr.JSON(t)["token"].(string)

		for _, c := range []struct {
			name, authz, want string
		}{
			{"JWT before Session", alice.Auth, "alice"},
			{"Token before Session", aliceToken, "alice"},
			{"Session before Basic", "Basic " + b64("alice:alice-pass-1"), "bob"},
		} {
			r := s.Client().Do("GET", "/auth/me", nil, "Authorization", c.authz, "Cookie", bobSession)
			if r.Status != 200 || r.JSON(t)["username"] != c.want {
				t.Errorf("%s: %d %s, want %s", c.name, r.Status, r.Body, c.want)
			}
		}
		// A request authenticated by JWT or Token is not a session request: no CSRF check.
		for _, authz := range []string{alice.Auth, aliceToken} {
			r := s.Client().Do("POST", "/api/posts", map[string]string{"title": "no csrf needed"}, "Authorization", authz, "Cookie", bobSession)
			if r.Status != 201 || r.JSON(t)["owner"] != "alice" {
				t.Errorf("POST with %s and bob's session cookie, no X-CSRFToken: %d %s", strings.Fields(authz)[0], r.Status, r.Body)
			}
		}
		// Basic comes after Session, so the session's CSRF rule applies.
		r = s.Client().Do("POST", "/api/posts", map[string]string{"title": "x"}, "Authorization", "Basic "+b64("alice:alice-pass-1"), "Cookie", bobSession)
		if r.Status != 403 || !strings.HasPrefix(r.Detail(t), "CSRF Failed: ") {
			t.Errorf("POST with Basic and a session cookie, no X-CSRFToken: %d %s, want the session's CSRF 403", r.Status, r.Body)
		}
	})

	t.Run("login and refresh ignore Authorization", func(t *testing.T) {
		for _, authz := range []string{"Bearer garbage", "Token nope", "Basic " + b64("alice:wrong"), "Basic !!!", alice.Auth} {
			for _, p := range []string{"/auth/jwt/login", "/auth/token/login", "/auth/session/login"} {
				r := s.Client().Do("POST", p, map[string]string{"username": "bob", "password": "bob-pass-1"}, "Authorization", authz)
				e2ekit.Expect(t, p+" with Authorization "+strings.Fields(authz)[0], r, 200)
			}
			c := s.Client()
			lr := c.Do("POST", "/auth/jwt/login", map[string]string{"username": "bob", "password": "bob-pass-1"})
			e2ekit.Expect(t, "login", lr, 200)
			r := s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": e2ekit.Cookie(lr, "refresh_token").Value}, "Authorization", authz)
			e2ekit.Expect(t, "refresh with Authorization "+strings.Fields(authz)[0], r, 200)
		}
	})
}

// b64url is base64url of b, padded.
func b64url(b []byte) string {
	return strings.NewReplacer("+", "-", "/", "_").Replace(b64(string(b)))
}

// ---- Auth endpoints ----

// Contract: the auth endpoint table; "Bad credentials on any of the three
// logins get 401"; "The three logins accept only Content-Type:
// application/json (415 otherwise)"; "JWT: access tokens live 5 minutes
// (expires_in: 300), refresh tokens 1 day"; "A refresh request with no
// refresh token, or an unknown one, is 401"; "Cookies carry Secure";
// Cache-Control: no-store on auth responses.
func TestContractAuthEndpoints(t *testing.T) {
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=1000/minute")
	logins := []string{"/auth/jwt/login", "/auth/token/login", "/auth/session/login"}

	t.Run("bad credentials, inactive users and malformed bodies on the three logins", func(t *testing.T) {
		if out, code := svc.Run(t, s.Env, "", "createuser", "--username", "gone", "--password", "gone-pass-1"); code != 0 {
			t.Fatalf("createuser: %s", out)
		}
		if out, code := svc.Run(t, s.Env, "", "deactivate", "--username", "gone"); code != 0 {
			t.Fatalf("deactivate: %s", out)
		}
		for _, p := range logins {
			for _, cred := range []map[string]string{
				{"username": "alice", "password": "wrong"},
				{"username": "nobody", "password": "alice-pass-1"},
				{"username": "ALICE", "password": "alice-pass-1"},
				{"username": "gone", "password": "gone-pass-1"},
			} {
				r := s.Client().Do("POST", p, cred)
				if r.Status != 401 || r.Detail(t) != "No active account found with the given credentials" {
					t.Errorf("%s %v: %d %s", p, cred, r.Status, r.Body)
				}
				if e2ekit.Cookie(r, "sessionid") != nil || e2ekit.Cookie(r, "refresh_token") != nil {
					t.Errorf("%s %v: a failed login set a credential cookie: %q", p, cred, r.Header.Values("Set-Cookie"))
				}
			}
			r := s.Client().Do("POST", p, map[string]string{})
			if m := r.JSON(t); r.Status != 400 || fmt.Sprint(m["username"]) != "[This field is required.]" || fmt.Sprint(m["password"]) != "[This field is required.]" {
				t.Errorf("%s {}: %d %s", p, r.Status, r.Body)
			}
			r = s.Client().Do("POST", p, `{"username": "alice", "password":`, "Content-Type", "application/json")
			if r.Status != 400 || !strings.HasPrefix(r.Detail(t), "JSON parse error") {
				t.Errorf("%s with invalid JSON: %d %s", p, r.Status, r.Body)
			}
			for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""} {
				h := []string{"Content-Type", ct}
				r := s.Client().Do("POST", p, "username=alice&password=alice-pass-1", h...)
				if r.Status != 415 {
					t.Errorf("%s with Content-Type %q: %d %s, want 415", p, ct, r.Status, r.Body)
				}
			}
			r = s.Client().Do("POST", p, `{"username":"alice","password":"alice-pass-1"}`, "Content-Type", "application/json; charset=utf-8")
			e2ekit.Expect(t, p+" with charset", r, 200)
		}
	})

	t.Run("JWT login, lifetimes and the refresh cookie", func(t *testing.T) {
		r := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "root", "password": "root-pass-1"})
		e2ekit.Expect(t, "login", r, 200)
		m := r.JSON(t)
		if keys(m) != "access_token,expires_in,token_type" {
			t.Errorf("login body keys %s, want access_token,expires_in,token_type (the refresh token is in the cookie only)", keys(m))
		}
		ac := claims(t, m["access_token"].(string))
		if d := num(t, ac, "exp") - num(t, ac, "iat"); d != 300 {
			t.Errorf("access token lives %d s, want 300", d)
		}
		rc := e2ekit.Cookie(r, "refresh_token")
		if rc == nil {
			t.Fatal("no refresh cookie")
		}
		rcl := claims(t, rc.Value)
		if d := num(t, rcl, "exp") - num(t, rcl, "iat"); d != 86400 {
			t.Errorf("refresh token lives %d s, want 86400", d)
		}
		if rc.MaxAge < 86300 || rc.MaxAge > 86400 {
			t.Errorf("refresh cookie Max-Age %d, want about a day", rc.MaxAge)
		}
		me := s.Client()
		me.Auth = "Bearer " + m["access_token"].(string)
		if r := me.Do("GET", "/auth/me", nil); r.Status != 200 || r.JSON(t)["is_staff"] != true || keys(r.JSON(t)) != "id,is_staff,username" {
			t.Errorf("me of a staff user: %d %s", r.Status, r.Body)
		}
	})

	t.Run("refresh: body form, rotation, attributes, unknown tokens", func(t *testing.T) {
		r := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "login", r, 200)
		first := e2ekit.Cookie(r, "refresh_token").Value
		// The body form, with no cookie.
		r = s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": first})
		e2ekit.Expect(t, "refresh by body", r, 200)
		m := r.JSON(t)
		if m["token_type"] != "Bearer" || m["expires_in"] != float64(300) || m["access_token"] == "" || r.Header.Get("Authorization") != "Bearer "+fmt.Sprint(m["access_token"]) {
			t.Errorf("refresh answer: Authorization %q body %s", r.Header.Get("Authorization"), r.Body)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("refresh Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		nc := e2ekit.Cookie(r, "refresh_token")
		if nc == nil || nc.Value == first || !nc.HttpOnly || !nc.Secure || nc.SameSite != http.SameSiteStrictMode || nc.Path != "/auth/jwt" {
			t.Fatalf("rotated cookie %q", r.Header.Values("Set-Cookie"))
		}
		// The rotated token keeps the family's end: it does not extend the day.
		if a, b := num(t, claims(t, first), "exp"), num(t, claims(t, nc.Value), "exp"); b > a {
			t.Errorf("rotation extended the refresh lifetime: %d > %d", b, a)
		}
		fresh := s.Client()
		fresh.Auth = "Bearer " + fmt.Sprint(m["access_token"])
		e2ekit.Expect(t, "the refreshed access token works", fresh.Do("GET", "/auth/me", nil), 200)
		// The new token works once, from the cookie.
		r = s.Client().Do("POST", "/auth/jwt/refresh", nil, "Cookie", "refresh_token="+nc.Value)
		e2ekit.Expect(t, "refresh by cookie", r, 200)

		lr := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		access := lr.JSON(t)["access_token"].(string)
		for _, c := range []struct {
			name string
			body any
			hdr  []string
		}{
			{"no token", nil, nil},
			{"empty body object", map[string]string{}, nil},
			{"empty token", map[string]string{"refresh_token": ""}, nil},
			{"garbage", map[string]string{"refresh_token": "garbage"}, nil},
			{"access token as refresh", map[string]string{"refresh_token": access}, nil},
			{"refresh signed with another key", map[string]string{"refresh_token": resign(t, e2ekit.Cookie(lr, "refresh_token").Value, []byte("another-key-of-at-least-32-bytes!!"), nil)}, nil},
			{"expired refresh token", map[string]string{"refresh_token": resign(t, e2ekit.Cookie(lr, "refresh_token").Value, []byte(e2ekit.TestKey), func(c jwt.MapClaims) {
				c["exp"] = float64(time.Now().Add(-time.Minute).Unix())
			})}, nil},
			{"garbage cookie", nil, []string{"Cookie", "refresh_token=garbage"}},
			{"refresh token in Authorization only", nil, []string{"Authorization", "Bearer " + e2ekit.Cookie(lr, "refresh_token").Value}},
		} {
			r := s.Client().Do("POST", "/auth/jwt/refresh", c.body, c.hdr...)
			if r.Status != 401 || r.Detail(t) == "" {
				t.Errorf("refresh with %s: %d %s, want 401", c.name, r.Status, r.Body)
			}
			if r.Header.Get("Authorization") != "" || strings.Contains(string(r.Body), "access_token") {
				t.Errorf("refresh with %s handed out a token: %s", c.name, r.Body)
			}
		}
		// The login's refresh token still works: none of the failures above touched it.
		e2ekit.Expect(t, "the login's refresh token", s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": e2ekit.Cookie(lr, "refresh_token").Value}), 200)
	})

	t.Run("reuse revokes the family; other families live on", func(t *testing.T) {
		other := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "other login", other, 200)
		r := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		t0 := e2ekit.Cookie(r, "refresh_token").Value
		r = s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": t0})
		e2ekit.Expect(t, "rotate 1", r, 200)
		t1 := e2ekit.Cookie(r, "refresh_token").Value
		r = s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": t1})
		e2ekit.Expect(t, "rotate 2", r, 200)
		t2 := e2ekit.Cookie(r, "refresh_token").Value
		e2ekit.Expect(t, "reuse of the first token", s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": t0}), 401)
		e2ekit.Expect(t, "the current token after the reuse", s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": t2}), 401)
		e2ekit.Expect(t, "another login's family", s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": e2ekit.Cookie(other, "refresh_token").Value}), 200)
	})

	t.Run("JWT logout: needs the access token, clears the cookie", func(t *testing.T) {
		r := s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		rt := e2ekit.Cookie(r, "refresh_token").Value
		// The refresh cookie alone does not log out.
		r = s.Client().Do("POST", "/auth/jwt/logout", nil, "Cookie", "refresh_token="+rt)
		if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Bearer realm="api"` {
			t.Errorf("logout without Bearer: %d %q %s", r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
		}
		// Bob cannot log out alice's refresh token.
		bob := s.As("bob", "bob-pass-1")
		r = bob.Do("POST", "/auth/jwt/logout", nil, "Cookie", "refresh_token="+rt)
		if r.Status == 204 {
			t.Errorf("bob logged out alice's refresh token")
		}
		e2ekit.Expect(t, "alice's refresh token after bob's attempt", s.Client().Do("POST", "/auth/jwt/refresh", nil, "Cookie", "refresh_token="+rt), 200)

		r = s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		rt, access := e2ekit.Cookie(r, "refresh_token").Value, r.JSON(t)["access_token"].(string)
		r = s.Client().Do("POST", "/auth/jwt/logout", nil, "Authorization", "Bearer "+access, "Cookie", "refresh_token="+rt)
		e2ekit.Expect(t, "logout", r, 204)
		if len(r.Body) != 0 {
			t.Errorf("204 with a body %q", r.Body)
		}
		cl := e2ekit.Cookie(r, "refresh_token")
		if cl == nil || cl.Value != "" || cl.MaxAge >= 0 || cl.Path != "/auth/jwt" {
			t.Errorf("logout does not clear the cookie: %q", r.Header.Values("Set-Cookie"))
		}
		e2ekit.Expect(t, "refresh after logout", s.Client().Do("POST", "/auth/jwt/refresh", nil, "Cookie", "refresh_token="+rt), 401)
	})

	t.Run("session cookies", func(t *testing.T) {
		r := s.Client().Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "session login", r, 200)
		sid, csrf := e2ekit.Cookie(r, "sessionid"), e2ekit.Cookie(r, "csrftoken")
		if sid == nil || !sid.HttpOnly || !sid.Secure || sid.Value == "" {
			t.Errorf("sessionid cookie %q", r.Header.Values("Set-Cookie"))
		}
		if csrf == nil || !csrf.Secure || csrf.HttpOnly || csrf.Value == "" {
			t.Errorf("csrftoken cookie %q: want Secure, readable by the page (not HttpOnly)", r.Header.Values("Set-Cookie"))
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("session login Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		ck := "sessionid=" + sid.Value + "; csrftoken=" + csrf.Value
		// Every unsafe method needs the token; safe ones do not.
		c := s.Client()
		created := c.Do("POST", "/api/posts", map[string]string{"title": "by session"}, "Cookie", ck, "X-CSRFToken", csrf.Value)
		e2ekit.Expect(t, "create by session", created, 201)
		id := idOf(t, created)
		for _, m := range []string{"PUT", "PATCH", "DELETE"} {
			r := c.Do(m, "/api/posts/"+id, map[string]string{"title": "t"}, "Cookie", ck)
			if r.Status != 403 || !strings.HasPrefix(r.Detail(t), "CSRF Failed: ") {
				t.Errorf("%s by session without X-CSRFToken: %d %s", m, r.Status, r.Body)
			}
		}
		// The header must match the cookie the request carries.
		r2 := s.Client().Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		otherCsrf := e2ekit.Cookie(r2, "csrftoken").Value
		r = c.Do("PATCH", "/api/posts/"+id, map[string]string{"title": "t"}, "Cookie", ck, "X-CSRFToken", otherCsrf)
		if r.Status != 403 {
			t.Errorf("PATCH with another session's CSRF token: %d %s", r.Status, r.Body)
		}
		for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
			e2ekit.Expect(t, m+" by session without X-CSRFToken", c.Do(m, "/api/posts/"+id, nil, "Cookie", ck), 200)
		}
		e2ekit.Expect(t, "PUT with CSRF", c.Do("PUT", "/api/posts/"+id, map[string]string{"title": "t2"}, "Cookie", ck, "X-CSRFToken", csrf.Value), 200)
		e2ekit.Expect(t, "DELETE with CSRF", c.Do("DELETE", "/api/posts/"+id, nil, "Cookie", ck, "X-CSRFToken", csrf.Value), 204)
		// Logout ends only this session.
		r = c.Do("POST", "/auth/session/logout", nil, "Cookie", ck, "X-CSRFToken", csrf.Value)
		e2ekit.Expect(t, "session logout", r, 204)
		e2ekit.Expect(t, "me after logout", c.Do("GET", "/auth/me", nil, "Cookie", ck), 401)
		other := "sessionid=" + e2ekit.Cookie(r2, "sessionid").Value
		e2ekit.Expect(t, "the other session lives on", s.Client().Do("GET", "/auth/me", nil, "Cookie", other), 200)
	})

	t.Run("token login and logout", func(t *testing.T) {
		r := s.Client().Do("POST", "/auth/token/login", map[string]string{"username": "bob", "password": "bob-pass-1"})
		e2ekit.Expect(t, "token login", r, 200)
		if keys(r.JSON(t)) != "token" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("token login: %s, Cache-Control %q", r.Body, r.Header.Get("Cache-Control"))
		}
		key := fmt.Sprint(r.JSON(t)["token"])
		// Logout is for Token authentication: another class is not enough.
		r = s.Client().Do("POST", "/auth/token/logout", nil)
		e2ekit.Expect(t, "anonymous token logout", r, 401)
		bob := s.As("bob", "bob-pass-1")
		if r := bob.Do("POST", "/auth/token/logout", nil); r.Status == 204 {
			t.Errorf("token logout with a JWT: 204")
		}
		tc := s.Client()
		tc.Auth = "Token " + key
		e2ekit.Expect(t, "token still valid", tc.Do("GET", "/auth/me", nil), 200)
	})

	t.Run("every auth response is no-store", func(t *testing.T) {
		anon := s.Client()
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "wrong"}},
			{"POST", "/auth/jwt/login", "x"},
			{"POST", "/auth/jwt/refresh", nil},
			{"POST", "/auth/jwt/logout", nil},
			{"POST", "/auth/token/login", map[string]string{}},
			{"POST", "/auth/token/logout", nil},
			{"POST", "/auth/session/login", map[string]string{"username": "alice", "password": "wrong"}},
			{"POST", "/auth/session/logout", nil},
			{"GET", "/auth/me", nil},
			{"GET", "/auth/jwt/login", nil},
			{"OPTIONS", "/auth/jwt/refresh", nil},
			{"GET", "/auth/jwt/nothing", nil},
		} {
			r := anon.Do(c.method, c.path, c.body)
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s (%d): Cache-Control %q", c.method, c.path, r.Status, r.Header.Get("Cache-Control"))
			}
		}
		me := s.As("alice", "alice-pass-1").Do("GET", "/auth/me", nil)
		if me.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET /auth/me (200): Cache-Control %q", me.Header.Get("Cache-Control"))
		}
	})
}

// ---- Resources ----

// Contract: the resource table and field rules, "Validation errors: 400",
// "Unknown id: 404", "Methods outside the table: 405", the action list,
// and "Details that external checks rely on" (trailing slash, ids, HEAD,
// OPTIONS, 405 with Allow, ordering, next/previous from Host, invalid
// pages, read-only fields, lengths in characters, owner as username).
func TestContractResources(t *testing.T) {
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=1000/minute")
	anon := s.Client()
	alice, bob, root := s.As("alice", "alice-pass-1"), s.As("bob", "bob-pass-1"), s.As("root", "root-pass-1")

	r := alice.Do("POST", "/api/posts", map[string]any{"title": "  Padded  "})
	e2ekit.Expect(t, "create without body", r, 201)
	post := r.JSON(t)
	pid := idOf(t, r)
	if keys(post) != "body,created_at,id,owner,title" || post["body"] != "" || post["owner"] != "alice" || post["title"] != "Padded" {
		t.Errorf("created post %s: want exactly id,title,body,owner,created_at, body \"\", owner alice, title trimmed as DRF's CharField does", r.Body)
	}
	created, err := time.Parse(time.RFC3339, fmt.Sprint(post["created_at"]))
	if err != nil {
		t.Errorf("created_at %v is not RFC 3339", post["created_at"])
	} else if d := time.Since(created); d < -time.Minute || d > time.Minute {
		t.Errorf("created_at %v is not now", post["created_at"])
	}
	if loc := r.Header.Get("Content-Type"); !strings.HasPrefix(loc, "application/json") {
		t.Errorf("Content-Type %q", loc)
	}

	t.Run("posts: read, update, read-only fields, validation", func(t *testing.T) {
		r := anon.Do("GET", "/api/posts/"+pid, nil)
		e2ekit.Expect(t, "retrieve", r, 200)
		if string(r.JSON(t)["created_at"].(string)) != post["created_at"] || r.JSON(t)["title"] != post["title"] {
			t.Errorf("retrieve %s differs from create %v", r.Body, post)
		}
		r = alice.Do("PUT", "/api/posts/"+pid, map[string]any{"title": "Put", "body": "B", "id": 777, "owner": "bob", "created_at": "2001-01-01T00:00:00Z"})
		e2ekit.Expect(t, "PUT", r, 200)
		m := r.JSON(t)
		if m["title"] != "Put" || m["body"] != "B" || idOf(t, r) != pid || m["owner"] != "alice" || m["created_at"] != post["created_at"] {
			t.Errorf("PUT answer %s", r.Body)
		}
		r = alice.Do("PATCH", "/api/posts/"+pid, map[string]any{"id": 778, "owner": "bob", "created_at": "2001-01-01T00:00:00Z"})
		e2ekit.Expect(t, "PATCH of read-only fields only", r, 200)
		if m := r.JSON(t); idOf(t, r) != pid || m["owner"] != "alice" || m["created_at"] != post["created_at"] || m["title"] != "Put" {
			t.Errorf("PATCH answer %s", r.Body)
		}
		e2ekit.Expect(t, "bob still cannot change it", bob.Do("PATCH", "/api/posts/"+pid, map[string]string{"title": "x"}), 403)
		e2ekit.Expect(t, "no post 777", anon.Do("GET", "/api/posts/777", nil), 404)

		for _, c := range []struct {
			name   string
			body   any
			field  string
			detail string
		}{
			{"null title", map[string]any{"title": nil}, "title", "This field may not be null."},
			{"blank title", map[string]any{"title": "   "}, "title", "This field may not be blank."},
			{"201 characters", map[string]any{"title": strings.Repeat("ü", 201)}, "title", "Ensure this field has no more than 200 characters."},
			{"object title", map[string]any{"title": map[string]string{}}, "title", "Not a valid string."},
			{"null body", map[string]any{"title": "x", "body": nil}, "body", "This field may not be null."},
		} {
			r := alice.Do("POST", "/api/posts", c.body)
			if r.Status != 400 || fmt.Sprint(r.JSON(t)[c.field]) != "["+c.detail+"]" {
				t.Errorf("%s: %d %s, want 400 {%q: [%q]}", c.name, r.Status, r.Body, c.field, c.detail)
			}
		}
		// Characters, not bytes: 200 four-byte characters are 800 bytes.
		r = alice.Do("POST", "/api/posts", map[string]any{"title": strings.Repeat("😀", 200)})
		e2ekit.Expect(t, "200 emoji", r, 201)
		if got := r.JSON(t)["title"].(string); got != strings.Repeat("😀", 200) {
			t.Errorf("title stored as %q", got)
		}
		// Malformed bodies.
		r = alice.Do("POST", "/api/posts", `{"title": "x",`, "Content-Type", "application/json")
		if r.Status != 400 || !strings.HasPrefix(r.Detail(t), "JSON parse error") {
			t.Errorf("invalid JSON: %d %s", r.Status, r.Body)
		}
		r = alice.Do("POST", "/api/posts", `["title"]`, "Content-Type", "application/json")
		if r.Status != 400 || fmt.Sprint(r.JSON(t)["non_field_errors"]) != "[Invalid data. Expected a dictionary, but got a different type.]" {
			t.Errorf("JSON array: %d %s", r.Status, r.Body)
		}
		r = alice.Do("POST", "/api/posts", "title=x", "Content-Type", "application/x-www-form-urlencoded")
		if r.Status != 415 || r.Detail(t) != `Unsupported media type "application/x-www-form-urlencoded" in request.` {
			t.Errorf("form body: %d %s", r.Status, r.Body)
		}
		// PUT and PATCH of an unknown id are 404 for the owner-to-be too.
		for _, m := range []string{"PUT", "PATCH", "DELETE"} {
			r := alice.Do(m, "/api/posts/99999", map[string]string{"title": "x"})
			if r.Status != 404 || r.Detail(t) != "Not found." {
				t.Errorf("%s /api/posts/99999: %d %s", m, r.Status, r.Body)
			}
		}
	})

	t.Run("notes: fields, lengths, scope", func(t *testing.T) {
		r := alice.Do("POST", "/api/notes", map[string]any{"text": strings.Repeat("é", 1000), "owner": "bob", "id": 5000})
		e2ekit.Expect(t, "1000 characters (2000 bytes)", r, 201)
		n := r.JSON(t)
		nid := idOf(t, r)
		if keys(n) != "id,owner,text" || n["owner"] != "alice" || nid == "5000" {
			t.Errorf("note %s: want exactly id,text,owner, owner alice", r.Body)
		}
		for _, c := range []struct {
			name   string
			body   any
			detail string
		}{
			{"missing text", map[string]any{}, "This field is required."},
			{"empty text", map[string]any{"text": ""}, "This field may not be blank."},
			{"1001 characters", map[string]any{"text": strings.Repeat("é", 1001)}, "Ensure this field has no more than 1000 characters."},
		} {
			r := alice.Do("POST", "/api/notes", c.body)
			if r.Status != 400 || fmt.Sprint(r.JSON(t)["text"]) != "["+c.detail+"]" {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			}
		}
		r = alice.Do("PATCH", "/api/notes/"+nid, map[string]any{"owner": "bob"})
		e2ekit.Expect(t, "PATCH owner", r, 200)
		if r.JSON(t)["owner"] != "alice" {
			t.Errorf("owner changed by PATCH: %s", r.Body)
		}
		for _, m := range []string{"GET", "PUT", "PATCH", "DELETE", "HEAD"} {
			r := bob.Do(m, "/api/notes/"+nid, map[string]string{"text": "mine"})
			if r.Status != 404 || (m != "HEAD" && r.Detail(t) != "Not found.") {
				t.Errorf("bob %s alice's note: %d %s, want 404 Not found.", m, r.Status, r.Body)
			}
		}
		// Staff is no exception: IsOwner.
		e2ekit.Expect(t, "staff reads alice's note", root.Do("GET", "/api/notes/"+nid, nil), 404)
		r = root.Do("GET", "/api/notes", nil)
		if r.Status != 200 || r.JSON(t)["count"] != float64(0) {
			t.Errorf("staff's notes list %d %s, want empty", r.Status, r.Body)
		}
		r = alice.Do("PUT", "/api/notes/"+nid, map[string]string{"text": "replaced"})
		if r.Status != 200 || r.JSON(t)["text"] != "replaced" {
			t.Errorf("PUT note %d %s", r.Status, r.Body)
		}
		r = alice.Do("DELETE", "/api/notes/"+nid, nil)
		if r.Status != 204 || len(r.Body) != 0 {
			t.Errorf("DELETE note %d %q", r.Status, r.Body)
		}
	})

	t.Run("users: staff only, list and retrieve", func(t *testing.T) {
		r := root.Do("GET", "/api/users", nil)
		e2ekit.Expect(t, "users", r, 200)
		for _, u := range r.JSON(t)["results"].([]any) {
			if k := keys(u.(map[string]any)); k != "id,is_staff,username" {
				t.Errorf("user keys %s", k)
			}
		}
		r = root.Do("GET", "/api/users/3", nil)
		if r.Status != 200 || r.JSON(t)["username"] != "root" || r.JSON(t)["is_staff"] != true {
			t.Errorf("GET /api/users/3: %d %s", r.Status, r.Body)
		}
		r = root.Do("GET", "/api/users/99", nil)
		if r.Status != 404 || r.Detail(t) != "Not found." {
			t.Errorf("unknown user: %d %s", r.Status, r.Body)
		}
	})

	t.Run("ids and trailing slashes are 404 Not found.", func(t *testing.T) {
		for _, p := range []string{
			"/api/posts/", "/api/posts/" + pid + "/", "/api/notes/", "/api/users/", "/api/users/1/", "/api/health/", "/auth/me/",
			"/api/posts/abc", "/api/posts/0", "/api/posts/-1", "/api/posts/01", "/api/posts/1.0", "/api/posts/%20" + pid,
			"/api/posts/99999999999999999999999", "/api/posts/9223372036854775807", "/api/posts/1e3",
			"/api/notes/abc", "/api/users/abc", "/api/nothing", "/api", "/",
		} {
			r := root.Do("GET", p, nil)
			if r.Status != 404 || r.Detail(t) != "Not found." {
				t.Errorf("GET %s: %d %s, want 404 Not found.", p, r.Status, r.Body)
			}
		}
	})

	t.Run("405 carries Allow and DRF's detail; OPTIONS answers 200 with Allow", func(t *testing.T) {
		for _, c := range []struct {
			who          *e2ekit.Client
			method, path string
			allow        string
		}{
			{alice, "DELETE", "/api/posts", "GET, POST, HEAD, OPTIONS"},
			{alice, "PUT", "/api/posts", "GET, POST, HEAD, OPTIONS"},
			{alice, "PATCH", "/api/notes", ""},
			{alice, "POST", "/api/posts/" + pid, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"},
			{alice, "POST", "/api/notes/1", ""},
			{root, "PUT", "/api/users/1", ""},
			{root, "DELETE", "/api/users", ""},
			{anon, "POST", "/api/health", "GET, HEAD, OPTIONS"},
			{anon, "DELETE", "/api/health", "GET, HEAD, OPTIONS"},
			{anon, "GET", "/auth/jwt/refresh", "POST, OPTIONS"},
			{anon, "PUT", "/auth/session/login", "POST, OPTIONS"},
			{alice, "POST", "/auth/me", "GET, HEAD, OPTIONS"},
			{alice, "DELETE", "/auth/me", "GET, HEAD, OPTIONS"},
		} {
			r := c.who.Do(c.method, c.path, map[string]string{"title": "x", "text": "x"})
			allow := r.Header.Get("Allow")
			if r.Status != 405 || r.Detail(t) != `Method "`+c.method+`" not allowed.` || allow == "" || strings.Contains(allow, c.method) {
				t.Errorf("%s %s: %d Allow %q %s", c.method, c.path, r.Status, allow, r.Body)
				continue
			}
			if c.allow != "" && allow != c.allow {
				t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, allow, c.allow)
			}
			o := c.who.Do("OPTIONS", c.path, nil)
			if o.Status != 200 || o.Header.Get("Allow") != allow {
				t.Errorf("OPTIONS %s: %d Allow %q, want 200 with the 405's Allow %q", c.path, o.Status, o.Header.Get("Allow"), allow)
			}
		}
		// A method nobody routes at all is 405 as well (curl -X PROPFIND).
		resp, body, _ := rawDo(t, addrOf(s), "PROPFIND /api/posts HTTP/1.1\r\nHost: "+addrOf(s)+"\r\nAuthorization: "+alice.Auth+"\r\nConnection: close\r\n\r\n")
		if resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
			t.Errorf("PROPFIND /api/posts: %d Allow %q %s", resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	})

	t.Run("HEAD is GET without a body", func(t *testing.T) {
		for _, p := range []string{"/api/posts", "/api/posts/" + pid, "/api/health"} {
			get := anon.Do("GET", p, nil)
			resp, body, extra := rawDo(t, addrOf(s), "HEAD "+p+" HTTP/1.1\r\nHost: "+addrOf(s)+"\r\n\r\n")
			if resp.StatusCode != get.Status || len(body) != 0 || extra {
				t.Errorf("HEAD %s: %d, body %q (more bytes: %v); GET was %d", p, resp.StatusCode, body, extra, get.Status)
			}
			if resp.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
				t.Errorf("HEAD %s Content-Type %q, GET %q", p, resp.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
			}
		}
		resp, _, _ := rawDo(t, addrOf(s), "HEAD /api/notes HTTP/1.1\r\nHost: "+addrOf(s)+"\r\n\r\n")
		if resp.StatusCode != 401 {
			t.Errorf("anonymous HEAD /api/notes: %d", resp.StatusCode)
		}
	})

	t.Run("pagination: Host, ordering, invalid pages", func(t *testing.T) {
		bobNotes := func() e2ekit.Response { return bob.Do("GET", "/api/notes", nil) }
		r := bobNotes()
		if m := r.JSON(t); r.Status != 200 || m["count"] != float64(0) || m["next"] != nil || m["previous"] != nil || fmt.Sprint(m["results"]) != "[]" {
			t.Errorf("an empty list: %d %s", r.Status, r.Body)
		}
		e2ekit.Expect(t, "page 1 of an empty list", bob.Do("GET", "/api/notes?page=1", nil), 200)
		e2ekit.Expect(t, "page 2 of an empty list", bob.Do("GET", "/api/notes?page=2", nil), 404)
		var ids []float64
		for i := 0; i < 41; i++ {
			r := bob.Do("POST", "/api/notes", map[string]string{"text": fmt.Sprint("n", i)})
			e2ekit.Expect(t, "create", r, 201)
			ids = append(ids, r.JSON(t)["id"].(float64))
		}
		// Delete a few from the middle: the order stays by id.
		for _, i := range []int{3, 17, 30} {
			e2ekit.Expect(t, "delete", bob.Do("DELETE", fmt.Sprintf("/api/notes/%d", int64(ids[i])), nil), 204)
		}
		var seen []float64
		for page := 1; page <= 2; page++ {
			resp, body, _ := rawDo(t, addrOf(s), fmt.Sprintf("GET /api/notes?page=%d HTTP/1.1\r\nHost: api.example.test:8443\r\nAuthorization: %s\r\nConnection: close\r\n\r\n", page, bob.Auth))
			var m map[string]any
			if resp.StatusCode != 200 || json.Unmarshal(body, &m) != nil {
				t.Fatalf("page %d: %d %s", page, resp.StatusCode, body)
			}
			want := map[int][2]any{1: {"http://api.example.test:8443/api/notes?page=2", nil}, 2: {nil, "http://api.example.test:8443/api/notes"}}[page]
			if m["next"] != want[0] || m["previous"] != want[1] || m["count"] != float64(38) {
				t.Errorf("page %d: count %v next %v previous %v, want next %v previous %v", page, m["count"], m["next"], m["previous"], want[0], want[1])
			}
			for _, x := range m["results"].([]any) {
				seen = append(seen, x.(map[string]any)["id"].(float64))
			}
		}
		if len(seen) != 38 || !sort.Float64sAreSorted(seen) {
			t.Errorf("ids over the pages: %v", seen)
		}
		for _, bad := range []string{"3", "0", "-2", "1.5", "x", "99999999999999999999"} {
			r := bob.Do("GET", "/api/notes?page="+bad, nil)
			if r.Status != 404 || r.Detail(t) != "Invalid page." {
				t.Errorf("?page=%s: %d %s", bad, r.Status, r.Body)
			}
		}
		// The last page is not invalid.
		if r := bob.Do("GET", "/api/notes?page=2", nil); r.Status != 200 || len(r.JSON(t)["results"].([]any)) != 18 {
			t.Errorf("page 2: %d %s", r.Status, r.Body)
		}
	})

	t.Run("health", func(t *testing.T) {
		r := anon.Do("GET", "/api/health", nil)
		if r.Status != 200 || string(bytes.TrimSpace(r.Body)) != `{"status":"ok"}` {
			t.Errorf("health %d %s", r.Status, r.Body)
		}
		r = alice.Do("GET", "/api/health", nil)
		e2ekit.Expect(t, "health with a valid token", r, 200)
	})
}

// ---- Throttle ----

// Contract: "Login throttle: one bucket shared by the three logins, keyed
// by client address. Every attempt counts, successful or not; an attempt
// answered 429 does not. The window slides over 60 seconds.
// BLOG_LOGIN_RATE ... overrides the rate." and "X-Forwarded-For is
// ignored". The window is a second here (BLOG_LOGIN_RATE=3/second), so
// the sliding is tested without waiting a minute.
func TestContractLoginThrottleWindow(t *testing.T) {
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=3/second")
	c := s.Client()
	good := map[string]string{"username": "alice", "password": "alice-pass-1"}
	bad := map[string]string{"username": "alice", "password": "wrong"}
	// attempt returns the answer, when it was sent and when it came back:
	// the server counted it in between (server and test share the clock).
	attempt := func(path string, body any, hdr ...string) (r e2ekit.Response, sent, back time.Time) {
		sent = time.Now()
		r = c.Do("POST", path, body, hdr...)
		return r, sent, time.Now()
	}
	// The other peer (127.0.0.2) is a different client.
	other := fromAddr(s, "127.0.0.2")
	if r := other.Do("GET", "/api/health", nil); r.Status != 200 {
		t.Fatalf("127.0.0.2 cannot reach the server: %d", r.Status)
	}
	slow := func(what string) { t.Logf("the machine was too slow to decide %s; not asserted", what) }

	// A, B and C: successes and a failure from all three logins count alike.
	a, aSent, aBack := attempt("/auth/jwt/login", good)
	e2ekit.Expect(t, "attempt A (success)", a, 200)
	time.Sleep(600 * time.Millisecond)
	b, bSent, _ := attempt("/auth/token/login", bad)
	e2ekit.Expect(t, "attempt B (failure)", b, 401)
	cc, _, _ := attempt("/auth/session/login", good)
	e2ekit.Expect(t, "attempt C (success)", cc, 200)
	// D, with an invented X-Forwarded-For, is the 4th within A's second.
	d, _, dBack := attempt("/auth/jwt/login", good, "X-Forwarded-For", "203.0.113.9")
	if dBack.Sub(aSent) >= time.Second {
		slow("attempt D")
	} else {
		if d.Status != 429 {
			t.Fatalf("attempt D, the 4th within the second (XFF invented): %d %s", d.Status, d.Body)
		}
		ra := d.Header.Get("Retry-After")
		if ra != "1" || d.Detail(t) != "Request was throttled. Expected available in 1 second." {
			t.Errorf("Retry-After %q, detail %q: want 1 second (rounded up, within the window)", ra, d.Detail(t))
		}
		if d.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("429 Cache-Control %q", d.Header.Get("Cache-Control"))
		}
	}
	// Another peer has its own bucket.
	e2ekit.Expect(t, "127.0.0.2 while 127.0.0.1 is throttled", other.Do("POST", "/auth/jwt/login", good), 200)

	// Attempts answered 429 while A is in the window must not count.
	for time.Since(aSent) < 800*time.Millisecond {
		r, _, back := attempt("/auth/token/login", good)
		if r.Status != 429 {
			if back.Sub(aSent) < time.Second {
				t.Fatalf("an attempt %v after A: %d, want 429 (A, B and C are within the second)", back.Sub(aSent), r.Status)
			}
			slow("the 429 run")
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Until(aBack.Add(1100 * time.Millisecond)))
	e, _, _ := attempt("/auth/jwt/login", bad)
	if e.Status != 401 {
		t.Fatalf("attempt E after A left the window: %d %s, want 401: an attempt answered 429 must not count", e.Status, e.Body)
	}
	// B and C are still within F's second: the window slides (a fixed
	// window started at A would have let F through).
	f, _, fBack := attempt("/auth/jwt/login", bad)
	if fBack.Sub(bSent) >= time.Second {
		slow("attempt F")
	} else if f.Status != 429 {
		t.Errorf("attempt F, %v after B: %d, want 429 (B, C, E within the sliding second)", fBack.Sub(bSent), f.Status)
	}
}

// Contract: "the 11th attempt within a minute gets 429 with Retry-After";
// "Every attempt counts, successful or not" (at the default 10/minute).
func TestContractLoginThrottleCountsSuccesses(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()
	paths := []string{"/auth/jwt/login", "/auth/token/login", "/auth/session/login"}
	access := ""
	for i := 0; i < 10; i++ {
		r := c.Do("POST", paths[i%3], map[string]string{"username": "bob", "password": "bob-pass-1"})
		e2ekit.Expect(t, fmt.Sprintf("successful attempt %d", i+1), r, 200)
		if i == 0 {
			access = r.JSON(t)["access_token"].(string)
		}
	}
	for _, p := range paths {
		r := c.Do("POST", p, map[string]string{"username": "bob", "password": "bob-pass-1"})
		e2ekit.Expect(t, "11th attempt on "+p, r, 429)
		n, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || n < 1 || n > 60 || r.Detail(t) != fmt.Sprintf("Request was throttled. Expected available in %d seconds.", n) {
			t.Errorf("429 Retry-After %q detail %q", r.Header.Get("Retry-After"), r.Detail(t))
		}
		if r.Header.Get("Authorization") != "" || e2ekit.Cookie(r, "sessionid") != nil || strings.Contains(string(r.Body), "token") {
			t.Errorf("a throttled login handed out a credential: %s", r.Body)
		}
	}
	// Using an access token is not a login: it is not throttled.
	bearer := s.Client()
	bearer.Auth = "Bearer " + access
	e2ekit.Expect(t, "Bearer while the login bucket is full", bearer.Do("GET", "/auth/me", nil), 200)
}

// ---- Headers and limits ----

// Contract (brief): 413 over 1 MiB bodies; X-Content-Type-Options: nosniff
// on every response.
func TestContractBodyLimitAndHeaders(t *testing.T) {
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=1000/minute")
	alice := s.As("alice", "alice-pass-1")

	const mib = 1 << 20
	// A body of exactly 1 MiB is read.
	pad := mib - len(`{"title":"x","body":""}`)
	exact := `{"title":"x","body":"` + strings.Repeat("a", pad) + `"}`
	if len(exact) != mib {
		t.Fatalf("test body is %d bytes", len(exact))
	}
	r := alice.Do("POST", "/api/posts", exact, "Content-Type", "application/json")
	e2ekit.Expect(t, "1 MiB body", r, 201)
	over := `{"title":"x","body":"` + strings.Repeat("a", pad+1) + `"}`
	for _, p := range []string{"/api/posts", "/auth/jwt/login", "/auth/token/login", "/auth/jwt/refresh"} {
		r := alice.Do("POST", p, over, "Content-Type", "application/json")
		if r.Status != 413 {
			t.Errorf("POST %s with 1 MiB + 1 byte: %d %s", p, r.Status, r.Body)
		}
	}
	// Chunked, with no Content-Length: the cap holds while reading.
	req, _ := http.NewRequest("POST", s.Base+"/api/posts", io.MultiReader(strings.NewReader(over)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", alice.Auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"detail"`) {
		t.Errorf("chunked 1 MiB + 1: %d %s", resp.StatusCode, b)
	}
	if n := alice.Do("GET", "/api/posts", nil).JSON(t)["count"]; n != float64(1) {
		t.Errorf("posts after the 413s: %v, want 1", n)
	}

	// nosniff on every kind of answer.
	anon := s.Client()
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/health", nil, 200},
		{"GET", "/api/posts", nil, 200},
		{"GET", "/api/notes", nil, 401},
		{"GET", "/api/nothing", nil, 404},
		{"GET", "/api/posts/", nil, 404},
		{"POST", "/api/health", nil, 405},
		{"POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "x"}, 401},
		{"POST", "/auth/token/login", "x", 415},
		{"POST", "/api/posts", over, 413},
	} {
		r := anon.Do(c.method, c.path, c.body)
		if r.Status != c.status || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: %d (want %d), X-Content-Type-Options %q", c.method, c.path, r.Status, c.status, r.Header.Get("X-Content-Type-Options"))
		}
	}
}

// ---- Process ----

// Contract: "BLOG_DATA: folder ... (default ./blog-data). createuser and
// serve given the same folder see the same users", while serve runs too.
func TestContractDataFolder(t *testing.T) {
	s := svc.StartServer(t)
	// createuser on the folder a running serve uses.
	if out, code := svc.Run(t, s.Env, "", "createuser", "--username", "carol", "--password", "carol-pass-1"); code != 0 {
		t.Fatalf("createuser while serving: exit %d %s", code, out)
	}
	if out, code := svc.Run(t, s.Env, "dave-pass-1\n", "createuser", "--username", "dave", "--staff"); code != 0 {
		t.Fatalf("createuser --staff with the password on stdin while serving: exit %d %s", code, out)
	}
	carol := s.As("carol", "carol-pass-1")
	if r := carol.Do("GET", "/auth/me", nil); r.Status != 200 || r.JSON(t)["username"] != "carol" || r.JSON(t)["is_staff"] != false {
		t.Errorf("carol: %d %s", r.Status, r.Body)
	}
	dave := s.Client()
	dave.Auth = "Basic " + b64("dave:dave-pass-1")
	if r := dave.Do("GET", "/api/users", nil); r.Status != 200 || r.JSON(t)["count"] != float64(5) {
		t.Errorf("dave (staff) lists users: %d %s", r.Status, r.Body)
	}
	if out, code := svc.Run(t, s.Env, "", "createuser", "--username", "carol", "--password", "x-pass-123"); code == 0 || strings.Contains(strings.TrimSpace(out), "\n") {
		t.Errorf("duplicate createuser: exit %d %q", code, out)
	}

	// The default folder is ./blog-data, relative to the working directory.
	wd := t.TempDir()
	// No BLOG_JWT_KEY either: the key is generated once and kept in the folder.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + wd}
	cu := exec.Command(svc.Bin, "createuser", "--username", "erin", "--password", "erin-pass-1")
	cu.Env, cu.Dir = env, wd
	if out, err := cu.CombinedOutput(); err != nil {
		t.Fatalf("createuser without BLOG_DATA: %v %s", err, out)
	}
	if st, err := os.Stat(filepath.Join(wd, "blog-data")); err != nil || !st.IsDir() {
		t.Fatalf("no ./blog-data after createuser: %v", err)
	}
	addr := e2ekit.FreeAddr(t)
	srv := exec.Command(svc.Bin, "serve", "--addr", addr)
	srv.Env, srv.Dir = env, wd
	var log bytes.Buffer
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ds := &e2ekit.Server{Service: svc, T: t, Base: "http://" + addr, Cmd: srv, Log: &log}
	t.Cleanup(func() {
		if srv.ProcessState == nil {
			srv.Process.Kill()
			srv.Wait()
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if resp, err := http.Get(ds.Base + "/api/health"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve without BLOG_DATA did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	e2ekit.Expect(t, "erin logs in on serve without BLOG_DATA", ds.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "erin", "password": "erin-pass-1"}), 200)
	stop(t, ds)
	entries, _ := os.ReadDir(filepath.Join(wd, "blog-data"))
	var key os.FileInfo
	for _, e := range entries {
		if strings.Contains(e.Name(), "key") {
			key, _ = e.Info()
		}
	}
	if key == nil || key.Size() < 32 || key.Mode().Perm()&0o077 != 0 {
		t.Errorf("generated key in ./blog-data: %v (want a file of 32+ bytes, private to its owner)", key)
	}
	if strings.Contains(log.String(), "erin-pass-1") {
		t.Errorf("serve logged a password")
	}
}

// Contract: "serve exits non-zero with a one-line reason when it cannot
// start (port taken, bad URL, unreadable data folder)", "BLOG_JWT_KEY ...
// must be at least 32 bytes: serve refuses a shorter one".
func TestContractServeRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := func(extra ...string) []string {
		env := append(os.Environ(), "BLOG_DATA="+t.TempDir(), "BLOG_JWT_KEY="+e2ekit.TestKey, "BLOG_DATABASE_URL=", "BLOG_REDIS_URL=", "BLOG_LOGIN_RATE=")
		return append(env, extra...)
	}
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"data folder is a file", base("BLOG_DATA=" + file)},
		{"data folder under a file", base("BLOG_DATA=" + filepath.Join(file, "sub"))},
		{"database file is a folder", base("BLOG_DATA=" + dirWithDBFolder(t))},
		{"bad database URL", base("BLOG_DATABASE_URL=::not a url::")},
		{"database URL of another scheme", base("BLOG_DATABASE_URL=mysql://root@127.0.0.1/x")},
		{"bad Redis URL", base("BLOG_REDIS_URL=::not a url::")},
		{"Redis URL of another scheme", base("BLOG_REDIS_URL=http://127.0.0.1:6379/")},
		{"31-byte key", base("BLOG_JWT_KEY=" + strings.Repeat("k", 31))},
		{"key of one repeated byte", base("BLOG_JWT_KEY=" + strings.Repeat("k", 48))},
		{"key of spaces", base("BLOG_JWT_KEY=" + strings.Repeat(" ", 48))},
		{"key of 7 distinct bytes", base("BLOG_JWT_KEY=" + strings.Repeat("abcdefg", 7))},
		{"bad login rate", base("BLOG_LOGIN_RATE=ten per minute")},
		{"CORS origin null", base("BLOG_CORS_ORIGINS=null")},
		{"CORS origin *", base("BLOG_CORS_ORIGINS=https://app.example.com,*")},
		{"CORS origin with a path", base("BLOG_CORS_ORIGINS=https://app.example.com/app")},
	} {
		out, code := serveBriefly(t, c.env)
		oneLineFailure(t, c.name, out, code)
		if strings.Contains(out, e2ekit.TestKey) {
			t.Errorf("%s: the key is in the output %q", c.name, out)
		}
	}
	// 32 bytes of 8 or more distinct bytes is enough.
	env := base("BLOG_JWT_KEY=" + strings.Repeat("abcdefgh", 4))
	s := startShared(t, env)
	e2ekit.Expect(t, "serve with a 32-byte key", s.Client().Do("GET", "/api/health", nil), 200)
	stop(t, s)
}

// dirWithDBFolder returns a data folder whose database path is taken by a
// folder, so the database cannot be opened.
func dirWithDBFolder(t *testing.T) string {
	d := t.TempDir()
	// createuser writes the database file; find its name, then replace it by a folder.
	env := append(os.Environ(), "BLOG_DATA="+d, "BLOG_JWT_KEY="+e2ekit.TestKey)
	if out, code := svc.Run(t, env, "", "createuser", "--username", "x", "--password", "x-pass-1234"); code != 0 {
		t.Fatalf("createuser: %s", out)
	}
	entries, _ := os.ReadDir(d)
	for _, e := range entries {
		p := filepath.Join(d, e.Name())
		if strings.HasSuffix(e.Name(), "-wal") || strings.HasSuffix(e.Name(), "-shm") {
			os.Remove(p)
			continue
		}
		if !e.IsDir() && e.Name() != "jwt.key" {
			os.Remove(p)
			os.Mkdir(p, 0o700)
		}
	}
	return d
}

// The database holds password hashes: in an existing folder of mode 0755
// it is created 0600 (and its -wal and -shm files with it), and serve
// refuses a database file that others can read, naming the chmod to run.
func TestDataFilesPrivate(t *testing.T) {
	d := filepath.Join(t.TempDir(), "blog-data")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o755)
	env := append(os.Environ(), "BLOG_DATA="+d, "BLOG_JWT_KEY="+e2ekit.TestKey, "BLOG_DATABASE_URL=", "BLOG_REDIS_URL=")
	s := startShared(t, env)
	e2ekit.Expect(t, "a failed login (a write: the login throttle)", s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "nobody", "password": "wrong-pass-1"}), 401)
	db := filepath.Join(d, "ward.db")
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want -rw-------", p, st.Mode().Perm())
		}
	}
	stop(t, s)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := serveBriefly(t, env)
	oneLineFailure(t, "database readable by others", out, code)
	if !strings.Contains(out, "chmod 600 "+db) {
		t.Errorf("output %q does not name the chmod to run", out)
	}
}

// Contract: "SIGTERM drains in-flight requests and exits 0."
func TestContractSIGTERMDrainsInFlight(t *testing.T) {
	s := svc.StartServer(t)
	access := s.Client().JWTLogin("alice", "alice-pass-1")
	body := `{"title":"sent across a SIGTERM"}`
	conn, err := net.Dial("tcp", addrOf(s))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	// Headers and half the body, then SIGTERM, then the rest.
	fmt.Fprintf(conn, "POST /api/posts HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		addrOf(s), access, len(body), body[:10])
	time.Sleep(200 * time.Millisecond)
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// New connections are refused while draining.
	if c2, err := net.DialTimeout("tcp", addrOf(s), time.Second); err == nil {
		c2.Close()
		t.Errorf("a new connection was accepted after SIGTERM")
	}
	io.WriteString(conn, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: "POST"})
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || !strings.Contains(string(b), "sent across a SIGTERM") {
		t.Fatalf("in-flight request: %d %s", resp.StatusCode, b)
	}
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after draining: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after draining")
	}
}

// Contract (brief): the request log holds no credentials, tokens or cookies.
func TestContractRequestLogHasNoSecrets(t *testing.T) {
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=1000/minute")
	c := s.Client()
	secrets := []string{"alice-pass-1", "bob-pass-1", "wrong-pass-9", b64("bob:bob-pass-1"), b64("alice:wrong-pass-9")}

	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	access := r.JSON(t)["access_token"].(string)
	rt := e2ekit.Cookie(r, "refresh_token").Value
	secrets = append(secrets, access, rt)
	r = c.Do("POST", "/auth/jwt/refresh", nil, "Cookie", "refresh_token="+rt)
	secrets = append(secrets, r.JSON(t)["access_token"].(string), e2ekit.Cookie(r, "refresh_token").Value)
	r = c.Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	tok := r.JSON(t)["token"].(string)
	secrets = append(secrets, tok)
	r = c.Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	sid, csrf := e2ekit.Cookie(r, "sessionid").Value, e2ekit.Cookie(r, "csrftoken").Value
	secrets = append(secrets, sid, csrf)

	c.Do("GET", "/auth/me", nil, "Authorization", "Bearer "+access)
	c.Do("GET", "/auth/me", nil, "Authorization", "Token "+tok)
	c.Do("GET", "/auth/me", nil, "Authorization", "Basic "+b64("bob:bob-pass-1"))
	c.Do("GET", "/auth/me", nil, "Authorization", "Basic "+b64("alice:wrong-pass-9"))
	c.Do("POST", "/api/posts", map[string]string{"title": "x"}, "Cookie", "sessionid="+sid+"; csrftoken="+csrf, "X-CSRFToken", csrf)
	c.Do("POST", "/auth/jwt/login", map[string]string{"username": "bob", "password": "wrong-pass-9"})
	c.Do("GET", "/api/posts?token="+tok+"&page=1", nil)
	c.Do("POST", "/auth/jwt/logout", nil, "Authorization", "Bearer "+access, "Cookie", "refresh_token="+rt)
	c.Do("POST", "/auth/token/logout", nil, "Authorization", "Token "+tok)
	stop(t, s)

	log := s.Log.String()
	if !strings.Contains(log, `"path":"/auth/me"`) || !strings.Contains(log, "user_id") {
		t.Fatalf("the request log does not look like one line per request:\n%s", log)
	}
	for _, sec := range secrets {
		if sec != "" && strings.Contains(log, sec) {
			t.Errorf("the log contains a secret (%d chars, starting %q)", len(sec), sec[:4])
		}
	}
	for _, word := range []string{"Authorization", "Cookie", "password", "token="} {
		if strings.Contains(log, word) {
			t.Errorf("the log mentions %q", word)
		}
	}
}
