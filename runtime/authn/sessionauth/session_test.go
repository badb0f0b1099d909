package sessionauth_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/store"
)

func TestSessionClass(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	sid, csrf := authtest.SessionLogin(t, e)
	if !sid.HttpOnly || !sid.Secure || sid.SameSite != http.SameSiteLaxMode || sid.Path != "/" {
		t.Fatalf("sessionid cookie %+v", sid)
	}
	if csrf.HttpOnly || !csrf.Secure || csrf.SameSite != http.SameSiteLaxMode {
		t.Fatalf("csrftoken cookie %+v", csrf)
	}
	// Session fixation: a sessionid the client presents at login is not
	// adopted, and a live one is ended.
	fixed := &http.Cookie{Name: "sessionid", Value: strings.Repeat("A", 43)}
	sid2, csrf2 := authtest.SessionLogin(t, e, fixed)
	if sid2.Value == fixed.Value || sid2.Value == sid.Value {
		t.Fatal("session id adopted")
	}
	sid3, _ := authtest.SessionLogin(t, e, sid2)
	if sid3.Value == sid2.Value {
		t.Fatal("re-login kept the session id")
	}
	csrf3 := csrf2 // belongs to the ended session sid2
	_, csrfOther := authtest.SessionLogin(t, e)

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
			b := authtest.Decode(t, w)
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
			sid, _ := authtest.SessionLogin(t, e)
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

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
