package classes

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// Logging out everywhere ends the caller's JWT (access and refresh),
// tokens and sessions, and nobody else's; the password still works.
func TestLogoutEverywhere(t *testing.T) {
	s := memstore.New()
	key, _ := jwtauth.HMACKey("", []byte("kit-test-hs256-key-0123456789abcdef"))
	h := password.New(password.Cheap, 0)
	k, err := New(Config{
		JWT:           &jwtauth.Config{Keys: []*jwtauth.Key{key}, Issuer: "blog", Audience: "blog", RefreshIn: "body"},
		Token:         &tokenauth.Config{},
		Session:       &sessionauth.Config{InsecureCookies: true},
		LogoutAllPath: "/auth/sessions/logout-all",
		Hasher:        h,
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
	do := func(method, path, body string, hdr ...string) (int, map[string]any, *httptest.ResponseRecorder) {
		w := httptest.NewRecorder()
		q := httptest.NewRequest(method, path, strings.NewReader(body))
		q.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			q.Header.Set(hdr[i], hdr[i+1])
		}
		r.ServeHTTP(w, q)
		var b map[string]any
		json.Unmarshal(w.Body.Bytes(), &b)
		return w.Code, b, w
	}
	// creds logs user in with every class and returns request headers
	// for each, and the refresh token.
	creds := func(user string) (map[string][]string, string) {
		body := `{"username":"` + user + `","password":"` + user + `-pass-1"}`
		_, jb, _ := do("POST", "/auth/jwt/login", body)
		_, tb, _ := do("POST", "/auth/token/login", body)
		_, _, sw := do("POST", "/auth/session/login", body)
		cookies := sw.Result().Cookies()
		if len(cookies) < 2 {
			t.Fatalf("session login: %v", sw.Header())
		}
		return map[string][]string{
			"jwt":     {"Authorization", "Bearer " + jb["access_token"].(string)},
			"token":   {"Authorization", "Token " + tb["token"].(string)},
			"session": {"Cookie", cookies[0].Name + "=" + cookies[0].Value + "; " + cookies[1].Name + "=" + cookies[1].Value, "X-CSRFToken", cookies[1].Value},
		}, jb["refresh_token"].(string)
	}
	alice, aliceRefresh := creds("alice")
	bob, _ := creds("bob")
	if code, _, _ := do("POST", "/auth/sessions/logout-all", ""); code != 401 {
		t.Fatalf("anonymous logout-all: %d", code)
	}
	if code, b, _ := do("GET", "/auth/sessions/logout-all", "", alice["token"]...); code != 405 {
		t.Fatalf("GET logout-all: %d %v", code, b)
	}
	if code, b, _ := do("POST", "/auth/sessions/logout-all", "", alice["session"]...); code != 200 || b["detail"] != authhttp.MsgLoggedOut {
		t.Fatalf("logout-all: %d %v", code, b)
	}
	for class, hdr := range alice {
		if code, _, _ := do("GET", "/auth/me", "", hdr...); code != 401 {
			t.Errorf("alice's %s after logout-all: %d, want 401", class, code)
		}
	}
	for class, hdr := range bob {
		if code, _, _ := do("GET", "/auth/me", "", hdr...); code != 200 {
			t.Errorf("bob's %s after alice's logout-all: %d, want 200", class, code)
		}
	}
	if code, _, _ := do("POST", "/auth/jwt/refresh", `{"refresh_token":"`+aliceRefresh+`"}`); code != 401 {
		t.Errorf("alice's refresh after logout-all: %d, want 401", code)
	}
	if code, _, _ := do("POST", "/auth/token/login", `{"username":"alice","password":"alice-pass-1"}`); code != 200 {
		t.Errorf("login after logout-all: %d", code)
	}
}
