// Package accounts is what the authentication classes share: the user
// directory with its short-lived cache, the credential check used by every
// login (with password upgrade and dummy verification), the JSON login body,
// the /auth/me handler, and the user commands (create, change password,
// deactivate) the service entry point runs.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/jsonbody"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/problem"
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
	if rehash {
		if h, err := a.Hasher.Hash(ctx, pw); err == nil {
			// Best effort: a failed upgrade leaves the old, valid hash.
			a.Dir.users.SetPassword(ctx, rec.ID, h, false)
		}
	}
	u := rec.User
	return &u, nil
}

// Login is the body of every login endpoint.
type Login struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// MaxLoginBody bounds a login request body.
const MaxLoginBody = 4 << 10

// ErrUnsupportedMedia: the login body is not application/json.
var ErrUnsupportedMedia = errors.New("accounts: unsupported media type")

// ParseLogin reads the JSON login body. It answers the request itself on
// failure (415 for another media type or a charset other than UTF-8, 400
// for bad JSON, invalid UTF-8 or missing fields) and returns ok=false. Only
// application/json is accepted: an HTML form cannot send it cross-site,
// which blocks login CSRF. The body rules are package jsonbody's, as for
// resource bodies.
func ParseLogin(w http.ResponseWriter, r *http.Request) (Login, bool) {
	var l Login
	if ct := r.Header.Get("Content-Type"); !jsonbody.IsJSON(ct) {
		problem.UnsupportedMediaType(w, ct)
		return l, false
	}
	fe, err := DecodeLogin(io.LimitReader(r.Body, MaxLoginBody+1), &l)
	if err != nil {
		problem.Detail(w, http.StatusBadRequest, problem.MalformedJSON+" - "+err.Error())
		return l, false
	}
	if !fe.Empty() {
		fe.Write(w)
		return l, false
	}
	return l, true
}

// DecodeLogin decodes a login body from rd into l. Invalid UTF-8, a syntax
// error or a body over MaxLoginBody is an error whose text is fit for the
// client; missing, blank or non-string fields and fields holding NUL are
// reported in the FieldErrors, in DRF's words.
func DecodeLogin(rd io.Reader, l *Login) (problem.FieldErrors, error) {
	body, err := io.ReadAll(rd)
	if err != nil {
		return nil, errors.New("could not read the request body")
	}
	if len(body) > MaxLoginBody {
		return nil, errors.New("body too large")
	}
	if msg := jsonbody.Check(body); msg != "" {
		return nil, errors.New(msg)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errors.New(jsonbody.InvalidJSON)
	}
	fe := problem.FieldErrors{}
	field := func(name string, dst *string) {
		v, ok := raw[name]
		if !ok {
			fe.Add(name, problem.FieldRequired)
			return
		}
		if string(v) == "null" {
			fe.Add(name, problem.FieldNull)
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			fe.Add(name, "Not a valid string.")
			return
		}
		if strings.TrimSpace(*dst) == "" {
			fe.Add(name, problem.FieldBlank)
			return
		}
		// No user has NUL in a name, and PostgreSQL could not look one up.
		if jsonbody.HasNull(*dst) {
			fe.Add(name, jsonbody.NullCharacters)
		}
	}
	field("username", &l.Username)
	field("password", &l.Password)
	return fe, nil
}

// NoStore marks a response as not cacheable; every auth response sends it.
func NoStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// WriteUser writes {"id","username","is_staff"} with status 200.
func WriteUser(w http.ResponseWriter, u *identity.User) {
	problem.JSON(w, http.StatusOK, struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		IsStaff  bool   `json:"is_staff"`
	}{u.ID, u.Username, u.IsStaff})
}

// BadCredentials writes the 401 all three logins answer for a wrong
// username or password or an inactive user (simplejwt's message), with the
// endpoint's challenge when it has one ("" for none).
func BadCredentials(w http.ResponseWriter, challenge string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	problem.Detail(w, http.StatusUnauthorized, problem.BadCredentials)
}

// WriteError answers err from a login, refresh or logout endpoint:
// throttled 429, *authn.Error as its own status (a 401 with the challenge
// when there is one, and never turned into 403), anything else 503.
func WriteError(w http.ResponseWriter, challenge string, err error) {
	var ae *authn.Error
	if errors.As(err, &ae) {
		if ae.Status == http.StatusUnauthorized && challenge != "" {
			w.Header().Set("WWW-Authenticate", challenge)
		}
		if ae.Code != "" {
			problem.DetailCode(w, ae.Status, ae.Detail, ae.Code)
		} else {
			problem.Detail(w, ae.Status, ae.Detail)
		}
		return
	}
	authn.WriteError(w, challenge, err)
}

// Me returns the handler of GET /auth/me: the caller authenticated by
// chain, as {"id","username","is_staff"}; 401 (the chain's challenge) when
// anonymous.
func Me(chain authn.Chain) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		NoStore(w)
		// As DRF's views: authentication, then the permission
		// (IsAuthenticated), then the method. OPTIONS only authenticates.
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		allow := []string{"GET", "HEAD", "OPTIONS"}
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			w.WriteHeader(http.StatusOK)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			problem.MethodNotAllowed(w, r.Method, allow)
			return
		}
		WriteUser(w, res.User)
	})
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

// MethodNotAllowed answers a method an auth endpoint does not take: OPTIONS
// gets 200 with Allow, anything else DRF's 405 with Allow.
func MethodNotAllowed(allow ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		NoStore(w)
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			w.WriteHeader(http.StatusOK)
			return
		}
		problem.MethodNotAllowed(w, r.Method, allow)
	}
}
