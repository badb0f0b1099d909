package jwtauth_test

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/identity"
)

// simplejwtAccessLen is the length of simplejwt 5's access token for the
// blog's alice (user id 1, HS256, its default claims: token_type, exp,
// iat, jti of 32 hex digits, user_id).
const simplejwtAccessLen = 228

// beforeClaims is the encoder Ward used before the compact form, kept to
// measure against: aud an array, nbf equal to iat, a 128-bit jti, the type
// in token_type as well as in the typ header, pwv even when 0, and a
// 128-bit family id.
type beforeClaims struct {
	jwt.RegisteredClaims
	TokenType       string `json:"token_type"`
	PasswordVersion int64  `json:"pwv"`
	Family          string `json:"fam,omitempty"`
}

func beforeAccess(tb testing.TB, key []byte, uid int64, fam string) string {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, beforeClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: authtest.Issuer, Subject: "1", Audience: jwt.ClaimStrings{authtest.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)), NotBefore: jwt.NewNumericDate(now),
			IssuedAt: jwt.NewNumericDate(now), ID: "0123456789abcdefghijkl",
		},
		TokenType: jwtauth.TypeAccess, Family: fam,
	})
	t.Header["typ"] = "at+jwt"
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// tokens returns the blog's alice's access token before and after the
// compact form, both valid for e.
func tokens(tb testing.TB) (e *authtest.Env, before, after string) {
	e = authtest.New(tb, authtest.Options{})
	e.User(tb, "alice", "alice-pass-1", false)
	p, err := e.JWT.NewFamily(context.Background(), &identity.User{ID: 1, IsActive: true})
	if err != nil {
		tb.Fatal(err)
	}
	return e, beforeAccess(tb, e.Key, 1, "0123456789abcdefghijkl"), p.Access
}

func TestAccessTokenSize(t *testing.T) {
	e, before, after := tokens(t)
	for _, tok := range []string{before, after} {
		if _, uid, err := e.JWT.Parse(tok, jwtauth.TypeAccess); err != nil || uid != 1 {
			t.Fatalf("%s: %v", tok, err)
		}
	}
	t.Logf("access token bytes: before %d, after %d, simplejwt %d", len(before), len(after), simplejwtAccessLen)
	if len(after) > simplejwtAccessLen {
		t.Errorf("access token of %d bytes, more than simplejwt's %d", len(after), simplejwtAccessLen)
	}
}

// BenchmarkVerify measures the verification of alice's access token
// (signature and every claim check, no cache) before and after the compact
// form, and reports its size.
func BenchmarkVerify(b *testing.B) {
	e, before, after := tokens(b)
	for _, c := range []struct{ name, tok string }{{"before", before}, {"after", after}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(c.tok)), "bytes")
			for i := 0; i < b.N; i++ {
				if _, _, err := e.JWT.Parse(c.tok, jwtauth.TypeAccess); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
