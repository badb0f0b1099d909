// Package perm is the permission runtime generated services call: DRF's
// two-level permission classes (a request check and an object check), the
// built-in classes, their composition with And, Or and Not, DRF's choice
// between 401 and 403, and the declarative object rules that have both a Go
// check and an SQL read scope (see scope.go).
//
// Everything fails closed: a check that returns an error other than a Deny
// produces a 503 decision, never an allow; an unknown action, a nil request
// or a nil object denies.
package perm

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// Actions, as DRF's viewsets name them. ActionMetadata is OPTIONS.
const (
	ActionList          = "list"
	ActionCreate        = "create"
	ActionRetrieve      = "retrieve"
	ActionUpdate        = "update"
	ActionPartialUpdate = "partial_update"
	ActionDestroy       = "destroy"
	ActionMetadata      = "metadata"
)

// Request is what permission checks see.
type Request struct {
	HTTP      *http.Request
	User      *identity.User // nil when anonymous
	Action    string         // "list", "create", "retrieve", "update", "partial_update", "destroy", or an extra action's name ("cancel")
	Resource  string         // e.g. "posts"
	Challenge string         // WWW-Authenticate of the view's first authentication class; "" when it has none
	// Parent is the id of the parent object on a nested route (the
	// product of /api/products/{product_id}/reviews), found inside the
	// parent's own read scope before any permission check; 0 on other routes.
	Parent int64
	// DB is the database for checks and read scopes written in Go: the
	// pool, or the write's transaction in a check made inside a write (the
	// object check on the object as it will be written). Use it with
	// Context. nil when the request was built without a database; every
	// call on a nil DB fails, so a check that reads it denies (503).
	DB *sqlexpr.DB

	ctx context.Context // the write's context, set by InWrite
}

// Context is the context for queries on DB: the write's (detached from
// the client, bounded) inside a write, else the HTTP request's, else
// context.Background().
func (r *Request) Context() context.Context {
	switch {
	case r == nil:
		return context.Background()
	case r.ctx != nil:
		return r.ctx
	case r.HTTP != nil:
		return r.HTTP.Context()
	}
	return context.Background()
}

// InWrite returns a copy of r whose DB is db, the write's transaction, and
// whose Context is ctx, the write's; the runtime passes it to the checks
// and hooks that run inside a write.
func (r *Request) InWrite(ctx context.Context, db *sqlexpr.DB) *Request {
	c := *r
	c.ctx, c.DB = ctx, db
	return &c
}

// SafeMethod reports whether the request method is GET, HEAD or OPTIONS. A
// request without an *http.Request is not safe.
func (r *Request) SafeMethod() bool {
	if r == nil || r.HTTP == nil {
		return false
	}
	switch r.HTTP.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// Authenticated reports whether the caller is an active user. An inactive
// user counts as anonymous everywhere in this package, as Django never
// authenticates one.
func (r *Request) Authenticated() bool {
	return r != nil && active(r.User)
}

func active(u *identity.User) bool { return u != nil && u.IsActive }

// Permission is one permission class over objects of type T: both of DRF's
// checks, no defaults. HasPermission runs before the handler reads anything;
// HasObjectPermission runs on each object a detail action reads. A check
// denies by returning false, or Deny(msg) to give the 403 message; any other
// error means the decision could not be made (503).
type Permission[T any] interface {
	HasPermission(req *Request) (bool, error)
	HasObjectPermission(req *Request, obj *T) (bool, error)
}

// Messager is implemented by a class that has its own 403 detail, DRF's
// `message` attribute.
type Messager interface{ Message() string }

// denial is the error Deny returns.
type denial struct{ msg string }

func (d *denial) Error() string { return "permission denied: " + d.msg }

// Deny returns an error that a check returns to deny with a 403 whose
// detail is msg (or, when msg is "", the class's message). It is a denial,
// not a failure: it never produces a 503. Scaffolded stubs return
// Deny("X.HasPermission is not written yet: edit FILE").
//
// Unlike a plain false, a Deny cannot be turned into an allow by Not: a
// check that could not decide stays denied under negation.
func Deny(msg string) error { return &denial{msg: msg} }

// IsDeny reports whether err is (or wraps) a Deny, and its message.
func IsDeny(err error) (string, bool) {
	if d, ok := err.(*denial); ok {
		return d.msg, true
	}
	var d *denial
	if errors.As(err, &d) {
		return d.msg, true
	}
	return "", false
}

// Decision is the outcome of a check, as data; package rest writes it as
// HTTP. Status 0 = allowed; 401 = not authenticated, with the Challenge of
// the view's first authentication class; 403 = denied, with Detail the
// failing class's message ("" for DRF's default); 503 = the check could not
// be made.
type Decision struct {
	Status    int
	Detail    string // on 403 only; "" is DRF's default message
	Challenge string // WWW-Authenticate, on 401 only
}

// Allowed reports whether the decision lets the request through.
func (d Decision) Allowed() bool { return d.Status == 0 }

var unavailable = Decision{Status: http.StatusServiceUnavailable}

// Check runs p's request-level check, as DRF's check_permissions: it walks
// the composition left to right, as DRF evaluates it.
func Check[T any](p Permission[T], req *Request) Decision {
	if p == nil || req == nil {
		return deny(req, result{})
	}
	r, err := evalPerm(p, req)
	if r.ok && err == nil {
		return Decision{}
	}
	return decide(req, r, err)
}

// CheckObject runs p's object-level check on obj, as DRF's
// check_object_permissions. It does not repeat the request-level check:
// call Check first. A nil obj denies.
func CheckObject[T any](p Permission[T], req *Request, obj *T) Decision {
	if p == nil || req == nil || obj == nil {
		return deny(req, result{})
	}
	r, err := evalObj(p, req, obj)
	if r.ok && err == nil {
		return Decision{}
	}
	return decide(req, r, err)
}

func decide(req *Request, r result, err error) Decision {
	if err != nil {
		return unavailable
	}
	if r.ok {
		return Decision{}
	}
	return deny(req, r)
}

// deny is DRF's permission_denied: an unauthenticated request on a view
// whose first authentication class has a challenge gets 401 (never with the
// class's message); anything else gets 403 with the failing class's message,
// "" for DRF's default.
func deny(req *Request, r result) Decision {
	if !req.Authenticated() && req != nil && req.Challenge != "" {
		return Decision{Status: http.StatusUnauthorized, Challenge: req.Challenge}
	}
	return Decision{Status: http.StatusForbidden, Detail: r.msg}
}

// result is one evaluated check. hard marks a denial by Deny, which Not
// does not invert.
type result struct {
	ok   bool
	hard bool
	msg  string
}

// evaluator is implemented by this package's classes and compositions: the
// checks with the denial message, without allocating.
type evaluator[T any] interface {
	evalPerm(req *Request) (result, error)
	evalObj(req *Request, obj *T) (result, error)
}

func evalPerm[T any](p Permission[T], req *Request) (result, error) {
	if e, ok := p.(evaluator[T]); ok {
		return e.evalPerm(req)
	}
	ok, err := p.HasPermission(req)
	return leafResult(p, ok, err)
}

func evalObj[T any](p Permission[T], req *Request, obj *T) (result, error) {
	if e, ok := p.(evaluator[T]); ok {
		return e.evalObj(req, obj)
	}
	ok, err := p.HasObjectPermission(req, obj)
	return leafResult(p, ok, err)
}

// leafResult turns a class's (bool, error) into a result with its message.
func leafResult(p any, ok bool, err error) (result, error) {
	if err != nil {
		msg, isDeny := IsDeny(err)
		if !isDeny {
			return result{}, err
		}
		if msg == "" {
			msg = messageOf(p)
		}
		return result{hard: true, msg: msg}, nil
	}
	if ok {
		return result{ok: true}, nil
	}
	return result{msg: messageOf(p)}, nil
}

func messageOf(p any) string {
	if m, ok := p.(Messager); ok {
		return m.Message()
	}
	return ""
}

// asEvaluator lets compositions call their operands without a type
// assertion per request.
func asEvaluator[T any](p Permission[T]) evaluator[T] {
	if e, ok := p.(evaluator[T]); ok {
		return e
	}
	if p == nil {
		return leaf[T]{p: denyAll[T]{}}
	}
	return leaf[T]{p: p}
}

// leaf adapts a class written outside this package.
type leaf[T any] struct{ p Permission[T] }

func (l leaf[T]) evalPerm(req *Request) (result, error) {
	ok, err := l.p.HasPermission(req)
	return leafResult(l.p, ok, err)
}

func (l leaf[T]) evalObj(req *Request, obj *T) (result, error) {
	ok, err := l.p.HasObjectPermission(req, obj)
	return leafResult(l.p, ok, err)
}

// denyAll stands in for a nil operand: it denies both checks.
type denyAll[T any] struct{}

func (denyAll[T]) HasPermission(*Request) (bool, error)           { return false, nil }
func (denyAll[T]) HasObjectPermission(*Request, *T) (bool, error) { return false, nil }
