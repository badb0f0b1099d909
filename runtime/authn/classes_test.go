package authn_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/basicauth"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

func hdr(v string) map[string]string { return map[string]string{"Authorization": v} }

func basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

func tokenLogin(t *testing.T, e *authtest.Env, name, pw string) string {
	t.Helper()
	w := e.Login("/auth/token/login", name, pw)
	if w.Code != 200 {
		t.Fatalf("token login: %d %s", w.Code, w.Body)
	}
	return decode(t, w).Token
}

func TestTokenClass(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	e.User(t, "off", "off-pass-1", false)
	e.User(t, "chg", "chg-pass-1", false)
	k1 := tokenLogin(t, e, "alice", "alice-pass-1")
	k2 := tokenLogin(t, e, "alice", "alice-pass-1")
	if k1 == k2 || len(k1) != tokenauth.KeyLen {
		t.Fatalf("keys %q %q", k1, k2)
	}
	// Only hashes are stored.
	if _, err := e.Store.TokenByHash(context.Background(), []byte(k1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("raw key stored")
	}
	// Logout deletes only the presented token.
	if w := e.Do(authtest.Req{Method: "POST", Path: "/auth/token/logout", Header: hdr("Token " + k1)}); w.Code != 204 {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	offKey := tokenLogin(t, e, "off", "off-pass-1")
	chgKey := tokenLogin(t, e, "chg", "chg-pass-1")
	accounts.Deactivate(context.Background(), e.Store, "off")
	accounts.ChangePassword(context.Background(), e.Store, e.Hasher, "chg", "chg-pass-2")
	e.Acc.Dir.Forget(2)
	e.Acc.Dir.Forget(3)

	for _, tt := range []struct {
		name, header string
		code         int
		detail       string
	}{
		{"valid", "Token " + k2, 200, ""},
		{"after logout", "Token " + k1, 401, drf.InvalidToken},
		{"inactive user", "Token " + offKey, 401, drf.UserInactive},
		{"password changed", "Token " + chgKey, 401, drf.InvalidToken},
		{"unknown key", "Token " + strings.Repeat("ab", 32), 401, drf.InvalidToken},
		{"no key", "Token", 401, tokenauth.MsgNoCredentials},
		{"spaces", "Token a b", 401, tokenauth.MsgSpaces},
		{"bad characters", "Token " + strings.Repeat("z", 64), 401, tokenauth.MsgBadChars},
		{"wrong length", "Token abc", 401, drf.InvalidToken},
		{"16 KB header", "Token " + strings.Repeat("a", 16<<10), 401, drf.InvalidToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: hdr(tt.header)})
			b := decode(t, w)
			if w.Code != tt.code || (tt.code == 401 && b.Detail != tt.detail) {
				t.Fatalf("%d %s, want %d %q", w.Code, w.Body, tt.code, tt.detail)
			}
			if tt.code == 200 && b.Class != "token" {
				t.Fatalf("class %q", b.Class)
			}
			// The view's challenge is the first class's (JWT), as in DRF.
			if tt.code == 401 && w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
				t.Fatalf("challenge %q", w.Header().Get("WWW-Authenticate"))
			}
		})
	}
	// On its own endpoint the Token challenge is sent.
	w := e.Do(authtest.Req{Method: "POST", Path: "/auth/token/logout", Header: hdr("Token " + k1)})
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != "Token" {
		t.Fatalf("logout with a dead token: %d %v", w.Code, w.Header())
	}
}

func TestTokenExpiry(t *testing.T) {
	e := authtest.New(t, authtest.Options{TokenTTL: time.Nanosecond})
	e.User(t, "alice", "alice-pass-1", false)
	k := tokenLogin(t, e, "alice", "alice-pass-1")
	time.Sleep(time.Millisecond)
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: hdr("Token " + k)}); w.Code != 401 {
		t.Fatalf("expired token: %d", w.Code)
	}
}

func sessionLogin(t *testing.T, e *authtest.Env, cookies ...*http.Cookie) (sid, csrf *http.Cookie) {
	t.Helper()
	w := e.Do(authtest.Req{Method: "POST", Path: "/auth/session/login", Header: authtest.JSON,
		Body: `{"username":"alice","password":"alice-pass-1"}`, Cookies: cookies})
	if w.Code != 200 || decode(t, w).Username != "alice" {
		t.Fatalf("session login: %d %s", w.Code, w.Body)
	}
	return authtest.Cookie(w, "sessionid"), authtest.Cookie(w, "csrftoken")
}

func TestSessionClass(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	sid, csrf := sessionLogin(t, e)
	if !sid.HttpOnly || !sid.Secure || sid.SameSite != http.SameSiteLaxMode || sid.Path != "/" {
		t.Fatalf("sessionid cookie %+v", sid)
	}
	if csrf.HttpOnly || !csrf.Secure || csrf.SameSite != http.SameSiteLaxMode {
		t.Fatalf("csrftoken cookie %+v", csrf)
	}
	// Session fixation: a sessionid the client presents at login is not
	// adopted, and a live one is ended.
	fixed := &http.Cookie{Name: "sessionid", Value: strings.Repeat("A", 43)}
	sid2, csrf2 := sessionLogin(t, e, fixed)
	if sid2.Value == fixed.Value || sid2.Value == sid.Value {
		t.Fatal("session id adopted")
	}
	sid3, _ := sessionLogin(t, e, sid2)
	if sid3.Value == sid2.Value {
		t.Fatal("re-login kept the session id")
	}
	csrf3 := csrf2 // belongs to the ended session sid2
	_, csrfOther := sessionLogin(t, e)

	both := func(s, c *http.Cookie) []*http.Cookie { return []*http.Cookie{s, c} }
	for _, tt := range []struct {
		name    string
		method  string
		cookies []*http.Cookie
		header  string
		code    int
		detail  string
	}{
		{"GET needs no CSRF", "GET", both(sid, csrf), "", 200, ""},
		{"POST with CSRF", "POST", both(sid, csrf), csrf.Value, 200, ""},
		{"POST without CSRF header", "POST", both(sid, csrf), "", 403, sessionauth.MsgCSRFMissing},
		{"POST with a wrong CSRF header", "POST", both(sid, csrf), strings.Repeat("x", 43), 403, sessionauth.MsgCSRFIncorrect},
		{"POST with another session's CSRF", "POST", both(sid, csrfOther), csrfOther.Value, 403, sessionauth.MsgCSRFIncorrect},
		{"old session after re-login", "GET", both(sid2, csrf3), "", 401, drf.NotAuthenticated},
		{"unknown sessionid is anonymous", "GET", []*http.Cookie{fixed}, "", 401, drf.NotAuthenticated},
		{"malformed sessionid is anonymous", "GET", []*http.Cookie{{Name: "sessionid", Value: strings.Repeat("%", 100)}}, "", 401, drf.NotAuthenticated},
		{"16 KB sessionid is anonymous", "GET", []*http.Cookie{{Name: "sessionid", Value: strings.Repeat("a", 16<<10)}}, "", 401, drf.NotAuthenticated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.header != "" {
				h["X-CSRFToken"] = tt.header
			}
			w := e.Do(authtest.Req{Method: tt.method, Path: "/api/private", Header: h, Cookies: tt.cookies})
			b := decode(t, w)
			if w.Code != tt.code || (tt.code != 200 && b.Detail != tt.detail) {
				t.Fatalf("%d %s, want %d %q", w.Code, w.Body, tt.code, tt.detail)
			}
		})
	}
	// An unknown session on an open endpoint is anonymous, not an error.
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Cookies: []*http.Cookie{fixed}}); w.Code != 200 {
		t.Fatalf("health with a stale cookie: %d", w.Code)
	}
	// Logout needs CSRF, deletes the session, clears the cookies.
	if w := e.Do(authtest.Req{Method: "POST", Path: "/auth/session/logout", Cookies: both(sid, csrf)}); w.Code != 403 {
		t.Fatalf("logout without CSRF: %d", w.Code)
	}
	w := e.Do(authtest.Req{Method: "POST", Path: "/auth/session/logout", Header: map[string]string{"X-CSRFToken": csrf.Value}, Cookies: both(sid, csrf)})
	if w.Code != 204 || authtest.Cookie(w, "sessionid") == nil || authtest.Cookie(w, "sessionid").MaxAge >= 0 {
		t.Fatalf("logout: %d %v", w.Code, w.Header())
	}
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Cookies: both(sid, csrf)}); w.Code != 401 {
		t.Fatalf("session alive after logout: %d", w.Code)
	}
}

func TestSessionInvalidatedUsers(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		do   func()
	}{
		{"deactivated", func() { accounts.Deactivate(ctx, e.Store, "alice"); e.Acc.Dir.Forget(1) }},
		{"password changed", func() { accounts.ChangePassword(ctx, e.Store, e.Hasher, "alice", "alice-pass-1"); e.Acc.Dir.Forget(1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.Store.SetActive(ctx, 1, true)
			e.Acc.Dir.Forget(1)
			sid, _ := sessionLogin(t, e)
			tt.do()
			if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Cookies: []*http.Cookie{sid}}); w.Code != 401 {
				t.Fatalf("%d", w.Code)
			}
		})
	}
}

func TestSessionExpiry(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	uid := e.User(t, "alice", "alice-pass-1", false)
	ctx := context.Background()
	now := time.Now()
	for _, tt := range []struct {
		name              string
		created, lastSeen time.Time
		alive             bool
	}{
		{"fresh", now.Add(-time.Hour), now.Add(-time.Minute), true},
		{"idle", now.Add(-3 * time.Hour), now.Add(-2*time.Hour - time.Second), false},
		{"absolute", now.Add(-337 * time.Hour), now.Add(-time.Minute), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.name + strings.Repeat("a", 43-len(tt.name))
			h := sha(id)
			e.Store.CreateSession(ctx, &store.Session{Hash: h, UserID: uid, CreatedAt: tt.created, LastSeen: tt.lastSeen})
			w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Cookies: []*http.Cookie{{Name: "sessionid", Value: id}}})
			if (w.Code == 200) != tt.alive {
				t.Fatalf("%d, alive=%v", w.Code, tt.alive)
			}
			_, err := e.Store.SessionByHash(ctx, h)
			if !tt.alive && !errors.Is(err, store.ErrNotFound) {
				t.Fatal("expired session not deleted")
			}
		})
	}
}

func TestBasicClass(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	e.User(t, "off", "off-pass-1", false)
	accounts.Deactivate(context.Background(), e.Store, "off")
	for _, tt := range []struct {
		name, header string
		code         int
		detail       string
	}{
		{"valid", basic("alice", "alice-pass-1"), 200, ""},
		{"password with a colon", basic("alice", "alice-pass-1:"), 401, drf.InvalidCredentials},
		{"wrong password", basic("alice", "nope"), 401, drf.InvalidCredentials},
		{"unknown user", basic("mallory", "alice-pass-1"), 401, drf.InvalidCredentials},
		{"inactive user", basic("off", "off-pass-1"), 401, drf.InvalidCredentials},
		{"no credentials", "Basic", 401, basicauth.MsgNoCredentials},
		{"spaces", "Basic a b", 401, basicauth.MsgSpaces},
		{"not base64", "Basic !!!", 401, basicauth.MsgBadBase64},
		{"no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice")), 401, basicauth.MsgBadBase64},
		{"NUL in the username", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice\x00:alice-pass-1")), 401, basicauth.MsgBadBase64},
		{"16 KB header", "Basic " + strings.Repeat("QUFB", 4<<10), 401, basicauth.MsgBadBase64},
		{"unknown scheme is anonymous", "Digest username=alice", 401, drf.NotAuthenticated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: hdr(tt.header)})
			b := decode(t, w)
			if w.Code != tt.code || (tt.code != 200 && b.Detail != tt.detail) {
				t.Fatalf("%d %s, want %d %q", w.Code, w.Body, tt.code, tt.detail)
			}
		})
	}
	// A Basic-first chain challenges with Basic.
	w := httptestRecorder()
	authn.Chain{e.Basic, e.JWT}.Unauthenticated(w)
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Basic realm="api"` {
		t.Fatalf("basic challenge: %d %v", w.Code, w.Header())
	}
	// A session-first chain has no challenge: 401 becomes 403.
	w = httptestRecorder()
	authn.Chain{e.Sessions, e.Basic}.Unauthenticated(w)
	if w.Code != 403 || w.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("session-first: %d %v", w.Code, w.Header())
	}
}

func TestUnknownSchemeIsAnonymous(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	for _, h := range []string{"Digest username=x", "Negotiate abc", "Bearerx abc", "Tokens abc"} {
		if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Header: hdr(h)}); w.Code != 200 {
			t.Errorf("%q on an open endpoint: %d", h, w.Code)
		}
		if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: hdr(h)}); w.Code != 401 || decode(t, w).Detail != drf.NotAuthenticated {
			t.Errorf("%q on a private endpoint: %d %s", h, w.Code, w.Body)
		}
	}
}

func TestLogins(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	e.User(t, "off", "off-pass-1", false)
	accounts.Deactivate(context.Background(), e.Store, "off")
	// simplejwt's views send their Bearer challenge with a 401; the token
	// login sends Token's; sessions have none.
	challenges := map[string]string{"/auth/jwt/login": `Bearer realm="api"`, "/auth/session/login": "", "/auth/token/login": "Token"}
	for _, path := range []string{"/auth/jwt/login", "/auth/session/login", "/auth/token/login"} {
		for _, tt := range []struct {
			name   string
			ct     string
			body   string
			code   int
			detail string
		}{
			{"good", "application/json", `{"username":"alice","password":"alice-pass-1"}`, 200, ""},
			{"charset param", "application/json; charset=utf-8", `{"username":"alice","password":"alice-pass-1"}`, 200, ""},
			{"wrong password", "application/json", `{"username":"alice","password":"x"}`, 401, drf.BadCredentials},
			{"unknown user", "application/json", `{"username":"zed","password":"alice-pass-1"}`, 401, drf.BadCredentials},
			{"inactive user", "application/json", `{"username":"off","password":"off-pass-1"}`, 401, drf.BadCredentials},
			{"form-encoded", "application/x-www-form-urlencoded", `username=alice&password=alice-pass-1`, 415, `Unsupported media type "application/x-www-form-urlencoded" in request.`},
			{"text/plain JSON", "text/plain", `{"username":"alice","password":"alice-pass-1"}`, 415, `Unsupported media type "text/plain" in request.`},
			{"bad JSON", "application/json", `{"username":`, 400, drf.MalformedJSON + " - invalid JSON"},
			{"huge body", "application/json", `{"username":"` + strings.Repeat("a", 8<<10) + `"}`, 400, drf.MalformedJSON + " - body too large"},
			// The rules of every JSON body (package jsonbody), as for resources.
			{"charset utf8", "application/json; charset=UTF8", `{"username":"alice","password":"alice-pass-1"}`, 200, ""},
			{"charset latin-1", "application/json; charset=latin-1", "{\"username\":\"alice\",\"password\":\"p\xe4ss\"}", 415, `Unsupported media type "application/json; charset=latin-1" in request.`},
			{"invalid UTF-8", "application/json", "{\"username\":\"alice\",\"password\":\"p\xe4ss\"}", 400, drf.MalformedJSON + " - invalid UTF-8"},
		} {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				w := e.Do(authtest.Req{Method: "POST", Path: path, Header: map[string]string{"Content-Type": tt.ct}, Body: tt.body})
				if w.Code != tt.code || (tt.detail != "" && decode(t, w).Detail != tt.detail) {
					t.Fatalf("%d %s, want %d %q", w.Code, w.Body, tt.code, tt.detail)
				}
				if w.Header().Get("Cache-Control") != "no-store" {
					t.Error("no Cache-Control: no-store")
				}
				want := ""
				if w.Code == 401 {
					want = challenges[path]
				}
				if got := w.Header().Get("WWW-Authenticate"); got != want {
					t.Errorf("WWW-Authenticate %q, want %q", got, want)
				}
			})
		}
		// Missing fields: DRF's field errors.
		w := e.Do(authtest.Req{Method: "POST", Path: path, Header: authtest.JSON, Body: `{"username":"alice"}`})
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"password":["This field is required."]`) {
			t.Errorf("%s missing password: %d %s", path, w.Code, w.Body)
		}
		// NUL: DRF's CharField message, never a lookup (PostgreSQL would fail).
		w = e.Do(authtest.Req{Method: "POST", Path: path, Header: authtest.JSON, Body: `{"username":"alice\u0000","password":"alice-pass-1"}`})
		if w.Code != 400 || strings.TrimSpace(w.Body.String()) != `{"username":["Null characters are not allowed."]}` {
			t.Errorf("%s NUL in the username: %d %s", path, w.Code, w.Body)
		}
		// Logins authenticate no one: a bad Authorization header is ignored.
		w = e.Do(authtest.Req{Method: "POST", Path: path, Header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer junk"},
			Body: `{"username":"alice","password":"alice-pass-1"}`})
		if w.Code != 200 {
			t.Errorf("%s with a junk Authorization: %d", path, w.Code)
		}
		if w := e.Do(authtest.Req{Method: "GET", Path: path}); w.Code != 405 || w.Header().Get("Allow") == "" {
			t.Errorf("GET %s: %d", path, w.Code)
		}
	}
}

func TestLoginThrottle(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	e.Throttle.Limit = 3
	paths := []string{"/auth/jwt/login", "/auth/session/login", "/auth/token/login"}
	for i := 0; i < 3; i++ {
		if w := e.Login(paths[i], "alice", "wrong"); w.Code != 401 {
			t.Fatalf("attempt %d: %d", i, w.Code)
		}
	}
	// The shared bucket is full: even good credentials get 429, and the
	// password is not checked (no 401, no 200).
	for _, p := range paths {
		w := e.Login(p, "alice", "alice-pass-1")
		if w.Code != 429 || w.Header().Get("Retry-After") != "42" || decode(t, w).Detail != "Request was throttled. Expected available in 42 seconds." {
			t.Fatalf("%s: %d %s %v", p, w.Code, w.Body, w.Header())
		}
	}
	// 429'd attempts are not counted by the hook's caller.
	if e.Throttle.Count() != 3 {
		t.Fatalf("throttle counted %d", e.Throttle.Count())
	}
	// Failed Basic and Token credentials hit the throttle too.
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Header: hdr(basic("alice", "nope"))}); w.Code != 429 {
		t.Fatalf("basic past the limit: %d", w.Code)
	}
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Header: hdr("Token " + strings.Repeat("ab", 32))}); w.Code != 429 {
		t.Fatalf("token past the limit: %d", w.Code)
	}
	// A dead throttle backend fails closed.
	e.Throttle.Err = errors.New("redis down")
	if w := e.Login(paths[0], "alice", "alice-pass-1"); w.Code != 503 || strings.Contains(w.Body.String(), "redis") {
		t.Fatalf("throttle down: %d %s", w.Code, w.Body)
	}
}

func TestInactiveUserEveryClass(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	access, _ := login(t, e, "alice", "alice-pass-1")
	key := tokenLogin(t, e, "alice", "alice-pass-1")
	sid, _ := sessionLogin(t, e)
	accounts.Deactivate(context.Background(), e.Store, "alice")
	time.Sleep(accounts.MaxUserCacheTTL + 50*time.Millisecond) // the cache bound, as in production
	for name, q := range map[string]authtest.Req{
		"jwt":     {Header: bearer(access)},
		"token":   {Header: hdr("Token " + key)},
		"session": {Cookies: []*http.Cookie{sid}},
		"basic":   {Header: hdr(basic("alice", "alice-pass-1"))},
	} {
		q.Method, q.Path = "GET", "/auth/me"
		if w := e.Do(q); w.Code != 401 {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
}

func TestPasswordUpgradeOnLogin(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	ctx := context.Background()
	id, _ := e.Store.CreateUser(ctx, &store.UserRecord{
		User:         identity.User{Username: "alice", IsActive: true},
		PasswordHash: "pbkdf2_sha256$1000$Xb3cS4lt$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=",
	})
	if w := e.Login("/auth/token/login", "alice", "alice-pass-1"); w.Code != 200 {
		t.Fatalf("Django hash login: %d", w.Code)
	}
	u, _ := e.Store.UserByID(ctx, id)
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || u.PasswordVersion != 0 {
		t.Fatalf("not upgraded in place: %q v%d", u.PasswordHash, u.PasswordVersion)
	}
	if w := e.Login("/auth/token/login", "alice", "alice-pass-1"); w.Code != 200 {
		t.Fatalf("login after upgrade: %d", w.Code)
	}
}

func TestUserCommands(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	ctx := context.Background()
	if _, err := accounts.CreateUser(ctx, e.Store, e.Hasher, "bad name", "pw", false); !errors.Is(err, accounts.ErrInvalidUsername) {
		t.Fatal(err)
	}
	e.User(t, "root", "root-pass-1", true)
	if _, err := accounts.CreateUser(ctx, e.Store, e.Hasher, "root", "pw", false); !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	access, _ := login(t, e, "root", "root-pass-1")
	w := e.Do(authtest.Req{Method: "GET", Path: "/auth/me", Header: bearer(access)})
	if b := decode(t, w); w.Code != 200 || !b.IsStaff || b.Username != "root" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := e.Do(authtest.Req{Method: "GET", Path: "/auth/me"}); w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
		t.Fatalf("anonymous me: %d %v", w.Code, w.Header())
	}
	if err := accounts.ChangePassword(ctx, e.Store, e.Hasher, "nobody", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}
