// Package accounts is the domain of users and credentials that the
// authentication classes share: the user directory with its short-lived
// cache, the credential check used by every login (with password upgrade
// and dummy verification), and the user commands (create, change password,
// deactivate) the service entry point runs. It writes no HTTP; the login
// body, the /auth/me handler and the endpoints' error answers are package
// authhttp's.
package accounts

import (
	"context"
	"errors"

	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
)

// MaxUserCacheTTL is the longest a cached user may be served: a
// deactivation or a password change reaches every instance within it.
const MaxUserCacheTTL = time.Second

// Directory looks users up by id for the per-request checks (active,
// password version), caching each answer for at most TTL. Errors and
// missing users are never cached.
type Directory struct {
	users store.Users
	ttl   time.Duration
	max   int
	now   func() time.Time

	mu    sync.RWMutex
	cache map[int64]cached
}

type cached struct {
	u  *identity.User
	at time.Time
}

// NewDirectory returns a Directory over users. ttl is capped at
// MaxUserCacheTTL; 0 disables the cache.
func NewDirectory(users store.Users, ttl time.Duration) *Directory {
	if ttl > MaxUserCacheTTL {
		ttl = MaxUserCacheTTL
	}
	return &Directory{users: users, ttl: ttl, max: 100_000, now: time.Now, cache: map[int64]cached{}}
}

// Users returns the underlying store.
func (d *Directory) Users() store.Users { return d.users }

// User returns the user with id, from the cache when the entry is younger
// than the TTL. The returned User is shared: callers must not modify it.
// A missing user is store.ErrNotFound; a backend error wraps
// identity.ErrUnavailable.
func (d *Directory) User(ctx context.Context, id int64) (*identity.User, error) {
	now := d.now()
	if d.ttl > 0 {
		d.mu.RLock()
		c, ok := d.cache[id]
		d.mu.RUnlock()
		if ok && now.Sub(c.at) < d.ttl && !now.Before(c.at) {
			return c.u, nil
		}
	}
	rec, err := d.users.UserByID(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, store.ErrNotFound
		}
		return nil, unavailable(err)
	}
	u := &rec.User
	if d.ttl > 0 {
		d.mu.Lock()
		if len(d.cache) >= d.max {
			for k, c := range d.cache {
				if now.Sub(c.at) >= d.ttl {
					delete(d.cache, k)
				}
			}
			if len(d.cache) >= d.max {
				clear(d.cache)
			}
		}
		d.cache[id] = cached{u: u, at: now}
		d.mu.Unlock()
	}
	return u, nil
}

// Forget drops id from this instance's cache (other instances see the
// change within the TTL).
func (d *Directory) Forget(id int64) {
	d.mu.Lock()
	delete(d.cache, id)
	d.mu.Unlock()
}

// unavailable wraps err so errors.Is(err, identity.ErrUnavailable) holds,
// without putting err's text anywhere a client sees it.
func unavailable(err error) error {
	if errors.Is(err, identity.ErrUnavailable) {
		return err
	}
	return errors.Join(identity.ErrUnavailable, err)
}

// Unavailable wraps err as a backend failure (see identity.ErrUnavailable).
func Unavailable(err error) error { return unavailable(err) }

// ErrBadCredentials: the username does not exist, the password is wrong,
// or the user is inactive. Callers do not tell these apart.
var ErrBadCredentials = errors.New("accounts: bad credentials")

// Accounts checks credentials against the user store.
type Accounts struct {
	Dir    *Directory
	Hasher *password.Hasher
	// MFA is the second step of logins; nil when MFA is off.
	MFA SecondFactor
	// RequireVerified, when set (accounts.email_verification: mandatory),
	// refuses a user whose email is not verified, as a wrong password.
	// A user without an email (made by the operator's createuser) passes.
	RequireVerified store.Emails
}

// New returns Accounts over users with the given hasher and a user cache
// of MaxUserCacheTTL.
func New(users store.Users, h *password.Hasher) *Accounts {
	return &Accounts{Dir: NewDirectory(users, MaxUserCacheTTL), Hasher: h}
}

// CheckCredentials returns the active user whose password is pw. A
// missing user costs a dummy verification, so timing does not reveal who
// exists. A hash in an old format or cost is upgraded in place (same
// password version). Errors: ErrBadCredentials, or a wrapped
// identity.ErrUnavailable.
func (a *Accounts) CheckCredentials(ctx context.Context, username, pw string) (*identity.User, error) {
	rec, err := a.Dir.users.UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		a.Hasher.Dummy(ctx, pw)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, unavailable(err)
	}
	ok, rehash, err := a.Hasher.Verify(ctx, pw, rec.PasswordHash)
	if err != nil {
		if errors.Is(err, password.ErrMalformed) {
			// An unusable password (as Django's "!" hashes): nobody logs
			// in, and the answer takes as long as for anyone else.
			a.Hasher.Dummy(ctx, pw)
			return nil, ErrBadCredentials
		}
		return nil, unavailable(err)
	}
	if !ok || !rec.IsActive {
		return nil, ErrBadCredentials
	}
	if a.RequireVerified != nil {
		email, verified, err := a.RequireVerified.Email(ctx, rec.ID)
		if err != nil {
			return nil, unavailable(err)
		}
		if email != "" && !verified {
			return nil, ErrBadCredentials
		}
	}
	if rehash {
		if h, err := a.Hasher.Hash(ctx, pw); err == nil {
			// Best effort: a failed upgrade leaves the old, valid hash.
			a.Dir.users.SetPassword(ctx, rec.ID, h, false)
		}
	}
	u := rec.User
	return &u, nil
}

// Commands the service entry point runs.

// ErrInvalidUsername: empty, longer than 150 characters, or containing
// characters outside Django's letters, digits and @.+-_.
var ErrInvalidUsername = errors.New("invalid username: use 1-150 letters, digits and @.+-_")

// ValidUsername applies Django's username rule.
func ValidUsername(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 150 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("@.+-_", r):
		default:
			return false
		}
	}
	return true
}

// CreateUser creates an active user with an argon2id hash of pw. A taken
// username is store.ErrConflict.
func CreateUser(ctx context.Context, users store.Users, h *password.Hasher, username, pw string, staff bool) (int64, error) {
	if !ValidUsername(username) {
		return 0, ErrInvalidUsername
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return 0, err
	}
	return users.CreateUser(ctx, &store.UserRecord{
		User:         identity.User{Username: username, IsActive: true, IsStaff: staff},
		PasswordHash: hash,
		CreatedAt:    time.Now(),
	})
}

// ChangePassword sets a new password and bumps the password version,
// which kills every refresh family, API token and session of the user
// (each checks the version), within MaxUserCacheTTL on every instance.
func ChangePassword(ctx context.Context, users store.Users, h *password.Hasher, username, pw string) error {
	rec, err := users.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return err
	}
	return users.SetPassword(ctx, rec.ID, hash, true)
}

// Deactivate marks the user inactive: no class authenticates them from
// then on (within MaxUserCacheTTL).
func Deactivate(ctx context.Context, users store.Users, username string) error {
	rec, err := users.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	return users.SetActive(ctx, rec.ID, false)
}
