// Package schema creates and migrates tables: those of generated resources
// and the runtime's own (users, tokens, sessions, refresh families,
// throttle hits). A spec change that only adds (a table, a nullable column,
// a column with a default, an index) is applied at start; a destructive
// one (a dropped or retyped column, a unique index the rows already
// break) is refused with a message.
package schema

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// Table is one table. A resource table has an integer primary key "id";
// the runtime's own tables may name another key, or none.
type Table struct {
	Name    string
	Columns []Column // without id
	// Key, when set, is the primary key's columns in place of id.
	Key []string
	// Keyless is a table without a primary key (nor id).
	Keyless bool
	// Indexes are created with the table, and again at every migration
	// when missing.
	Indexes []Index
}

// Column is one column.
type Column struct {
	Name string
	// Type is a Ward field type: "string", "text", "int", "float",
	// "decimal", "bool", "datetime", "user" (an integer reference to the id of UsersTable)
	// or "ref" (an integer reference to the id of the resource table References).
	// The runtime's own tables also use "bytes" (BLOB, BYTEA) and
	// "instant" (Unix nanoseconds in an INTEGER on SQLite, TIMESTAMPTZ on
	// PostgreSQL).
	Type     string
	Nullable bool
	// Default is the default value as a Go value of the column's type
	// (string, int64, float64, bool), or nil.
	Default any
	// Unique adds a UNIQUE constraint.
	Unique bool
	// Cascade makes a "user" column's rows go with their user (ON DELETE
	// CASCADE).
	Cascade bool
	// MaxDigits and DecimalPlaces are the precision and scale of a
	// "decimal" column: NUMERIC(p,s) on PostgreSQL, and on SQLite an
	// INTEGER holding the value times 10^DecimalPlaces (p <= 18).
	MaxDigits, DecimalPlaces int
	// References is the table a "ref" column points to (a foreign key to
	// its "id"), and OnDelete what deleting a referenced row does:
	// OnDeleteProtect (the default, ON DELETE RESTRICT: the delete fails),
	// OnDeleteCascade or OnDeleteSetNull.
	References string
	OnDelete   string
}

// The on_delete behaviours of a "ref" column.
const (
	OnDeleteProtect = "protect"
	OnDeleteCascade = "cascade"
	OnDeleteSetNull = "set_null"
)

// Index is a named index on columns of a table.
type Index struct {
	Name    string
	Columns []string
	// Unique makes it a unique index: no two rows share its columns'
	// values (rows with a NULL among them excepted, as in SQL). Migrate
	// refuses to add one to a table that already holds duplicates.
	Unique bool
}

// UniqueIndexName is the name of the unique index on columns of table:
// table_col1_col2_key, as PostgreSQL names a UNIQUE constraint, shortened
// with a hash of the whole name when it would pass 63 bytes.
func UniqueIndexName(table string, columns []string) string {
	return constraintName(table+"_"+strings.Join(columns, "_"), "_key")
}

// IndexName is the name of a plain (not unique) index on columns of
// table: table_col1_col2_idx, shortened as UniqueIndexName.
func IndexName(table string, columns []string) string {
	return constraintName(table+"_"+strings.Join(columns, "_"), "_idx")
}

// ForeignKeyName is the name of the foreign key of a "ref" column:
// table_column_fkey, as PostgreSQL names one, shortened as UniqueIndexName.
func ForeignKeyName(table, column string) string {
	return constraintName(table+"_"+column, "_fkey")
}

func constraintName(base, suffix string) string {
	name := base + suffix
	if len(name) <= 63 {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s_%08x%s", name[:63-9-len(suffix)], h.Sum32(), suffix)
}

// MigrateLock is the pg_advisory_xact_lock key under which the runtime's
// own tables (MigrateRuntime) and the resource tables (Migrate) are
// migrated, so that instances starting together queue instead of creating
// a table twice.
const MigrateLock int64 = 0x77617264_6d696772 // "wardmigr"

// MaxDecimalDigits is the largest MaxDigits of a decimal column: on SQLite
// a decimal is stored as value×10^DecimalPlaces in a 64-bit INTEGER, which
// holds every number of 18 digits.
const MaxDecimalDigits = 18
