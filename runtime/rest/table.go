package rest

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/sqlexpr"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// usersCountSQL counts the users with an id: the runtime's users table.
const usersCountSQL = `SELECT COUNT(*) FROM "` + schema.UsersTable + `" WHERE "id" = ?`

// Scanner is a *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Table is the SQL store of one generated resource over database/sql. The
// generated code supplies the statements (written with ? placeholders and
// quoted identifiers; rebound for PostgreSQL here) and the functions that
// move a T in and out of a row, so no SQL is built from a request: the
// only dynamic parts are the read scope (sqlexpr.Where, from generated code)
// and values passed as arguments.
type Table[T any] struct {
	DB      *sql.DB
	Dialect Dialect
	// Name is the quoted table name, e.g. `"posts"`.
	Name string
	// Select selects every column of a row, in Scan's order, without WHERE.
	Select string
	// InsertSQL inserts a row from InsertArgs; UpdateSQL sets the columns of
	// UpdateArgs, whose last argument is the id ("UPDATE ... WHERE "id" = ?").
	// Both return the row as stored, with Select's select list ("RETURNING
	// "id", ..."), which Scan reads: no second statement reads it back.
	// "" when the table is read-only.
	InsertSQL, UpdateSQL string
	Scan                 func(row Scanner) (*T, error)
	InsertArgs           func(obj *T) []any
	UpdateArgs           func(obj *T) []any
	// ID returns obj's id.
	ID func(obj *T) int64
	// UserRefs returns the writable user fields of obj by JSON name (a nil
	// id is NULL); nil when the resource has none.
	UserRefs func(obj *T) map[string]*int64
	// Uniques are the sets of columns no two rows share: single fields
	// first, then the sets of fields (unique_together), in spec order.
	Uniques []Unique[T]
	// Refs are the reference fields (type: ref), in spec order.
	Refs []Ref[T]

	stmts stmtCache
}

// Unique is a set of columns no two rows share, enforced by a unique index
// (a schema.Index with Unique) and reported as DRF reports it. Writes check
// it inside their transaction for the message, and the index is the
// authority: a concurrent write that slips past the check violates the
// index, and the violation is answered with the same 400.
type Unique[T any] struct {
	// Index is the unique index's name and Columns its columns, in order:
	// how a violation names it on PostgreSQL and on SQLite.
	Index   string
	Columns []string
	// Field is the JSON name of the field of a single-field set, whose
	// error it is; "" for a set of fields (non_field_errors).
	Field string
	// Message is DRF's: "product with this sku already exists.", "The
	// fields product, author must make a unique set."
	Message string
	// Exists counts the rows other than obj with obj's values
	// (SELECT COUNT(*) FROM ... WHERE "sku" = ? AND "id" <> ?), and Args
	// returns its arguments.
	Exists string
	Args   func(obj *T) []any
}

func (u *Unique[T]) report(errs drf.FieldErrors) {
	key := u.Field
	if key == "" {
		key = nonFieldErrors
	}
	errs.Add(key, u.Message)
}

// nonFieldErrors is DRF's key for the errors of no one field.
const nonFieldErrors = "non_field_errors"

// Invalid is a write refused for its values, before anything was written:
// 400 with Errors, DRF's shape.
type Invalid struct{ Errors drf.FieldErrors }

func (e *Invalid) Error() string {
	return "rest: invalid fields: " + strings.Join(e.Errors.Fields(), ", ")
}

// unique checks obj against the Uniques as DRF's validators do: the
// single-field sets together (field validation), and the sets of fields
// only when those pass. It returns *Invalid when obj would be a duplicate.
func (t *Table[T]) unique(ctx context.Context, tx *sql.Tx, obj *T) error {
	errs := drf.FieldErrors{}
	for _, fields := range []bool{true, false} {
		for i := range t.Uniques {
			u := &t.Uniques[i]
			if (u.Field != "") != fields {
				continue
			}
			var n int
			if err := t.queryRow(ctx, tx, u.Exists, u.Args(obj)...).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				u.report(errs)
			}
		}
		if !errs.Empty() {
			return &Invalid{Errors: errs}
		}
	}
	return nil
}

// violation maps a write's error that is the violation of one of the
// Uniques to *Invalid with its message; it returns any other error as it is.
func (t *Table[T]) violation(err error) error {
	name, cols, ok := sqlstore.UniqueViolation(err)
	if !ok {
		return err
	}
	for i := range t.Uniques {
		u := &t.Uniques[i]
		if (name != "" && name == u.Index) || (cols != nil && slices.Equal(cols, u.Columns)) {
			errs := drf.FieldErrors{}
			u.report(errs)
			return &Invalid{Errors: errs}
		}
	}
	return err
}

// CheckRefs reports, as DRF's PrimaryKeyRelatedField does, the user fields
// of obj that name no user: {"reviewer": ["Invalid pk \"5\" - object does
// not exist."]}. An error means the check could not be made (503).
func (t *Table[T]) CheckRefs(ctx context.Context, obj *T) (drf.FieldErrors, error) {
	errs := drf.FieldErrors{}
	if t.UserRefs == nil {
		return errs, nil
	}
	refs := t.UserRefs(obj)
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		id := refs[n]
		if id == nil {
			continue
		}
		var c int
		if err := t.queryRow(ctx, nil, usersCountSQL, *id).Scan(&c); err != nil {
			return nil, err
		}
		if c == 0 {
			errs.Add(n, `Invalid pk "`+strconv.FormatInt(*id, 10)+`" - object does not exist.`)
		}
	}
	return errs, nil
}

func (t *Table[T]) q(query string) string {
	if t.Dialect == Postgres {
		return sqlexpr.Rebind(query)
	}
	return query
}

// List returns one page of the rows inside where, as q says (its order,
// limit, offset or keyset position), and, when q.Count, how many rows are
// inside where (else 0).
func (t *Table[T]) List(ctx context.Context, where sqlexpr.Where, q ListQuery) ([]*T, int, error) {
	cond := where.SQL
	args := slices.Clone(where.Args)
	count := 0
	if q.Count {
		wargs, err := bindArgs(t.Dialect, slices.Clone(args))
		if err != nil {
			return nil, 0, err
		}
		if err := t.queryRow(ctx, nil, `SELECT COUNT(*) FROM `+t.Name+whereSQL(cond), wargs...).Scan(&count); err != nil {
			return nil, 0, err
		}
		if count <= q.Offset {
			return nil, count, nil
		}
	}
	if q.After == nil {
		out, err := t.listPage(ctx, cond, args, q.Order, q.Limit, q.Offset)
		return out, count, err
	}
	var out []*T
	for _, seg := range keysetSegments(q.Order, q.After, q.Inclusive) {
		c := seg.cond
		if cond != "" {
			c = "(" + cond + ") AND " + c
		}
		rows, err := t.listPage(ctx, c, append(slices.Clone(args), seg.args...), q.Order, q.Limit-len(out), 0)
		if err != nil {
			return nil, 0, err
		}
		if out = append(out, rows...); len(out) >= q.Limit {
			break
		}
	}
	return out, count, nil
}

// listPage reads limit rows inside cond in order, after offset rows.
func (t *Table[T]) listPage(ctx context.Context, cond string, args []any, order []OrderKey, limit, offset int) ([]*T, error) {
	page := " LIMIT ?"
	args = append(args, limit)
	if offset > 0 {
		page += " OFFSET ?"
		args = append(args, offset)
	}
	args, err := bindArgs(t.Dialect, args)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, t.Select+whereSQL(cond)+" ORDER BY "+orderBySQL(order)+page, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*T, 0, min(limit, 64))
	for rows.Next() {
		o, err := t.Scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func whereSQL(cond string) string {
	if cond == "" {
		return ""
	}
	return " WHERE " + cond
}

// Get returns the row with id inside where, or ErrNotFound. On SQLite the
// read does not watch ctx for cancellation: a lookup by primary key takes
// microseconds, and a cancellable context costs two goroutines per query
// (database/sql's and the driver's watchers), a tenth of a whole request.
func (t *Table[T]) Get(ctx context.Context, where sqlexpr.Where, id int64) (*T, error) {
	if t.Dialect == SQLite {
		ctx = context.WithoutCancel(ctx)
	}
	return t.get(ctx, nil, where, id)
}

// byID is the condition of a single-row statement.
const byID = ` WHERE "id" = ?`

// get reads through tx when it is not nil, else through the pool.
func (t *Table[T]) get(ctx context.Context, tx *sql.Tx, where sqlexpr.Where, id int64) (*T, error) {
	return t.getFor(ctx, tx, where, id, "")
}

var errReadOnly = errors.New("rest: the table is read-only")

// ErrDenied is returned by Update when its check denies the object as it
// would be written; nothing was written.
var ErrDenied = errors.New("rest: the object check denies the object as it would be written")

// WriteTimeout bounds a write once it has begun. From then on it runs on a
// context detached from the client's (its values, not its cancellation): a
// client that goes away cannot cancel it halfway, when a commit cancelled in
// flight may have committed and still be answered as failed. It commits or
// rolls back, and the handler answers and logs what really happened.
const WriteTimeout = 30 * time.Second

// begin starts a write: it fails when the client has gone already, before
// anything is written, and otherwise returns the detached context the
// write runs on; call cancel when it is done.
func begin(ctx context.Context) (_ context.Context, cancel context.CancelFunc, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), WriteTimeout)
	return ctx, cancel, nil
}

// inTx runs f in one transaction on a detached context (see WriteTimeout)
// and commits when f succeeds.
func (t *Table[T]) inTx(ctx context.Context, f func(ctx context.Context, tx *sql.Tx) (*T, error)) (*T, error) {
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
	out, err := f(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return out, nil
}

// Create inserts obj and returns the row as stored, in one transaction,
// or *Invalid when obj would duplicate a row in one of the Uniques or
// names, in one of the Refs, no object the caller can see.
func (t *Table[T]) Create(ctx context.Context, obj *T) (*T, error) {
	return t.CreateWith(ctx, obj, nil)
}

// CreateWith is Create calling before, when not nil, inside the
// transaction once the Uniques pass and before the insert; an error from
// it writes nothing and is returned as it is.
func (t *Table[T]) CreateWith(ctx context.Context, obj *T, before Before[T]) (*T, error) {
	if t.InsertSQL == "" {
		return nil, errReadOnly
	}
	t.prepareWrite(ctx, t.InsertSQL, false)
	return t.inTx(ctx, func(ctx context.Context, tx *sql.Tx) (*T, error) {
		if err := t.validate(ctx, tx, obj, nil); err != nil {
			return nil, err
		}
		if err := t.before(ctx, tx, obj, before); err != nil {
			return nil, err
		}
		args, err := bindArgs(t.Dialect, t.InsertArgs(obj))
		if err != nil {
			return nil, err
		}
		out, err := t.Scan(t.queryRow(ctx, tx, t.InsertSQL, args...))
		if err != nil {
			return nil, t.refViolation(t.violation(err), obj)
		}
		return out, nil
	})
}

// Update writes obj's writable columns and returns the row as stored, or
// ErrNotFound, in one transaction, or *Invalid as Create (a reference is
// checked when it changes). allowed, when not nil, decides on the
// row as it will be committed, as the UPDATE returns it inside the
// transaction (so what the database computes, such as a user field's
// username, is as stored):
// when it returns false, nothing is written and Update returns ErrDenied.
func (t *Table[T]) Update(ctx context.Context, obj *T, allowed func(*T) bool) (*T, error) {
	return t.UpdateWith(ctx, obj, nil, allowed)
}

// UpdateWith is Update calling before, when not nil, as CreateWith does:
// inside the transaction, before the update and so before allowed.
func (t *Table[T]) UpdateWith(ctx context.Context, obj *T, before Before[T], allowed func(*T) bool) (*T, error) {
	if t.UpdateSQL == "" {
		return nil, errReadOnly
	}
	t.prepareWrite(ctx, t.UpdateSQL, len(t.Refs) > 0)
	return t.inTx(ctx, func(ctx context.Context, tx *sql.Tx) (*T, error) {
		var old *T
		if len(t.Refs) > 0 {
			var err error
			if old, err = t.get(ctx, tx, sqlexpr.Where{}, t.ID(obj)); err != nil {
				return nil, err
			}
		}
		if err := t.validate(ctx, tx, obj, old); err != nil {
			return nil, err
		}
		if err := t.before(ctx, tx, obj, before); err != nil {
			return nil, err
		}
		args, err := bindArgs(t.Dialect, t.UpdateArgs(obj))
		if err != nil {
			return nil, err
		}
		out, err := t.Scan(t.queryRow(ctx, tx, t.UpdateSQL, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, t.refViolation(t.violation(err), obj)
		}
		t.handOver(ctx, tx)
		if allowed != nil && !allowed(out) {
			return nil, ErrDenied
		}
		return out, nil
	})
}

// Delete removes the row with id, or returns ErrNotFound, or ErrProtected
// when other rows refer to it under on_delete: protect (then nothing is
// deleted; rows under cascade go with it, set_null ones are cleared). Like
// the other writes it runs on a detached context once begun.
func (t *Table[T]) Delete(ctx context.Context, id int64) error {
	if t.InsertSQL == "" {
		return errReadOnly
	}
	ctx, cancel, err := begin(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	res, err := t.exec(ctx, nil, `DELETE FROM `+t.Name+byID, id)
	if err != nil {
		return deleteViolation(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}
