package jwtauth

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// fuzzKey signs the fuzz targets' tokens.
var fuzzKey = []byte("fuzz-hs256-key-0123456789abcdefgh")

func fuzzJWT(f *testing.F) *JWT {
	k, err := HMACKey("", fuzzKey)
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
	u := &identity.User{ID: 7}
	// A deterministic token, so every fuzz worker process agrees on it.
	good, err := j.sign(j.claims(u, "", "fixed-jti", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)), typAccess)
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
			if tok != good || typ != TypeAccess || uid != 7 || c.TokenType != "" {
				t.Fatalf("accepted %q as %s", tok, typ)
			}
		}
	})
}

// FuzzClaims signs fuzzed payloads with the right key, so the claims
// decoding itself is fuzzed: whatever Parse accepts has exp, nbf and iat
// (in any letter case) only as JSON numbers.
func FuzzClaims(f *testing.F) {
	j := fuzzJWT(f)
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"at+jwt"}`))
	valid := func(edit string) string {
		return `{"iss":"i","aud":"a","sub":"7","exp":4102444800,"nbf":1700000000,"iat":1700000000,"jti":"x","token_type":"access","pwv":0` + edit + `}`
	}
	for _, e := range []string{"", `,"iat":"1"`, `,"exp":"4102444800"`, `,"nbf":null`, `,"iat":true`,
		`,"exp":[4102444800]`, `,"EXP":"4102444800"`, `,"Nbf":{}`, `,"iat":1.5e9`, `,"exp":-1`} {
		f.Add(valid(e))
	}
	sign := func(payload string) string {
		signing := head + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
		sig, err := jwt.SigningMethodHS256.Sign(signing, fuzzKey)
		if err != nil {
			panic(err) // HS256 over a []byte key cannot fail
		}
		return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	// The target says something only if well-formed claims pass.
	if _, _, err := j.Parse(sign(valid("")), TypeAccess); err != nil {
		f.Fatalf("the valid seed does not parse: %v", err)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		if _, _, err := j.Parse(sign(payload), TypeAccess); err != nil {
			return
		}
		d := json.NewDecoder(strings.NewReader(payload))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("accepted claims that are not a JSON object: %q", payload)
		}
		for k, v := range m {
			if strings.EqualFold(k, "exp") || strings.EqualFold(k, "nbf") || strings.EqualFold(k, "iat") {
				if _, ok := v.(json.Number); !ok {
					t.Fatalf("accepted %s = %#v in %q", k, v, payload)
				}
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

// TestRefreshTokenBody: a JSON body follows the rules of every JSON body
// (package jsonbody): UTF-8 only, declared or not.
func TestRefreshTokenBody(t *testing.T) {
	for _, c := range []struct{ ct, body, want string }{
		{"application/json", `{"refresh_token":"abc"}`, "abc"},
		{"application/json; charset=utf-8", `{"refresh_token":"abc"}`, "abc"},
		{"application/json; charset=latin-1", `{"refresh_token":"abc"}`, ""},
		{"application/json", "{\"refresh_token\":\"ab\xe9\"}", ""},
		{"text/plain", `{"refresh_token":"abc"}`, ""},
	} {
		r := httptest.NewRequest("POST", "/auth/jwt/refresh", strings.NewReader(c.body))
		r.Header.Set("Content-Type", c.ct)
		if got := RefreshToken(r); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.ct, c.body, got, c.want)
		}
	}
}
