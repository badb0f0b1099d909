package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// RuntimePrefix starts the name of every table (and index) the runtime
// owns: users, tokens, sessions, refresh families, throttle counters. Other
// names, "users" and "sessions" among them, are free for resources.
const RuntimePrefix = "ward_"

// UsersTable is the runtime's table of users; resource fields of type
// user reference its id, and a resource with source: users reads it.
const UsersTable = RuntimePrefix + "users"

// ReservedPrefixes are the table-name prefixes a resource may not use: the
// runtime's own, and those of SQLite's and PostgreSQL's system tables.
var ReservedPrefixes = []string{RuntimePrefix, "sqlite_", "pg_"}

// ReservedPrefix returns the reserved prefix table starts with, or "".
func ReservedPrefix(table string) string {
	for _, p := range ReservedPrefixes {
		if strings.HasPrefix(table, p) {
			return p
		}
	}
	return ""
}

// LegacyTables maps the names the runtime's tables had before
// RuntimePrefix to their names now, parents before children; LegacyIndexes
// does the same for the indexes the runtime created by name.
var (
	LegacyTables = [][2]string{
		{"users", "ward_users"},
		{"user_perms", "ward_user_perms"},
		{"api_tokens", "ward_api_tokens"},
		{"sessions", "ward_sessions"},
		{"refresh_families", "ward_refresh_families"},
		{"throttle_hits", "ward_throttle_hits"},
	}
	LegacyIndexes = map[string][][2]string{
		"api_tokens":       {{"api_tokens_user", "ward_api_tokens_user"}},
		"sessions":         {{"sessions_user", "ward_sessions_user"}},
		"refresh_families": {{"refresh_families_user", "ward_refresh_families_user"}},
		"throttle_hits":    {{"throttle_hits_key_at", "ward_throttle_hits_key_at"}, {"throttle_hits_expires", "ward_throttle_hits_expires"}},
	}
)

// RenameLegacy renames, in tx, each runtime table still under its name of
// before RuntimePrefix (the old name exists and the new one does not), so
// that an existing database keeps its users, tokens and sessions.
// MigrateRuntime runs it first in the transaction (under MigrateLock on
// PostgreSQL) that then creates the tables that are missing. Foreign keys
// follow the rename on both databases. The table's named indexes are
// renamed on PostgreSQL and dropped on SQLite, which cannot rename an
// index (MigrateRuntime's CREATE INDEX IF NOT EXISTS makes them again).
func RenameLegacy(ctx context.Context, tx *sql.Tx, dialect string) error {
	for _, r := range LegacyTables {
		isTable, exists, err := tableExists(ctx, tx, dialect, r[0])
		if err != nil {
			return err
		}
		_, taken, err := tableExists(ctx, tx, dialect, r[1])
		if err != nil {
			return err
		}
		if !exists || !isTable || taken {
			continue
		}
		stmts := []string{"ALTER TABLE " + ident(r[0]) + " RENAME TO " + ident(r[1])}
		for _, ix := range LegacyIndexes[r[0]] {
			if dialect == Postgres {
				stmts = append(stmts, "ALTER INDEX IF EXISTS "+ident(ix[0])+" RENAME TO "+ident(ix[1]))
			} else {
				stmts = append(stmts, "DROP INDEX IF EXISTS "+ident(ix[0]))
			}
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("schema: %s: %w", s, err)
			}
		}
	}
	return nil
}

// tableExists reports whether table exists in the current schema, and
// whether it is a table (not a view or an index).
func tableExists(ctx context.Context, tx *sql.Tx, dialect, table string) (isTable, exists bool, err error) {
	var kind string
	if dialect == Postgres {
		err = tx.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`, table).Scan(&kind)
		isTable = kind == "BASE TABLE"
	} else {
		err = tx.QueryRowContext(ctx, `SELECT type FROM sqlite_master WHERE name = ?`, table).Scan(&kind)
		isTable = kind == "table"
	}
	if err == sql.ErrNoRows {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("schema: %w", err)
	}
	return isTable, true, nil
}
