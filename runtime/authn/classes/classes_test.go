package classes

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

func TestKit(t *testing.T) {
	s := memstore.New()
	key, _ := jwtauth.HMACKey("", []byte("kit-test-hs256-key-0123456789abcdef"))
	h := password.New(password.Cheap, 0)
	k, err := New(Config{
		JWT:     &jwtauth.Config{Keys: []*jwtauth.Key{key}, Issuer: "blog", Audience: "blog"},
		Token:   &tokenauth.Config{},
		Session: &sessionauth.Config{},
		Basic:   &BasicConfig{},
		Hasher:  h,
	}, Stores{Users: s, Tokens: s, Sessions: s, Families: s})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := k.Chain("jwt", "token", "session", "basic")
	if err != nil || len(chain) != 4 || chain.Challenge() != `Bearer realm="api"` {
		t.Fatal(chain, err)
	}
	if _, err := k.Chain("jwt", "oauth"); err == nil {
		t.Fatal("unknown class accepted")
	}
	accounts.CreateUser(t.Context(), s, h, "alice", "alice-pass-1", false)
	r := chi.NewRouter()
	k.Mount(r, chain)
	for _, p := range []string{"/auth/jwt/login", "/auth/token/login", "/auth/session/login"} {
		w := httptest.NewRecorder()
		q := httptest.NewRequest("POST", p, strings.NewReader(`{"username":"alice","password":"alice-pass-1"}`))
		q.Header.Set("Content-Type", "application/json")
		r.ServeHTTP(w, q)
		if w.Code != 200 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	w := httptest.NewRecorder()
	q := httptest.NewRequest("GET", "/auth/me", nil)
	q.SetBasicAuth("alice", "alice-pass-1")
	r.ServeHTTP(w, q)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"username":"alice"`) {
		t.Fatalf("me: %d %s", w.Code, w.Body)
	}
	// /auth/me authenticates and checks IsAuthenticated before the method
	// (DRF): anonymous or badly authenticated 401, a user 405.
	for _, c := range []struct {
		method, user, pw string
		want             int
	}{
		{"POST", "", "", http.StatusUnauthorized},
		{"DELETE", "alice", "wrong", http.StatusUnauthorized},
		{"POST", "alice", "alice-pass-1", http.StatusMethodNotAllowed},
		{"OPTIONS", "", "", http.StatusOK},
		{"HEAD", "alice", "alice-pass-1", http.StatusOK},
	} {
		w := httptest.NewRecorder()
		q := httptest.NewRequest(c.method, "/auth/me", nil)
		if c.user != "" {
			q.SetBasicAuth(c.user, c.pw)
		}
		r.ServeHTTP(w, q)
		if w.Code != c.want {
			t.Errorf("%s /auth/me as %q: %d, want %d", c.method, c.user, w.Code, c.want)
		}
		if (c.want == http.StatusMethodNotAllowed || c.method == "OPTIONS") && w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("%s /auth/me: Allow %q", c.method, w.Header().Get("Allow"))
		}
		if c.want == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
			t.Errorf("%s /auth/me: WWW-Authenticate %q", c.method, w.Header().Get("WWW-Authenticate"))
		}
	}
	// A JWT class without a family store is refused.
	if _, err := New(Config{JWT: &jwtauth.Config{Keys: []*jwtauth.Key{key}, Issuer: "a", Audience: "a"}}, Stores{Users: s}); err == nil {
		t.Fatal("jwt without families accepted")
	}
}
