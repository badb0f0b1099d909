// Package service is the entry point of every generated service: it reads
// flags and the environment, opens the stores, wires authentication,
// throttling and the generated routes, and runs the commands (serve,
// createuser, changepassword, deactivate). A scaffolded main is one call,
// with a place for the team's middleware:
//
//	func main() { service.Main(blogapi.Definition(), service.WithMiddleware()) }
//
// so that a runtime upgrade or a regeneration reaches every service without
// anyone editing main. Main is a thin command line over New, which builds
// the service as a library: its Handler for a server of the team's own or
// for httptest, and Close.
package service

import (
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
)

// APIVersion is the version of the runtime API that generated code is
// written against. Generated code states the version it was generated for
// (see APIVersion1); a mismatch fails to compile, or at start with a
// message to regenerate.
const APIVersion = 1

// APIVersion1 is referenced by code generated for runtime API version 1:
//
//	const _ = service.APIVersion1 // the runtime is too old or too new: run `ward generate`
//
// A runtime with another API version drops this constant, so stale
// generated code fails to compile at that line.
const APIVersion1 = APIVersion

// Definition describes one generated service to the runtime.
type Definition struct {
	Name       string // e.g. "blog"
	EnvPrefix  string // e.g. "BLOG": BLOG_DATA, BLOG_JWT_KEY, BLOG_DATABASE_URL, ...
	APIVersion int    // the runtime API version the code was generated for

	Auth        Auth
	Accounts    *Accounts // self-service accounts; nil for none
	Throttle    Throttle
	Health      string   // liveness path, "" for none
	CORSOrigins []string // allowed origins; CORS is off when empty (the environment may add more)
	Docs        *Docs    // the OpenAPI document and docs page; nil when off

	// Tables are the resource tables the generated stores read and write.
	// The runtime creates and migrates them at start, after its own tables
	// (users, tokens, ...), so foreign keys to users(id) resolve.
	Tables []schema.Table

	// Mount registers the generated resource routes on r.
	Mount func(r chi.Router, app *rest.App)
}

// Docs serves the generated OpenAPI document (openapi.json) at Schema and,
// when UI is set, the docs page there (package docsui).
type Docs struct {
	Schema   string // e.g. "/api/schema"
	UI       string // e.g. "/api/docs"; "" for no page
	Document []byte // openapi.json, embedded by the generated package
}

// Auth configures the authentication classes. A nil class is not in use.
type Auth struct {
	Default []string // ordered class names: "jwt", "token", "session", "basic"
	JWT     *JWT
	Session *Session
	Token   *Token
	Basic   *Basic
	MFA     *MFA // nil: no second factor
	// LogoutAllPath serves POST "log out everywhere", e.g.
	// "/auth/sessions/logout-all"; "" for none.
	LogoutAllPath string
	// SessionsPath serves GET (the caller's sessions, API tokens and
	// refresh families) and DELETE SessionsPath/{kind}/{id} (end one),
	// e.g. "/auth/sessions"; "" for none.
	SessionsPath string
	MePath       string // e.g. "/auth/me"
}

// MFA turns on the TOTP second factor of every login class (package
// runtime/authn/mfa).
type MFA struct {
	Path string // e.g. "/auth/2fa"
}

// JWT configures JSON Web Tokens. See plan.JWT for the defaults.
type JWT struct {
	Algorithm  string // HS256, ES256, EdDSA, RS256
	KeyEnv     string // e.g. "BLOG_JWT_KEY"
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	RefreshIn  string // "cookie" or "body"
	// AccessIn: "body" or "cookie"; AccessCookieName names the cookie.
	// Cookie mode takes its CSRF cookie and header names from the
	// session class when there is one (else csrftoken, X-CSRFToken).
	AccessIn         string
	AccessCookieName string
	Issuer           string
	Audience         string
	Leeway           time.Duration
	Path             string // e.g. "/auth/jwt"
	// ReuseGrace: see jwtauth.Config.ReuseGrace (0: off).
	ReuseGrace time.Duration
}

// Session configures server-side sessions with CSRF.
type Session struct {
	CookieName      string
	CSRFCookieName  string
	CSRFHeaderName  string
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	Path            string // e.g. "/auth/session"
}

// Token configures opaque API tokens.
type Token struct {
	TTL  time.Duration // 0: no expiry
	Path string        // e.g. "/auth/token"
}

// Basic configures HTTP Basic.
type Basic struct {
	Realm string
}

// Throttle configures rates. Rates are written as in DRF: "10/minute".
type Throttle struct {
	TrustedProxies int
	Anon           string            // "" for none
	User           string            // "" for none
	Login          string            // "" for none
	LoginRateEnv   string            // e.g. "BLOG_LOGIN_RATE"
	Scopes         map[string]string // named scopes
}
