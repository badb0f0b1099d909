package e2e

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

var (
	cookieBlogOnce sync.Once
	cookieBlogBin  string
	cookieBlogErr  error
)

// startCookieServer starts the blog in JWT cookie mode (internal/cookieblog:
// the blog's definition with access_token_in: cookie).
func startCookieServer(t *testing.T) *e2ekit.Server {
	t.Helper()
	cookieBlogOnce.Do(func() {
		bin := filepath.Join(filepath.Dir(svc.Bin), "cookieblog")
		out, err := exec.Command("go", "build", "-o", bin, "github.com/wardhq/ward/examples/blog/e2e/internal/cookieblog").CombinedOutput()
		if err != nil {
			cookieBlogErr = err
			t.Logf("%s", out)
			return
		}
		cookieBlogBin = bin
	})
	if cookieBlogErr != nil {
		t.Fatal("building the cookie-mode blog:", cookieBlogErr)
	}
	s := svc.NewServer(t)
	s.Bin = cookieBlogBin
	s.Start()
	return s
}

// cookieLogin logs a fresh browser in by JWT in cookie mode and returns it
// with its CSRF secret.
func cookieLogin(t *testing.T, s *e2ekit.Server, user, pw string) (*e2ekit.Client, e2ekit.Response, string) {
	t.Helper()
	c := s.Client()
	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": user, "password": pw})
	e2ekit.Expect(t, "cookie login "+user, r, 200)
	csrf := e2ekit.Cookie(r, "csrftoken")
	if csrf == nil || csrf.Value == "" {
		t.Fatalf("no csrftoken cookie: %q", r.Header.Values("Set-Cookie"))
	}
	return c, r, csrf.Value
}

// TestJWTCookieMode runs the blog in cookie mode over HTTP: login, a read,
// writes with and without CSRF, a Bearer write, refresh, logout.
func TestJWTCookieMode(t *testing.T) {
	s := startCookieServer(t)
	c, r, csrf := cookieLogin(t, s, "alice", "alice-pass-1")
	if strings.TrimSpace(string(r.Body)) != `{"expires_in":300}` {
		t.Fatalf("login body %s, want only expires_in", r.Body)
	}
	ac, rc := e2ekit.Cookie(r, "access_token"), e2ekit.Cookie(r, "refresh_token")
	if ac == nil || !ac.HttpOnly || !ac.Secure || ac.SameSite != http.SameSiteLaxMode || ac.Path != "/" || ac.MaxAge != 300 {
		t.Fatalf("access cookie %+v", ac)
	}
	if rc == nil || !rc.HttpOnly || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/auth/jwt" {
		t.Fatalf("refresh cookie %+v", rc)
	}
	if cc := e2ekit.Cookie(r, "csrftoken"); cc.HttpOnly || !cc.Secure || cc.SameSite != http.SameSiteLaxMode {
		t.Fatalf("csrf cookie %+v: JavaScript must read it", cc)
	}

	// A read by the cookie alone.
	me := c.Do("GET", "/auth/me", nil)
	e2ekit.Expect(t, "me by the cookie", me, 200)
	if me.JSON(t)["username"] != "alice" {
		t.Fatalf("me %s", me.Body)
	}
	e2ekit.Expect(t, "notes by the cookie", c.Do("GET", "/api/notes", nil), 200)

	// Writes by the cookie: CSRF as a session's.
	_, _, bobCSRF := cookieLogin(t, s, "bob", "bob-pass-1")
	note := map[string]string{"text": "by cookie"}
	for _, tt := range []struct {
		name    string
		body    any
		headers []string
		detail  string
	}{
		{"cross-site form POST", "text=forged", []string{"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example"}, "CSRF Failed: CSRF token missing."},
		{"no X-CSRFToken", note, nil, "CSRF Failed: CSRF token missing."},
		{"a wrong X-CSRFToken", note, []string{"X-CSRFToken", spoil(csrf)}, "CSRF Failed: CSRF token incorrect."},
		{"the CSRF token of bob's login", note, []string{"X-CSRFToken", bobCSRF}, "CSRF Failed: CSRF token incorrect."},
	} {
		r := c.Do("POST", "/api/notes", tt.body, tt.headers...)
		e2ekit.Expect(t, tt.name, r, 403)
		if d := r.Detail(t); d != tt.detail {
			t.Errorf("%s: detail %q, want %q", tt.name, d, tt.detail)
		}
	}
	e2ekit.Expect(t, "write with X-CSRFToken", c.Do("POST", "/api/notes", note, "X-CSRFToken", csrf), 201)

	// A Bearer header needs no CSRF (no cookies sent).
	bearer := s.Client()
	bearer.Auth = "Bearer " + ac.Value
	e2ekit.Expect(t, "write by Bearer without CSRF", bearer.Do("POST", "/api/notes", map[string]string{"text": "by bearer"}), 201)

	// Refresh: a new access cookie, only expires_in, no Authorization
	// header; the login's CSRF secret still holds.
	r = c.Do("POST", "/auth/jwt/refresh", nil)
	e2ekit.Expect(t, "refresh", r, 200)
	if strings.TrimSpace(string(r.Body)) != `{"expires_in":300}` || r.Header.Get("Authorization") != "" || e2ekit.Cookie(r, "access_token") == nil {
		t.Fatalf("refresh: %s %v", r.Body, r.Header)
	}
	if nc := e2ekit.Cookie(r, "refresh_token"); nc == nil || nc.Value == rc.Value {
		t.Fatal("refresh token not rotated")
	}
	e2ekit.Expect(t, "write after refresh", c.Do("POST", "/api/notes", note, "X-CSRFToken", csrf), 201)

	// Logout needs CSRF too, then clears both cookies.
	e2ekit.Expect(t, "logout without CSRF", c.Do("POST", "/auth/jwt/logout", nil), 403)
	r = c.Do("POST", "/auth/jwt/logout", nil, "X-CSRFToken", csrf)
	e2ekit.Expect(t, "logout", r, 204)
	for _, name := range []string{"access_token", "refresh_token"} {
		if k := e2ekit.Cookie(r, name); k == nil || k.MaxAge >= 0 {
			t.Errorf("logout did not clear %s: %q", name, r.Header.Values("Set-Cookie"))
		}
	}
	e2ekit.Expect(t, "me after logout", c.Do("GET", "/auth/me", nil), 401)
	e2ekit.Expect(t, "refresh after logout", c.Do("POST", "/auth/jwt/refresh", nil), 401)
	// The access token of the revoked family is dead as a Bearer too.
	e2ekit.Expect(t, "Bearer after logout", bearer.Do("GET", "/auth/me", nil), 401)
}

// spoil returns s with its first character changed.
func spoil(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
