package store

import (
	"context"
	"time"
)

// Emails stores what the self-service accounts need beside a user: the
// email address (unique, compared exactly: callers normalize it), whether
// it is verified, and the hash of the one outstanding password-reset
// token with its expiry. A store keeping users implements it.
type Emails interface {
	// CreateUserWithEmail is Users.CreateUser with an unverified email in
	// the same step. A taken username or email is ErrConflict.
	CreateUserWithEmail(ctx context.Context, u *UserRecord, email string) (int64, error)
	// UserByEmail returns the user with that email, or ErrNotFound.
	UserByEmail(ctx context.Context, email string) (*UserRecord, error)
	// Email returns the user's email ("" for none) and whether it is
	// verified.
	Email(ctx context.Context, id int64) (email string, verified bool, err error)
	// VerifyEmail marks the user's email verified if it is still email;
	// ErrNotFound otherwise.
	VerifyEmail(ctx context.Context, id int64, email string) error
	// SetResetToken records the hash of the user's reset token (replacing
	// any earlier one) and when it expires.
	SetResetToken(ctx context.Context, id int64, hash []byte, expires time.Time) error
	// ResetPassword, in one atomic step, checks that the user's reset
	// token is hash and has not expired at now, clears it (a token works
	// once), stores the new password hash and bumps the password version.
	// A wrong, used or expired token is ErrNotFound.
	ResetPassword(ctx context.Context, id int64, tokenHash []byte, now time.Time, passwordHash string) error
}
