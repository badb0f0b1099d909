package classes

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// A user lists their own sessions, tokens and refresh families, with where
// each was made and never a secret, and ends one of them; another user's
// id is 404, as an unknown one.
func TestCredentials(t *testing.T) {
	s := memstore.New()
	key, _ := jwtauth.HMACKey("", []byte("kit-test-hs256-key-0123456789abcdef"))
	h := password.New(password.Cheap, 0)
	k, err := New(Config{
		JWT:            &jwtauth.Config{Keys: []*jwtauth.Key{key}, Issuer: "blog", Audience: "blog", RefreshIn: "body"},
		Token:          &tokenauth.Config{},
		Session:        &sessionauth.Config{InsecureCookies: true},
		SessionsPath:   "/auth/sessions",
		TrustedProxies: 1,
		Hasher:         h,
	}, Stores{Users: s, Tokens: s, Sessions: s, Families: s})
	if err != nil {
		t.Fatal(err)
	}
	chain, _ := k.Chain("jwt", "token", "session")
	r := chi.NewRouter()
	k.Mount(r, chain)
	for _, u := range []string{"alice", "bob"} {
		accounts.CreateUser(t.Context(), s, h, u, u+"-pass-1", false)
	}
	do := func(method, path, body string, hdr ...string) (int, string) {
		w := httptest.NewRecorder()
		q := httptest.NewRequest(method, path, strings.NewReader(body))
		q.Header.Set("Content-Type", "application/json")
		q.Header.Set("User-Agent", "agent/"+path)
		q.Header.Set("X-Forwarded-For", "198.51.100.9")
		for i := 0; i+1 < len(hdr); i += 2 {
			q.Header.Set(hdr[i], hdr[i+1])
		}
		r.ServeHTTP(w, q)
		return w.Code, w.Body.String()
	}
	login := func(user string) (map[string][]string, []string) {
		body := `{"username":"` + user + `","password":"` + user + `-pass-1"}`
		var jb, tb map[string]string
		_, b := do("POST", "/auth/jwt/login", body)
		json.Unmarshal([]byte(b), &jb)
		_, b = do("POST", "/auth/token/login", body)
		json.Unmarshal([]byte(b), &tb)
		w := httptest.NewRecorder()
		q := httptest.NewRequest("POST", "/auth/session/login", strings.NewReader(body))
		q.Header.Set("Content-Type", "application/json")
		r.ServeHTTP(w, q)
		c := w.Result().Cookies()
		return map[string][]string{
			"jwt":     {"Authorization", "Bearer " + jb["access_token"]},
			"token":   {"Authorization", "Token " + tb["token"]},
			"session": {"Cookie", c[0].Name + "=" + c[0].Value + "; " + c[1].Name + "=" + c[1].Value, "X-CSRFToken", c[1].Value},
		}, []string{jb["access_token"], jb["refresh_token"], tb["token"], c[0].Value, c[1].Value}
	}
	alice, secrets := login("alice")
	// A session of alice's that idled out is not listed.
	old := time.Now().Add(-3 * time.Hour)
	if err := s.CreateSession(t.Context(), &store.Session{Hash: []byte("idle"), UserID: 1, CSRFHash: []byte("c"), CreatedAt: old, LastSeen: old}); err != nil {
		t.Fatal(err)
	}
	bob, _ := login("bob")
	list := func(hdr []string) authhttp.CredentialList {
		t.Helper()
		code, b := do("GET", "/auth/sessions", "", hdr...)
		if code != 200 {
			t.Fatalf("GET /auth/sessions: %d %s", code, b)
		}
		for _, sec := range secrets {
			if strings.Contains(b, sec) {
				t.Fatalf("the list shows a secret: %s", b)
			}
		}
		var l authhttp.CredentialList
		if err := json.Unmarshal([]byte(b), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := list(alice["jwt"])
	if len(l.Sessions) != 1 || len(l.Tokens) != 1 || len(l.RefreshFamilies) != 1 {
		t.Fatalf("alice's list: %+v", l)
	}
	// The token was never used (null); the family's last use is its login.
	for kind, c := range map[string]authhttp.Credential{"token": l.Tokens[0], "refresh": l.RefreshFamilies[0]} {
		if c.ClientAddress != "198.51.100.9" || c.UserAgent != "agent//auth/"+map[string]string{"token": "token", "refresh": "jwt"}[kind]+"/login" || c.CreatedAt == nil || (c.LastUsedAt == nil) != (kind == "token") {
			t.Errorf("%s: %+v", kind, c)
		}
	}
	if l.Sessions[0].ClientAddress != "192.0.2.1" || l.Sessions[0].UserAgent != "" {
		t.Errorf("session (no proxy header, no agent): %+v", l.Sessions[0])
	}
	// A token's first use is recorded (then at most once a minute).
	bobs := list(bob["token"])
	if bobs.Tokens[0].LastUsedAt == nil {
		t.Errorf("bob's token after use: %+v", bobs.Tokens[0])
	}
	for _, tc := range []struct {
		name, method, path string
		hdr                []string
		want               int
	}{
		{"anonymous list", "GET", "/auth/sessions", nil, 401},
		{"anonymous delete", "DELETE", "/auth/sessions/token/" + l.Tokens[0].ID, nil, 401},
		{"POST", "POST", "/auth/sessions", alice["token"], 405},
		{"GET one", "GET", "/auth/sessions/token/" + l.Tokens[0].ID, alice["token"], 405},
		{"bob's token", "DELETE", "/auth/sessions/token/" + bobs.Tokens[0].ID, alice["token"], 404},
		{"unknown", "DELETE", "/auth/sessions/token/" + strings.Repeat("0", 24), alice["token"], 404},
		{"wrong kind", "DELETE", "/auth/sessions/session/" + l.Tokens[0].ID, alice["token"], 404},
		{"bad kind", "DELETE", "/auth/sessions/cookie/" + l.Tokens[0].ID, alice["token"], 404},
		{"session without CSRF", "DELETE", "/auth/sessions/token/" + l.Tokens[0].ID, alice["session"][:2], 403},
		{"token", "DELETE", "/auth/sessions/token/" + l.Tokens[0].ID, alice["session"], 204},
		{"token again", "DELETE", "/auth/sessions/token/" + l.Tokens[0].ID, alice["session"], 404},
		{"ended token", "GET", "/auth/me", alice["token"], 401},
		{"session", "DELETE", "/auth/sessions/session/" + l.Sessions[0].ID, alice["jwt"], 204},
		{"ended session", "GET", "/auth/me", alice["session"], 401},
		{"family", "DELETE", "/auth/sessions/refresh/" + l.RefreshFamilies[0].ID, alice["jwt"], 204},
		{"bob untouched", "GET", "/auth/me", bob["token"], 200},
		{"bob's session untouched", "GET", "/auth/me", bob["session"], 200},
	} {
		if code, b := do(tc.method, tc.path, "", tc.hdr...); code != tc.want {
			t.Errorf("%s: %s %s = %d %s, want %d", tc.name, tc.method, tc.path, code, b, tc.want)
		}
	}
	if code, _ := do("POST", "/auth/jwt/refresh", `{"refresh_token":"`+secrets[1]+`"}`); code != 401 {
		t.Errorf("refresh of the ended family: %d, want 401", code)
	}
	if b := list(bob["jwt"]); len(b.Sessions)+len(b.Tokens)+len(b.RefreshFamilies) != 3 {
		t.Errorf("bob's list after alice's revocations: %+v", b)
	}
}
