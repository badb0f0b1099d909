package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
)

// Self-service accounts (registration, email verification, password
// reset) as django-allauth and dj-rest-auth give them, without HTTP.

// ErrInvalidEmail: not one address of the form local@domain.
var ErrInvalidEmail = errors.New("accounts: invalid email address")

// InvalidEmail is Django's message for an invalid address.
const InvalidEmail = "Enter a valid email address."

// NormalizeEmail trims and lower-cases an address (allauth stores emails
// lower case) and checks it is a single bare address; "" and
// ErrInvalidEmail otherwise.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return "", ErrInvalidEmail
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.ContainsAny(s, " \t\r\n\x00") {
		return "", ErrInvalidEmail
	}
	return s, nil
}

// Register creates an active user with an unverified email. A taken
// username or email is store.ErrConflict.
func Register(ctx context.Context, emails store.Emails, h *password.Hasher, username, email, pw string) (int64, error) {
	if !ValidUsername(username) {
		return 0, ErrInvalidUsername
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return 0, err
	}
	return emails.CreateUserWithEmail(ctx, &store.UserRecord{
		User:         identity.User{Username: username, IsActive: true},
		PasswordHash: hash,
		CreatedAt:    time.Now(),
	}, email)
}

// EncodeUID is Django's urlsafe_base64_encode(force_bytes(pk)): the
// decimal id in unpadded URL-safe base64 ("MQ" for 1).
func EncodeUID(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// DecodeUID reverses EncodeUID; false for anything else.
func DecodeUID(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != string(b) {
		return 0, false
	}
	return id, true
}

// NewResetToken returns a random reset token (256 bits, URL-safe) and the
// SHA-256 hash that is all the store keeps of it.
func NewResetToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a reset token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// EmailKeys makes and checks the keys of verification emails as allauth's
// HMAC confirmations: nothing is stored, the key signs the user's id, the
// address and an expiry, and stops working when the address changes or
// the expiry passes.
type EmailKeys struct {
	Secret []byte
	TTL    time.Duration // allauth's default is 3 days
}

// ErrBadKey: a verification key that is malformed, forged or expired.
var ErrBadKey = errors.New("accounts: bad email verification key")

// Make returns the key for id and email, valid until now+TTL.
func (k EmailKeys) Make(id int64, email string, now time.Time) string {
	payload := strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(now.Add(k.TTL).Unix(), 10) + ":" + email
	p := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return p + "." + base64.RawURLEncoding.EncodeToString(k.mac(p))
}

// Check returns the id and email a key signs, if it is genuine and not
// expired at now.
func (k EmailKeys) Check(key string, now time.Time) (int64, string, error) {
	p, sig, ok := strings.Cut(key, ".")
	if !ok || len(key) > 1024 {
		return 0, "", ErrBadKey
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, k.mac(p)) {
		return 0, "", ErrBadKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return 0, "", ErrBadKey
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 {
		return 0, "", ErrBadKey
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || now.Unix() >= exp {
		return 0, "", ErrBadKey
	}
	return id, parts[2], nil
}

func (k EmailKeys) mac(payload string) []byte {
	m := hmac.New(sha256.New, k.Secret)
	m.Write([]byte("ward.accounts.email-key:" + payload))
	return m.Sum(nil)
}
