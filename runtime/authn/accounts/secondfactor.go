package accounts

import (
	"context"

	"github.com/wardhq/ward/runtime/identity"
)

// SecondFactor is the second step of a login (package mfa implements it).
type SecondFactor interface {
	// Begin is called after a right password. It returns "" when u logs in
	// with the password alone, else the ticket of the second step of a
	// login of class ("jwt", "session" or "token"). An error wraps
	// identity.ErrUnavailable.
	Begin(ctx context.Context, u *identity.User, class string) (ticket string, err error)
	// Enrolled reports whether u has a confirmed second factor.
	Enrolled(ctx context.Context, u *identity.User) (bool, error)
}

// BeginSecondStep returns the ticket of u's second step for a login of
// class, or "" when there is none (no MFA configured, or u not enrolled).
func (a *Accounts) BeginSecondStep(ctx context.Context, u *identity.User, class string) (string, error) {
	if a.MFA == nil {
		return "", nil
	}
	return a.MFA.Begin(ctx, u, class)
}

// NeedsSecondFactor reports whether u has a second factor, which a class
// that cannot ask for it (Basic) must refuse.
func (a *Accounts) NeedsSecondFactor(ctx context.Context, u *identity.User) (bool, error) {
	if a.MFA == nil {
		return false, nil
	}
	return a.MFA.Enrolled(ctx, u)
}
