// Package basicauth is HTTP Basic authentication, after DRF's
// BasicAuthentication. Every request pays a password verification, bounded
// by the hasher's semaphore; unknown users cost a dummy verification, so
// timing does not tell who exists.
package basicauth

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
)

// DRF's messages.
const (
	MsgNoCredentials = "Invalid basic header. No credentials provided."
	MsgSpaces        = "Invalid basic header. Credentials string should not contain spaces."
	MsgBadBase64     = "Invalid basic header. Credentials not correctly base64 encoded."
)

// MaxCredentials bounds the encoded credentials.
const MaxCredentials = 1024

// Basic is the "basic" class.
type Basic struct {
	acc       *accounts.Accounts
	throttle  authn.LoginThrottle
	challenge string
}

var _ authn.Authenticator = (*Basic)(nil)

// New returns the class for realm (default "api"). throttle (may be nil)
// admits every password verification: it holds a slot of the client's
// login bucket while the password is checked, keeps it counted when the
// password is wrong and gives it back when it is right, so that clients
// that send theirs on every request are not throttled. However many
// guesses arrive at once, no more are checked per window than the login
// rate allows; past it the answer is 429, even for the right password, so
// that guessing cannot go on and recognise success.
func New(realm string, acc *accounts.Accounts, throttle authn.LoginThrottle) *Basic {
	if realm == "" {
		realm = "api"
	}
	return &Basic{acc: acc, throttle: throttle, challenge: `Basic realm="` + realm + `"`}
}

// Name implements authn.Authenticator.
func (b *Basic) Name() string { return "basic" }

// Challenge implements authn.Authenticator.
func (b *Basic) Challenge() string { return b.challenge }

func fail(msg string) *authn.Error {
	return &authn.Error{Status: http.StatusUnauthorized, Detail: msg}
}

// ParseHeader extracts the username and password of "Authorization: Basic
// <base64(user:pass)>". ok is false when the header is absent or of
// another scheme; err (DRF's words) when the scheme is Basic but the value
// is malformed.
func ParseHeader(h string) (user, pass string, ok bool, err error) {
	if h == "" {
		return "", "", false, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	rest = strings.Trim(rest, " ")
	if rest == "" {
		return "", "", true, fail(MsgNoCredentials)
	}
	if strings.ContainsAny(rest, " \t") {
		return "", "", true, fail(MsgSpaces)
	}
	if len(rest) > MaxCredentials {
		return "", "", true, fail(MsgBadBase64)
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	// Credentials in UTF-8 without NUL, as a JSON login's (package
	// jsonbody): PostgreSQL could not even look such a username up.
	if err != nil || !utf8.Valid(raw) || bytes.IndexByte(raw, 0) >= 0 {
		return "", "", true, fail(MsgBadBase64)
	}
	user, pass, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, fail(MsgBadBase64)
	}
	return user, pass, true, nil
}

// Authenticate implements authn.Authenticator.
func (b *Basic) Authenticate(r *http.Request) (*identity.User, error) {
	user, pass, ok, err := ParseHeader(r.Header.Get("Authorization"))
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// The check holds a slot of the client's login bucket: a blocked
	// client is refused before its password is verified, and the answer
	// (429) is the same whether the guess is right or wrong.
	done, err := b.throttle.Admit(r)
	if err != nil {
		return nil, err
	}
	u, err := b.acc.CheckCredentials(r.Context(), user, pass)
	done(err == nil)
	if errors.Is(err, accounts.ErrBadCredentials) {
		return nil, fail(drf.InvalidCredentials)
	}
	if err != nil {
		return nil, err
	}
	// Basic sends the password alone with every request and has no place
	// for a second step: a user with a second factor cannot use it.
	mfa, err := b.acc.NeedsSecondFactor(r.Context(), u)
	if err != nil {
		return nil, err
	}
	if mfa {
		return nil, fail(MsgMFAEnrolled)
	}
	return u, nil
}

// MsgMFAEnrolled refuses Basic for a user with a second factor.
const MsgMFAEnrolled = "Two-factor authentication is enabled for this account: log in with a second step instead of Basic."
