package authn_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

func TestUnknownSchemeIsAnonymous(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	for _, h := range []string{"Digest username=x", "Negotiate abc", "Bearerx abc", "Tokens abc"} {
		if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Header: authtest.Authorization(h)}); w.Code != 200 {
			t.Errorf("%q on an open endpoint: %d", h, w.Code)
		}
		if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Authorization(h)}); w.Code != 401 || authtest.Decode(t, w).Detail != drf.NotAuthenticated {
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
				if w.Code != tt.code || (tt.detail != "" && authtest.Decode(t, w).Detail != tt.detail) {
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
		if w.Code != 429 || w.Header().Get("Retry-After") != "42" || authtest.Decode(t, w).Detail != "Request was throttled. Expected available in 42 seconds." {
			t.Fatalf("%s: %d %s %v", p, w.Code, w.Body, w.Header())
		}
	}
	// 429'd attempts are not counted by the hook's caller.
	if e.Throttle.Count() != 3 {
		t.Fatalf("throttle counted %d", e.Throttle.Count())
	}
	// Failed Basic and Token credentials hit the throttle too.
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Header: authtest.Authorization(authtest.Basic("alice", "nope"))}); w.Code != 429 {
		t.Fatalf("basic past the limit: %d", w.Code)
	}
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/health", Header: authtest.Authorization("Token " + strings.Repeat("ab", 32))}); w.Code != 429 {
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
	access, _ := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	key := authtest.TokenLogin(t, e, "alice", "alice-pass-1")
	sid, _ := authtest.SessionLogin(t, e)
	accounts.Deactivate(context.Background(), e.Store, "alice")
	time.Sleep(accounts.MaxUserCacheTTL + 50*time.Millisecond) // the cache bound, as in production
	for name, q := range map[string]authtest.Req{
		"jwt":     {Header: authtest.Bearer(access)},
		"token":   {Header: authtest.Authorization("Token " + key)},
		"session": {Cookies: []*http.Cookie{sid}},
		"basic":   {Header: authtest.Authorization(authtest.Basic("alice", "alice-pass-1"))},
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
	access, _ := authtest.JWTLogin(t, e, "root", "root-pass-1")
	w := e.Do(authtest.Req{Method: "GET", Path: "/auth/me", Header: authtest.Bearer(access)})
	if b := authtest.Decode(t, w); w.Code != 200 || !b.IsStaff || b.Username != "root" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := e.Do(authtest.Req{Method: "GET", Path: "/auth/me"}); w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
		t.Fatalf("anonymous me: %d %v", w.Code, w.Header())
	}
	if err := accounts.ChangePassword(ctx, e.Store, e.Hasher, "nobody", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}
