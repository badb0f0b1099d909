package jwtauth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// MinHMACKeyLen is the shortest HS256 key accepted, in bytes (RFC 7518
// §3.2: a key at least as long as the hash output).
const MinHMACKeyLen = 32

// MinHMACKeyDistinct is the fewest distinct bytes an HS256 key may hold: a
// key of one repeated character, of spaces, or of a short pattern repeated
// is refused however long it is.
const MinHMACKeyDistinct = 8

// MakeKeyHint tells the operator how to make an acceptable HS256 key.
const MakeKeyHint = "make one with `openssl rand -base64 48`"

// CheckHMACSecret reports why secret is not an acceptable HS256 key: shorter
// than MinHMACKeyLen, whitespace only, or made of fewer than
// MinHMACKeyDistinct distinct bytes. The error says how to make a key.
func CheckHMACSecret(secret []byte) error {
	if len(secret) < MinHMACKeyLen {
		return fmt.Errorf("HS256 key must be at least %d bytes, got %d: %s", MinHMACKeyLen, len(secret), MakeKeyHint)
	}
	if len(bytes.TrimSpace(secret)) == 0 {
		return fmt.Errorf("HS256 key is only whitespace: %s", MakeKeyHint)
	}
	var seen [256]bool
	distinct := 0
	for _, b := range secret {
		if !seen[b] {
			seen[b] = true
			distinct++
		}
	}
	if distinct < MinHMACKeyDistinct {
		return fmt.Errorf("HS256 key is too weak: %d distinct bytes, want at least %d: %s", distinct, MinHMACKeyDistinct, MakeKeyHint)
	}
	return nil
}

// Key is one signing or verification key pinned to one algorithm: a token
// whose header names another algorithm is rejected for this key, which
// rules out algorithm confusion (HS256 signed with an RSA public key, or
// "none").
type Key struct {
	// ID is the "kid" header value that selects this key; "" matches
	// tokens without a kid.
	ID     string
	method jwt.SigningMethod
	sign   any // nil for a verification-only key
	verify any
}

// Alg returns the algorithm the key is pinned to ("HS256", ...).
func (k *Key) Alg() string { return k.method.Alg() }

// CanSign reports whether the key holds private material.
func (k *Key) CanSign() bool { return k.sign != nil }

// HMACKey returns an HS256 key. A weak secret (see CheckHMACSecret) is
// refused.
func HMACKey(id string, secret []byte) (*Key, error) {
	if err := CheckHMACSecret(secret); err != nil {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	s := append([]byte(nil), secret...)
	return &Key{ID: id, method: jwt.SigningMethodHS256, sign: s, verify: s}, nil
}

// Ed25519Key returns an EdDSA signing key.
func Ed25519Key(id string, priv ed25519.PrivateKey) (*Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("jwt: bad Ed25519 private key")
	}
	return &Key{ID: id, method: jwt.SigningMethodEdDSA, sign: priv, verify: priv.Public()}, nil
}

// Ed25519PublicKey returns an EdDSA verification-only key.
func Ed25519PublicKey(id string, pub ed25519.PublicKey) (*Key, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("jwt: bad Ed25519 public key")
	}
	return &Key{ID: id, method: jwt.SigningMethodEdDSA, verify: pub}, nil
}

// ECDSAKey returns an ES256 signing key; the curve must be P-256.
func ECDSAKey(id string, priv *ecdsa.PrivateKey) (*Key, error) {
	if priv == nil || priv.Curve != elliptic.P256() {
		return nil, errors.New("jwt: ES256 needs a P-256 private key")
	}
	return &Key{ID: id, method: jwt.SigningMethodES256, sign: priv, verify: &priv.PublicKey}, nil
}

// ECDSAPublicKey returns an ES256 verification-only key.
func ECDSAPublicKey(id string, pub *ecdsa.PublicKey) (*Key, error) {
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil, errors.New("jwt: ES256 needs a P-256 public key")
	}
	return &Key{ID: id, method: jwt.SigningMethodES256, verify: pub}, nil
}

// RSAKey returns an RS256 signing key of at least 2048 bits.
func RSAKey(id string, priv *rsa.PrivateKey) (*Key, error) {
	if priv == nil || priv.N.BitLen() < 2048 {
		return nil, errors.New("jwt: RS256 needs an RSA key of at least 2048 bits")
	}
	return &Key{ID: id, method: jwt.SigningMethodRS256, sign: priv, verify: &priv.PublicKey}, nil
}

// RSAPublicKey returns an RS256 verification-only key.
func RSAPublicKey(id string, pub *rsa.PublicKey) (*Key, error) {
	if pub == nil || pub.N.BitLen() < 2048 {
		return nil, errors.New("jwt: RS256 needs an RSA key of at least 2048 bits")
	}
	return &Key{ID: id, method: jwt.SigningMethodRS256, verify: pub}, nil
}
