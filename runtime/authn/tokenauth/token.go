// Package tokenauth is the opaque API token class, after DRF's
// TokenAuthentication: "Authorization: Token <key>", where the key is 32
// random bytes in hex, shown once at login and stored only as its SHA-256
// hash. A user may hold several tokens; logout deletes the presented one.
package tokenauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// KeyLen is the length of a key in hex characters (32 bytes).
const KeyLen = 64

// DRF's messages.
const (
	MsgNoCredentials = "Invalid token header. No credentials provided."
	MsgSpaces        = "Invalid token header. Token string should not contain spaces."
	MsgBadChars      = "Invalid token header. Token string should not contain invalid characters."
)

// Config configures the class.
type Config struct {
	TTL  time.Duration // 0: tokens do not expire
	Path string        // endpoint prefix, default "/auth/token"
}

// Tokens is the "token" class and its login/logout endpoints.
type Tokens struct {
	cfg      Config
	acc      *accounts.Accounts
	tokens   store.Tokens
	throttle authn.LoginThrottle
	now      func() time.Time
}

var _ authn.Authenticator = (*Tokens)(nil)

// New returns the class. throttle (may be nil) admits every login attempt
// and every look-up of a presented key: it holds a slot of the client's
// login bucket meanwhile, keeps it counted unless the key is valid and
// gives it back when it is, so that clients that send theirs on every
// request are not throttled. However many keys arrive at once, no more
// are looked up per window than the login rate allows; past it the answer
// is 429, even for a valid key, so that guessing cannot go on and
// recognise success.
func New(cfg Config, acc *accounts.Accounts, tokens store.Tokens, throttle authn.LoginThrottle) *Tokens {
	if cfg.Path == "" {
		cfg.Path = "/auth/token"
	}
	return &Tokens{cfg: cfg, acc: acc, tokens: tokens, throttle: throttle, now: time.Now}
}

// Name implements authn.Authenticator.
func (t *Tokens) Name() string { return "token" }

// Challenge implements authn.Authenticator.
func (t *Tokens) Challenge() string { return "Token" }

func fail(msg string) *authn.Error {
	return &authn.Error{Status: http.StatusUnauthorized, Detail: msg}
}

// ParseHeader extracts the key of "Authorization: Token <key>". ok is
// false when the header is absent or of another scheme; err is set (in
// DRF's words) when the scheme is Token but the value is malformed.
func ParseHeader(h string) (key string, ok bool, err error) {
	if h == "" {
		return "", false, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Token") {
		return "", false, nil
	}
	rest = strings.Trim(rest, " ")
	if rest == "" {
		return "", true, fail(MsgNoCredentials)
	}
	if strings.ContainsAny(rest, " \t") {
		return "", true, fail(MsgSpaces)
	}
	if len(rest) != KeyLen {
		return "", true, fail(drf.InvalidToken)
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", true, fail(MsgBadChars)
		}
	}
	return rest, true, nil
}

// Hash returns the stored form of a key.
func Hash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Authenticate implements authn.Authenticator.
func (t *Tokens) Authenticate(r *http.Request) (*identity.User, error) {
	u, _, err := t.authenticate(r)
	return u, err
}

func (t *Tokens) authenticate(r *http.Request) (*identity.User, []byte, error) {
	key, ok, err := ParseHeader(r.Header.Get("Authorization"))
	if !ok {
		return nil, nil, nil
	}
	// Every presented key, well-formed or not, holds a slot of the
	// client's login bucket while it is checked: a blocked client is
	// refused before its key is looked up, and the answer (429) is the
	// same whether the key is valid or not.
	done, aerr := t.throttle.Admit(r)
	if aerr != nil {
		return nil, nil, aerr
	}
	if err != nil {
		done(false)
		return nil, nil, err
	}
	u, h, err := t.check(r.Context(), key)
	done(err == nil)
	return u, h, err
}

// check looks the well-formed key up and checks its user.
func (t *Tokens) check(ctx context.Context, key string) (*identity.User, []byte, error) {
	h := Hash(key)
	tok, err := t.tokens.TokenByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fail(drf.InvalidToken)
	}
	if err != nil {
		return nil, nil, accounts.Unavailable(err)
	}
	if !tok.ExpiresAt.IsZero() && !t.now().Before(tok.ExpiresAt) {
		return nil, nil, fail(drf.InvalidToken)
	}
	u, err := t.acc.Dir.User(ctx, tok.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fail(drf.InvalidToken)
	}
	if err != nil {
		return nil, nil, err
	}
	if !u.IsActive {
		return nil, nil, fail(drf.UserInactive)
	}
	if u.PasswordVersion != tok.PasswordVersion {
		return nil, nil, fail(drf.InvalidToken)
	}
	t.touch(ctx, tok)
	return u, h, nil
}

// touch records that tok authenticated a request, when its LastUsed is
// store.TouchEvery stale or more: at most one write a minute per token.
// Best effort: the request is answered whether the write succeeds or not.
func (t *Tokens) touch(ctx context.Context, tok *store.APIToken) {
	l, ok := t.tokens.(store.TokenLister)
	now := t.now()
	if !ok || now.Sub(tok.LastUsed) < store.TouchEvery {
		return
	}
	_ = l.TouchToken(ctx, tok.Hash, now)
}

// NewKey creates a token for u and returns its key, the only time the key
// exists outside the client.
func (t *Tokens) NewKey(ctx context.Context, u *identity.User) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b)
	now := t.now()
	at := &store.APIToken{Hash: Hash(key), UserID: u.ID, CreatedAt: now, PasswordVersion: u.PasswordVersion, Client: store.ClientFrom(ctx)}
	if t.cfg.TTL > 0 {
		at.ExpiresAt = now.Add(t.cfg.TTL)
	}
	if err := t.tokens.CreateToken(ctx, at); err != nil {
		return "", accounts.Unavailable(err)
	}
	return key, nil
}

// Mount registers POST login and POST logout under the configured path.
func (t *Tokens) Mount(r chi.Router) { r.Mount(t.cfg.Path, t.Routes()) }

// Routes returns the endpoints relative to the configured path.
func (t *Tokens) Routes() http.Handler {
	r := chi.NewRouter()
	r.MethodNotAllowed(authhttp.MethodNotAllowed("POST", "OPTIONS"))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		authhttp.NoStore(w)
		drf.NotFound(w)
	})
	r.Post("/login", t.login)
	r.Post("/logout", t.logout)
	return r
}

func (t *Tokens) login(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	// Every attempt counts, right or wrong.
	done, err := t.throttle.Admit(r)
	if err != nil {
		authhttp.WriteError(w, t.Challenge(), err)
		return
	}
	defer done(false)
	l, ok := authhttp.ParseLogin(w, r)
	if !ok {
		return
	}
	u, err := t.acc.CheckCredentials(r.Context(), l.Username, l.Password)
	if errors.Is(err, accounts.ErrBadCredentials) {
		authhttp.BadCredentials(w, t.Challenge())
		return
	}
	if err != nil {
		authhttp.WriteError(w, t.Challenge(), err)
		return
	}
	if authhttp.SecondStep(w, r, t.acc, t.Name(), t.Challenge(), u) {
		return
	}
	t.Issue(w, r, u)
}

// Issue answers a successful login of u: a new token. The second step of
// MFA calls it too.
func (t *Tokens) Issue(w http.ResponseWriter, r *http.Request, u *identity.User) {
	key, err := t.NewKey(r.Context(), u)
	if err != nil {
		authhttp.WriteError(w, t.Challenge(), err)
		return
	}
	drf.JSON(w, http.StatusOK, map[string]string{"token": key})
}

func (t *Tokens) logout(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	u, h, err := t.authenticate(r)
	if err != nil {
		authn.WriteError(w, t.Challenge(), err)
		return
	}
	if u == nil {
		authn.WriteError(w, t.Challenge(), fail(drf.NotAuthenticated))
		return
	}
	if err := t.tokens.DeleteToken(r.Context(), h); err != nil && !errors.Is(err, store.ErrNotFound) {
		authhttp.WriteError(w, t.Challenge(), accounts.Unavailable(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
