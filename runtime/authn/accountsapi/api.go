// Package accountsapi is the HTTP side of self-service accounts, with
// dj-rest-auth's paths, bodies and messages: registration, email
// verification and its resend, password change, and password reset with
// its confirmation. The domain (validators, tokens, keys, storage) is
// package accounts'; the mail, package mail's. Every endpoint is throttled
// and no answer tells whether an account exists: a reset or resend request
// does the same work in the request for a known and an unknown address,
// and mails from the background.
package accountsapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/mail"
	"github.com/wardhq/ward/runtime/store"
)

// Email verification modes, as allauth's ACCOUNT_EMAIL_VERIFICATION.
const (
	Mandatory = "mandatory"
	Optional  = "optional"
	None      = "none"
)

// dj-rest-auth's and Django's messages.
const (
	msgVerificationSent = "Verification e-mail sent."
	msgOK               = "ok"
	msgPasswordSaved    = "New password has been saved."
	msgResetSent        = "Password reset e-mail has been sent."
	msgResetDone        = "Password has been reset with the new password."
	msgMismatchRegister = "The two password fields didn't match."
	msgMismatch         = "The two password fields didn\u2019t match."
	msgOldPassword      = "Your old password was entered incorrectly. Please enter it again."
	msgInvalidValue     = "Invalid value"
	msgUsernameTaken    = "A user with that username already exists."
	msgInvalidUsername  = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
)

// Config configures the endpoints.
type Config struct {
	Prefix string // the service's auth prefix, default "/auth"
	// Registration mounts the three registration endpoints (open).
	Registration bool
	// Verification is Mandatory, Optional or None (default Optional).
	Verification string
	Accounts     *accounts.Accounts
	Emails       store.Emails
	Counters     store.Counters
	Mail         mail.Sender
	Templates    *mail.Templates
	// Secret signs email verification keys.
	Secret   []byte
	Site     string        // the name in the mails
	KeyTTL   time.Duration // verification keys, default 3 days (allauth)
	ResetTTL time.Duration // reset tokens, default 1 hour
	Rules    accounts.PasswordRules
	Rates    Rates
	// TrustedProxies is the number of proxies whose X-Forwarded-For is
	// believed, as the throttle's.
	TrustedProxies int
	Log            *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// API serves the endpoints.
type API struct {
	cfg  Config
	keys accounts.EmailKeys
	sem  chan struct{}
	wg   sync.WaitGroup
}

// New checks cfg and returns the API.
func New(cfg Config) (*API, error) {
	if cfg.Accounts == nil || cfg.Emails == nil || cfg.Counters == nil || cfg.Mail == nil || cfg.Templates == nil || len(cfg.Secret) == 0 {
		return nil, errors.New("accountsapi: accounts, emails, counters, mail, templates and secret are required")
	}
	switch cfg.Verification {
	case "":
		cfg.Verification = Optional
	case Mandatory, Optional, None:
	default:
		return nil, errors.New("accountsapi: verification must be mandatory, optional or none")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/auth"
	}
	if cfg.KeyTTL <= 0 {
		cfg.KeyTTL = 72 * time.Hour
	}
	if cfg.ResetTTL <= 0 {
		cfg.ResetTTL = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Site == "" {
		cfg.Site = "ward"
	}
	cfg.Rates = cfg.Rates.withDefaults()
	return &API{cfg: cfg, keys: accounts.EmailKeys{Secret: cfg.Secret, TTL: cfg.KeyTTL}, sem: make(chan struct{}, 32)}, nil
}

// Mount registers the endpoints under the prefix; chain authenticates the
// password change.
func (a *API) Mount(r chi.Router, chain authn.Chain) {
	p := a.cfg.Prefix
	post := func(path string, h http.HandlerFunc) {
		other := authhttp.MethodNotAllowed("POST", "OPTIONS")
		r.Handle(p+path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				other(w, r)
				return
			}
			authhttp.NoStore(w)
			h(w, r)
		}))
	}
	if a.cfg.Registration {
		post("/registration", a.register)
		post("/registration/verify-email", a.verifyEmail)
		post("/registration/resend-email", a.resendEmail)
	}
	post("/password/change", a.changePassword(chain))
	post("/password/reset", a.resetPassword)
	post("/password/reset/confirm", a.confirmReset)
}

// Wait blocks until the mails queued so far are sent (tests, shutdown).
func (a *API) Wait() { a.wg.Wait() }

// background runs f outside the request, at most 32 at once; past that the
// job is dropped and logged (the same for a known and an unknown address,
// so a full queue reveals nothing either).
func (a *API) background(what string, f func(ctx context.Context) error) {
	select {
	case a.sem <- struct{}{}:
	default:
		a.cfg.Log.Warn("accounts: mail queue full, dropped", "mail", what)
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer func() { <-a.sem }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := f(ctx); err != nil {
			a.cfg.Log.Error("accounts: sending mail", "mail", what, "err", err)
		}
	}()
}

// send renders the template name for to and sends it.
func (a *API) send(ctx context.Context, name, to string, data map[string]any) error {
	data["Site"] = a.cfg.Site
	m, err := a.cfg.Templates.Render(name, to, data)
	if err != nil {
		return err
	}
	return a.cfg.Mail.Send(ctx, m)
}

// backendError answers a store failure: 503, nothing of the error.
func (a *API) backendError(w http.ResponseWriter, err error) {
	a.cfg.Log.Error("accounts: backend", "err", err)
	drf.Unavailable(w)
}
