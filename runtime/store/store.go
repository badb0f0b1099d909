// Package store declares the storage the runtime needs for authentication
// state: users, API tokens, sessions, refresh-token families and throttle
// counters. Implementations live in sub-packages: sqlite (the embedded
// default), postgres and redis (scale-out).
//
// Every method takes a context and returns an error wrapping
// ErrUnavailable when its backend cannot be reached; callers then deny with
// 503, never allow. Secrets (token keys, session ids, refresh token ids) are
// stored only as SHA-256 hashes: callers pass hashes, never raw secrets.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/wardhq/ward/runtime/identity"
)

var (
	// ErrNotFound: no such user, token, session or family.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique constraint failed (e.g. username taken) or a
	// compare-and-swap lost.
	ErrConflict = errors.New("store: conflict")
	// ErrUnavailable: the backend could not be reached. It is
	// identity.ErrUnavailable, so either name matches with errors.Is.
	ErrUnavailable = identity.ErrUnavailable
)

// UserRecord is a user as stored, with its password hash.
type UserRecord struct {
	identity.User
	PasswordHash string
	CreatedAt    time.Time
}

// Users stores user accounts.
type Users interface {
	// CreateUser inserts u (ID is assigned) and returns its id. A taken
	// username is ErrConflict.
	CreateUser(ctx context.Context, u *UserRecord) (int64, error)
	UserByID(ctx context.Context, id int64) (*UserRecord, error)
	UserByUsername(ctx context.Context, username string) (*UserRecord, error)
	// SetPassword stores a new hash. When bumpVersion is true the password
	// version increases, which kills the user's tokens, sessions and refresh
	// families; a rehash of the same password (upgrade) passes false.
	SetPassword(ctx context.Context, id int64, hash string, bumpVersion bool) error
	SetActive(ctx context.Context, id int64, active bool) error
	SetPerms(ctx context.Context, id int64, perms []string) error
	// ListUsers returns users ordered by id, limit/offset paginated, and
	// the total count.
	ListUsers(ctx context.Context, limit, offset int) ([]*UserRecord, int, error)
}

// APIToken is an opaque token, stored by the SHA-256 hash of its key.
type APIToken struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time // zero for no expiry
	// PasswordVersion of the user when the token was made.
	PasswordVersion int64
	// LastUsed is when the token last authenticated a request, at most
	// TouchEvery stale; zero when never.
	LastUsed time.Time
	// Client is where the token was made.
	Client Client
}

// Tokens stores API tokens.
type Tokens interface {
	CreateToken(ctx context.Context, t *APIToken) error
	TokenByHash(ctx context.Context, hash []byte) (*APIToken, error)
	// DeleteToken deletes one token; a missing one is ErrNotFound.
	DeleteToken(ctx context.Context, hash []byte) error
}

// Session is a server-side session, stored by the hash of its id.
type Session struct {
	Hash            []byte
	UserID          int64
	CSRFHash        []byte // hash of the CSRF secret bound to this session
	CreatedAt       time.Time
	LastSeen        time.Time
	PasswordVersion int64
	// Client is where the session was made.
	Client Client
}

// Sessions stores sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash []byte) (*Session, error)
	// TouchSession moves LastSeen forward (idle expiry).
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
}

// Family is a refresh-token family: the allowlist entry naming the one
// refresh token of the family that is current. Rotation swaps Current; a
// presented token that is not Current is reuse, and revokes the family,
// unless it is Previous presented shortly after RotatedAt (two tabs
// refreshing at once; see jwtauth.Config.ReuseGrace).
type Family struct {
	ID              string // random id, also carried in the refresh token
	UserID          int64
	Current         []byte // hash of the current refresh token's jti
	ExpiresAt       time.Time
	PasswordVersion int64
	// Previous is the hash of the token the last rotation replaced, and
	// RotatedAt when that rotation happened; nil and zero before the
	// first rotation.
	Previous  []byte
	RotatedAt time.Time
	// CreatedAt is when the family was made (the login); zero from a
	// store made before it was recorded.
	CreatedAt time.Time
	// Client is where the family was made.
	Client Client
}

// Families stores refresh-token families.
type Families interface {
	CreateFamily(ctx context.Context, f *Family) error
	FamilyByID(ctx context.Context, id string) (*Family, error)
	// RotateFamily swaps Current from old to next atomically, and records
	// old as Previous and at as RotatedAt in the same step. It returns
	// ErrConflict when Current is no longer old (a concurrent rotation won,
	// or old was already rotated) and ErrNotFound when the family is gone.
	RotateFamily(ctx context.Context, id string, old, next []byte, at time.Time) error
	// RevokeFamily deletes the family; a missing one is not an error.
	RevokeFamily(ctx context.Context, id string) error
}

// Counters backs sliding-window throttles.
type Counters interface {
	// Hit records one request for key in a sliding window of the given
	// length, unless limit requests were already recorded in it. It returns
	// whether the request is allowed and, when not, how long until it would
	// be. Recording and checking are one atomic step.
	Hit(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error)
}

// Reserver is implemented by Counters that can give a recorded hit back.
// The login throttle holds a slot in a client's bucket while a credential
// is checked (so that no more checks run than the rate allows, however
// many arrive at once) and gives it back when the credential was right.
// Every Counters of this module implements it.
type Reserver interface {
	// Reserve is Hit that also returns, when allowed, a handle on the hit
	// it recorded, for Release. Recording and checking are one atomic
	// step, across every process sharing the store.
	Reserve(ctx context.Context, key string, limit int, window time.Duration) (hit string, allowed bool, retryAfter time.Duration, err error)
	// Release removes the hit of key that Reserve returned as hit, so it
	// no longer counts. A hit already out of the window, or released
	// before, is no error; nothing else changes.
	Release(ctx context.Context, key, hit string) error
}
