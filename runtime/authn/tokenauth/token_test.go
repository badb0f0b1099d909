package tokenauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/store"
)

func TestTokenClass(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	e.User(t, "off", "off-pass-1", false)
	e.User(t, "chg", "chg-pass-1", false)
	k1 := authtest.TokenLogin(t, e, "alice", "alice-pass-1")
	k2 := authtest.TokenLogin(t, e, "alice", "alice-pass-1")
	if k1 == k2 || len(k1) != tokenauth.KeyLen {
		t.Fatalf("keys %q %q", k1, k2)
	}
	// Only hashes are stored.
	if _, err := e.Store.TokenByHash(context.Background(), []byte(k1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("raw key stored")
	}
	// Logout deletes only the presented token.
	if w := e.Do(authtest.Req{Method: "POST", Path: "/auth/token/logout", Header: authtest.Authorization("Token " + k1)}); w.Code != 204 {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	offKey := authtest.TokenLogin(t, e, "off", "off-pass-1")
	chgKey := authtest.TokenLogin(t, e, "chg", "chg-pass-1")
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
			w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Authorization(tt.header)})
			b := authtest.Decode(t, w)
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
	w := e.Do(authtest.Req{Method: "POST", Path: "/auth/token/logout", Header: authtest.Authorization("Token " + k1)})
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != "Token" {
		t.Fatalf("logout with a dead token: %d %v", w.Code, w.Header())
	}
}

func TestTokenExpiry(t *testing.T) {
	e := authtest.New(t, authtest.Options{TokenTTL: time.Nanosecond})
	e.User(t, "alice", "alice-pass-1", false)
	k := authtest.TokenLogin(t, e, "alice", "alice-pass-1")
	time.Sleep(time.Millisecond)
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Authorization("Token " + k)}); w.Code != 401 {
		t.Fatalf("expired token: %d", w.Code)
	}
}
