package jwtauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestKeyFromBytes(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pk8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	pub := func(k any) []byte {
		der, _ := x509.MarshalPKIXPublicKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	for _, tt := range []struct {
		name, alg string
		b         []byte
		ok, sign  bool
	}{
		{"hs256", "HS256", []byte("pem-test-hs256-key-0123456789abcdef"), true, true},
		{"hs256 one repeated byte", "HS256", []byte(strings.Repeat("s", 32)), false, false},
		{"hs256 short", "HS256", []byte("short"), false, false},
		{"ed25519 private", "EdDSA", pk8(ed), true, true},
		{"ed25519 public", "EdDSA", pub(ed.Public()), true, false},
		{"ec private", "ES256", pk8(ec), true, true},
		{"ec public", "ES256", pub(&ec.PublicKey), true, false},
		{"ec key for EdDSA", "EdDSA", pk8(ec), false, false},
		{"ed key for RS256", "RS256", pk8(ed), false, false},
		{"not PEM", "ES256", []byte("nope"), false, false},
	} {
		k, err := KeyFromBytes("k", tt.alg, tt.b)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v", tt.name, err)
			continue
		}
		if err == nil && (k.Alg() != tt.alg || k.CanSign() != tt.sign) {
			t.Errorf("%s: alg %s sign %v", tt.name, k.Alg(), k.CanSign())
		}
	}
}
