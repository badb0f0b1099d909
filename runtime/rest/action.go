package rest

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// DetailAction is an extra action on one object (extra_actions with
// detail: true, DRF's @action(detail=True)): the function a person writes
// in the file Ward scaffolds once. It is called inside the action's
// transaction with obj, looked up through the read scope, locked, and
// allowed by the object check; tx is that transaction (req.DB too).
//
// It returns the response body: 200 with it, 204 when nil (a *T is shown
// without the fields the caller may not read). An error writes nothing:
// FieldError is 400, Conflict 409, NotImplemented 501, ErrNotFound 404,
// any other 503, never shown.
type DetailAction[T any] func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, obj *T) (any, error)

// CollectionAction is an extra action on the collection (detail: false):
// as DetailAction, without an object.
type CollectionAction func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB) (any, error)

// Locker reads the row with id inside where in an action's transaction and
// locks it until the transaction ends, or returns ErrNotFound.
type Locker[T any] func(where sqlexpr.Where, id int64) (*T, error)

// ActionTx is the body of an action's transaction (see Table.Act).
type ActionTx[T any] func(ctx context.Context, tx *sqlexpr.DB, get Locker[T]) (any, error)

// NotImplementedError is an action's answer 501 {"detail": Detail}: the
// scaffolded stub's, until a person writes the action.
type NotImplementedError struct{ Detail string }

func (e *NotImplementedError) Error() string { return "rest: not implemented: " + e.Detail }

// NotImplemented is the answer of an action that is not written yet: 501
// {"detail": msg}. The stub Ward scaffolds returns it, naming its file.
func NotImplemented(msg string) error { return &NotImplementedError{Detail: msg} }

// writeNotImplemented answers err when it is a *NotImplementedError and
// reports whether it was one.
func writeNotImplemented(w http.ResponseWriter, err error) bool {
	var n *NotImplementedError
	if !errors.As(err, &n) {
		return false
	}
	drf.Detail(w, http.StatusNotImplemented, n.Detail)
	return true
}

// Act runs f in one transaction on a detached context (see WriteTimeout)
// and commits when it succeeds. get reads a row locked until the
// transaction ends: SELECT ... FOR UPDATE on PostgreSQL, so that a
// concurrent action on the same row waits, then reads the row as the first
// one left it; on SQLite every transaction takes the write lock at BEGIN
// (the pool opens them IMMEDIATE), which serialises the actions whole.
func (t *Table[T]) Act(ctx context.Context, f ActionTx[T]) (any, error) {
	ctx, cancel, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	tx, err := t.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	lock := ""
	if t.Dialect == Postgres {
		lock = " FOR UPDATE OF " + t.Name
	}
	out, err := f(ctx, handle(tx, t.Dialect), func(where sqlexpr.Where, id int64) (*T, error) {
		return t.getFor(ctx, tx, where, id, lock)
	})
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return out, nil
}

// ActOn runs fn, a detail action, on the object the {id} URL parameter
// names: inside act's transaction (a store's Act) it looks the object up
// through the caller's read scope, locked (404 outside the scope), runs
// p's object check (its denial), and calls fn; any refusal writes nothing.
// It answers what went wrong and reports whether out can be written.
func ActOn[T any](v *View, w http.ResponseWriter, r *http.Request, req *perm.Request, p perm.Permission[T],
	scope func(*perm.Request) (sqlexpr.Where, error), act func(context.Context, ActionTx[T]) (any, error), fn DetailAction[T]) (any, bool) {
	id, ok := ID(r)
	if !ok {
		drf.NotFound(w)
		return nil, false
	}
	var denied perm.Decision
	out, err := act(r.Context(), func(ctx context.Context, tx *sqlexpr.DB, get Locker[T]) (any, error) {
		in := req.InWrite(ctx, tx) // the scope, the check and fn read inside the action
		where, err := scope(in)
		if err != nil {
			return nil, err
		}
		obj, err := get(where, id)
		if err != nil {
			return nil, err
		}
		if denied = perm.CheckObject(p, in, obj); !denied.Allowed() {
			return nil, ErrDenied
		}
		return fn(ctx, in, tx, obj)
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

// ActOnCollection runs fn, a collection action, inside act's transaction
// (a store's Act). It answers what went wrong and reports whether out can
// be written.
func ActOnCollection[T any](v *View, w http.ResponseWriter, r *http.Request, req *perm.Request,
	act func(context.Context, ActionTx[T]) (any, error), fn CollectionAction) (any, bool) {
	out, err := act(r.Context(), func(ctx context.Context, tx *sqlexpr.DB, _ Locker[T]) (any, error) {
		return fn(ctx, req.InWrite(ctx, tx), tx)
	})
	if !v.Result(w, err) {
		return nil, false
	}
	return out, true
}

// Reply writes an action's result: 204 for nil, else 200 with out, a *T
// without the fields named in hide.
func Reply[T any](w http.ResponseWriter, out any, hide []string) {
	switch o := out.(type) {
	case nil:
		NoContent(w)
	case *T:
		if o == nil {
			NoContent(w)
			return
		}
		Write(w, http.StatusOK, Hide(o, hide))
	default:
		Write(w, http.StatusOK, out)
	}
}

// getFor is get with suffix (a locking clause) after the condition.
func (t *Table[T]) getFor(ctx context.Context, tx *sql.Tx, where sqlexpr.Where, id int64, suffix string) (*T, error) {
	cond := byID
	args := []any{id}
	if where.SQL != "" {
		cond += " AND (" + where.SQL + ")"
		args = append(args, where.Args...)
	}
	args, err := bindArgs(t.Dialect, args)
	if err != nil {
		return nil, err
	}
	o, err := t.Scan(t.queryRow(ctx, tx, t.Select+cond+suffix, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return o, err
}
