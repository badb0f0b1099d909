// Package authn authenticates requests: the four classes (JWT, token,
// session, basic), the ordered chain a view runs, and the caller it leaves in
// the request context (package identity).
package authn

import (
	"net/http"

	"github.com/wardhq/ward/runtime/identity"
)

// Authenticator is one authentication class, as DRF's BaseAuthentication.
type Authenticator interface {
	// Name is the class name used in specs: "jwt", "token", "session", "basic".
	Name() string
	// Authenticate returns (nil, nil) when the request does not carry this
	// class's credentials, so the next class is tried. It returns a user when
	// the credentials are valid, and an error otherwise: an *Error for bad
	// credentials (401 or 403), identity.ErrUnavailable (wrapped) when a
	// backend could not be reached (503).
	Authenticate(r *http.Request) (*identity.User, error)
	// Challenge is the WWW-Authenticate value this class sends with a 401,
	// or "" when the class has none (session), in which case DRF answers 403.
	Challenge() string
}

// Error is a rejected credential. Status is 401 or 403 (CSRF failures are
// 403); Detail is the client-facing message; Code is simplejwt's code
// ("token_not_valid") where it applies.
type Error struct {
	Status int
	Detail string
	Code   string
}

func (e *Error) Error() string { return e.Detail }
