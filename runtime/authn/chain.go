package authn

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
)

// Chain is the ordered list of authentication classes of a view, as DRF's
// authentication_classes. The first class whose credentials are present
// decides; a request that carries none is anonymous.
type Chain []Authenticator

// Authenticate runs the classes in order. A class returning (nil, nil)
// passes to the next; a user ends the chain; an error ends it too (an
// invalid credential is rejected even where anonymous access would be
// allowed). An Authorization scheme no class handles leaves the request
// anonymous.
func (c Chain) Authenticate(r *http.Request) (identity.Result, error) {
	for _, a := range c {
		u, err := a.Authenticate(r)
		if err != nil {
			return identity.Result{}, err
		}
		if u != nil {
			return identity.Result{User: u, Class: a.Name()}, nil
		}
	}
	return identity.Result{}, nil
}

// Challenge is the WWW-Authenticate value of the first class, which DRF
// sends with every 401 of the view. "" means 401s become 403s.
func (c Chain) Challenge() string {
	if len(c) == 0 {
		return ""
	}
	return c[0].Challenge()
}

// ThrottledError is returned by a class or endpoint when the login
// throttle refused a credential check; it is answered 429.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string { return "request was throttled" }

// LoginThrottle admits one login attempt or credential check of r's
// client. Before the credential is checked it takes a slot in the client's
// login bucket, in one atomic step of the shared counters, so that however
// many checks arrive at once, and at however many instances, no more run
// per window than the login rate allows; it may first wait for one of the
// few checks a client may have in flight in this process, which bounds
// its password hashes. When the bucket is full ok is false, with the time
// until a slot frees. When admitted, the caller calls done exactly once,
// after the check: done(true) gives the slot back (Basic and Token do so
// for a right credential, which clients send on every request),
// done(false) leaves it counted (every login attempt, every failure). A
// non-nil error means the limiter's backend failed: the attempt is denied
// with 503. A nil LoginThrottle admits everything.
type LoginThrottle func(r *http.Request) (done func(giveBack bool), ok bool, retryAfter time.Duration, err error)

// Admit runs t and returns done (never nil: call it once the check is
// over), or an error: a *ThrottledError, or one wrapping identity.ErrUnavailable.
func (t LoginThrottle) Admit(r *http.Request) (done func(giveBack bool), err error) {
	if t == nil {
		return func(bool) {}, nil
	}
	done, ok, wait, err := t(r)
	if err != nil {
		return nil, errors.Join(identity.ErrUnavailable, err)
	}
	if !ok {
		return nil, &ThrottledError{RetryAfter: wait}
	}
	return done, nil
}

// WriteError answers a failed authentication: an *Error as its status with
// the chain's challenge (a 401 becomes 403 when the chain has no
// challenge, as in DRF), a *ThrottledError as 429, anything else as 503
// (fail closed: a backend error never lets a request through).
func (c Chain) WriteError(w http.ResponseWriter, err error) {
	WriteError(w, c.Challenge(), err)
}

// WriteError answers err with the given challenge; see Chain.WriteError.
func WriteError(w http.ResponseWriter, challenge string, err error) {
	var ae *Error
	var te *ThrottledError
	switch {
	case errors.As(err, &ae):
		status := ae.Status
		if status == http.StatusUnauthorized && challenge == "" {
			status = http.StatusForbidden
		}
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", challenge)
		}
		if ae.Code != "" {
			drf.DetailCode(w, status, ae.Detail, ae.Code)
		} else {
			drf.Detail(w, status, ae.Detail)
		}
	case errors.As(err, &te):
		drf.Throttled(w, te.RetryAfter)
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		drf.Unavailable(w)
	default:
		drf.Unavailable(w)
	}
}

// Middleware authenticates every request with the chain and stores the
// Result in the request context (see identity.FromContext). Failed authentication
// is answered by WriteError and the handler does not run. Permission
// checks are the handler's business.
func (c Chain) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := c.Authenticate(r)
		if err != nil {
			c.WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(identity.WithResult(r.Context(), res)))
	})
}

// Unauthenticated answers a request a permission refused because nobody
// is authenticated: 401 with the chain's challenge, or 403 when the chain
// has none (DRF's NotAuthenticated handling).
func (c Chain) Unauthenticated(w http.ResponseWriter) {
	WriteError(w, c.Challenge(), &Error{Status: http.StatusUnauthorized, Detail: drf.NotAuthenticated})
}
