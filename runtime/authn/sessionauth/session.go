// Package sessionauth is the server-side session class with CSRF
// protection, after Django sessions and DRF's SessionAuthentication. The
// session id lives in an HttpOnly cookie and is stored only as its SHA-256
// hash; every login makes a new id (no fixation). Unsafe methods need the
// X-CSRFToken header to match the CSRF secret bound to the session.
package sessionauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// DRF's CSRF messages (authhttp's, which the JWT cookie mode shares).
const (
	MsgCSRFMissing   = authhttp.MsgCSRFMissing
	MsgCSRFIncorrect = authhttp.MsgCSRFIncorrect
)

// secretLen is the length of a session id or CSRF secret in base64url
// characters (32 random bytes).
const secretLen = 43

// touchEvery is how stale LastSeen may get before a request writes it.
const touchEvery = store.TouchEvery

// Config configures the class.
type Config struct {
	CookieName      string        // default "sessionid"
	CSRFCookieName  string        // default "csrftoken"
	CSRFHeaderName  string        // default "X-CSRFToken"
	IdleTimeout     time.Duration // default 2h
	AbsoluteTimeout time.Duration // default 336h
	Path            string        // endpoint prefix, default "/auth/session"
	// InsecureCookies drops the Secure attribute; for tests only.
	InsecureCookies bool
}

// Sessions is the "session" class and its login/logout endpoints.
type Sessions struct {
	cfg      Config
	acc      *accounts.Accounts
	sessions store.Sessions
	throttle authn.LoginThrottle
	now      func() time.Time
}

var _ authn.Authenticator = (*Sessions)(nil)

// New returns the class. throttle (may be nil) is consulted for every
// login attempt.
func New(cfg Config, acc *accounts.Accounts, sessions store.Sessions, throttle authn.LoginThrottle) *Sessions {
	if cfg.CookieName == "" {
		cfg.CookieName = "sessionid"
	}
	if cfg.CSRFCookieName == "" {
		cfg.CSRFCookieName = "csrftoken"
	}
	if cfg.CSRFHeaderName == "" {
		cfg.CSRFHeaderName = "X-CSRFToken"
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Hour
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 336 * time.Hour
	}
	if cfg.Path == "" {
		cfg.Path = "/auth/session"
	}
	return &Sessions{cfg: cfg, acc: acc, sessions: sessions, throttle: throttle, now: time.Now}
}

// Live reports whether x has neither idled out nor reached its absolute
// timeout at now.
func (s *Sessions) Live(x *store.Session, now time.Time) bool {
	return now.Sub(x.LastSeen) < s.cfg.IdleTimeout && now.Sub(x.CreatedAt) < s.cfg.AbsoluteTimeout
}

// Name implements authn.Authenticator.
func (s *Sessions) Name() string { return "session" }

// Challenge implements authn.Authenticator: sessions have none, so a chain
// that starts with them answers 403 instead of 401, as DRF.
func (s *Sessions) Challenge() string { return "" }

func hash(v string) []byte {
	h := sha256.Sum256([]byte(v))
	return h[:]
}

// ValidSecret reports whether v has the shape of a session id or CSRF
// secret (43 base64url characters); anything else is never looked up.
func ValidSecret(v string) bool {
	if len(v) != secretLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Authenticate implements authn.Authenticator. No cookie, an unknown or
// expired session, or a user who is gone, inactive or changed password
// leave the request anonymous (nil, nil), as in DRF. A live session on an
// unsafe method without the right CSRF header is a 403.
func (s *Sessions) Authenticate(r *http.Request) (*identity.User, error) {
	u, _, err := s.authenticate(r)
	return u, err
}

func (s *Sessions) authenticate(r *http.Request) (*identity.User, []byte, error) {
	c, err := r.Cookie(s.cfg.CookieName)
	if err != nil || !ValidSecret(c.Value) {
		return nil, nil, nil
	}
	ctx := r.Context()
	h := hash(c.Value)
	sess, err := s.sessions.SessionByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, accounts.Unavailable(err)
	}
	now := s.now()
	if !s.Live(sess, now) {
		if err := s.sessions.DeleteSession(ctx, h); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, accounts.Unavailable(err)
		}
		return nil, nil, nil
	}
	u, err := s.acc.Dir.User(ctx, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !u.IsActive || u.PasswordVersion != sess.PasswordVersion {
		return nil, nil, nil
	}
	err = authhttp.CheckCSRF(r, s.cfg.CSRFHeaderName, func(got string) bool {
		return subtle.ConstantTimeCompare(hash(got), sess.CSRFHash) == 1
	})
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.sessions.TouchSession(ctx, h, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, accounts.Unavailable(err)
		}
	}
	return u, h, nil
}

// Mount registers POST login and POST logout under the configured path.
func (s *Sessions) Mount(r chi.Router) { r.Mount(s.cfg.Path, s.Routes()) }

// Routes returns the endpoints relative to the configured path.
func (s *Sessions) Routes() http.Handler {
	r := chi.NewRouter()
	r.MethodNotAllowed(authhttp.MethodNotAllowed("POST", "OPTIONS"))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		authhttp.NoStore(w)
		drf.NotFound(w)
	})
	r.Post("/login", s.login)
	r.Post("/logout", s.logout)
	return r
}

func (s *Sessions) cookies(w http.ResponseWriter, id, csrf string, maxAge int) {
	if maxAge == 0 {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.cfg.CookieName, Value: id, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
	http.SetCookie(w, &http.Cookie{
		Name: s.cfg.CSRFCookieName, Value: csrf, Path: "/", MaxAge: maxAge,
		Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Sessions) login(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	// Every attempt counts, right or wrong.
	done, err := s.throttle.Admit(r)
	if err != nil {
		authhttp.WriteError(w, "", err)
		return
	}
	defer done(false)
	l, ok := authhttp.ParseLogin(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	u, err := s.acc.CheckCredentials(ctx, l.Username, l.Password)
	if errors.Is(err, accounts.ErrBadCredentials) {
		authhttp.BadCredentials(w, "")
		return
	}
	if err != nil {
		authhttp.WriteError(w, "", err)
		return
	}
	if authhttp.SecondStep(w, r, s.acc, s.Name(), "", u) {
		return
	}
	s.Issue(w, r, u)
}

// Issue answers a successful login of u: a new session and its cookies,
// and the user. The second step of MFA calls it too.
func (s *Sessions) Issue(w http.ResponseWriter, r *http.Request, u *identity.User) {
	ctx := r.Context()
	// A session the client already holds is ended, never adopted.
	if c, err := r.Cookie(s.cfg.CookieName); err == nil && ValidSecret(c.Value) {
		if err := s.sessions.DeleteSession(ctx, hash(c.Value)); err != nil && !errors.Is(err, store.ErrNotFound) {
			authhttp.WriteError(w, "", accounts.Unavailable(err))
			return
		}
	}
	id, csrf := secret(), secret()
	now := s.now()
	err := s.sessions.CreateSession(ctx, &store.Session{
		Hash: hash(id), UserID: u.ID, CSRFHash: hash(csrf), CreatedAt: now, LastSeen: now,
		PasswordVersion: u.PasswordVersion, Client: store.ClientFrom(ctx),
	})
	if err != nil {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	s.cookies(w, id, csrf, int(s.cfg.AbsoluteTimeout.Seconds()))
	authhttp.WriteUser(w, u)
}

func (s *Sessions) logout(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	u, h, err := s.authenticate(r)
	if err != nil {
		authn.WriteError(w, "", err)
		return
	}
	if u == nil {
		drf.Forbidden(w, drf.NotAuthenticated)
		return
	}
	if err := s.sessions.DeleteSession(r.Context(), h); err != nil && !errors.Is(err, store.ErrNotFound) {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	s.cookies(w, "", "", 0)
	w.WriteHeader(http.StatusNoContent)
}
