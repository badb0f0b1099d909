package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/wardhq/ward/runtime/docsui"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accountsapi"
	"github.com/wardhq/ward/runtime/authn/classes"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/mfa"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/sqlite"
	"github.com/wardhq/ward/runtime/store/sqlstore"
	"github.com/wardhq/ward/runtime/throttle"
)

// stores bundles the backends one instance uses.
type stores struct {
	db       *sql.DB
	dialect  rest.Dialect
	users    store.Users
	tokens   store.Tokens
	sessions store.Sessions
	families store.Families
	counters store.Counters
	closers  []func() error
}

// Close closes the backends in the reverse order of their opening and
// returns what went wrong.
func (s *stores) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// openStores opens the backends the environment selects: the embedded
// SQLite database in the data folder by default, PostgreSQL for data when
// DATABASE_URL is set, and Redis for sessions, refresh families and
// throttle counters when REDIS_URL is set. It creates and migrates the
// runtime's tables and the resource tables.
func openStores(ctx context.Context, def *Definition, e env) (*stores, error) {
	s := &stores{}
	if err := openData(ctx, s, e); err != nil {
		s.Close()
		return nil, err
	}
	if e.RedisURL != "" {
		if err := openRedis(ctx, s, def, e); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := schema.Migrate(ctx, s.db, string(s.dialect), def.Tables); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrating the resource tables: %w", err)
	}
	return s, nil
}

// openData opens the store of users, tokens and resources.
func openData(ctx context.Context, s *stores, e env) error {
	if e.DatabaseURL != "" {
		return openPostgres(ctx, s, e)
	}
	return openSQLite(ctx, s, e)
}

// openSQLite opens the embedded database in the data folder.
func openSQLite(ctx context.Context, s *stores, e env) error {
	db, err := sqlite.Open(e.DataDir)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, db.Close)
	st, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		return fmt.Errorf("opening the database in %s: %w", e.DataDir, err)
	}
	s.db, s.dialect = db, rest.SQLite
	s.users, s.tokens, s.sessions, s.families, s.counters = st, st, st, st, st
	return nil
}

// instance is one running service: its stores and its wiring.
type instance struct {
	def      *Definition
	env      env
	log      *slog.Logger
	stores   *stores
	auth     *classes.Set
	throttle *throttle.Throttle
	accounts *accountsapi.API // nil without an accounts section
	// secret is what the cursor key is derived from (see cursorKey).
	secret []byte
}

func open(ctx context.Context, def *Definition, e env, log *slog.Logger) (*instance, error) {
	if err := os.MkdirAll(e.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder %s: %v", e.DataDir, errors.Unwrap(err))
	}
	in := &instance{def: def, env: e, log: log}
	cfg, err := in.authConfig()
	if err != nil {
		return nil, err
	}
	if in.secret == nil {
		if in.secret, err = jwtauth.LoadOrCreateKey(e.DataDir); err != nil {
			return nil, err
		}
	}
	st, err := openStores(ctx, def, e)
	if err != nil {
		return nil, err
	}
	in.stores = st
	if in.throttle, err = in.newThrottle(); err != nil {
		st.Close()
		return nil, err
	}
	if in.throttle.Has(throttle.Login) {
		cfg.Throttle = in.throttle.LoginThrottle()
	}
	// MFA lives with the users (SQL), whatever holds the sessions.
	mfaStore, _ := st.users.(store.MFA)
	k, err := classes.New(cfg, classes.Stores{Users: st.users, Tokens: st.tokens, Sessions: st.sessions, Families: st.families, MFA: mfaStore, Counters: st.counters})
	if err != nil {
		st.Close()
		return nil, err
	}
	in.auth = k
	return in, nil
}

// authConfig turns the definition's authentication classes into the
// runtime's configuration. A JWT key that is too short is refused here,
// before anything listens.
func (in *instance) authConfig() (classes.Config, error) {
	a := in.def.Auth
	cfg := classes.Config{MePath: a.MePath, LogoutAllPath: a.LogoutAllPath, SessionsPath: a.SessionsPath,
		TrustedProxies: in.def.Throttle.TrustedProxies}
	if j := a.JWT; j != nil {
		key, err := in.jwtKey(j)
		if err != nil {
			return cfg, err
		}
		cfg.JWT = &jwtauth.Config{
			Keys:       []*jwtauth.Key{key},
			Issuer:     j.Issuer,
			Audience:   j.Audience,
			AccessTTL:  j.AccessTTL,
			RefreshTTL: j.RefreshTTL,
			Leeway:     j.Leeway,
			RefreshIn:  j.RefreshIn,
			AccessIn:   j.AccessIn,
			// The cookie of cookie mode, and its CSRF as a session's.
			AccessCookieName: j.AccessCookieName,
			Path:             j.Path,
			ReuseGrace:       j.ReuseGrace,
		}
		if in.def.Auth.Basic != nil {
			cfg.JWT.Realm = in.def.Auth.Basic.Realm
		}
		if s := a.Session; s != nil {
			cfg.JWT.CSRFCookieName, cfg.JWT.CSRFHeaderName = s.CSRFCookieName, s.CSRFHeaderName
		}
	}
	if t := a.Token; t != nil {
		cfg.Token = &tokenauth.Config{TTL: t.TTL, Path: t.Path}
	}
	if s := a.Session; s != nil {
		cfg.Session = &sessionauth.Config{
			CookieName:      s.CookieName,
			CSRFCookieName:  s.CSRFCookieName,
			CSRFHeaderName:  s.CSRFHeaderName,
			IdleTimeout:     s.IdleTimeout,
			AbsoluteTimeout: s.AbsoluteTimeout,
			Path:            s.Path,
		}
	}
	if b := a.Basic; b != nil {
		cfg.Basic = &classes.BasicConfig{Realm: b.Realm}
	}
	if m := a.MFA; m != nil {
		cfg.MFA = &mfa.Config{Path: m.Path, Issuer: in.def.Name}
	}
	return cfg, nil
}

// jwtKey reads the signing key: the environment variable as raw bytes (an
// HS256 secret) or PEM (the other algorithms), else a key generated once
// into the data folder.
func (in *instance) jwtKey(j *JWT) (*jwtauth.Key, error) {
	alg := j.Algorithm
	if alg == "" {
		alg = "HS256"
	}
	if alg != "HS256" {
		raw := in.env.JWTKey
		if raw == "" {
			return nil, fmt.Errorf("%s is not set: %s needs a PEM private key there", j.KeyEnv, alg)
		}
		in.secret = []byte(raw)
		return jwtauth.KeyFromBytes("", alg, []byte(raw))
	}
	raw, err := jwtauth.KeyFromValue(j.KeyEnv, in.env.JWTKey, in.env.DataDir)
	if err != nil {
		return nil, err
	}
	in.secret = raw
	return jwtauth.HMACKey("", raw)
}

// newThrottle builds the throttle of the login bucket and of resource
// endpoints over the instance's counters. The environment's login rate
// (e.g. BLOG_LOGIN_RATE=10/minute) overrides the spec's.
func (in *instance) newThrottle() (*throttle.Throttle, error) {
	t := in.def.Throttle
	var opts []throttle.Option
	if in.env.LoginRate != "" {
		n, period, err := throttle.ParseRate(in.env.LoginRate)
		if err != nil {
			return nil, fmt.Errorf("login rate from the environment: %v", err)
		}
		opts = append(opts, throttle.WithRate(throttle.Login, n, period))
	}
	return throttle.New(throttle.Config{
		Anon:           t.Anon,
		User:           t.User,
		Login:          t.Login,
		Scopes:         t.Scopes,
		TrustedProxies: t.TrustedProxies,
	}, in.stores.counters, opts...)
}

// handler builds the whole HTTP handler: the runtime's middleware, then
// the caller's (mws), then the authentication endpoints, the liveness
// endpoint and the generated routes.
func (in *instance) handler(mws []func(http.Handler) http.Handler) (http.Handler, error) {
	def := in.def
	chain, err := in.auth.Chain(def.Auth.Default...)
	if err != nil {
		return nil, err
	}
	var thr rest.Throttler
	if in.throttle.Has(throttle.Anon) || in.throttle.Has(throttle.User) || len(def.Throttle.Scopes) > 0 {
		thr = in.throttle
	}
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) { drf.NotFound(w) })
	r.MethodNotAllowed(methodNotAllowed(r))
	in.auth.Mount(r, chain)
	if err := in.mountAccounts(r, chain); err != nil {
		return nil, err
	}
	if def.Health != "" {
		r.Handle(def.Health, health(chain))
	}
	if def.Docs != nil {
		docsui.Mount(r, docsConfig(def))
	}
	app := &rest.App{
		DB:             in.stores.db,
		Dialect:        in.stores.dialect,
		Log:            in.log,
		Authenticators: in.auth.Classes,
		Throttle:       thr,
		CursorKey:      cursorKey(in.secret),
	}
	if def.Mount != nil {
		def.Mount(r, app)
	}
	origins := append(append([]string(nil), def.CORSOrigins...), in.env.CORSOrigins...)
	runtime := chi.Middlewares{
		logRequests(in.log), // outermost: it logs what recoverPanics answered
		recoverPanics(in.log),
		secureHeaders,
		allowOrigins(origins),
		limitBodies(maxBodyBytes),
	}
	return append(runtime, mws...).Handler(r), nil
}

// health is the liveness endpoint: 200 while the process serves, whatever
// the backends. Like every view it authenticates first, so an invalid
// Authorization header is a 401 here too (DRF).
func health(chain authn.Chain) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := chain.Authenticate(r); err != nil && !errors.Is(err, identity.ErrUnavailable) {
			chain.WriteError(w, err)
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			drf.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
		case http.MethodOptions:
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			drf.JSON(w, http.StatusOK, map[string]string{"name": "Health"})
		default:
			drf.MethodNotAllowed(w, r.Method, []string{"GET", "HEAD", "OPTIONS"})
		}
	}
}

// methodNotAllowed answers DRF's 405 with the Allow header, and OPTIONS
// with 200 and Allow, for routes the runtime registers (the generated
// resource routes answer these themselves, after authentication).
func methodNotAllowed(mux *chi.Mux) http.HandlerFunc {
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			if mux.Match(chi.NewRouteContext(), m, r.URL.Path) {
				allow = append(allow, m)
			}
		}
		allow = append(allow, "OPTIONS")
		sort.SliceStable(allow, func(i, j int) bool { return methodRank(allow[i]) < methodRank(allow[j]) })
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			w.WriteHeader(http.StatusOK)
			return
		}
		drf.MethodNotAllowed(w, r.Method, allow)
	}
}

func methodRank(m string) int {
	return strings.Index("GET HEAD POST PUT PATCH DELETE OPTIONS", m)
}

// docsConfig is the docs page's configuration: it logs in with JWT when the
// service has it, else with a session.
func docsConfig(def *Definition) docsui.Config {
	c := docsui.Config{Title: def.Name + " API", Document: def.Docs.Document, Schema: def.Docs.Schema, UI: def.Docs.UI}
	switch a := def.Auth; {
	case a.JWT != nil:
		c.JWTLogin = a.JWT.Path + "/login"
	case a.Session != nil:
		c.SessionLogin, c.CSRFCookie, c.CSRFHeader = a.Session.Path+"/login", a.Session.CSRFCookieName, a.Session.CSRFHeaderName
	}
	return c
}
