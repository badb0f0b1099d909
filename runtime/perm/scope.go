package perm

import (
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// Guard returns w when ok, else Nothing: the branch of an Or scope whose
// request-level check failed contributes no rows,
// (A.perm && A.scope) || (B.perm && B.scope).
func Guard(ok bool, w sqlexpr.Where) sqlexpr.Where {
	if ok {
		return w
	}
	return sqlexpr.Nothing
}

// Owns reports whether u owns an object whose owner field is ownerID. A
// NULL owner (nil) is never owned, matching SQL where owner = ? is not true
// for NULL; an anonymous or inactive caller owns nothing.
func Owns(u *identity.User, ownerID *int64) bool {
	return active(u) && ownerID != nil && *ownerID == u.ID
}

// OwnerScope is Owns as SQL: column = caller's id; Nothing for an anonymous
// or inactive caller.
func OwnerScope(u *identity.User, column string) sqlexpr.Where {
	if !active(u) {
		return sqlexpr.Nothing
	}
	return sqlexpr.Where{SQL: sqlexpr.Ident(column) + " = ?", Args: []any{u.ID}}
}

// StaffCheck reports whether u is an active staff user.
func StaffCheck(u *identity.User) bool { return active(u) && u.IsStaff }

// StaffScope is StaffCheck as SQL: no restriction for staff, else Nothing.
func StaffScope(u *identity.User) sqlexpr.Where {
	if StaffCheck(u) {
		return sqlexpr.Where{}
	}
	return sqlexpr.Nothing
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
func FieldEqualsScope(u *identity.User, column, attr string) sqlexpr.Where {
	v, ok := userAttr(u, attr)
	if !ok {
		return sqlexpr.Nothing
	}
	return sqlexpr.Where{SQL: sqlexpr.Ident(column) + " = ?", Args: []any{v}}
}

// ValueEquals reports whether an object's field value equals want, a
// constant bool, int64 or string: value is the field's Go value (as for
// FieldEquals); nil (NULL), a value of another type and a want of another
// type never match. Strings compare byte for byte, as SQL = does.
func ValueEquals(value, want any) bool {
	switch w := want.(type) {
	case bool:
		v, ok := asBool(value)
		return ok && v == w
	case int64:
		v, ok := asInt64(value)
		return ok && v == w
	case string:
		v, ok := asString(value)
		return ok && v == w
	}
	return false
}

// ValueScope is ValueEquals as SQL: column = want; Nothing for a want of
// another type.
func ValueScope(column string, want any) sqlexpr.Where {
	switch want.(type) {
	case bool, int64, string:
		return sqlexpr.Where{SQL: sqlexpr.Ident(column) + " = ?", Args: []any{want}}
	}
	return sqlexpr.Nothing
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
