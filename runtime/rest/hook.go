package rest

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// Hook is a resource's write hook (hooks: [validate] in the spec), the
// ValidateModel function a person writes in the file Ward scaffolds. It is
// called inside the write's transaction, after field validation and before
// the object check on the object as it will be written; old is the object
// as stored, nil on create. It may set fields of obj, read-only ones
// included (an order's total), and read and write other tables through tx
// (req.DB is tx too), with ? placeholders.
//
// It returns nil to go on, FieldError (400, DRF's field errors; an
// *Invalid for several) or Conflict (409 {"detail"}) to refuse. Any other
// error is 503. A refusal or an error writes nothing: the transaction,
// with whatever the hook wrote, is rolled back.
type Hook[T any] func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, obj *T) error

// Before runs inside a Table's write, in its transaction, before the
// write's statement: the hook and, on create, the object check.
type Before[T any] func(ctx context.Context, tx *sqlexpr.DB, obj *T) error

// FieldError is the hook's refusal of a field's value: 400
// {"field": ["msg"]}; field "non_field_errors" for no one field.
func FieldError(field, msg string) error {
	return &Invalid{Errors: drf.FieldErrors{field: {msg}}}
}

// Conflict is the hook's refusal of the write in the object's or the
// database's present state: 409 {"detail": "msg"}.
func Conflict(msg string) error { return &ConflictError{Detail: msg} }

// ConflictError is a write refused with 409; Detail is the message.
type ConflictError struct{ Detail string }

func (e *ConflictError) Error() string { return "rest: conflict: " + e.Detail }

// writeConflict answers err when it is a *ConflictError and reports
// whether it was one.
func writeConflict(w http.ResponseWriter, err error) bool {
	var c *ConflictError
	if !errors.As(err, &c) {
		return false
	}
	drf.Detail(w, http.StatusConflict, c.Detail)
	return true
}

// Insert writes obj, the object a create validated, through create (a
// store's CreateWith), calling the hook and then p's object check on obj
// as the hook left it, both inside the write's transaction; a refusal or
// a denial writes nothing. It answers the hook's 400 or 409, the check's
// denial, or 503, and reports whether out can be used.
func Insert[T any](v *View, w http.ResponseWriter, r *http.Request, req *perm.Request, p perm.Permission[T], obj *T,
	create func(context.Context, *T, Before[T]) (*T, error), hook Hook[T]) (*T, bool) {
	var denied perm.Decision
	out, err := create(r.Context(), obj, func(ctx context.Context, tx *sqlexpr.DB, o *T) error {
		in := req.InWrite(ctx, tx)
		if err := hook(ctx, in, tx, nil, o); err != nil {
			return err
		}
		if denied = perm.CheckObject(p, in, o); !denied.Allowed() {
			return ErrDenied
		}
		return nil
	})
	if errors.Is(err, ErrDenied) && !denied.Allowed() {
		writeDenial(w, denied)
		return nil, false
	}
	if err != nil {
		v.Fail(w, err)
		return nil, false
	}
	return out, true
}

// SaveWith is Save for a resource with a hook: update (a store's
// UpdateWith) calls the hook on old, the object as stored, and obj, the
// object with the input applied, inside the write's transaction before its
// statement; then p's object check runs on the object as written, as in
// Save.
func SaveWith[T any](v *View, w http.ResponseWriter, r *http.Request, req *perm.Request, p perm.Permission[T], old, obj *T,
	update func(context.Context, *T, Before[T], func(*T) bool) (*T, error), hook Hook[T]) (*T, bool) {
	return Save(v, w, r, req, p, obj, func(ctx context.Context, o *T, allowed func(*T) bool) (*T, error) {
		return update(ctx, o, func(ctx context.Context, tx *sqlexpr.DB, o *T) error {
			return hook(ctx, req.InWrite(ctx, tx), tx, old, o)
		}, allowed)
	})
}
