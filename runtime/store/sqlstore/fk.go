package sqlstore

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ForeignKeyViolation reports whether err is a foreign key violation on
// either dialect: a row naming a missing row, or the delete of a row that
// others name under ON DELETE RESTRICT. On PostgreSQL name is the
// constraint's name (table_column_fkey); SQLite names none.
func ForeignKeyViolation(err error) (name string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName, pe.Code == "23503" || pe.Code == "23001"
	}
	// SQLite reports ON DELETE RESTRICT as SQLITE_CONSTRAINT_TRIGGER, with
	// the foreign key's message.
	var se *msqlite.Error
	return "", errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY ||
		se.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER && strings.Contains(se.Error(), "FOREIGN KEY constraint failed"))
}
