package rest

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// ErrNotFound is returned by generated stores when no row matches the id
// inside the read scope.
var ErrNotFound = errors.New("rest: not found")

// Chain builds an authentication chain from the classes configured in
// app.Authenticators, in the order named. A class that is not configured is
// left out: it cannot authenticate anyone, so leaving it out never grants
// access.
func (a *App) Chain(names ...string) authn.Chain {
	c := make(authn.Chain, 0, len(names))
	for _, n := range names {
		if au, ok := a.Authenticators[n]; ok && au != nil {
			c = append(c, au)
		}
	}
	return c
}

// View is what every endpoint of one resource shares: its name, its
// authentication chain and its throttle scopes.
type View struct {
	App      *App
	Resource string
	Chain    authn.Chain
	// Anon and User say whether the anon / user throttle rates apply.
	Anon, User bool
	// Scopes are the named throttle scopes of the resource.
	Scopes []string
	// Parent is the parent of a nested resource's routes; nil elsewhere.
	Parent *Parent
}

// Begin authenticates the request and applies the throttles, as DRF's
// APIView.initial does before the permission checks, and on a nested route
// finds the parent (see Parent). On failure it writes the answer (401/403
// for a bad credential, 429, 404 for the parent, 503) and returns false.
func (v *View) Begin(w http.ResponseWriter, r *http.Request, action string) (*perm.Request, bool) {
	res, err := v.Chain.Authenticate(r)
	if err != nil {
		v.Chain.WriteError(w, err)
		return nil, false
	}
	if !v.throttle(w, r, res.User) {
		return nil, false
	}
	// Handlers, permission classes and a write's reference checks read the
	// caller and the request from the context too; the request is updated
	// in place, once, so that the handler's r sees them.
	ctx := r.Context()
	if res.User != nil {
		ctx = identity.WithResult(ctx, res)
	}
	req := &perm.Request{HTTP: r, User: res.User, Action: action, Resource: v.Resource, Challenge: v.Chain.Challenge(), DB: v.pool()}
	if v.Parent != nil && !v.Parent.find(v, w, r, req) {
		return nil, false
	}
	*r = *r.WithContext(WithRequest(ctx, req))
	return req, true
}

func (v *View) throttle(w http.ResponseWriter, r *http.Request, u *identity.User) bool {
	var scopes []string
	if u == nil && v.Anon {
		scopes = append(scopes, "anon")
	}
	if u != nil && v.User {
		scopes = append(scopes, "user")
	}
	scopes = append(scopes, v.Scopes...)
	if len(scopes) == 0 {
		return true
	}
	if v.App == nil || v.App.Throttle == nil {
		// A rate is configured but nothing enforces it: fail closed.
		v.Fail(w, errors.New("rest: throttle configured but App.Throttle is nil"))
		return false
	}
	for _, s := range scopes {
		ok, wait, err := v.App.Throttle.Allow(r, u, s)
		if err != nil {
			v.Fail(w, err)
			return false
		}
		if !ok {
			drf.Throttled(w, wait)
			return false
		}
	}
	return true
}

// Fail answers an error from a store, a scope or a throttle: 400 with the
// field errors for a write refused for its values (*Invalid, a duplicate),
// 409 for a write a hook refused with Conflict, 501 for an action not
// written yet (NotImplemented), else 503 for a backend that could not be reached or any other failure,
// logged, never written.
func (v *View) Fail(w http.ResponseWriter, err error) {
	var inv *Invalid
	if errors.As(err, &inv) {
		inv.Errors.Write(w)
		return
	}
	if writeConflict(w, err) || writeNotImplemented(w, err) {
		return
	}
	if errors.Is(err, ErrProtected) {
		writeProtected(w)
		return
	}
	if v.App != nil && v.App.Log != nil {
		v.App.Log.Error("request failed", "resource", v.Resource, "err", err)
	}
	drf.Unavailable(w)
}

// Check runs p's request-level check and writes the denial; it reports
// whether the request may go on.
func Check[T any](w http.ResponseWriter, p perm.Permission[T], req *perm.Request) bool {
	d := perm.Check(p, req)
	if d.Allowed() {
		return true
	}
	writeDenial(w, d)
	return false
}

// writeDenial writes d, which must be a denial, as DRF does: 401 with
// WWW-Authenticate and the fixed NotAuthenticated detail; 403 with the
// failing class's message or DRF's default; 503 with Retry-After and a
// message that reveals nothing. Any other status, an allow included, is
// written as 503: fail closed.
func writeDenial(w http.ResponseWriter, d perm.Decision) {
	switch d.Status {
	case http.StatusUnauthorized:
		drf.Unauthorized(w, d.Challenge, drf.NotAuthenticated)
	case http.StatusForbidden:
		drf.Forbidden(w, d.Detail)
	default:
		drf.Unavailable(w)
	}
}

// CheckObject runs p's object-level check (the request-level one passed
// already) and writes the denial.
func CheckObject[T any](w http.ResponseWriter, p perm.Permission[T], req *perm.Request, obj *T) bool {
	d := perm.CheckObject(p, req, obj)
	if d.Allowed() {
		return true
	}
	writeDenial(w, d)
	return false
}

// Guard is the request-level check of one branch of an Or read scope. It
// returns an error only when the check could not be made (503).
func Guard[T any](p perm.Permission[T], req *perm.Request) (bool, error) {
	d := perm.Check(p, req)
	if d.Status == http.StatusServiceUnavailable {
		return false, identity.ErrUnavailable
	}
	return d.Allowed(), nil
}

// NotAllowed answers a method the path does not support, after
// authenticating and checking the resource's request-level permission
// (DRF checks permissions before the method): 401/403 first, then 405.
func NotAllowed[T any](v *View, w http.ResponseWriter, r *http.Request, p perm.Permission[T], allow []string) {
	// DRF's model permissions go by method; so does the action here. A
	// method with no action (TRACE, ...) is checked as an unknown action,
	// which denies unless the class ignores actions.
	action := map[string]string{
		http.MethodGet: perm.ActionList, http.MethodHead: perm.ActionList, http.MethodPost: perm.ActionCreate,
		http.MethodPut: perm.ActionUpdate, http.MethodPatch: perm.ActionPartialUpdate, http.MethodDelete: perm.ActionDestroy,
	}[r.Method]
	req, ok := v.Begin(w, r, action)
	if !ok || !Check(w, p, req) {
		return
	}
	drf.MethodNotAllowed(w, r.Method, allow)
}

// Options answers OPTIONS with 200 and the Allow header, after
// authentication (an invalid credential is still refused).
func Options(v *View, w http.ResponseWriter, r *http.Request, allow []string) {
	if _, ok := v.Begin(w, r, perm.ActionMetadata); !ok {
		return
	}
	w.Header().Set("Allow", joinAllow(allow))
	drf.JSON(w, http.StatusOK, map[string]string{"name": v.Resource})
}

func joinAllow(a []string) string {
	s := ""
	for i, m := range a {
		if i > 0 {
			s += ", "
		}
		s += m
	}
	return s
}

// ID parses the {id} URL parameter: a positive decimal integer without
// sign or leading zeros. Anything else is reported as not found.
func ID(r *http.Request) (int64, bool) {
	return pathID(chi.URLParam(r, "id"))
}

// pathID parses a URL parameter holding an id, as ID.
func pathID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// Result answers the outcome of a store call: 404 for ErrNotFound, 503
// for any other error. It reports whether obj can be used.
func (v *View) Result(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrNotFound):
		drf.NotFound(w)
	default:
		v.Fail(w, err)
	}
	return false
}

// NotFound answers 404 {"detail": "Not found."}; it is mounted on the
// trailing-slash forms of resource paths.
func NotFound(w http.ResponseWriter, _ *http.Request) { drf.NotFound(w) }

// Write writes v as the JSON body with the given status.
func Write(w http.ResponseWriter, status int, v any) { drf.JSON(w, status, v) }

// NoContent answers 204.
func NoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// Lookup reads the object named by the {id} URL parameter through the
// caller's read scope and runs p's object check: 404 for an id that is not
// a positive integer, unknown, or outside the scope (so another user's
// object is indistinguishable from a missing one), the object check's
// denial, or 503 when the scope or the store failed. It reports whether
// obj can be used.
func Lookup[T any](v *View, w http.ResponseWriter, r *http.Request, req *perm.Request, p perm.Permission[T],
	scope func(*perm.Request) (sqlexpr.Where, error), get func(context.Context, sqlexpr.Where, int64) (*T, error)) (*T, bool) {
	id, ok := ID(r)
	if !ok {
		drf.NotFound(w)
		return nil, false
	}
	where, err := scope(req)
	if err != nil {
		v.Fail(w, err)
		return nil, false
	}
	obj, err := get(r.Context(), where, id)
	if !v.Result(w, err) {
		return nil, false
	}
	if !CheckObject(w, p, req, obj) {
		return nil, false
	}
	return obj, true
}

// Save writes obj, the object an update looked up and applied the input
// to, through update (a store's Update), and runs p's object check once
// more on the object as it will be written: inside the write's
// transaction, before the commit. A denial is answered as the object
// check's (its status and message) and nothing is written; ErrNotFound is
// 404 and any other error 503. It reports whether out can be used.
//
// The check's req.DB is the write's transaction when update is a Table's.
//
// DRF checks only the object as stored; a caller could then change an
// object into one they may not have (PATCH {"author": "bob"} under a rule
// author == username). Ward, as ent's mutation rules, refuses that.
func Save[T any](v *View, w http.ResponseWriter, r *http.Request, req *perm.Request, p perm.Permission[T], obj *T,
	update func(context.Context, *T, func(*T) bool) (*T, error)) (*T, bool) {
	var denied perm.Decision
	ctx, tx := withInWrite(r.Context())
	out, err := update(ctx, obj, func(o *T) bool {
		in := req
		if tx.db != nil {
			in = req.InWrite(tx.ctx, tx.db) // the check reads inside the write
		}
		denied = perm.CheckObject(p, in, o)
		return denied.Allowed()
	})
	if errors.Is(err, ErrDenied) && !denied.Allowed() {
		writeDenial(w, denied)
		return nil, false
	}
	if !v.Result(w, err) {
		return nil, false
	}
	return out, true
}
