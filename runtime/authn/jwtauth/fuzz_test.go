package jwtauth

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

func fuzzJWT(f *testing.F) *JWT {
	k, err := HMACKey("", []byte("fuzz-hs256-key-0123456789abcdefgh"))
	if err != nil {
		f.Fatal(err)
	}
	s := memstore.New()
	j, err := New(Config{Keys: []*Key{k}, Issuer: "i", Audience: "a"}, accounts.New(s, password.New(password.Cheap, 0)), s, nil)
	if err != nil {
		f.Fatal(err)
	}
	return j
}

func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"", "Bearer x", "Bearer", "bearer  a ", "Bearer a b", "Token x", "Bearer\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, ok, err := BearerToken(h)
		if !ok && (tok != "" || err != nil) {
			t.Fatal("passed with a value")
		}
		if ok && err == nil && (tok == "" || strings.ContainsAny(tok, " \t")) {
			t.Fatalf("bad token %q accepted", tok)
		}
	})
}

func FuzzParse(f *testing.F) {
	j := fuzzJWT(f)
	u := &authn.User{ID: 7}
	// A deterministic token, so every fuzz worker process agrees on it.
	good, err := j.sign(j.claims(u, TypeAccess, "", "fixed-jti", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)), typAccess)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		for _, typ := range []string{TypeAccess, TypeRefresh} {
			c, uid, err := j.Parse(tok, typ)
			if err != nil {
				continue
			}
			// Only tokens we signed verify; fuzzing cannot forge one, so a
			// success must be the seed itself.
			if tok != good || typ != TypeAccess || uid != 7 || c.TokenType != TypeAccess {
				t.Fatalf("accepted %q as %s", tok, typ)
			}
		}
	})
}

func FuzzRefreshToken(f *testing.F) {
	f.Add("application/json", `{"refresh_token":"abc"}`, "refresh_token=x")
	f.Add("text/plain", `x`, "")
	f.Fuzz(func(t *testing.T, ct, body, cookie string) {
		r := httptest.NewRequest("POST", "/auth/jwt/refresh", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		if tok := RefreshToken(r); len(tok) > MaxTokenLen+256 {
			t.Fatalf("token of %d bytes", len(tok))
		}
	})
}
