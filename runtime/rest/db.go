package rest

import (
	"context"
	"database/sql"

	"github.com/wardhq/ward/runtime/sqlexpr"
)

// handle is the database handle of hand-written code (perm.Request.DB)
// over conn, the pool or a write's transaction, in dialect's placeholders.
func handle(conn sqlexpr.Conn, dialect Dialect) *sqlexpr.DB {
	return sqlexpr.NewDB(conn, dialect == Postgres)
}

// pool is the handle over the App's pool; nil without an App or a DB.
func (v *View) pool() *sqlexpr.DB {
	if v == nil || v.App == nil || v.App.DB == nil {
		return nil
	}
	return handle(v.App.DB, v.App.Dialect)
}

// inWrite is where a Table write hands its transaction to the checks that
// run inside it: Save puts one in the context it passes to the store, and
// the write fills it before it calls them.
type inWrite struct {
	ctx context.Context
	db  *sqlexpr.DB
}

type inWriteKey struct{}

// withInWrite returns ctx carrying a new, empty inWrite.
func withInWrite(ctx context.Context) (context.Context, *inWrite) {
	w := &inWrite{}
	return context.WithValue(ctx, inWriteKey{}, w), w
}

// handOver fills the inWrite of ctx, if any, with tx and ctx, the write's.
func (t *Table[T]) handOver(ctx context.Context, tx *sql.Tx) {
	if w, ok := ctx.Value(inWriteKey{}).(*inWrite); ok {
		w.ctx, w.db = ctx, handle(tx, t.Dialect)
	}
}

// before calls f, when not nil, with the handle over tx.
func (t *Table[T]) before(ctx context.Context, tx *sql.Tx, obj *T, f Before[T]) error {
	if f == nil {
		return nil
	}
	return f(ctx, handle(tx, t.Dialect), obj)
}
