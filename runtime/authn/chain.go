package authn

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wardhq/ward/runtime/problem"
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
func (c Chain) Authenticate(r *http.Request) (Result, error) {
	for _, a := range c {
		u, err := a.Authenticate(r)
		if err != nil {
			return Result{}, err
		}
		if u != nil {
			return Result{User: u, Class: a.Name()}, nil
		}
	}
	return Result{}, nil
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

// LoginThrottle counts a login attempt (or a failed Basic/Token
// credential) in the client's login bucket and decides whether it may
// proceed. Login endpoints call it before credentials are checked, so
// every attempt counts; Basic and Token call it only after a credential
// failed (see LoginPeek). A non-nil error means the limiter's backend
// failed: the attempt is denied with 503. A nil LoginThrottle allows
// everything.
type LoginThrottle func(r *http.Request) (ok bool, retryAfter time.Duration, err error)

// LoginPeek reports whether the client's login bucket is full (a
// LoginThrottle call now would refuse) without counting the request.
// Basic and Token, which see credentials on every request, call it before
// verifying one: a blocked client is refused (429) even when its guess is
// right, while a client whose credentials succeed never counts. A non-nil
// error means the limiter's backend failed (503). A nil LoginPeek blocks
// nothing.
type LoginPeek func(r *http.Request) (blocked bool, retryAfter time.Duration, err error)

// Check runs p (when not nil) and turns its answer into nil, a
// *ThrottledError, or an error wrapping ErrUnavailable.
func (p LoginPeek) Check(r *http.Request) error {
	if p == nil {
		return nil
	}
	blocked, wait, err := p(r)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	if blocked {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// Check runs t (when not nil) and turns its answer into nil, a
// *ThrottledError, or an error wrapping ErrUnavailable.
func (t LoginThrottle) Check(r *http.Request) error {
	if t == nil {
		return nil
	}
	ok, wait, err := t(r)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	if !ok {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
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
			problem.DetailCode(w, status, ae.Detail, ae.Code)
		} else {
			problem.Detail(w, status, ae.Detail)
		}
	case errors.As(err, &te):
		problem.Throttled(w, te.RetryAfter)
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		problem.Unavailable(w)
	default:
		problem.Unavailable(w)
	}
}

// Middleware authenticates every request with the chain and stores the
// Result in the request context (see FromContext). Failed authentication
// is answered by WriteError and the handler does not run. Permission
// checks are the handler's business.
func (c Chain) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := c.Authenticate(r)
		if err != nil {
			c.WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithResult(r.Context(), res)))
	})
}

// Unauthenticated answers a request a permission refused because nobody
// is authenticated: 401 with the chain's challenge, or 403 when the chain
// has none (DRF's NotAuthenticated handling).
func (c Chain) Unauthenticated(w http.ResponseWriter) {
	WriteError(w, c.Challenge(), &Error{Status: http.StatusUnauthorized, Detail: problem.NotAuthenticated})
}
