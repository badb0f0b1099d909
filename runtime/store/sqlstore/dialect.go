package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
)

// Dialect is what the store's SQL needs to know of its database: the
// placeholders, how a time is stored, which errors are constraint
// violations, and how hits of one throttle key are serialized. The store
// writes every query once, with ? placeholders and portable SQL (INSERT
// ... ON CONFLICT DO NOTHING, RETURNING); SQLite and Postgres are the two
// values.
type Dialect struct {
	// name is the dialect's name for runtime/schema, and the prefix of
	// its errors.
	name string
	// dollar: placeholders are $1, $2, ... (queries are rebound).
	dollar bool
	// time encodes a time as its column type holds it, the zero time
	// included (meaning none: no expiry, no rotation yet).
	time func(time.Time) any
	// constraint maps a driver's constraint violation to store.ErrConflict
	// (unique or primary key) or store.ErrNotFound (foreign key: no such
	// user); nil for any other error.
	constraint func(error) error
	// perms is the expression listing user u's permissions (their own and
	// their groups', without duplicates), sorted, one
	// a line.
	perms string
	// forUpdate locks a row read inside a transaction.
	forUpdate string
	// rowID names a row of a table without a key.
	rowID string
	// tick is the unit of throttle hit times.
	tick time.Duration
	// lockHits, when set, serializes the hits of one key inside a
	// transaction (args: lock space, key) and returns the time in ticks;
	// else the transaction (BEGIN IMMEDIATE) serializes them and the time
	// is the store's clock.
	lockHits string
	// clock, when set, is the query of the time in ticks; else the time is
	// the store's clock.
	clock string
}

// SQLite stores times as Unix nanoseconds (0 for none) and takes throttle
// times from the process's clock; Open's DSN makes every transaction
// BEGIN IMMEDIATE, which serializes writers across processes.
var SQLite = Dialect{
	name: schema.SQLite,
	time: func(t time.Time) any {
		if t.IsZero() {
			return int64(0)
		}
		return t.UnixNano()
	},
	constraint: func(err error) error {
		var se *msqlite.Error
		if errors.As(err, &se) {
			switch se.Code() {
			case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
				return store.ErrConflict
			case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
				return store.ErrNotFound
			}
		}
		return nil
	},
	perms: `(SELECT group_concat(perm, char(10)) FROM (SELECT perm FROM ward_user_perms p WHERE p.user_id = u.id UNION ` + groupPerms + ` ORDER BY perm))`,
	rowID: "rowid",
	tick:  time.Nanosecond,
}

// pgClock is the server's time in microseconds.
const pgClock = `(extract(epoch FROM clock_timestamp()) * 1000000)::bigint`

// Postgres stores times as TIMESTAMPTZ (NULL for none) and takes throttle
// times from the server's clock, so that instances with skewed clocks
// share one window; hits of one key queue on a transaction-scoped advisory
// lock.
var Postgres = Dialect{
	name:   schema.Postgres,
	dollar: true,
	time:   func(t time.Time) any { return sql.NullTime{Time: t, Valid: !t.IsZero()} },
	constraint: func(err error) error {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			switch pe.Code {
			case "23505": // unique_violation
				return store.ErrConflict
			case "23503": // foreign_key_violation
				return store.ErrNotFound
			}
		}
		return nil
	},
	perms:     `(SELECT string_agg(perm, E'\n' ORDER BY perm COLLATE "C") FROM (SELECT perm FROM ward_user_perms p WHERE p.user_id = u.id UNION ` + groupPerms + `) x)`,
	forUpdate: " FOR UPDATE",
	rowID:     "ctid",
	tick:      time.Microsecond,
	// Hits need no durability across a server crash (losing a few
	// seconds of counts is harmless), so the transaction skips the wait
	// for the WAL flush. The clock is read once the lock is held (OFFSET 0
	// keeps the locking subquery a separate step).
	lockHits: `SELECT ` + pgClock + ` FROM (SELECT pg_advisory_xact_lock(?, hashtext(?)), set_config('synchronous_commit', 'off', true) OFFSET 0) AS locked`,
	clock:    `SELECT ` + pgClock,
}

// throttleLockSpace is the first key of the two-key advisory locks taken
// per throttle key.
const throttleLockSpace int32 = 0x77617264 // "ward"

// instant scans a time column of either encoding: Unix nanoseconds (0 is
// none), a time, or NULL (none).
type instant struct{ t *time.Time }

func (i instant) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*i.t = time.Time{}
	case int64:
		*i.t = time.Time{}
		if x != 0 {
			*i.t = time.Unix(0, x)
		}
	case time.Time:
		*i.t = x
	default:
		return fmt.Errorf("sqlstore: time column holds %T", v)
	}
	return nil
}

// clock is the throttle clock in ticks, read outside a hit's transaction.
func (s *Store) clock(ctx context.Context) (int64, error) {
	if s.d.clock == "" {
		return s.now().UnixNano() / int64(s.d.tick), nil
	}
	var n int64
	err := s.db.QueryRowContext(ctx, s.d.clock).Scan(&n)
	return n, err
}

// UniqueViolation reports whether err is a unique constraint violation on
// either dialect, and what the driver says was violated: on PostgreSQL the
// constraint's (or unique index's) name, on SQLite, which names no index,
// its columns in index order.
func UniqueViolation(err error) (name string, columns []string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName, nil, pe.Code == "23505"
	}
	var se *msqlite.Error
	if !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return "", nil, false
	}
	// "UNIQUE constraint failed: t.a, t.b"
	const marker = "UNIQUE constraint failed: "
	msg := se.Error()
	i := strings.Index(msg, marker)
	if i < 0 {
		return "", nil, true
	}
	msg = msg[i+len(marker):]
	if j := strings.Index(msg, " ("); j >= 0 {
		msg = msg[:j]
	}
	for _, c := range strings.Split(msg, ", ") {
		if k := strings.LastIndexByte(c, '.'); k >= 0 {
			c = c[k+1:]
		}
		columns = append(columns, c)
	}
	return "", columns, true
}

// groupPerms selects the permissions user u holds through groups.
const groupPerms = `SELECT gp.perm FROM ward_user_groups ug JOIN ward_group_perms gp ON gp.group_id = ug.group_id WHERE ug.user_id = u.id`
