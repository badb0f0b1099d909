package jwtauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/store"
)

// claims returns valid access-token claims for uid; tests then spoil one.

func claims(uid int64) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": authtest.Issuer, "aud": authtest.Audience, "sub": strconv.FormatInt(uid, 10),
		"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
		"jti": "j1", "token_type": "access", "pwv": 0,
	}
}

func forge(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims, hdr map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	tok.Header["typ"] = "at+jwt"
	for k, v := range hdr {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	d := jwt.MapClaims{}
	for a, b := range c {
		d[a] = b
	}
	if v == nil {
		delete(d, k)
	} else {
		d[k] = v
	}
	return d
}

func TestJWTLoginShape(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	w := e.Login("/auth/jwt/login", "alice", "alice-pass-1")
	b := authtest.Decode(t, w)
	if w.Code != 200 || b.TokenType != "Bearer" || b.ExpiresIn != 300 || b.AccessToken == "" || b.Refresh != "" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("no Cache-Control: no-store")
	}
	sc := w.Header().Get("Set-Cookie")
	for _, want := range []string{"refresh_token=", "Path=/auth/jwt", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	// The access token authenticates.
	w = e.Do(authtest.Req{Method: "GET", Path: "/auth/me", Header: authtest.Bearer(b.AccessToken)})
	if m := authtest.Decode(t, w); w.Code != 200 || m.Username != "alice" || m.ID != 1 || m.IsStaff {
		t.Fatalf("me: %d %s", w.Code, w.Body)
	}
	// Header and claims as documented.
	p, _, err := jwt.NewParser().ParseUnverified(b.AccessToken, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Claims.(jwt.MapClaims)
	if p.Header["typ"] != "at+jwt" || p.Header["alg"] != "HS256" || c["sub"] != "1" || c["aud"] != authtest.Audience || c["iss"] != authtest.Issuer {
		t.Fatalf("header %v claims %v", p.Header, c)
	}
	// Compact: the type in the header only, no nbf (= iat), no jti (the
	// family tells the token apart), pwv 0 left out.
	var keys []string
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if got := strings.Join(keys, " "); got != "aud exp fam iat iss sub" {
		t.Errorf("claims %s, want aud exp fam iat iss sub", got)
	}
	// At most simplejwt's access token for the same user (228 bytes).
	if len(b.AccessToken) > 228 {
		t.Errorf("access token of %d bytes, simplejwt's is 228", len(b.AccessToken))
	}
}

// oldToken signs claims in the form Ward wrote before the compact one:
// aud an array, nbf, jti and token_type on every token.
func oldToken(t *testing.T, key []byte, typ string, uid int64, fam, jti string, exp time.Duration) string {
	t.Helper()
	now := time.Now()
	c := jwt.MapClaims{
		"iss": authtest.Issuer, "aud": []string{authtest.Audience}, "sub": strconv.FormatInt(uid, 10),
		"exp": now.Add(exp).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
		"jti": jti, "token_type": typ, "pwv": 0,
	}
	if fam != "" {
		c["fam"] = fam
	}
	h := map[string]any{"typ": "at+jwt"}
	if typ == jwtauth.TypeRefresh {
		h["typ"] = "rt+jwt"
	}
	return forge(t, jwt.SigningMethodHS256, key, c, h)
}

// Tokens issued before the compact form keep working until they expire:
// an access token (5 minutes) and a refresh token (its family's lifetime),
// with every check they had.
func TestJWTTokensBeforeCompact(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	uid := e.User(t, "alice", "alice-pass-1", false)
	ctx := context.Background()
	// A family as the old code made it: a 22-character id, the jti's hash.
	const fam, jti = "AAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBB"
	h := sha256.Sum256([]byte(jti))
	if err := e.Store.CreateFamily(ctx, &store.Family{ID: fam, UserID: uid, Current: h[:], ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	access := oldToken(t, e.Key, jwtauth.TypeAccess, uid, fam, "CCCC", 5*time.Minute)
	if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Bearer(access)}); w.Code != 200 {
		t.Fatalf("old access token: %d %s", w.Code, w.Body)
	}
	if w := refresh(e, &http.Cookie{Name: jwtauth.CookieName, Value: access}); w.Code != 401 {
		t.Errorf("old access token as refresh: %d", w.Code)
	}
	for name, tok := range map[string]string{
		"old refresh token as access": oldToken(t, e.Key, jwtauth.TypeRefresh, uid, fam, jti, time.Hour),
		"old access token, expired":   oldToken(t, e.Key, jwtauth.TypeAccess, uid, fam, "CCCC", -time.Minute),
	} {
		if w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Bearer(tok)}); w.Code != 401 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	old := oldToken(t, e.Key, jwtauth.TypeRefresh, uid, fam, jti, time.Hour)
	w := refresh(e, &http.Cookie{Name: jwtauth.CookieName, Value: old})
	if w.Code != 200 {
		t.Fatalf("old refresh token: %d %s", w.Code, w.Body)
	}
	// The rotation answers compact tokens in the same family, and the old
	// token, now rotated, is reuse (after the grace).
	if a := authtest.Decode(t, w).AccessToken; e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Bearer(a)}).Code != 200 {
		t.Fatal("access token of a rotated old family refused")
	}
}

func TestJWTBodyRefresh(t *testing.T) {
	e := authtest.New(t, authtest.Options{RefreshIn: "body"})
	e.User(t, "alice", "alice-pass-1", false)
	w := e.Login("/auth/jwt/login", "alice", "alice-pass-1")
	b := authtest.Decode(t, w)
	if b.Refresh == "" || authtest.Cookie(w, jwtauth.CookieName) != nil {
		t.Fatalf("body mode: %s, cookies %v", w.Body, w.Result().Cookies())
	}
	w = e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/refresh", Header: authtest.JSON, Body: `{"refresh_token":"` + b.Refresh + `"}`})
	if w.Code != 200 || authtest.Decode(t, w).Refresh == "" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestJWTAccessAttacks(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	uid := e.User(t, "alice", "alice-pass-1", false)
	off := e.User(t, "off", "off-pass-1", false)
	chg := e.User(t, "chg", "chg-pass-1", false)
	offTok, _ := authtest.JWTLogin(t, e, "off", "off-pass-1")
	chgTok, _ := authtest.JWTLogin(t, e, "chg", "chg-pass-1")
	_, refresh := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	ctx := context.Background()
	if err := accounts.Deactivate(ctx, e.Store, "off"); err != nil {
		t.Fatal(err)
	}
	if err := accounts.ChangePassword(ctx, e.Store, e.Hasher, "chg", "chg-pass-2"); err != nil {
		t.Fatal(err)
	}
	// The user cache holds entries for at most a second.
	for _, id := range []int64{off, chg} {
		e.Acc.Dir.Forget(id)
	}
	hs := jwt.SigningMethodHS256
	good := claims(uid)
	valid := forge(t, hs, e.Key, good, nil)
	noneTok := forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good, nil)
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(mustJSON(t, with(good, "sub", "2"))) + "." + parts[2]

	tests := []struct {
		name   string
		header string
		code   int
		detail string
	}{
		{"valid", "Bearer " + valid, 200, ""},
		{"lower-case scheme", "bearer " + valid, 200, ""},
		{"alg none", "Bearer " + noneTok, 401, jwtauth.MsgNotValid},
		{"wrong key", "Bearer " + forge(t, hs, []byte(strings.Repeat("x", 32)), good, nil), 401, jwtauth.MsgNotValid},
		{"HS512 where HS256 is pinned", "Bearer " + forge(t, jwt.SigningMethodHS512, e.Key, good, nil), 401, jwtauth.MsgNotValid},
		{"expired", "Bearer " + forge(t, hs, e.Key, with(good, "exp", time.Now().Add(-time.Minute).Unix()), nil), 401, jwtauth.MsgNotValid},
		{"no exp", "Bearer " + forge(t, hs, e.Key, with(good, "exp", nil), nil), 401, jwtauth.MsgNotValid},
		{"nbf in the future", "Bearer " + forge(t, hs, e.Key, with(good, "nbf", time.Now().Add(time.Hour).Unix()), nil), 401, jwtauth.MsgNotValid},
		{"iat in the future", "Bearer " + forge(t, hs, e.Key, with(good, "iat", time.Now().Add(time.Hour).Unix()), nil), 401, jwtauth.MsgNotValid},
		{"tampered payload", "Bearer " + tampered, 401, jwtauth.MsgNotValid},
		// NumericDate claims must be JSON numbers (RFC 7519 §2), whatever
		// else golang-jwt's NumericDate would read.
		{"iat a string", "Bearer " + forge(t, hs, e.Key, with(good, "iat", "1"), nil), 401, jwtauth.MsgNotValid},
		{"exp a numeric string", "Bearer " + forge(t, hs, e.Key, with(good, "exp", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)), nil), 401, jwtauth.MsgNotValid},
		{"nbf a numeric string", "Bearer " + forge(t, hs, e.Key, with(good, "nbf", "1"), nil), 401, jwtauth.MsgNotValid},
		{"EXP (another case) a string beside exp", "Bearer " + forge(t, hs, e.Key, with(good, "EXP", "4102444800"), nil), 401, jwtauth.MsgNotValid},
		{"iat a boolean", "Bearer " + forge(t, hs, e.Key, with(good, "iat", true), nil), 401, jwtauth.MsgNotValid},
		{"exp an array", "Bearer " + forge(t, hs, e.Key, with(good, "exp", []int64{time.Now().Add(time.Hour).Unix()}), nil), 401, jwtauth.MsgNotValid},
		{"exp an object", "Bearer " + forge(t, hs, e.Key, with(good, "exp", map[string]int{"n": 1}), nil), 401, jwtauth.MsgNotValid},
		{"nbf null", "Bearer " + forge(t, hs, e.Key, with(good, "nbf", json.RawMessage("null")), nil), 401, jwtauth.MsgNotValid},
		{"iat null", "Bearer " + forge(t, hs, e.Key, with(good, "iat", json.RawMessage("null")), nil), 401, jwtauth.MsgNotValid},
		{"exp null", "Bearer " + forge(t, hs, e.Key, with(good, "exp", json.RawMessage("null")), nil), 401, jwtauth.MsgNotValid},
		{"exp a float", "Bearer " + forge(t, hs, e.Key, with(good, "exp", float64(time.Now().Add(time.Hour).Unix())+0.5), nil), 200, ""},
		{"wrong iss", "Bearer " + forge(t, hs, e.Key, with(good, "iss", "evil"), nil), 401, jwtauth.MsgNotValid},
		{"wrong aud", "Bearer " + forge(t, hs, e.Key, with(good, "aud", "other"), nil), 401, jwtauth.MsgNotValid},
		{"no jti", "Bearer " + forge(t, hs, e.Key, with(good, "jti", nil), nil), 401, jwtauth.MsgNotValid},
		// The compact form: no nbf, no token_type (the typ header says it).
		{"compact: no nbf, no token_type", "Bearer " + forge(t, hs, e.Key, with(with(good, "nbf", nil), "token_type", nil), nil), 200, ""},
		{"compact: no token_type, typ of a refresh token", "Bearer " + forge(t, hs, e.Key, with(good, "token_type", nil), map[string]any{"typ": "rt+jwt"}), 401, jwtauth.MsgNotValid},
		{"compact: no token_type, no typ", "Bearer " + forge(t, hs, e.Key, with(good, "token_type", nil), map[string]any{"typ": nil}), 401, jwtauth.MsgNotValid},
		{"compact: no iat", "Bearer " + forge(t, hs, e.Key, with(with(good, "nbf", nil), "iat", nil), nil), 401, jwtauth.MsgNotValid},
		{"compact: no jti, a family that was never issued", "Bearer " + forge(t, hs, e.Key, with(with(good, "jti", nil), "fam", "AAAAAAAAAAAAAAAA"), nil), 401, jwtauth.MsgNotValid},
		{"refresh claim as access", "Bearer " + forge(t, hs, e.Key, with(good, "token_type", "refresh"), nil), 401, jwtauth.MsgNotValid},
		{"typ header of a refresh token", "Bearer " + forge(t, hs, e.Key, good, map[string]any{"typ": "rt+jwt"}), 401, jwtauth.MsgNotValid},
		{"no typ header", "Bearer " + forge(t, hs, e.Key, good, map[string]any{"typ": nil}), 401, jwtauth.MsgNotValid},
		{"unknown kid", "Bearer " + forge(t, hs, e.Key, good, map[string]any{"kid": "k9"}), 401, jwtauth.MsgNotValid},
		{"refresh token as access", "Bearer " + refresh.Value, 401, jwtauth.MsgNotValid},
		{"inactive user", "Bearer " + offTok, 401, jwtauth.MsgUserInactive},
		{"password changed", "Bearer " + chgTok, 401, jwtauth.MsgNotValid},
		{"unknown user", "Bearer " + forge(t, hs, e.Key, with(good, "sub", "999"), nil), 401, jwtauth.MsgUserNotFound},
		{"sub not a number", "Bearer " + forge(t, hs, e.Key, with(good, "sub", "alice"), nil), 401, jwtauth.MsgNotValid},
		{"old password version", "Bearer " + forge(t, hs, e.Key, with(claims(chg), "pwv", 0), nil), 401, jwtauth.MsgNotValid},
		{"garbage", "Bearer abc.def.ghi", 401, jwtauth.MsgNotValid},
		{"malformed: no token", "Bearer", 401, jwtauth.MsgTwoValues},
		{"malformed: two values", "Bearer a b", 401, jwtauth.MsgTwoValues},
		{"16 KB header", "Bearer " + strings.Repeat("a", 16<<10), 401, jwtauth.MsgNotValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/private", "/api/health"} {
				w := e.Do(authtest.Req{Method: "GET", Path: path, Header: map[string]string{"Authorization": tt.header}})
				b := authtest.Decode(t, w)
				if w.Code != tt.code {
					t.Fatalf("%s: %d %s, want %d", path, w.Code, w.Body, tt.code)
				}
				if tt.code == 401 {
					if b.Detail != tt.detail {
						t.Errorf("%s: detail %q, want %q", path, b.Detail, tt.detail)
					}
					if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="api"` {
						t.Errorf("%s: WWW-Authenticate %q", path, got)
					}
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJWTAlgorithmsAndConfusion(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	rk, err := jwtauth.RSAKey("r1", rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := jwtauth.ECDSAKey("e1", ecKey)
	dk, _ := jwtauth.Ed25519Key("d1", edKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	for _, tc := range []struct {
		key    *jwtauth.Key
		method jwt.SigningMethod
		priv   any
	}{
		{rk, jwt.SigningMethodRS256, rsaKey},
		{ek, jwt.SigningMethodES256, ecKey},
		{dk, jwt.SigningMethodEdDSA, edKey},
	} {
		t.Run(tc.key.Alg(), func(t *testing.T) {
			e := authtest.New(t, authtest.Options{Keys: []*jwtauth.Key{tc.key}})
			uid := e.User(t, "alice", "alice-pass-1", false)
			access, _ := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
			c := claims(uid)
			kid := map[string]any{"kid": tc.key.ID}
			rows := []struct {
				name string
				tok  string
				code int
			}{
				{"issued by login", access, 200},
				{"forged with the private key", forge(t, tc.method, tc.priv, c, kid), 200},
				{"HS256 keyed with the RSA public key PEM", forge(t, jwt.SigningMethodHS256, pubPEM, c, kid), 401},
				{"HS256 keyed with the public key DER", forge(t, jwt.SigningMethodHS256, pubDER, c, kid), 401},
				{"no kid", forge(t, tc.method, tc.priv, c, map[string]any{"kid": nil}), 401},
				{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, c, kid), 401},
			}
			for _, row := range rows {
				w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Bearer(row.tok)})
				if w.Code != row.code {
					t.Errorf("%s: %d %s, want %d", row.name, w.Code, w.Body, row.code)
				}
			}
		})
	}
}

func TestJWTKeyRotation(t *testing.T) {
	oldK, _ := jwtauth.HMACKey("2025", []byte("old-hs256-key-2025-0123456789abcdef"))
	newK, _ := jwtauth.HMACKey("2026", []byte("new-hs256-key-2026-0123456789abcdef"))
	e := authtest.New(t, authtest.Options{Keys: []*jwtauth.Key{newK, oldK}})
	uid := e.User(t, "alice", "alice-pass-1", false)
	c := claims(uid)
	access, _ := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	p, _, _ := jwt.NewParser().ParseUnverified(access, jwt.MapClaims{})
	if p.Header["kid"] != "2026" {
		t.Fatalf("signed with kid %v, want 2026", p.Header["kid"])
	}
	for _, row := range []struct {
		name string
		tok  string
		code int
	}{
		{"old key, old kid", forge(t, jwt.SigningMethodHS256, []byte("old-hs256-key-2025-0123456789abcdef"), c, map[string]any{"kid": "2025"}), 200},
		{"old key, new kid", forge(t, jwt.SigningMethodHS256, []byte("old-hs256-key-2025-0123456789abcdef"), c, map[string]any{"kid": "2026"}), 401},
		{"kid not a string", forge(t, jwt.SigningMethodHS256, []byte("new-hs256-key-2026-0123456789abcdef"), c, map[string]any{"kid": 2026}), 401},
	} {
		w := e.Do(authtest.Req{Method: "GET", Path: "/api/private", Header: authtest.Bearer(row.tok)})
		if w.Code != row.code {
			t.Errorf("%s: %d, want %d", row.name, w.Code, row.code)
		}
	}
}

func TestJWTConfigRefusals(t *testing.T) {
	if _, err := jwtauth.HMACKey("", make([]byte, 31)); err == nil || !strings.Contains(err.Error(), "at least 32 bytes") {
		t.Errorf("31-byte key: %v", err)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := jwtauth.RSAKey("", small); err == nil {
		t.Error("1024-bit RSA accepted")
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := jwtauth.ECDSAKey("", p384); err == nil {
		t.Error("P-384 accepted for ES256")
	}
	k, _ := jwtauth.HMACKey("", []byte("refusals-hs256-key-0123456789abcdef"))
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	vk, _ := jwtauth.Ed25519PublicKey("v", pub)
	for name, cfg := range map[string]jwtauth.Config{
		"no keys":         {Issuer: "a", Audience: "a"},
		"no issuer":       {Keys: []*jwtauth.Key{k}, Audience: "a"},
		"verify-only key": {Keys: []*jwtauth.Key{vk}, Issuer: "a", Audience: "a"},
		"bad RefreshIn":   {Keys: []*jwtauth.Key{k}, Issuer: "a", Audience: "a", RefreshIn: "header"},
		"duplicate kid":   {Keys: []*jwtauth.Key{k, k}, Issuer: "a", Audience: "a"},
	} {
		if _, err := jwtauth.New(cfg, nil, nil, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func refresh(e *authtest.Env, c *http.Cookie) *httptest.ResponseRecorder {
	var cs []*http.Cookie
	if c != nil {
		cs = []*http.Cookie{c}
	}
	return e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/refresh", Cookies: cs})
}

func TestJWTRefreshRotation(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	_, r0 := authtest.JWTLogin(t, e, "alice", "alice-pass-1")

	w := refresh(e, r0)
	b := authtest.Decode(t, w)
	if w.Code != 200 || w.Header().Get("Authorization") != "Bearer "+b.AccessToken || b.ExpiresIn != 300 {
		t.Fatalf("refresh: %d %s %v", w.Code, w.Body, w.Header())
	}
	r1 := authtest.Cookie(w, jwtauth.CookieName)
	if r1 == nil || r1.Value == r0.Value {
		t.Fatal("refresh token not rotated")
	}
	if w := e.Do(authtest.Req{Method: "GET", Path: "/auth/me", Header: authtest.Bearer(b.AccessToken)}); w.Code != 200 {
		t.Fatalf("new access: %d", w.Code)
	}
	// Reuse of r0: 401 and the family dies, so r1 fails as well.
	if w := refresh(e, r0); w.Code != 401 || authtest.Decode(t, w).Code != "token_not_valid" {
		t.Fatalf("reuse: %d %s", w.Code, w.Body)
	}
	if w := refresh(e, r1); w.Code != 401 {
		t.Fatalf("family survived reuse: %d", w.Code)
	}
}

func TestJWTRefreshAttacks(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	e.User(t, "bob", "bob-pass-1", false)
	e.User(t, "carol", "carol-pass-1", false)
	ctx := context.Background()

	aliceAccess, aliceR := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	if w := e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/logout", Header: authtest.Bearer(aliceAccess), Cookies: []*http.Cookie{aliceR}}); w.Code != 204 {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	} else if c := authtest.Cookie(w, jwtauth.CookieName); c == nil || c.MaxAge >= 0 || !strings.Contains(w.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout did not clear the cookie: %v", w.Header())
	}
	_, bobR := authtest.JWTLogin(t, e, "bob", "bob-pass-1")
	accounts.ChangePassword(ctx, e.Store, e.Hasher, "bob", "bob-pass-2")
	_, carolR := authtest.JWTLogin(t, e, "carol", "carol-pass-1")
	accounts.Deactivate(ctx, e.Store, "carol")
	carolAccess, _ := authtest.JWTLogin(t, e, "alice", "alice-pass-1") // an access token as refresh

	for _, tt := range []struct {
		name string
		c    *http.Cookie
	}{
		{"after logout", aliceR},
		{"after a password change", bobR},
		{"inactive user", carolR},
		{"access token as refresh", &http.Cookie{Name: jwtauth.CookieName, Value: carolAccess}},
		{"unknown token", &http.Cookie{Name: jwtauth.CookieName, Value: "x.y.z"}},
		{"no token", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := refresh(e, tt.c)
			if w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
				t.Errorf("challenge %q", w.Header().Get("WWW-Authenticate"))
			}
			if w.Code != 401 || authtest.Decode(t, w).Code != "token_not_valid" {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
	// Refresh ignores Authorization: a valid Bearer does not stand in.
	w := e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/refresh", Header: authtest.Bearer(carolAccess)})
	if w.Code != 401 {
		t.Fatalf("refresh with only a Bearer: %d", w.Code)
	}
	// Logout needs the access token.
	_, r := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	if w := e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/logout", Cookies: []*http.Cookie{r}}); w.Code != 401 {
		t.Fatalf("logout without access token: %d", w.Code)
	}
}

func TestJWTConcurrentRefreshOneWins(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	_, r0 := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	const n = 16
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = refresh(e, r0).Code
		}()
	}
	wg.Wait()
	wins := 0
	for _, c := range codes {
		if c == 200 {
			wins++
		} else if c != 401 {
			t.Errorf("status %d", c)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent refreshes won, want exactly 1 (%v)", wins, codes)
	}
}

func TestJWTBackendDownFailsClosed(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	access, r := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	e.Acc.Dir.Forget(1)
	e.Store.SetUnavailable(true)
	for _, q := range []authtest.Req{
		{Method: "GET", Path: "/api/private", Header: authtest.Bearer(access)},
		{Method: "GET", Path: "/api/health", Header: authtest.Bearer(access)},
		{Method: "POST", Path: "/auth/jwt/refresh", Cookies: []*http.Cookie{r}},
		{Method: "POST", Path: "/auth/jwt/login", Header: authtest.JSON, Body: `{"username":"alice","password":"alice-pass-1"}`},
	} {
		w := e.Do(q)
		if w.Code != 503 || strings.Contains(w.Body.String(), "store") {
			t.Errorf("%s %s: %d %s, want 503 without internals", q.Method, q.Path, w.Code, w.Body)
		}
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	keys := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := jwtauth.LoadOrCreateKey(dir)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for i := range keys {
		if len(keys[i]) != 32 || string(keys[i]) != string(keys[0]) {
			t.Fatalf("racing loaders got different keys")
		}
	}
	st, _ := statMode(dir)
	if st != 0o600 {
		t.Fatalf("key file mode %o, want 600", st)
	}
	t.Setenv("WARD_TEST_KEY", "short")
	if _, err := jwtauth.KeyFromEnv("WARD_TEST_KEY", dir); err == nil || !strings.Contains(err.Error(), "WARD_TEST_KEY: HS256 key must be at least 32 bytes") {
		t.Fatalf("short env key: %v", err)
	}
	t.Setenv("WARD_TEST_KEY", "env-hs256-key-0123456789abcdefghijkl")
	if k, err := jwtauth.KeyFromEnv("WARD_TEST_KEY", dir); err != nil || string(k) != "env-hs256-key-0123456789abcdefghijkl" {
		t.Fatal(k, err)
	}
}

func TestJWTLogoutKillsAccessTokens(t *testing.T) {
	e := authtest.New(t, authtest.Options{})
	e.User(t, "alice", "alice-pass-1", false)
	// A second instance over the same store, with its own caches.
	other, err := jwtauth.New(e.JWT.Config(), accounts.New(e.Store, e.Hasher), e.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherReq := func(tok string) error {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		_, err := other.Authenticate(r)
		return err
	}
	me := func(tok string) int {
		return e.Do(authtest.Req{Method: "GET", Path: "/auth/me", Header: authtest.Bearer(tok)}).Code
	}

	access, r := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	keep, _ := authtest.JWTLogin(t, e, "alice", "alice-pass-1") // another family
	if me(access) != 200 || otherReq(access) != nil {
		t.Fatal("fresh access token refused")
	}
	if w := e.Do(authtest.Req{Method: "POST", Path: "/auth/jwt/logout", Header: authtest.Bearer(access), Cookies: []*http.Cookie{r}}); w.Code != 204 {
		t.Fatalf("logout %d", w.Code)
	}
	if me(access) != 401 {
		t.Fatal("access token alive on the instance that logged out")
	}
	if me(keep) != 200 {
		t.Fatal("logout killed another family's access token")
	}
	time.Sleep(accounts.MaxUserCacheTTL + 50*time.Millisecond)
	if err := otherReq(access); err == nil {
		t.Fatal("access token alive on another instance after 1 s")
	}

	// Reuse detection kills the access tokens of the family too.
	_, r0 := authtest.JWTLogin(t, e, "alice", "alice-pass-1")
	w := refresh(e, r0)
	a1 := authtest.Decode(t, w).AccessToken
	if me(a1) != 200 {
		t.Fatal("rotated access refused")
	}
	refresh(e, r0) // reuse
	if me(a1) != 401 {
		t.Fatal("access token survived reuse revocation")
	}
}

func statMode(dir string) (os.FileMode, error) {
	st, err := os.Stat(filepath.Join(dir, jwtauth.KeyFileName))
	if err != nil {
		return 0, err
	}
	return st.Mode().Perm(), nil
}
