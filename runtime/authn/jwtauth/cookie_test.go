package jwtauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
)

// cookieLogin is a login in cookie mode: its access, CSRF and refresh
// cookies.
type cookieLogin struct {
	access, csrf, refresh *http.Cookie
}

func loginCookies(t *testing.T, e *authtest.Env, name, pw string) (cookieLogin, *httptest.ResponseRecorder) {
	t.Helper()
	w := e.Login("/auth/jwt/login", name, pw)
	if w.Code != 200 {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	l := cookieLogin{authtest.Cookie(w, "access_token"), authtest.Cookie(w, "csrftoken"), authtest.Cookie(w, jwtauth.CookieName)}
	if l.access == nil || l.csrf == nil || l.refresh == nil {
		t.Fatalf("login cookies: %v", w.Header()["Set-Cookie"])
	}
	return l, w
}

// setCookie returns the Set-Cookie line of the cookie called name.
func setCookie(w *httptest.ResponseRecorder, name string) string {
	for _, l := range w.Header()["Set-Cookie"] {
		if strings.HasPrefix(l, name+"=") {
			return l
		}
	}
	return ""
}

func TestJWTCookieLoginShape(t *testing.T) {
	e := authtest.New(t, authtest.Options{AccessIn: "cookie"})
	e.User(t, "alice", "alice-pass-1", false)
	l, w := loginCookies(t, e, "alice", "alice-pass-1")
	if got := strings.TrimSpace(w.Body.String()); got != `{"expires_in":300}` {
		t.Errorf("body %s, want only expires_in", got)
	}
	for _, c := range []struct {
		name string
		want []string
		not  []string
	}{
		{"access_token", []string{"Path=/;", "Max-Age=300", "HttpOnly", "Secure", "SameSite=Lax"}, nil},
		{"csrftoken", []string{"Path=/;", "Secure", "SameSite=Lax"}, []string{"HttpOnly"}},
		{jwtauth.CookieName, []string{"Path=/auth/jwt", "HttpOnly", "Secure", "SameSite=Strict"}, nil},
	} {
		line := setCookie(w, c.name)
		for _, s := range c.want {
			if !strings.Contains(line+";", s) {
				t.Errorf("%s: %q lacks %q", c.name, line, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(line, s) {
				t.Errorf("%s: %q has %q", c.name, line, s)
			}
		}
	}
	// The CSRF secret is not the family id the token carries.
	p, _, _ := jwt.NewParser().ParseUnverified(l.access.Value, jwt.MapClaims{})
	if fam := p.Claims.(jwt.MapClaims)["fam"]; fam == l.csrf.Value || len(l.csrf.Value) != 43 {
		t.Errorf("csrf %q, family %v", l.csrf.Value, fam)
	}
}

// The attack table of cookie mode: the access-token cookie authenticates
// safe methods alone and unsafe ones only with the CSRF header of its own
// login; a Bearer header needs no CSRF and wins over the cookie.
func TestJWTCookieCSRF(t *testing.T) {
	e := authtest.New(t, authtest.Options{AccessIn: "cookie"})
	e.User(t, "alice", "alice-pass-1", false)
	e.User(t, "bob", "bob-pass-1", false)
	alice, _ := loginCookies(t, e, "alice", "alice-pass-1")
	alice2, _ := loginCookies(t, e, "alice", "alice-pass-1") // another login of alice
	bob, _ := loginCookies(t, e, "bob", "bob-pass-1")
	p, _, _ := jwt.NewParser().ParseUnverified(alice.access.Value, jwt.MapClaims{})
	fam, _ := p.Claims.(jwt.MapClaims)["fam"].(string)
	csrf := func(v string) map[string]string { return map[string]string{"X-CSRFToken": v} }
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}
	expired := &http.Cookie{Name: "access_token", Value: forge(t, jwt.SigningMethodHS256, e.Key, with(claims(1), "exp", 1), nil)}

	for _, tt := range []struct {
		name    string
		method  string
		header  map[string]string
		cookies []*http.Cookie
		code    int
		detail  string
		user    string
	}{
		{"GET by the cookie, no CSRF", "GET", nil, []*http.Cookie{alice.access}, 200, "", "alice"},
		{"POST by the cookie with its CSRF", "POST", csrf(alice.csrf.Value), []*http.Cookie{alice.access, alice.csrf}, 200, "", "alice"},
		{"cross-site form POST", "POST", form, []*http.Cookie{alice.access, alice.csrf}, 403, authhttp.MsgCSRFMissing, ""},
		{"POST without the header", "POST", nil, []*http.Cookie{alice.access, alice.csrf}, 403, authhttp.MsgCSRFMissing, ""},
		{"POST with a wrong header", "POST", csrf(spoil(alice.csrf.Value)), []*http.Cookie{alice.access, alice.csrf}, 403, authhttp.MsgCSRFIncorrect, ""},
		{"POST with the family id as the header", "POST", csrf(fam), []*http.Cookie{alice.access}, 403, authhttp.MsgCSRFIncorrect, ""},
		{"POST with the CSRF of another user's login", "POST", csrf(bob.csrf.Value), []*http.Cookie{alice.access, bob.csrf}, 403, authhttp.MsgCSRFIncorrect, ""},
		{"POST with the CSRF of another login of the user", "POST", csrf(alice2.csrf.Value), []*http.Cookie{alice.access, alice2.csrf}, 403, authhttp.MsgCSRFIncorrect, ""},
		{"POST by Bearer, no CSRF", "POST", authtest.Bearer(alice.access.Value), nil, 200, "", "alice"},
		{"Bearer wins over the cookie", "POST", authtest.Bearer(bob.access.Value), []*http.Cookie{alice.access}, 200, "", "bob"},
		{"another scheme: the cookie is not read", "GET", authtest.Authorization("Digest x"), []*http.Cookie{alice.access}, 401, "Authentication credentials were not provided.", ""},
		{"expired cookie", "GET", nil, []*http.Cookie{expired}, 401, jwtauth.MsgNotValid, ""},
		{"refresh token in the access cookie", "GET", nil, []*http.Cookie{{Name: "access_token", Value: alice.refresh.Value}}, 401, jwtauth.MsgNotValid, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.Do(authtest.Req{Method: tt.method, Path: "/api/private", Header: tt.header, Cookies: tt.cookies})
			b := authtest.Decode(t, w)
			if w.Code != tt.code || b.Detail != tt.detail || b.User != tt.user {
				t.Fatalf("%d %s, want %d %q %q", w.Code, w.Body, tt.code, tt.detail, tt.user)
			}
		})
	}
}

func TestJWTCookieRefreshLogout(t *testing.T) {
	e := authtest.New(t, authtest.Options{AccessIn: "cookie"})
	e.User(t, "alice", "alice-pass-1", false)
	l, _ := loginCookies(t, e, "alice", "alice-pass-1")

	w := refresh(e, l.refresh)
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"expires_in":300}` || w.Header().Get("Authorization") != "" {
		t.Fatalf("refresh: %d %s %v", w.Code, w.Body, w.Header())
	}
	a1, r1 := authtest.Cookie(w, "access_token"), authtest.Cookie(w, jwtauth.CookieName)
	// (The access token may equal the first within one second: same
	// claims, same family.)
	if a1 == nil || r1 == nil || r1.Value == l.refresh.Value || authtest.Cookie(w, "csrftoken") != nil {
		t.Fatalf("refresh cookies: %v", w.Header()["Set-Cookie"])
	}
	// The CSRF secret of the login stays good: the family is the same.
	post := func(h map[string]string, cs ...*http.Cookie) int {
		return e.Do(authtest.Req{Method: "POST", Path: "/api/private", Header: h, Cookies: cs}).Code
	}
	if c := post(map[string]string{"X-CSRFToken": l.csrf.Value}, a1); c != 200 {
		t.Fatalf("write after refresh: %d", c)
	}
	// Logout by the cookie is an unsafe method: CSRF first.
	logout := func(h map[string]string) *httptest.ResponseRecorder {
		return e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/logout", Header: h, Cookies: []*http.Cookie{a1, r1, l.csrf}})
	}
	if w := logout(nil); w.Code != 403 || authtest.Decode(t, w).Detail != authhttp.MsgCSRFMissing {
		t.Fatalf("logout without CSRF: %d %s", w.Code, w.Body)
	}
	w = logout(map[string]string{"X-CSRFToken": l.csrf.Value})
	if w.Code != 204 {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	for _, name := range []string{"access_token", jwtauth.CookieName} {
		if c := authtest.Cookie(w, name); c == nil || c.MaxAge >= 0 || !strings.Contains(setCookie(w, name), "Max-Age=0") {
			t.Errorf("logout did not clear %s: %v", name, w.Header()["Set-Cookie"])
		}
	}
	if c := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Cookies: []*http.Cookie{a1}}).Code; c != 401 {
		t.Fatalf("access cookie alive after logout: %d", c)
	}
	if c := refresh(e, r1).Code; c != 401 {
		t.Fatalf("refresh after logout: %d", c)
	}
}

// In body mode the class reads no cookie.
func TestJWTBodyModeIgnoresCookie(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	access, _ := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Cookies: []*http.Cookie{{Name: "access_token", Value: access}}})
	if w.Code != 401 || authtest.Decode(t, w).Detail != "Authentication credentials were not provided." {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestJWTCookieConfig(t *testing.T) {
	k, _ := jwtauth.HMACKey("", []byte("refusals-hs256-key-0123456789abcdef"))
	for name, cfg := range map[string]jwtauth.Config{
		"cookie access, body refresh": {Keys: []*jwtauth.Key{k}, Issuer: "a", Audience: "a", AccessIn: "cookie", RefreshIn: "body"},
		"AccessIn header":             {Keys: []*jwtauth.Key{k}, Issuer: "a", Audience: "a", AccessIn: "header"},
	} {
		if _, err := jwtauth.New(cfg, nil, nil, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// spoil returns s with its first character changed.
func spoil(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
