package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// foreignKeysMatch refuses a "ref" column of t, which exists, whose
// foreign key in the database is missing (an integer column turned into a
// reference) or names another table or another ON DELETE: Migrate cannot
// change a constraint safely, so the message says what to do by hand.
// have holds the table's columns before this migration.
func foreignKeysMatch(ctx context.Context, tx *sql.Tx, dialect string, t Table, have map[string]string) error {
	for _, c := range t.Columns {
		if c.Type != "ref" {
			continue
		}
		if _, ok := have[c.Name]; !ok {
			continue // added by this migration, with its key
		}
		target, rule, err := foreignKey(ctx, tx, dialect, t.Name, c.Name)
		if err != nil {
			return err
		}
		want := strings.TrimPrefix(onDelete(c.OnDelete), " ON DELETE ")
		switch {
		case target == "":
			return fmt.Errorf("schema: column %s.%s has no foreign key in the database, but the spec makes it a reference to %s: add the constraint by hand (after checking every value names a row of %s; on SQLite, rebuild the table), or declare the field as it was", t.Name, c.Name, c.References, c.References)
		case target != c.References || rule != want:
			return fmt.Errorf("schema: column %s.%s references %s ON DELETE %s in the database, but %s ON DELETE %s in the spec: change the constraint by hand (on SQLite, rebuild the table), or restore the field's to and on_delete", t.Name, c.Name, target, rule, c.References, want)
		}
	}
	return nil
}

// foreignKey returns the table the foreign key of table.column references
// and its ON DELETE rule (RESTRICT, CASCADE, SET NULL, NO ACTION), or ""
// when the column has none.
func foreignKey(ctx context.Context, tx *sql.Tx, dialect, table, column string) (target, rule string, err error) {
	q := `SELECT "table", UPPER("on_delete") FROM pragma_foreign_key_list(?) WHERE "from" = ?`
	if dialect == Postgres {
		q = `SELECT ccu.table_name, rc.delete_rule
			FROM information_schema.referential_constraints rc
			JOIN information_schema.key_column_usage kcu ON kcu.constraint_schema = rc.constraint_schema AND kcu.constraint_name = rc.constraint_name
			JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_schema = rc.constraint_schema AND ccu.constraint_name = rc.constraint_name
			WHERE kcu.table_schema = current_schema() AND kcu.table_name = $1 AND kcu.column_name = $2`
	}
	err = tx.QueryRowContext(ctx, q, table, column).Scan(&target, &rule)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("schema: %w", err)
	}
	return target, rule, nil
}
