package sqlexpr

import (
	"context"
	"database/sql"
	"errors"
)

// Conn is what *sql.DB and *sql.Tx share: a pool or one transaction.
type Conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is the database as hand-written Go code sees it (a check: go class, a
// func read scope, a write hook): the write's transaction inside a write,
// the pool otherwise. Queries use ? placeholders on every dialect; DB
// rebinds them as $1, $2, ... for PostgreSQL. Pass values only as
// arguments, never spliced into the SQL, and quote identifiers with Ident.
//
// A nil *DB (a request built without a database, as in a unit test) fails
// every call with ErrNoDB, so a check that reads the database denies.
type DB struct {
	conn     Conn
	postgres bool
}

// ErrNoDB is the error of every call on a nil DB.
var ErrNoDB = errors.New("sqlexpr: no database")

// NewDB returns the handle over conn; postgres says whether ? placeholders
// are rebound as $n.
func NewDB(conn Conn, postgres bool) *DB {
	if conn == nil {
		return nil
	}
	return &DB{conn: conn, postgres: postgres}
}

// Postgres reports whether the database is PostgreSQL (else SQLite), for
// the rare query that differs, such as SELECT ... FOR UPDATE.
func (db *DB) Postgres() bool { return db != nil && db.postgres }

func (db *DB) bind(query string) string {
	if db.postgres {
		return Rebind(query)
	}
	return query
}

// Exec runs a statement that returns no rows.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db == nil {
		return nil, ErrNoDB
	}
	return db.conn.ExecContext(ctx, db.bind(query), args...)
}

// Query runs a query that returns rows; close them.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db == nil {
		return nil, ErrNoDB
	}
	return db.conn.QueryContext(ctx, db.bind(query), args...)
}

// Row is the result of QueryRow: Scan reads its one row, or returns
// sql.ErrNoRows (test with errors.Is) or the query's error.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest, as (*sql.Row).Scan.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// QueryRow runs a query that returns at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if db == nil {
		return &Row{err: ErrNoDB}
	}
	return &Row{row: db.conn.QueryRowContext(ctx, db.bind(query), args...)}
}
