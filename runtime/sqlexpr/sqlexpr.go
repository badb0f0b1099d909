// Package sqlexpr holds the SQL pieces that perm, rest and the stores
// share: Where (a condition with ? placeholders and its arguments, and its
// And/Or algebra), Ident (identifier quoting) and Rebind (? to $n for
// PostgreSQL), and DB, the database handle of hand-written Go code. It
// imports nothing of Ward's.
package sqlexpr

import (
	"strconv"
	"strings"
)

// Where is an SQL condition for a read scope: SQL uses ? placeholders (call
// Rebind for PostgreSQL) and Args are their values in order. The zero Where
// (SQL "") is no restriction.
//
// Column names in a Where come from generated code, never from a request;
// they are quoted with Ident all the same.
type Where struct {
	SQL  string
	Args []any
}

// Nothing selects no row, on SQLite and PostgreSQL alike.
var Nothing = Where{SQL: "1 = 0"}

func (w Where) isNothing() bool { return w.SQL == Nothing.SQL && len(w.Args) == 0 }

// And is the intersection of w and o, each parenthesised.
func (w Where) And(o Where) Where {
	switch {
	case w.SQL == "":
		return o
	case o.SQL == "":
		return w
	case w.isNothing() || o.isNothing():
		return Nothing
	}
	return Where{SQL: "(" + w.SQL + ") AND (" + o.SQL + ")", Args: concat(w.Args, o.Args)}
}

// Or is the union of w and o, each parenthesised.
func (w Where) Or(o Where) Where {
	switch {
	case w.SQL == "" || o.SQL == "":
		return Where{}
	case w.isNothing():
		return o
	case o.isNothing():
		return w
	}
	return Where{SQL: "(" + w.SQL + ") OR (" + o.SQL + ")", Args: concat(w.Args, o.Args)}
}

func concat(a, b []any) []any {
	out := make([]any, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// Ident quotes an SQL identifier for SQLite and PostgreSQL: each
// dot-separated part in double quotes, embedded quotes doubled
// ("posts"."owner_id").
func Ident(name string) string {
	parts := strings.Split(name, ".")
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(p, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// Rebind rewrites ? placeholders as $1, $2, ... for PostgreSQL. A ? inside
// a single-quoted string, a double-quoted identifier, or a -- or /* */
// comment is left alone.
func Rebind(sql string) string {
	if strings.IndexByte(sql, '?') < 0 {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql) + 8)
	n := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			// Copy through the closing quote; a doubled quote is an escape,
			// which this loop handles as close-then-reopen.
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				b.WriteString(sql[i:])
				return b.String()
			}
			b.WriteString(sql[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				b.WriteString(sql[i:])
				return b.String()
			}
			b.WriteString(sql[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				b.WriteString(sql[i:])
				return b.String()
			}
			b.WriteString(sql[i : i+j+4])
			i += j + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
