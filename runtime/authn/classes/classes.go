// Package classes builds the four authentication classes and their endpoints
// from one configuration, for the service entry point: construct a Set,
// take per-view chains from it by class names, and mount the endpoints.
package classes

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/authn/basicauth"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/mfa"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/throttle"
)

// Stores are the backends the classes use. Tokens, Sessions and Families
// may be nil when the class that needs them is not configured.
type Stores struct {
	Users    store.Users
	Tokens   store.Tokens
	Sessions store.Sessions
	Families store.Families
	// MFA and Counters back MFA (Counters throttles its codes); MFA may be
	// nil when MFA is off.
	MFA      store.MFA
	Counters store.Counters
}

// Config selects and configures the classes; a nil class is not in use.
type Config struct {
	JWT     *jwtauth.Config
	Token   *tokenauth.Config
	Session *sessionauth.Config
	Basic   *BasicConfig
	// MFA turns on the second factor for every login class; nil: off.
	MFA *mfa.Config
	// LogoutAllPath serves POST "log out everywhere" there; "" for none.
	LogoutAllPath string
	// SessionsPath serves GET (the caller's sessions, tokens and refresh
	// families) and DELETE SessionsPath/{kind}/{id} (end one of them);
	// "" for none (authhttp.Credentials).
	SessionsPath string
	// TrustedProxies is the throttle's: how a credential's client address
	// is computed from the request (throttle.ClientIP).
	TrustedProxies int
	MePath         string // default "/auth/me"
	// Hasher hashes and verifies passwords; default password.New(password.Default, 0).
	Hasher *password.Hasher
	// Throttle is the login throttle (may be nil). Every login and every
	// Basic or Token credential check holds one of its slots.
	Throttle authn.LoginThrottle
}

// BasicConfig configures HTTP Basic.
type BasicConfig struct{ Realm string }

// Set holds the built classes.
type Set struct {
	Accounts *accounts.Accounts
	JWT      *jwtauth.JWT
	Tokens   *tokenauth.Tokens
	Sessions *sessionauth.Sessions
	Basic    *basicauth.Basic
	MFA      *mfa.MFA
	// Classes maps class names ("jwt", "token", "session", "basic") to the
	// configured classes; it is what rest.App.Authenticators wants.
	Classes   map[string]authn.Authenticator
	mePath    string
	logoutAll string
	sessions  string
	proxies   int
	creds     authhttp.CredentialStores
}

// New builds the configured classes over st.
func New(cfg Config, st Stores) (*Set, error) {
	if st.Users == nil {
		return nil, errors.New("authn: no user store")
	}
	h := cfg.Hasher
	if h == nil {
		h = password.New(password.Default, 0)
	}
	k := &Set{Accounts: accounts.New(st.Users, h), Classes: map[string]authn.Authenticator{}, mePath: cfg.MePath, logoutAll: cfg.LogoutAllPath,
		sessions: cfg.SessionsPath, proxies: cfg.TrustedProxies, creds: authhttp.CredentialStores{Sessions: st.Sessions, Tokens: st.Tokens, Families: st.Families}}
	if k.mePath == "" {
		k.mePath = "/auth/me"
	}
	if cfg.MFA != nil {
		if st.MFA == nil {
			return nil, errors.New("authn: mfa needs an MFA store")
		}
		k.MFA = mfa.New(*cfg.MFA, k.Accounts, st.MFA, st.Counters)
		k.Accounts.MFA = k.MFA
	}
	if cfg.JWT != nil {
		if st.Families == nil {
			return nil, errors.New("authn: jwt needs a refresh family store")
		}
		j, err := jwtauth.New(*cfg.JWT, k.Accounts, st.Families, cfg.Throttle)
		if err != nil {
			return nil, err
		}
		k.JWT = j
		k.Classes[j.Name()] = j
	}
	if cfg.Token != nil {
		if st.Tokens == nil {
			return nil, errors.New("authn: token needs a token store")
		}
		k.Tokens = tokenauth.New(*cfg.Token, k.Accounts, st.Tokens, cfg.Throttle)
		k.Classes[k.Tokens.Name()] = k.Tokens
	}
	if cfg.Session != nil {
		if st.Sessions == nil {
			return nil, errors.New("authn: session needs a session store")
		}
		k.Sessions = sessionauth.New(*cfg.Session, k.Accounts, st.Sessions, cfg.Throttle)
		k.Classes[k.Sessions.Name()] = k.Sessions
	}
	if cfg.Basic != nil {
		k.Basic = basicauth.New(cfg.Basic.Realm, k.Accounts, cfg.Throttle)
		k.Classes[k.Basic.Name()] = k.Basic
	}
	return k, nil
}

// Chain returns the chain of the named classes, in order. An unknown or
// unconfigured name is an error.
func (k *Set) Chain(names ...string) (authn.Chain, error) {
	c := make(authn.Chain, 0, len(names))
	for _, n := range names {
		a, ok := k.Classes[n]
		if !ok {
			return nil, fmt.Errorf("authn: class %q is not configured", n)
		}
		c = append(c, a)
	}
	return c, nil
}

// Mount registers the endpoints of the configured classes (each under its
// path) and GET MePath, which authenticates with chain. Their requests
// carry the client (store.WithClient), which the credentials they make
// record.
func (k *Set) Mount(r chi.Router, chain authn.Chain) {
	r.Group(func(r chi.Router) {
		r.Use(k.recordClient)
		k.mount(r, chain)
	})
}

// recordClient puts the request's client address (as the throttle
// computes it) and User-Agent in its context.
func (k *Set) recordClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := store.Client{Addr: throttle.ClientIP(r, k.proxies), UserAgent: r.UserAgent()}
		next.ServeHTTP(w, r.WithContext(store.WithClient(r.Context(), c)))
	})
}

func (k *Set) mount(r chi.Router, chain authn.Chain) {
	if k.JWT != nil {
		k.JWT.Mount(r)
	}
	if k.Tokens != nil {
		k.Tokens.Mount(r)
	}
	if k.Sessions != nil {
		k.Sessions.Mount(r)
	}
	if k.MFA != nil {
		issuers := map[string]mfa.Issuer{}
		if k.JWT != nil {
			issuers[k.JWT.Name()] = k.JWT
		}
		if k.Tokens != nil {
			issuers[k.Tokens.Name()] = k.Tokens
		}
		if k.Sessions != nil {
			issuers[k.Sessions.Name()] = k.Sessions
		}
		k.MFA.Mount(r, chain, issuers)
	}
	if k.logoutAll != "" {
		r.Handle(k.logoutAll, authhttp.LogoutEverywhere(chain, k.Accounts))
	}
	if k.sessions != "" {
		h := authhttp.Credentials(chain, k.sessions, k.credStores())
		r.Handle(k.sessions, h)
		r.Handle(k.sessions+"/{kind}/{id}", h)
	}
	// Every method reaches Me, which authenticates and checks the
	// permission before answering 405, as DRF.
	r.Handle(k.mePath, authhttp.Me(chain))
}

// credStores are the stores of the configured classes only: a class that
// is off lists nothing, and none of its credentials can be ended.
func (k *Set) credStores() authhttp.CredentialStores {
	c := authhttp.CredentialStores{}
	if k.Sessions != nil {
		c.Sessions = k.creds.Sessions
		c.SessionLive = k.Sessions.Live
	}
	if k.Tokens != nil {
		c.Tokens = k.creds.Tokens
	}
	if k.JWT != nil {
		c.Families = k.creds.Families
	}
	return c
}
