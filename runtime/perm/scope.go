package perm

import (
	"strconv"
	"strings"

	"github.com/wardhq/ward/runtime/identity"
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

// Guard returns w when ok, else Nothing: the branch of an Or scope whose
// request-level check failed contributes no rows,
// (A.perm && A.scope) || (B.perm && B.scope).
func Guard(ok bool, w Where) Where {
	if ok {
		return w
	}
	return Nothing
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

// Owns reports whether u owns an object whose owner field is ownerID. A
// NULL owner (nil) is never owned, matching SQL where owner = ? is not true
// for NULL; an anonymous or inactive caller owns nothing.
func Owns(u *identity.User, ownerID *int64) bool {
	return active(u) && ownerID != nil && *ownerID == u.ID
}

// OwnerScope is Owns as SQL: column = caller's id; Nothing for an anonymous
// or inactive caller.
func OwnerScope(u *identity.User, column string) Where {
	if !active(u) {
		return Nothing
	}
	return Where{SQL: Ident(column) + " = ?", Args: []any{u.ID}}
}

// StaffCheck reports whether u is an active staff user.
func StaffCheck(u *identity.User) bool { return active(u) && u.IsStaff }

// StaffScope is StaffCheck as SQL: no restriction for staff, else Nothing.
func StaffScope(u *identity.User) Where {
	if StaffCheck(u) {
		return Where{}
	}
	return Nothing
}

// User attributes a field rule can compare with.
const (
	AttrID       = "id"
	AttrUsername = "username"
	AttrIsStaff  = "is_staff"
)

// userAttr returns u's attribute, or false for an unknown attribute or an
// anonymous or inactive caller.
func userAttr(u *identity.User, attr string) (any, bool) {
	if !active(u) {
		return nil, false
	}
	switch attr {
	case AttrID:
		return u.ID, true
	case AttrUsername:
		return u.Username, true
	case AttrIsStaff:
		return u.IsStaff, true
	}
	return nil, false
}

// FieldEquals reports whether an object's field value equals the caller's
// attr (id, username or is_staff). value is the field's Go value: int64,
// int, string or bool, or a pointer to one; nil (NULL) never matches, and
// neither does a value of the wrong type, an unknown attr, or an anonymous
// or inactive caller. Strings compare byte for byte, as SQL = does with the
// default collations of SQLite and PostgreSQL.
func FieldEquals(u *identity.User, attr string, value any) bool {
	if !active(u) {
		return false
	}
	switch attr {
	case AttrID:
		v, ok := asInt64(value)
		return ok && v == u.ID
	case AttrUsername:
		v, ok := asString(value)
		return ok && v == u.Username
	case AttrIsStaff:
		v, ok := asBool(value)
		return ok && v == u.IsStaff
	}
	return false
}

// FieldEqualsScope is FieldEquals as SQL: column = the caller's attr;
// Nothing for an unknown attr or an anonymous or inactive caller.
func FieldEqualsScope(u *identity.User, column, attr string) Where {
	v, ok := userAttr(u, attr)
	if !ok {
		return Nothing
	}
	return Where{SQL: Ident(column) + " = ?", Args: []any{v}}
}

func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case *int64:
		if x != nil {
			return *x, true
		}
	case int:
		return int64(x), true
	case *int:
		if x != nil {
			return int64(*x), true
		}
	case int32:
		return int64(x), true
	}
	return 0, false
}

func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case *string:
		if x != nil {
			return *x, true
		}
	}
	return "", false
}

func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case *bool:
		if x != nil {
			return *x, true
		}
	}
	return false, false
}
