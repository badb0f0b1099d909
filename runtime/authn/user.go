// Package authn authenticates requests: the four classes (JWT, token,
// session, basic), the ordered chain a view runs, and the caller it leaves in
// the request context.
package authn

import (
	"context"
	"errors"
	"net/http"
)

// User is an authenticated caller. Generated code and permission classes
// read it; they never change it.
type User struct {
	ID       int64
	Username string
	IsActive bool
	IsStaff  bool
	// PasswordVersion bumps whenever the password changes; tokens and
	// refresh families issued under an older version are dead.
	PasswordVersion int64
	// Perms holds model permissions as "resource.action" strings, e.g.
	// "posts.view", "posts.add", "posts.change", "posts.delete". Sorted.
	Perms []string
}

// HasPerm reports whether u holds the model permission p ("posts.view").
func (u *User) HasPerm(p string) bool {
	if u == nil {
		return false
	}
	for _, q := range u.Perms {
		if q == p {
			return true
		}
	}
	return false
}

// Result is what authentication decided about one request.
type Result struct {
	// User is the caller, or nil for an anonymous request.
	User *User
	// Class is the name of the class that authenticated the request
	// ("jwt", "token", "session", "basic"), or "" when anonymous.
	Class string
}

// Authenticated reports whether a user was authenticated.
func (r Result) Authenticated() bool { return r.User != nil }

// Authenticator is one authentication class, as DRF's BaseAuthentication.
type Authenticator interface {
	// Name is the class name used in specs: "jwt", "token", "session", "basic".
	Name() string
	// Authenticate returns (nil, nil) when the request does not carry this
	// class's credentials, so the next class is tried. It returns a user when
	// the credentials are valid, and an error otherwise: an *Error for bad
	// credentials (401 or 403), ErrUnavailable (wrapped) when a backend
	// could not be reached (503).
	Authenticate(r *http.Request) (*User, error)
	// Challenge is the WWW-Authenticate value this class sends with a 401,
	// or "" when the class has none (session), in which case DRF answers 403.
	Challenge() string
}

// ErrUnavailable marks an error from a backend (database, cache) that kept
// a decision from being made. Callers answer 503 and never allow.
var ErrUnavailable = errors.New("authentication backend unavailable")

// Error is a rejected credential. Status is 401 or 403 (CSRF failures are
// 403); Detail is the client-facing message; Code is simplejwt's code
// ("token_not_valid") where it applies.
type Error struct {
	Status int
	Detail string
	Code   string
}

func (e *Error) Error() string { return e.Detail }

type ctxKey struct{}

// WithResult returns a copy of ctx carrying the authentication result. When
// ctx carries a Slot (see WithSlot), the result is also recorded there, so
// middleware outside the handler (the request log) learns who the caller was.
func WithResult(ctx context.Context, r Result) context.Context {
	if s, ok := ctx.Value(slotKey{}).(*Slot); ok {
		s.Result = r
	}
	return context.WithValue(ctx, ctxKey{}, r)
}

// Slot records the authentication result of a request for middleware that
// runs outside the handler that authenticates.
type Slot struct{ Result Result }

type slotKey struct{}

// WithSlot returns a copy of ctx with an empty Slot that WithResult fills.
func WithSlot(ctx context.Context) (context.Context, *Slot) {
	s := new(Slot)
	return context.WithValue(ctx, slotKey{}, s), s
}

// FromContext returns the authentication result stored by WithResult; the
// zero Result (anonymous) when there is none.
func FromContext(ctx context.Context) Result {
	r, _ := ctx.Value(ctxKey{}).(Result)
	return r
}

// UserFrom returns the authenticated user of ctx, or nil.
func UserFrom(ctx context.Context) *User { return FromContext(ctx).User }
