package jwtauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// KeyFromBytes builds a key for alg from configuration bytes: the raw
// secret for HS256, or a PEM block for the others — a private key (PKCS#8,
// or PKCS#1 / SEC 1) for a signing key, a public key (PKIX) for a
// verification-only key. The key type must match alg.
func KeyFromBytes(id, alg string, b []byte) (*Key, error) {
	if alg == "HS256" {
		return HMACKey(id, b)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("jwt: %s key is not PEM", alg)
	}
	var key any
	var err error
	switch blk.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("jwt: unsupported PEM block %q", blk.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("jwt: bad %s key: %w", alg, err)
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if alg == "EdDSA" {
			return Ed25519Key(id, k)
		}
	case ed25519.PublicKey:
		if alg == "EdDSA" {
			return Ed25519PublicKey(id, k)
		}
	case *ecdsa.PrivateKey:
		if alg == "ES256" {
			return ECDSAKey(id, k)
		}
	case *ecdsa.PublicKey:
		if alg == "ES256" {
			return ECDSAPublicKey(id, k)
		}
	case *rsa.PrivateKey:
		if alg == "RS256" {
			return RSAKey(id, k)
		}
	case *rsa.PublicKey:
		if alg == "RS256" {
			return RSAPublicKey(id, k)
		}
	}
	return nil, errors.New("jwt: the key does not fit algorithm " + alg)
}
