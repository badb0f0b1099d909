package basicauth_test

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/basicauth"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/drf"
)

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
		{"valid", authtest.Basic("alice", "alice-pass-1"), 200, ""},
		{"password with a colon", authtest.Basic("alice", "alice-pass-1:"), 401, drf.InvalidCredentials},
		{"wrong password", authtest.Basic("alice", "nope"), 401, drf.InvalidCredentials},
		{"unknown user", authtest.Basic("mallory", "alice-pass-1"), 401, drf.InvalidCredentials},
		{"inactive user", authtest.Basic("off", "off-pass-1"), 401, drf.InvalidCredentials},
		{"no credentials", "Basic", 401, basicauth.MsgNoCredentials},
		{"spaces", "Basic a b", 401, basicauth.MsgSpaces},
		{"not base64", "Basic !!!", 401, basicauth.MsgBadBase64},
		{"no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice")), 401, basicauth.MsgBadBase64},
		{"NUL in the username", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice\x00:alice-pass-1")), 401, basicauth.MsgBadBase64},
		{"16 KB header", "Basic " + strings.Repeat("QUFB", 4<<10), 401, basicauth.MsgBadBase64},
		{"unknown scheme is anonymous", "Digest username=alice", 401, drf.NotAuthenticated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Authorization(tt.header)})
			b := authtest.Decode(t, w)
			if w.Code != tt.code || (tt.code != 200 && b.Detail != tt.detail) {
				t.Fatalf("%d %s, want %d %q", w.Code, w.Body, tt.code, tt.detail)
			}
		})
	}
	// A Basic-first chain challenges with Basic.
	w := httptest.NewRecorder()
	authn.Chain{e.Basic, e.JWT}.Unauthenticated(w)
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Basic realm="api"` {
		t.Fatalf("basic challenge: %d %v", w.Code, w.Header())
	}
	// A session-first chain has no challenge: 401 becomes 403.
	w = httptest.NewRecorder()
	authn.Chain{e.Sessions, e.Basic}.Unauthenticated(w)
	if w.Code != 403 || w.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("session-first: %d %v", w.Code, w.Header())
	}
}
