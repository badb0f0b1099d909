// Package schema creates and migrates the tables of generated resources. A
// spec change that only adds (a table, a nullable column, a column with a
// default) is applied at start; a destructive one (a dropped or retyped
// column) is refused with a message.
package schema

// Table is one resource table. Every table has an integer primary key "id".
type Table struct {
	Name    string
	Columns []Column // without id
}

// Column is one column.
type Column struct {
	Name string
	// Type is a Ward field type: "string", "text", "int", "float", "bool",
	// "datetime" or "user" (an integer reference to the id of UsersTable).
	Type     string
	Nullable bool
	// Default is the default value as a Go value of the column's type
	// (string, int64, float64, bool), or nil.
	Default any
}

// MigrateLock is the pg_advisory_xact_lock key under which the runtime's
// own tables (runtime/store/postgres) and the resource tables (Migrate)
// are migrated, so that instances starting together queue instead of
// creating a table twice.
const MigrateLock int64 = 0x77617264_6d696772 // "wardmigr"
