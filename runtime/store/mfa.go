package store

import (
	"context"
	"time"
)

// TOTP is a user's time-based one-time password authenticator (RFC 6238).
type TOTP struct {
	UserID int64
	// Secret is the shared secret, base32 as in the otpauth URI. It is
	// stored as is: the server must compute codes from it.
	Secret string
	// Confirmed is false between enrolment and the first valid code;
	// only a confirmed authenticator makes logins take a second step.
	Confirmed bool
	// LastStep is the last time step (Unix time / period) whose code was
	// accepted; a code of that step or an earlier one is a replay.
	LastStep  int64
	CreatedAt time.Time
}

// MFATicket is the state between a login's first step (the password) and
// its second (a code), stored by the hash of the ticket given to the
// client.
type MFATicket struct {
	Hash      []byte
	UserID    int64
	Class     string // the login class to issue for: "jwt", "session", "token"
	ExpiresAt time.Time
	// PasswordVersion of the user at the first step: a password change
	// or a logout everywhere in between voids the ticket.
	PasswordVersion int64
}

// MFA stores authenticators, recovery codes and MFA tickets. It lives
// with the users (foreign keys): deleting a user deletes them.
type MFA interface {
	// TOTPByUser returns the user's authenticator, confirmed or not;
	// ErrNotFound when there is none.
	TOTPByUser(ctx context.Context, userID int64) (*TOTP, error)
	// PutTOTP stores t as the user's unconfirmed authenticator, replacing
	// an unconfirmed one. A confirmed one is ErrConflict (disable first).
	PutTOTP(ctx context.Context, t *TOTP) error
	// ConfirmTOTP confirms the user's authenticator, records step as its
	// LastStep and replaces the recovery codes by the given hashes, in one
	// step. It is ErrNotFound without an authenticator and ErrConflict when
	// it is already confirmed.
	ConfirmTOTP(ctx context.Context, userID, step int64, recovery [][]byte) error
	// UseStep records step as the authenticator's LastStep when it is
	// later than the stored one, atomically across every process sharing
	// the store. It is ErrConflict when step is not later (a replay) and
	// ErrNotFound when the user has no confirmed authenticator.
	UseStep(ctx context.Context, userID, step int64) error
	// UseRecoveryCode deletes the unused recovery code with this hash;
	// ErrNotFound when there is none (never issued, or used already).
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte) error
	// RecoveryCodesLeft counts the user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	// DeleteMFA deletes the user's authenticator, recovery codes and
	// tickets; having none is not an error.
	DeleteMFA(ctx context.Context, userID int64) error

	// CreateTicket stores a ticket.
	CreateTicket(ctx context.Context, t *MFATicket) error
	// TicketByHash returns a ticket that has not expired; ErrNotFound for
	// a missing or expired one.
	TicketByHash(ctx context.Context, hash []byte) (*MFATicket, error)
	// DeleteTicket deletes a ticket; ErrNotFound when it is gone already,
	// so that of two concurrent second steps only one issues a login.
	DeleteTicket(ctx context.Context, hash []byte) error
}
