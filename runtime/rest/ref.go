package rest

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// Ref is a reference field of T (type: ref), DRF's PrimaryKeyRelatedField:
// a foreign key to the id of another resource's table, shown and written
// as that id. A write may name only an object the caller can see through
// the target's read scope, checked inside the write's transaction with the
// target row locked against a concurrent delete (SQLite's writes are
// serialised; PostgreSQL takes FOR KEY SHARE). The foreign key is the
// backstop: a violation is answered as the check's 400.
type Ref[T any] struct {
	// Field is the JSON name, and Constraint the foreign key's name on
	// PostgreSQL (table_column_fkey).
	Field, Constraint string
	// Resource is the target resource's name and Table its quoted table.
	Resource, Table string
	// Scope is the target's read scope, the one its list and retrieve use.
	Scope func(*perm.Request) (sqlexpr.Where, error)
	// ID returns obj's reference, nil for NULL.
	ID func(obj *T) *int64
}

// ProtectedDetail is the 409 of a delete refused because other objects
// refer to the object (on_delete: protect).
const ProtectedDetail = "Cannot delete: other objects refer to it."

// ErrProtected is returned by Delete when other rows refer to the row
// under on_delete: protect; nothing was deleted. It is answered 409.
var ErrProtected = errors.New("rest: other objects refer to the object")

// errNoRequest fails a write with references closed when the context does
// not carry the caller (View.Begin puts it there).
var errNoRequest = errors.New("rest: a reference check needs the request in the context")

type requestKey struct{}

// WithRequest returns ctx carrying req, whose read scopes a write's
// reference checks apply. View.Begin sets it on every request.
func WithRequest(ctx context.Context, req *perm.Request) context.Context {
	return context.WithValue(ctx, requestKey{}, req)
}

// isIntegerToken says whether t is a JSON number without fraction or
// exponent.
func isIntegerToken(t []byte) bool {
	if len(t) > 0 && t[0] == '-' {
		t = t[1:]
	}
	if len(t) == 0 {
		return false
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// InvalidPK is DRF's message for a reference to no object the caller can
// see: Invalid pk "5" - object does not exist.
func InvalidPK(id int64) string {
	return `Invalid pk "` + strconv.FormatInt(id, 10) + `" - object does not exist.`
}

// validate runs a write's checks against the database as DRF's serializer
// does: the references and the unique fields are field validation, reported
// together; the unique sets (non_field_errors) only when no field failed.
// old is the row as stored on an update, nil on a create.
func (t *Table[T]) validate(ctx context.Context, tx *sql.Tx, obj, old *T) error {
	refErr := t.checkRefs(ctx, tx, obj, old)
	var refs *Invalid
	if refErr != nil && !errors.As(refErr, &refs) {
		return refErr
	}
	uErr := t.unique(ctx, tx, obj)
	var uniq *Invalid
	if uErr != nil && !errors.As(uErr, &uniq) {
		return uErr
	}
	if refs == nil {
		return uErr
	}
	if uniq != nil {
		for field, msgs := range uniq.Errors {
			if field != nonFieldErrors {
				refs.Errors[field] = msgs
			}
		}
	}
	return refs
}

// checkRefs checks the references of obj that are set and, on an update,
// differ from old (the row as stored): each must name a row inside its
// target's read scope for the caller. It returns *Invalid naming the
// fields that do not.
func (t *Table[T]) checkRefs(ctx context.Context, tx *sql.Tx, obj, old *T) error {
	errs := drf.FieldErrors{}
	for i := range t.Refs {
		ref := &t.Refs[i]
		id := ref.ID(obj)
		if id == nil {
			continue
		}
		if old != nil {
			if was := ref.ID(old); was != nil && *was == *id {
				continue
			}
		}
		ok, err := t.visible(ctx, tx, ref, *id)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add(ref.Field, InvalidPK(*id))
		}
	}
	if !errs.Empty() {
		return &Invalid{Errors: errs}
	}
	return nil
}

// visible says whether the row id of ref's table is inside its read scope
// for the caller of ctx, and locks it (FOR KEY SHARE on PostgreSQL) until
// the transaction ends.
func (t *Table[T]) visible(ctx context.Context, tx *sql.Tx, ref *Ref[T], id int64) (bool, error) {
	req, ok := ctx.Value(requestKey{}).(*perm.Request)
	if !ok || req == nil {
		return false, errNoRequest
	}
	// The target's scope sees the caller reading the target.
	// A func scope reads through the write's transaction.
	target := &perm.Request{HTTP: req.HTTP, User: req.User, Action: perm.ActionRetrieve, Resource: ref.Resource, Challenge: req.Challenge, DB: handle(tx, t.Dialect)}
	where, err := ref.Scope(target)
	if err != nil {
		return false, err
	}
	q := `SELECT "id" FROM ` + ref.Table + ` WHERE "id" = ?`
	args := []any{id}
	if where.SQL != "" {
		q += " AND (" + where.SQL + ")"
		args = append(args, where.Args...)
	}
	if t.Dialect == Postgres {
		q += " FOR KEY SHARE"
	}
	args, err = bindArgs(t.Dialect, args)
	if err != nil {
		return false, err
	}
	var got int64
	err = t.queryRow(ctx, tx, q, args...).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// refViolation maps a write's foreign key violation to the 400 of the
// reference it breaks (by constraint name on PostgreSQL; SQLite names
// none, so the first reference obj sets); any other error is returned as
// it is.
func (t *Table[T]) refViolation(err error, obj *T) error {
	name, ok := sqlstore.ForeignKeyViolation(err)
	if !ok {
		return err
	}
	for i := range t.Refs {
		ref := &t.Refs[i]
		id := ref.ID(obj)
		if id != nil && (name == "" || name == ref.Constraint) {
			errs := drf.FieldErrors{}
			errs.Add(ref.Field, InvalidPK(*id))
			return &Invalid{Errors: errs}
		}
	}
	return err
}

// deleteViolation maps a delete refused by an ON DELETE RESTRICT foreign
// key to ErrProtected.
func deleteViolation(err error) error {
	if _, ok := sqlstore.ForeignKeyViolation(err); ok {
		return ErrProtected
	}
	return err
}

// writeProtected answers ErrProtected: 409 {"detail": ProtectedDetail}.
func writeProtected(w http.ResponseWriter) { drf.Detail(w, http.StatusConflict, ProtectedDetail) }
