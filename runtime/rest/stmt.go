package rest

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds a Table's statement cache. Query texts come from
// generated code and generated read scopes, never from a request, so a
// resource has a handful; past the bound queries simply run unprepared.
const maxStmts = 128

// stmtCache keeps prepared statements by query text. On SQLite, preparing
// is about a third of a simple read's cost, and database/sql prepares
// again for every query that is not prepared; PostgreSQL's driver (pgx)
// caches prepared statements per connection by itself, so the cache is
// used on SQLite only.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepared returns the cached statement for query, preparing it on db when
// it is new; nil when it cannot (the caller then runs the query as it is,
// which reports any error the database has).
func (t *Table[T]) prepared(ctx context.Context, query string) *sql.Stmt {
	if t.Dialect != SQLite {
		return nil
	}
	if s := t.stmts.get(query); s != nil {
		return s
	}
	s, err := t.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c := &t.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		s.Close()
		return old
	}
	if len(c.m) >= maxStmts {
		s.Close()
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = s
	return s
}

// queryRow runs a single-row query on the pool, or on tx when it is not
// nil. Inside a transaction only an already-prepared statement is used, so
// a transaction never waits for a second connection.
func (t *Table[T]) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	query = t.q(query)
	if tx != nil {
		if s := t.stmts.get(query); s != nil {
			return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
		}
		return tx.QueryRowContext(ctx, query, args...)
	}
	if s := t.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.DB.QueryRowContext(ctx, query, args...)
}

// prepare puts the statements for queries in the cache before a
// transaction begins: inside one, queryRow and exec only use statements
// already prepared (see queryRow), and a write should not parse its SQL
// again on every request.
func (t *Table[T]) prepare(ctx context.Context, queries ...string) {
	for _, q := range queries {
		t.prepared(ctx, t.q(q))
	}
}

// prepareWrite prepares what a write's transaction runs: the write
// itself (which returns the row as stored), the Uniques' checks and, when
// readsOld, the read of the row before it (an update of a table with
// references, see UpdateWith).
func (t *Table[T]) prepareWrite(ctx context.Context, write string, readsOld bool) {
	t.prepare(ctx, write)
	if readsOld {
		t.prepare(ctx, t.Select+byID)
	}
	for i := range t.Uniques {
		t.prepare(ctx, t.Uniques[i].Exists)
	}
}

// exec runs a statement on the pool, or on tx when it is not nil, as
// queryRow does.
func (t *Table[T]) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	query = t.q(query)
	if tx != nil {
		if s := t.stmts.get(query); s != nil {
			return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
		}
		return tx.ExecContext(ctx, query, args...)
	}
	if s := t.prepared(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.DB.ExecContext(ctx, query, args...)
}

// query runs a query on the pool.
func (t *Table[T]) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = t.q(query)
	if s := t.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.DB.QueryContext(ctx, query, args...)
}
