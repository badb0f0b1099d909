package service

import (
	"crypto/hmac"
	"crypto/sha256"
)

// cursorKeyLabel separates the cursor key from every other use of the
// secret it is derived from.
const cursorKeyLabel = "ward pagination cursor key v1"

// cursorKey derives the key that signs pagination cursors
// (rest.App.CursorKey) from secret: the JWT signing key as configured
// (the environment's value, or the key generated into the data folder),
// or, for a service without JWT, the data folder's generated key. It is
// HMAC-SHA256(secret, label): instances given the same key accept each
// other's cursors, and a cursor's MAC is no help in forging a token.
func cursorKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(cursorKeyLabel))
	return m.Sum(nil)
}
