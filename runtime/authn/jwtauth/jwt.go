// Package jwtauth is the JWT authentication class and its endpoints
// (login, refresh, logout), after djangorestframework-simplejwt: short-lived
// access tokens in "Authorization: Bearer", refresh tokens in an HttpOnly
// cookie (or the body), rotated at every refresh and kept in an allowlist of
// refresh families, so a rotated token presented again revokes its family.
package jwtauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// Token types, in the token_type claim and (as media types) the typ header.
const (
	TypeAccess  = "access"
	TypeRefresh = "refresh"
	typAccess   = "at+jwt"
	typRefresh  = "rt+jwt"
)

// MaxTokenLen bounds the length of a token this package parses.
const MaxTokenLen = 4096

// simplejwt's messages and codes.
const (
	MsgNotValid        = "Given token not valid for any token type"
	MsgInvalidOrExpire = "Token is invalid or expired"
	MsgTwoValues       = "Authorization header must contain two space-delimited values"
	MsgUserNotFound    = "User not found"
	MsgUserInactive    = "User is inactive"
	MsgNoRefresh       = "No valid refresh token found."
	CodeNotValid       = "token_not_valid"
	CodeBadHeader      = "bad_authorization_header"
	CodeUserNotFound   = "user_not_found"
	CodeUserInactive   = "user_inactive"
)

// Claims are the claims of both token types.
//
// Tokens are written compact (MarshalJSON): aud a string, no nbf (it
// would equal iat), the type only in the typ header, pwv only when not 0,
// and no jti on an access token of a family (revoked with its family,
// never by id). Parsing also reads the longer form Ward wrote before (aud an
// array, nbf, token_type, jti on every token), with the same checks.
type Claims struct {
	jwt.RegisteredClaims
	// TokenType is "access" or "refresh" in tokens written before the
	// compact form; "" in new ones, whose typ header carries the type.
	TokenType string `json:"token_type"`
	// PasswordVersion is the user's password version at issue.
	PasswordVersion int64 `json:"pwv"`
	// Family is the refresh family the token belongs to.
	Family string `json:"fam,omitempty"`
}

// wireClaims is the compact form Claims are written in.
type wireClaims struct {
	Issuer          string           `json:"iss"`
	Subject         string           `json:"sub"`
	Audience        any              `json:"aud,omitempty"`
	ExpiresAt       *jwt.NumericDate `json:"exp,omitempty"`
	NotBefore       *jwt.NumericDate `json:"nbf,omitempty"`
	IssuedAt        *jwt.NumericDate `json:"iat,omitempty"`
	ID              string           `json:"jti,omitempty"`
	TokenType       string           `json:"token_type,omitempty"`
	PasswordVersion int64            `json:"pwv,omitempty"`
	Family          string           `json:"fam,omitempty"`
}

// MarshalJSON writes the compact form: one audience as a string, nbf only
// when it differs from iat, and the empty claims left out.
func (c Claims) MarshalJSON() ([]byte, error) {
	w := wireClaims{
		Issuer: c.Issuer, Subject: c.Subject, ExpiresAt: c.ExpiresAt, IssuedAt: c.IssuedAt, ID: c.ID,
		TokenType: c.TokenType, PasswordVersion: c.PasswordVersion, Family: c.Family,
	}
	switch len(c.Audience) {
	case 0:
	case 1:
		w.Audience = c.Audience[0]
	default:
		w.Audience = []string(c.Audience)
	}
	if c.NotBefore != nil && (c.IssuedAt == nil || c.NotBefore.Unix() != c.IssuedAt.Unix()) {
		w.NotBefore = c.NotBefore
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the claims as encoding/json would, after checking
// that the NumericDate claims (exp, nbf, iat) that are present are JSON
// numbers (RFC 7519 §2): golang-jwt's NumericDate also reads a numeric
// string ("1"), and a null leaves the claim unset. Keys are matched as
// encoding/json matches them, case-insensitively, so "EXP" is checked too.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for k, v := range raw {
		if !strings.EqualFold(k, "exp") && !strings.EqualFold(k, "nbf") && !strings.EqualFold(k, "iat") {
			continue
		}
		if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
			return fmt.Errorf("claim %q is not a JSON number", k)
		}
	}
	type plain Claims // without this method
	return json.Unmarshal(b, (*plain)(c))
}

// Config configures the class and its endpoints.
type Config struct {
	// Keys verify tokens, selected by the kid header. The signing key is
	// the one named by SigningKeyID (default: the first key).
	Keys         []*Key
	SigningKeyID string
	Issuer       string
	Audience     string
	AccessTTL    time.Duration // default 5m
	RefreshTTL   time.Duration // default 24h
	Leeway       time.Duration // for exp, nbf and iat; default 30s
	RefreshIn    string        // "cookie" (default) or "body"
	// AccessIn is where login and refresh put the access token: "body"
	// (default; the client sends it as "Authorization: Bearer") or
	// "cookie": an HttpOnly cookie named AccessCookieName, which the class
	// also reads, with CSRF on unsafe methods (see Authenticate). Cookie
	// mode needs RefreshIn "cookie".
	AccessIn string
	// AccessCookieName names the access-token cookie (default
	// "access_token"); CSRFCookieName and CSRFHeaderName the CSRF cookie
	// and header of cookie mode (default "csrftoken" and "X-CSRFToken",
	// as sessions).
	AccessCookieName string
	CSRFCookieName   string
	CSRFHeaderName   string
	Path             string // endpoint prefix and cookie path; default "/auth/jwt"
	Realm            string // default "api"
	// InsecureCookies drops the Secure attribute; for tests over plain
	// HTTP only.
	InsecureCookies bool
	// CacheSize bounds the verified-token cache (default 100000 tokens).
	CacheSize int
	// ReuseGrace is how long after its own rotation a refresh token may
	// be presented again without revoking its family: two browser tabs
	// refreshing at once present the same token, and the one that loses
	// the race gets 401 but must not log the user out. Later (or for any
	// older token) reuse revokes the family. 0 turns the grace off; it is
	// at most MaxReuseGrace. The spec's jwt.reuse_grace, default 1s.
	ReuseGrace time.Duration
}

// MaxReuseGrace bounds Config.ReuseGrace: a stolen refresh token presented
// within the grace of its rotation does not revoke the family.
const MaxReuseGrace = time.Minute

// JWT is the "jwt" authentication class and the login, refresh and logout
// endpoints.
type JWT struct {
	cfg       Config
	keys      map[string]*Key
	signing   *Key
	parser    *jwt.Parser
	acc       *accounts.Accounts
	families  store.Families
	throttle  authn.LoginThrottle
	challenge string
	cache     tokenCache
	fams      familyCache
	now       func() time.Time
}

var _ authn.Authenticator = (*JWT)(nil)

// New checks cfg and returns the class. acc checks credentials and looks
// users up; families is the refresh allowlist; throttle (may be nil) is
// consulted for every login attempt.
func New(cfg Config, acc *accounts.Accounts, families store.Families, throttle authn.LoginThrottle) (*JWT, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("jwt: no key")
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("jwt: issuer and audience are required")
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 5 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 24 * time.Hour
	}
	if cfg.Leeway < 0 {
		return nil, errors.New("jwt: negative leeway")
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.ReuseGrace < 0 || cfg.ReuseGrace > MaxReuseGrace {
		return nil, fmt.Errorf("jwt: reuse grace %v: must be between 0 and %v", cfg.ReuseGrace, MaxReuseGrace)
	}
	switch cfg.RefreshIn {
	case "":
		cfg.RefreshIn = "cookie"
	case "cookie", "body":
	default:
		return nil, fmt.Errorf("jwt: RefreshIn must be cookie or body, not %q", cfg.RefreshIn)
	}
	if err := cookieDefaults(&cfg); err != nil {
		return nil, err
	}
	if cfg.Path == "" {
		cfg.Path = "/auth/jwt"
	}
	if cfg.Realm == "" {
		cfg.Realm = "api"
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 100_000
	}
	j := &JWT{cfg: cfg, keys: map[string]*Key{}, acc: acc, families: families, throttle: throttle, now: time.Now}
	var algs []string
	seen := map[string]bool{}
	for _, k := range cfg.Keys {
		if k == nil {
			return nil, errors.New("jwt: nil key")
		}
		if _, dup := j.keys[k.ID]; dup {
			return nil, fmt.Errorf("jwt: two keys with kid %q", k.ID)
		}
		j.keys[k.ID] = k
		if !seen[k.Alg()] {
			seen[k.Alg()] = true
			algs = append(algs, k.Alg())
		}
	}
	j.signing = cfg.Keys[0]
	if cfg.SigningKeyID != "" {
		j.signing = j.keys[cfg.SigningKeyID]
		if j.signing == nil {
			return nil, fmt.Errorf("jwt: no key with kid %q", cfg.SigningKeyID)
		}
	}
	if !j.signing.CanSign() {
		return nil, errors.New("jwt: the signing key has no private part")
	}
	j.parser = jwt.NewParser(
		jwt.WithValidMethods(algs),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(func() time.Time { return j.now() }),
	)
	j.challenge = `Bearer realm="` + cfg.Realm + `"`
	j.cache.max = cfg.CacheSize
	j.cache.m = map[string]verified{}
	j.fams.m = map[string]famEntry{}
	j.fams.max = cfg.CacheSize
	return j, nil
}

// cookieDefaults checks and completes the access-token settings.
func cookieDefaults(cfg *Config) error {
	switch cfg.AccessIn {
	case "":
		cfg.AccessIn = "body"
	case "body":
	case "cookie":
		if cfg.RefreshIn != "cookie" {
			return errors.New("jwt: AccessIn cookie needs RefreshIn cookie: a browser app keeps no token in JavaScript")
		}
	default:
		return fmt.Errorf("jwt: AccessIn must be body or cookie, not %q", cfg.AccessIn)
	}
	if cfg.AccessCookieName == "" {
		cfg.AccessCookieName = "access_token"
	}
	if cfg.CSRFCookieName == "" {
		cfg.CSRFCookieName = "csrftoken"
	}
	if cfg.CSRFHeaderName == "" {
		cfg.CSRFHeaderName = "X-CSRFToken"
	}
	return nil
}

// Name implements authn.Authenticator.
func (j *JWT) Name() string { return "jwt" }

// Challenge implements authn.Authenticator: Bearer realm="api".
func (j *JWT) Challenge() string { return j.challenge }

// Config returns the configuration with defaults applied.
func (j *JWT) Config() Config { return j.cfg }

func invalid(msg, code string) *authn.Error {
	return &authn.Error{Status: http.StatusUnauthorized, Detail: msg, Code: code}
}

var (
	errNotValid   = invalid(MsgNotValid, CodeNotValid)
	errBadHeader  = invalid(MsgTwoValues, CodeBadHeader)
	errNoUser     = invalid(MsgUserNotFound, CodeUserNotFound)
	errInactive   = invalid(MsgUserInactive, CodeUserInactive)
	errRefreshBad = invalid(MsgInvalidOrExpire, CodeNotValid)
	errNoRefresh  = invalid(MsgNoRefresh, CodeNotValid)
)

// BearerToken extracts the token of an "Authorization: Bearer <token>"
// header. ok is false when the header is absent or of another scheme (the
// class passes); err is set when the scheme is Bearer but the value is not
// exactly one token.
func BearerToken(h string) (tok string, ok bool, err error) {
	if h == "" {
		return "", false, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, nil
	}
	rest = strings.Trim(rest, " \t")
	// Two IndexByte scans (vectorised) rather than ContainsAny's byte loop:
	// this runs on every request, over the whole token.
	if rest == "" || strings.IndexByte(rest, ' ') >= 0 || strings.IndexByte(rest, '\t') >= 0 {
		return "", true, errBadHeader
	}
	return rest, true, nil
}

// Authenticate implements authn.Authenticator for "Authorization: Bearer
// <access token>" and, in cookie mode, for the access-token cookie of a
// request without an Authorization header. The token must be an access
// token signed by a configured key, unexpired, for this issuer and
// audience; its user must exist, be active and still have the password
// version it was issued under; its family must be live. A token from the
// cookie on an unsafe method also needs the CSRF header, as a session
// does: the secret the login set in the CSRF cookie (the preimage of the
// token's family), else 403. A Bearer token needs no CSRF.
func (j *JWT) Authenticate(r *http.Request) (*identity.User, error) {
	h := r.Header.Get("Authorization")
	tok, ok, err := BearerToken(h)
	if err != nil {
		return nil, err
	}
	fromCookie := false
	if !ok {
		if h != "" || j.cfg.AccessIn != "cookie" {
			return nil, nil
		}
		c, err := r.Cookie(j.cfg.AccessCookieName)
		if err != nil || c.Value == "" {
			return nil, nil
		}
		tok, fromCookie = c.Value, true
	}
	u, fam, err := j.authenticate(r, tok)
	if err != nil || !fromCookie {
		return u, err
	}
	err = authhttp.CheckCSRF(r, j.cfg.CSRFHeaderName, func(got string) bool {
		return fam != "" && subtle.ConstantTimeCompare([]byte(familyOf(got)), []byte(fam)) == 1
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// authenticate checks an access token and its user and family, and
// returns the user and the family.
func (j *JWT) authenticate(r *http.Request, tok string) (*identity.User, string, error) {
	v, err := j.verifyAccess(tok)
	if err != nil {
		return nil, "", err
	}
	u, err := j.acc.Dir.User(r.Context(), v.uid)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", errNoUser
		}
		return nil, "", err
	}
	if !u.IsActive {
		return nil, "", errInactive
	}
	if u.PasswordVersion != v.pwv {
		return nil, "", errNotValid
	}
	if v.fam != "" {
		alive, err := j.familyAlive(r.Context(), v.fam)
		if err != nil {
			return nil, "", err
		}
		if !alive {
			return nil, "", errNotValid
		}
	}
	return u, v.fam, nil
}

// familyCacheTTL is how long a live family is believed live without
// asking the store: a logout or a reuse revocation on another instance
// reaches this one's access tokens within it.
const familyCacheTTL = accounts.MaxUserCacheTTL

type famEntry struct {
	dead bool
	at   time.Time
}

// familyCache remembers which refresh families are live (for at most
// familyCacheTTL) or dead (for good: a family never comes back).
type familyCache struct {
	mu  sync.RWMutex
	m   map[string]famEntry
	max int
}

func (c *familyCache) set(id string, e famEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[id] = e
}

// familyAlive reports whether the family an access token belongs to is
// still in the allowlist: logout and reuse detection revoke the family, and
// with it the access tokens issued in it.
func (j *JWT) familyAlive(ctx context.Context, id string) (bool, error) {
	now := j.now()
	j.fams.mu.RLock()
	e, ok := j.fams.m[id]
	j.fams.mu.RUnlock()
	if ok && (e.dead || (now.Sub(e.at) < familyCacheTTL && !now.Before(e.at))) {
		return !e.dead, nil
	}
	_, err := j.families.FamilyByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		j.fams.set(id, famEntry{dead: true, at: now})
		return false, nil
	}
	if err != nil {
		return false, accounts.Unavailable(err)
	}
	j.fams.set(id, famEntry{at: now})
	return true, nil
}

// revoke deletes the family from the store and marks it dead here at once.
func (j *JWT) revoke(ctx context.Context, id string) error {
	if err := j.families.RevokeFamily(ctx, id); err != nil {
		return accounts.Unavailable(err)
	}
	j.fams.set(id, famEntry{dead: true, at: j.now()})
	return nil
}

// verified is what the cache keeps of a verified access token.
type verified struct {
	uid, pwv int64
	fam      string
	until    int64 // unix nanoseconds: exp + leeway
}

// tokenCache maps whole token strings to their verified claims. An entry
// dies with its token's exp, and the map is bounded: when full, expired
// entries are swept and, if that frees nothing, the map is emptied.
type tokenCache struct {
	mu  sync.RWMutex
	m   map[string]verified
	max int
}

func (c *tokenCache) get(tok string, now int64) (verified, bool) {
	c.mu.RLock()
	v, ok := c.m[tok]
	c.mu.RUnlock()
	if ok && now >= v.until {
		return verified{}, false
	}
	return v, ok
}

func (c *tokenCache) put(tok string, v verified, now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if now >= e.until {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[strings.Clone(tok)] = v
}

func (j *JWT) verifyAccess(tok string) (verified, error) {
	now := j.now().UnixNano()
	if v, ok := j.cache.get(tok, now); ok {
		return v, nil
	}
	c, uid, err := j.parse(tok, TypeAccess)
	if err != nil {
		return verified{}, errNotValid
	}
	v := verified{uid: uid, pwv: c.PasswordVersion, fam: c.Family, until: c.ExpiresAt.Add(j.cfg.Leeway).UnixNano()}
	j.cache.put(tok, v, now)
	return v, nil
}

// Parse verifies tok as a token of the given type ("access" or
// "refresh") and returns its claims and user id. It checks the signature
// with the key its kid names and that key's one algorithm, exp (required),
// nbf (when present) and iat (required) with the leeway, iss, aud, the typ
// header, token_type when present (tokens written before the compact
// form), jti (required on a refresh token and on an access token without
// a family) and sub.
func (j *JWT) Parse(tok, tokenType string) (*Claims, int64, error) {
	return j.parse(tok, tokenType)
}

func (j *JWT) parse(tok, tokenType string) (*Claims, int64, error) {
	if len(tok) > MaxTokenLen {
		return nil, 0, errors.New("token too long")
	}
	var c Claims
	t, err := j.parser.ParseWithClaims(tok, &c, j.keyFor)
	if err != nil {
		return nil, 0, err
	}
	want := typAccess
	if tokenType == TypeRefresh {
		want = typRefresh
	}
	// The typ header is signed as the claims are: it alone carries the
	// type of a compact token. token_type, when present, must agree.
	if typ, _ := t.Header["typ"].(string); typ != want || (c.TokenType != "" && c.TokenType != tokenType) {
		return nil, 0, errors.New("wrong token type")
	}
	if c.IssuedAt == nil {
		return nil, 0, errors.New("iat is required")
	}
	if c.ID == "" && (tokenType == TypeRefresh || c.Family == "") {
		return nil, 0, errors.New("jti is required")
	}
	if tokenType == TypeRefresh && c.Family == "" {
		return nil, 0, errors.New("refresh token without family")
	}
	uid, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || uid <= 0 {
		return nil, 0, errors.New("bad sub")
	}
	return &c, uid, nil
}

func (j *JWT) keyFor(t *jwt.Token) (any, error) {
	kid := ""
	if v, ok := t.Header["kid"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, errors.New("bad kid")
		}
		kid = s
	}
	k := j.keys[kid]
	if k == nil {
		return nil, errors.New("unknown kid")
	}
	if t.Method == nil || t.Method.Alg() != k.Alg() {
		return nil, errors.New("algorithm not allowed for this key")
	}
	return k.verify, nil
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// shortID is the jti of an access token without a family: 64 random
// bits, for a token that lives minutes and is never looked up.
func shortID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfSecret is a new CSRF secret: 32 random bytes in base64url, 43
// characters, the shape of a session's.
func csrfSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// familyBytes is the length of a family id before base64 (96 bits).
const familyBytes = 12

// familyOf is the family id a CSRF secret stands for: the first 96 bits
// of its SHA-256. The secret goes to the client in the CSRF cookie and
// the id into the tokens; an id does not give its secret back, and a
// secret from another login names another family.
func familyOf(csrf string) string {
	h := sha256.Sum256([]byte(csrf))
	return base64.RawURLEncoding.EncodeToString(h[:familyBytes])
}

func hashJTI(jti string) []byte {
	h := sha256.Sum256([]byte(jti))
	return h[:]
}

func (j *JWT) sign(c *Claims, typ string) (string, error) {
	t := jwt.NewWithClaims(j.signing.method, c)
	t.Header["typ"] = typ
	if j.signing.ID != "" {
		t.Header["kid"] = j.signing.ID
	}
	return t.SignedString(j.signing.sign)
}

func (j *JWT) claims(u *identity.User, family, jti string, now, exp time.Time) *Claims {
	return &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    j.cfg.Issuer,
			Subject:   strconv.FormatInt(u.ID, 10),
			Audience:  jwt.ClaimStrings{j.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		PasswordVersion: u.PasswordVersion,
		Family:          family,
	}
}

// AccessToken signs an access token for u in family (may be ""). A token
// of a family has no jti: access tokens are revoked by family, never one
// by one, and are never looked up by id; two of one family issued in the
// same second are the same token, with the same claims.
func (j *JWT) AccessToken(u *identity.User, family string) (string, error) {
	now := j.now()
	jti := ""
	if family == "" {
		jti = shortID()
	}
	return j.sign(j.claims(u, family, jti, now, now.Add(j.cfg.AccessTTL)), typAccess)
}

// Pair is an access token and the refresh token of a new family.
type Pair struct {
	Access, Refresh string
	Family          string
	// CSRF is the secret whose hash is Family (see familyOf): the value
	// of the CSRF cookie in cookie mode. "" after a rotation.
	CSRF string
}

// NewFamily starts a refresh family for u and returns its first tokens.
func (j *JWT) NewFamily(ctx context.Context, u *identity.User) (Pair, error) {
	now := j.now()
	csrf := csrfSecret()
	fam, jti := familyOf(csrf), randomID()
	exp := now.Add(j.cfg.RefreshTTL)
	refresh, err := j.sign(j.claims(u, fam, jti, now, exp), typRefresh)
	if err != nil {
		return Pair{}, err
	}
	access, err := j.AccessToken(u, fam)
	if err != nil {
		return Pair{}, err
	}
	err = j.families.CreateFamily(ctx, &store.Family{
		ID: fam, UserID: u.ID, Current: hashJTI(jti), ExpiresAt: exp, PasswordVersion: u.PasswordVersion,
		CreatedAt: now, Client: store.ClientFrom(ctx),
	})
	if err != nil {
		return Pair{}, accounts.Unavailable(err)
	}
	return Pair{Access: access, Refresh: refresh, Family: fam, CSRF: csrf}, nil
}

// Rotate exchanges a refresh token for a new pair. The token must be the
// current one of a live family whose user is active and has the password
// version of the family; the swap is a compare-and-swap, so of concurrent
// refreshes of one token exactly one succeeds. A token that is valid but no
// longer current (reuse of a rotated token) revokes the family, except the
// token the last rotation replaced, presented within ReuseGrace of that
// rotation (a second tab that lost the race): that is 401 and revokes
// nothing. Errors are *authn.Error (401) or wrap identity.ErrUnavailable.
func (j *JWT) Rotate(ctx context.Context, refresh string) (Pair, *identity.User, error) {
	c, uid, err := j.parse(refresh, TypeRefresh)
	if err != nil {
		return Pair{}, nil, errRefreshBad
	}
	fam, err := j.families.FamilyByID(ctx, c.Family)
	if errors.Is(err, store.ErrNotFound) {
		return Pair{}, nil, errRefreshBad
	}
	if err != nil {
		return Pair{}, nil, accounts.Unavailable(err)
	}
	old := hashJTI(c.ID)
	if fam.UserID == uid && string(fam.Current) != string(old) && j.racing(fam, old) {
		return Pair{}, nil, errRefreshBad
	}
	if fam.UserID != uid || string(fam.Current) != string(old) {
		// Reuse of a rotated token: the family is compromised.
		if err := j.revoke(ctx, fam.ID); err != nil {
			return Pair{}, nil, err
		}
		return Pair{}, nil, errRefreshBad
	}
	// Read the user from the store, not the cache: a refresh must see a
	// deactivation or password change at once (simplejwt CVE-2024-22513).
	rec, err := j.acc.Dir.Users().UserByID(ctx, uid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Pair{}, nil, accounts.Unavailable(err)
	}
	if err != nil || !rec.IsActive || rec.PasswordVersion != fam.PasswordVersion || rec.PasswordVersion != c.PasswordVersion {
		if err := j.revoke(ctx, fam.ID); err != nil {
			return Pair{}, nil, err
		}
		return Pair{}, nil, errRefreshBad
	}
	u := &rec.User
	now := j.now()
	jti := randomID()
	next, err := j.sign(j.claims(u, fam.ID, jti, now, fam.ExpiresAt), typRefresh)
	if err != nil {
		return Pair{}, nil, err
	}
	access, err := j.AccessToken(u, fam.ID)
	if err != nil {
		return Pair{}, nil, err
	}
	switch err := j.families.RotateFamily(ctx, fam.ID, old, hashJTI(jti), now); {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		// A concurrent refresh of the same token won, or the family died.
		return Pair{}, nil, errRefreshBad
	case err != nil:
		return Pair{}, nil, accounts.Unavailable(err)
	}
	return Pair{Access: access, Refresh: next, Family: fam.ID}, u, nil
}

// racing reports whether old, no longer current in fam, is the token the
// family's last rotation replaced, presented within ReuseGrace of it.
func (j *JWT) racing(fam *store.Family, old []byte) bool {
	if j.cfg.ReuseGrace <= 0 || fam.RotatedAt.IsZero() || string(fam.Previous) != string(old) {
		return false
	}
	since := j.now().Sub(fam.RotatedAt)
	return since < j.cfg.ReuseGrace && since > -j.cfg.ReuseGrace
}
