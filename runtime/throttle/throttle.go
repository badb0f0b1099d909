package throttle

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// Scope names with a fixed meaning.
const (
	Anon  = "anon"  // anonymous callers, keyed by client address
	User  = "user"  // authenticated callers, keyed by user id
	Login = "login" // the login bucket shared by all login endpoints, keyed by client address
)

// Config is the throttle configuration: rates as DRF writes them ("" for
// none) and the number of trusted reverse proxies (see ClientIP).
type Config struct {
	Anon           string
	User           string
	Login          string
	Scopes         map[string]string // named scopes → rate
	TrustedProxies int
}

type rate struct {
	count  int
	period time.Duration
}

type options struct {
	overrides map[string]rate
	require   []string
}

// Option adjusts New.
type Option func(*options)

// WithRate sets the rate of scope (Anon, User, Login or a named scope),
// overriding the configured one, e.g. from an environment variable the
// caller parsed with ParseRate.
func WithRate(scope string, count int, period time.Duration) Option {
	return func(o *options) {
		if o.overrides == nil {
			o.overrides = map[string]rate{}
		}
		o.overrides[scope] = rate{count, period}
	}
}

// RequireScopes makes New fail unless every named scope has a rate: the
// scopes the service's views will ask for, so that a missing rate is
// caught at start rather than at request time.
func RequireScopes(scopes ...string) Option {
	return func(o *options) { o.require = append(o.require, scopes...) }
}

// Throttle implements rest.Throttler (the view's question: may this request
// go on in this scope?) and the login throttle over a store.Counters. It
// does not import rest: the interface belongs to its caller, and
// runtime/service, which hands a Throttle to rest, checks that it fits.
type Throttle struct {
	rates          map[string]rate
	counters       store.Counters
	reserver       store.Reserver // counters, when a login rate is set
	checks         inflight       // login checks in flight per client
	trustedProxies int
}

// New checks cfg (every rate parses, every required scope has one) and
// returns the throttle. counters is where hits are counted; it must not be
// nil when any rate is configured.
func New(cfg Config, counters store.Counters, opts ...Option) (*Throttle, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if cfg.TrustedProxies < 0 {
		return nil, fmt.Errorf("throttle: trusted proxies %d: must not be negative", cfg.TrustedProxies)
	}
	t := &Throttle{rates: map[string]rate{}, counters: counters, trustedProxies: cfg.TrustedProxies, checks: inflight{per: ChecksInFlight}}
	add := func(scope, s string) error {
		if s == "" {
			return nil
		}
		n, p, err := ParseRate(s)
		if err != nil {
			return fmt.Errorf("throttle: scope %q: %w", scope, err)
		}
		t.rates[scope] = rate{n, p}
		return nil
	}
	fixed := []struct{ scope, rate string }{{Anon, cfg.Anon}, {User, cfg.User}, {Login, cfg.Login}}
	for _, f := range fixed {
		if err := add(f.scope, f.rate); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(cfg.Scopes))
	for name := range cfg.Scopes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "" || name == Anon || name == User || name == Login {
			return nil, fmt.Errorf("throttle: scope name %q is reserved or empty", name)
		}
		if err := add(name, cfg.Scopes[name]); err != nil {
			return nil, err
		}
	}
	for scope, r := range o.overrides {
		if r.count < 0 || r.period <= 0 {
			return nil, fmt.Errorf("throttle: scope %q: bad rate %d per %v", scope, r.count, r.period)
		}
		t.rates[scope] = r
	}
	for _, s := range o.require {
		if _, ok := t.rates[s]; !ok {
			return nil, fmt.Errorf("throttle: scope %q is used but has no rate", s)
		}
	}
	if len(t.rates) > 0 && counters == nil {
		return nil, fmt.Errorf("throttle: rates configured but no counters store")
	}
	if _, ok := t.rates[Login]; ok {
		rs, ok := counters.(store.Reserver)
		if !ok {
			return nil, fmt.Errorf("throttle: a login rate needs counters that implement store.Reserver; %T does not", counters)
		}
		t.reserver = rs
	}
	return t, nil
}

// Has reports whether scope has a rate.
func (t *Throttle) Has(scope string) bool {
	_, ok := t.rates[scope]
	return ok
}

// Allow implements rest.Throttler: it counts r in scope's window, keyed by
// user id when user is not nil and by client address otherwise. A scope
// with no rate is an error (the configuration is wrong: deny, never allow);
// so is a counter failure, which wraps store.ErrUnavailable.
func (t *Throttle) Allow(r *http.Request, user *identity.User, scope string) (bool, time.Duration, error) {
	rt, ok := t.rates[scope]
	if !ok {
		return false, 0, fmt.Errorf("throttle: scope %q has no rate", scope)
	}
	var key string
	if user != nil {
		key = "throttle:" + scope + ":user:" + strconv.FormatInt(user.ID, 10)
	} else {
		key = "throttle:" + scope + ":ip:" + ipKey(ClientIP(r, t.trustedProxies))
	}
	return t.hit(r, key, rt)
}

// ChecksInFlight is how many login checks (password hashes) one client
// address may have running at once in one process; its further requests
// wait for a turn (as long as their context allows) before they even take
// a slot of the login bucket.
const ChecksInFlight = 2

// releaseTimeout bounds giving a login slot back, on a context detached
// from the request's: a client that went away must not keep its slot.
const releaseTimeout = 5 * time.Second

// Login admits a login attempt or a credential check of r's client
// address: it waits for one of the client's ChecksInFlight turns, then
// takes a slot in the shared "login" bucket (store.Reserver.Reserve, one
// atomic step on every backend), before the credential is checked. done
// ends the turn and, with giveBack, returns the slot (a failed return
// leaves it counted: fail closed). Without a login rate it admits
// everything. Its signature is authn.LoginThrottle's.
func (t *Throttle) Login(r *http.Request) (done func(giveBack bool), ok bool, retryAfter time.Duration, err error) {
	rt, ok := t.rates[Login]
	if !ok {
		return func(bool) {}, true, 0, nil
	}
	ctx := r.Context()
	ip := ipKey(ClientIP(r, t.trustedProxies))
	leave, err := t.checks.enter(ctx, ip)
	if err != nil {
		return nil, false, 0, fmt.Errorf("throttle: waiting for a login turn: %w", err)
	}
	key := "throttle:login:ip:" + ip
	hit, allowed, retry, err := t.reserver.Reserve(ctx, key, rt.count, rt.period)
	if err != nil {
		leave()
		return nil, false, 0, fmt.Errorf("%w: throttle: %w", store.ErrUnavailable, err)
	}
	if !allowed {
		leave()
		return nil, false, retry, nil
	}
	return func(giveBack bool) {
		defer leave()
		if giveBack {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer cancel()
			_ = t.reserver.Release(ctx, key, hit)
		}
	}, true, 0, nil
}

// LoginThrottle returns t.Login as an authn.LoginThrottle, or nil when no
// login rate is configured.
func (t *Throttle) LoginThrottle() authn.LoginThrottle {
	if t == nil || !t.Has(Login) {
		return nil
	}
	return t.Login
}

// inflight bounds the login checks each client address runs at once.
type inflight struct {
	per int
	mu  sync.Mutex
	m   map[string]*turns
}

type turns struct {
	ch    chan struct{}
	users int // holders and waiters; the entry goes when it drops to 0
}

// enter waits for one of the per turns of client, or for ctx to end.
func (f *inflight) enter(ctx context.Context, client string) (leave func(), err error) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]*turns{}
	}
	tn := f.m[client]
	if tn == nil {
		tn = &turns{ch: make(chan struct{}, f.per)}
		f.m[client] = tn
	}
	tn.users++
	f.mu.Unlock()
	forget := func() {
		f.mu.Lock()
		if tn.users--; tn.users == 0 {
			delete(f.m, client)
		}
		f.mu.Unlock()
	}
	select {
	case tn.ch <- struct{}{}:
		return func() { <-tn.ch; forget() }, nil
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	}
}

func (t *Throttle) hit(r *http.Request, key string, rt rate) (bool, time.Duration, error) {
	ok, retry, err := t.counters.Hit(r.Context(), key, rt.count, rt.period)
	if err != nil {
		return false, 0, fmt.Errorf("%w: throttle: %w", store.ErrUnavailable, err)
	}
	return ok, retry, nil
}

// ipKey is the counter key part of a client address: IPv6 addresses are
// cut to their /64, since one client commonly holds a whole /64.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a.Is6() {
		p, err := a.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return a.String()
}
