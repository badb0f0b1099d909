package schema

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Dialects Migrate understands; they match rest.Dialect's values.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Migrate creates the tables that are missing and adds the columns that
// are new and nullable or have a default, and the indexes that are
// missing. It refuses, without changing anything, a column that was
// dropped from the spec, changed type, or is new but required without a
// default, and a new unique index over rows that already hold duplicates;
// the error names the table, the columns and what to do. Running it again
// changes nothing.
//
// It runs in one transaction that reads the schema and changes it, so that
// instances starting together do not race: on PostgreSQL the transaction
// first takes MigrateLock, the advisory lock MigrateRuntime takes too; on
// SQLite it is BEGIN IMMEDIATE when db's DSN asks for it (sqlite.DSN
// does), else the first write serializes it.
func Migrate(ctx context.Context, db *sql.DB, dialect string, tables []Table) error {
	return inTx(ctx, db, dialect, func(tx *sql.Tx) error { return migrate(ctx, tx, dialect, tables) })
}

// MigrateRuntime migrates the runtime's own tables as Migrate does, in one
// transaction that first renames the tables of a database made before
// RuntimePrefix (RenameLegacy).
func MigrateRuntime(ctx context.Context, db *sql.DB, dialect string, tables []Table) error {
	return inTx(ctx, db, dialect, func(tx *sql.Tx) error {
		if err := RenameLegacy(ctx, tx, dialect); err != nil {
			return err
		}
		return migrate(ctx, tx, dialect, tables)
	})
}

// inTx runs f in one transaction, under MigrateLock on PostgreSQL.
func inTx(ctx context.Context, db *sql.DB, dialect string, f func(*sql.Tx) error) error {
	if dialect != SQLite && dialect != Postgres {
		return fmt.Errorf("schema: unknown dialect %q", dialect)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	defer tx.Rollback()
	if dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, MigrateLock); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return nil
}

func migrate(ctx context.Context, tx *sql.Tx, dialect string, tables []Table) error {
	var stmts []string
	for _, t := range tables {
		have, exists, err := columns(ctx, tx, dialect, t.Name)
		if err != nil {
			return err
		}
		if !exists {
			stmts = append(stmts, CreateTable(dialect, t))
		} else {
			add, err := alter(dialect, t, have)
			if err != nil {
				return err
			}
			stmts = append(stmts, add...)
			if err := noDuplicates(ctx, tx, dialect, t, have); err != nil {
				return err
			}
			if err := foreignKeysMatch(ctx, tx, dialect, t, have); err != nil {
				return err
			}
		}
		for _, ix := range t.Indexes {
			stmts = append(stmts, createIndex(t.Name, ix))
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema: %s: %w", s, err)
		}
	}
	return nil
}

func createIndex(table string, ix Index) string {
	kind := "INDEX"
	if ix.Unique {
		kind = "UNIQUE INDEX"
	}
	return "CREATE " + kind + " IF NOT EXISTS " + ident(ix.Name) + " ON " + ident(table) + " (" + idents(ix.Columns) + ")"
}

// noDuplicates refuses a unique index that table t, which exists, lacks
// while its rows already hold two with the same values in the index's
// columns: the error names the table, the columns, one duplicated value
// and what to do. Rows with a NULL among the columns are not duplicates.
// An index on a column this migration adds (not in have) is not checked:
// the column does not exist yet, and a new nullable column holds only
// NULLs.
func noDuplicates(ctx context.Context, tx *sql.Tx, dialect string, t Table, have map[string]string) error {
	for _, ix := range t.Indexes {
		if !ix.Unique || !allIn(ix.Columns, have) {
			continue
		}
		exists, err := indexExists(ctx, tx, dialect, ix.Name)
		if err != nil {
			return err
		}
		if exists {
			continue
		}
		cols := idents(ix.Columns)
		var notNull []string
		for _, c := range ix.Columns {
			notNull = append(notNull, ident(c)+" IS NOT NULL")
		}
		q := "SELECT COUNT(*) FROM " + ident(t.Name) + " WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + cols + " HAVING COUNT(*) > 1"
		var groups int
		err = tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+q+") AS dup").Scan(&groups)
		if err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		if groups > 0 {
			return fmt.Errorf("schema: cannot make (%s) unique in table %s: %d sets of values appear in more than one row; change or delete the duplicate rows (SELECT %s, COUNT(*) FROM %s GROUP BY %s HAVING COUNT(*) > 1 lists them), or remove the uniqueness from the spec", strings.Join(ix.Columns, ", "), t.Name, groups, strings.Join(ix.Columns, ", "), t.Name, strings.Join(ix.Columns, ", "))
		}
	}
	return nil
}

// indexExists says whether an index named name exists.
func indexExists(ctx context.Context, tx *sql.Tx, dialect, name string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	if dialect == Postgres {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
	}
	var n int
	if err := tx.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, fmt.Errorf("schema: %w", err)
	}
	return n > 0, nil
}

// alter returns the statements adding the columns of t that the table
// lacks (have), or an error naming what must be done by hand.
func alter(dialect string, t Table, have map[string]string) ([]string, error) {
	want := map[string]Column{}
	for _, c := range t.Columns {
		want[c.Name] = c
	}
	names := make([]string, 0, len(have))
	for name := range have {
		names = append(names, name)
	}
	sort.Strings(names) // a deterministic message
	for _, name := range names {
		typ := have[name]
		if name == "id" {
			continue
		}
		c, ok := want[name]
		if !ok {
			return nil, fmt.Errorf("schema: table %s has column %s, which the spec no longer declares: drop it by hand (ALTER TABLE %s DROP COLUMN %s) after saving its data, or put the field back", t.Name, name, t.Name, name)
		}
		if !sameType(dialect, typ, sqlType(dialect, c)) {
			return nil, fmt.Errorf("schema: column %s.%s is %s in the database but %s (%s) in the spec: migrate it by hand or restore its type", t.Name, name, typ, c.Type, sqlType(dialect, c))
		}
	}
	var stmts []string
	for _, c := range t.Columns {
		if _, ok := have[c.Name]; ok {
			continue
		}
		if !c.Nullable && c.Default == nil {
			return nil, fmt.Errorf("schema: new column %s.%s is required and has no default: give it a default or make it optional, then regenerate", t.Name, c.Name)
		}
		stmts = append(stmts, "ALTER TABLE "+ident(t.Name)+" ADD COLUMN "+columnDef(dialect, t.Name, c))
	}
	return stmts, nil
}

// CreateTable is the CREATE TABLE statement of t in dialect.
func CreateTable(dialect string, t Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + ident(t.Name) + " (")
	var defs []string
	switch {
	case t.Keyless || len(t.Key) > 0:
	case dialect == Postgres:
		defs = append(defs, `"id" BIGSERIAL PRIMARY KEY`)
	default:
		defs = append(defs, `"id" INTEGER PRIMARY KEY AUTOINCREMENT`)
	}
	for _, c := range t.Columns {
		defs = append(defs, columnDef(dialect, t.Name, c))
	}
	if len(t.Key) > 0 {
		defs = append(defs, "PRIMARY KEY ("+idents(t.Key)+")")
	}
	b.WriteString(strings.Join(defs, ", "))
	b.WriteString(")")
	return b.String()
}

func columnDef(dialect, table string, c Column) string {
	s := ident(c.Name) + " " + sqlType(dialect, c)
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != nil {
		s += " DEFAULT " + literal(dialect, c.Default)
	}
	if c.Unique {
		s += " UNIQUE"
	}
	if c.Type == "user" {
		s += " REFERENCES " + ident(UsersTable) + ` ("id")`
		if c.Cascade {
			s += " ON DELETE CASCADE"
		}
	}
	if c.Type == "ref" {
		s += " CONSTRAINT " + ident(ForeignKeyName(table, c.Name)) + " REFERENCES " + ident(c.References) + ` ("id")` + onDelete(c.OnDelete)
	}
	return s
}

// onDelete is the ON DELETE clause of a "ref" column. Protect is RESTRICT,
// checked at once, so a delete of a referenced row fails as a whole.
func onDelete(how string) string {
	switch how {
	case OnDeleteCascade:
		return " ON DELETE CASCADE"
	case OnDeleteSetNull:
		return " ON DELETE SET NULL"
	}
	return " ON DELETE RESTRICT"
}

func literal(dialect string, v any) string {
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case bool:
		if dialect == Postgres {
			return strconv.FormatBool(x)
		}
		if x {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "NULL"
}

func sqlType(dialect string, c Column) string {
	pg := dialect == Postgres
	switch c.Type {
	case "decimal":
		return decimalType(dialect, c)
	case "string", "text":
		return "TEXT"
	case "int", "user", "ref":
		if pg {
			return "BIGINT"
		}
		return "INTEGER"
	case "float":
		if pg {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case "bool":
		return "BOOLEAN"
	case "datetime":
		if pg {
			return "TIMESTAMPTZ"
		}
		return "DATETIME"
	case "instant":
		if pg {
			return "TIMESTAMPTZ"
		}
		return "INTEGER"
	case "bytes":
		if pg {
			return "BYTEA"
		}
		return "BLOB"
	}
	return "TEXT"
}

// decimalType is NUMERIC(p,s) on PostgreSQL. On SQLite it is an INTEGER
// (the name has INTEGER affinity) holding the value times 10^s: exact, and
// ordered and compared as the numbers are. The precision and scale are in
// the name on both, so that a changed max_digits or decimal_places is a
// changed type, which Migrate refuses instead of misreading the values.
func decimalType(dialect string, c Column) string {
	ps := "(" + strconv.Itoa(c.MaxDigits) + "," + strconv.Itoa(c.DecimalPlaces) + ")"
	if dialect == Postgres {
		return "NUMERIC" + ps
	}
	return "SCALED_INT" + ps
}

func sameType(dialect, have, want string) bool {
	have = strings.ToUpper(strings.TrimSpace(have))
	if dialect == Postgres {
		switch have {
		case "TIMESTAMP WITH TIME ZONE":
			have = "TIMESTAMPTZ"
		}
	}
	return have == want
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func idents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = ident(n)
	}
	return strings.Join(q, ", ")
}

// columns returns the columns of table and their declared types.
func columns(ctx context.Context, db *sql.Tx, dialect, table string) (map[string]string, bool, error) {
	out := map[string]string{}
	if dialect == Postgres {
		rows, err := db.QueryContext(ctx, `SELECT column_name, CASE WHEN data_type = 'numeric' THEN 'NUMERIC(' || COALESCE(numeric_precision, 0) || ',' || COALESCE(numeric_scale, 0) || ')' ELSE data_type END FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table)
		if err != nil {
			return nil, false, fmt.Errorf("schema: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n, t string
			if err := rows.Scan(&n, &t); err != nil {
				return nil, false, fmt.Errorf("schema: %w", err)
			}
			out[n] = t
		}
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("schema: %w", err)
		}
		return out, len(out) > 0, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, false, fmt.Errorf("schema: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			return nil, false, fmt.Errorf("schema: %w", err)
		}
		out[n] = t
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("schema: %w", err)
	}
	return out, len(out) > 0, nil
}

// allIn reports whether every column is a key of have.
func allIn(cols []string, have map[string]string) bool {
	for _, c := range cols {
		if _, ok := have[c]; !ok {
			return false
		}
	}
	return true
}
