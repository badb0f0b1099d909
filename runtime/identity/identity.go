// Package identity holds the caller of a request: the User that
// authentication leaves in the request context, the helpers that put it
// there and read it back, and ErrUnavailable, the error of a backend that
// kept a decision from being made.
//
// It is the bottom of the runtime: every layer that needs to know who is
// calling (perm, rest, store, throttle, authn) imports it, and it imports
// nothing of Ward's.
package identity

import (
	"context"
	"errors"
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

// ErrUnavailable marks an error from a backend (database, cache) that kept
// a decision from being made. Callers answer 503 and never allow.
var ErrUnavailable = errors.New("authentication backend unavailable")

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
