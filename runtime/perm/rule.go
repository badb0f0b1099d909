package perm

import (
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// Rule is a declarative object rule over T with both of its sides in one
// value: the Go check that decides a single object and the SQL scope that
// selects exactly the rows the check allows, so a list never shows an
// object that retrieving would deny. The differential tests run both sides
// on SQLite and PostgreSQL.
//
// As a Permission, a Rule's request check is true (it is an object rule)
// and its object check is the Go side.
type Rule[T any] struct {
	kind   ruleKind
	column string
	attr   string
	owner  func(*T) *int64
	value  func(*T) any
	want   any      // ruleValue: the constant
	l, r   *Rule[T] // ruleAnd, ruleOr
	msg    string
}

type ruleKind uint8

const (
	ruleNone ruleKind = iota // the zero Rule: allows nothing
	ruleAll
	ruleOwner
	ruleStaff
	ruleField
	ruleValue
	ruleAnd
	ruleOr
)

// AllRule allows every object; its scope has no restriction.
func AllRule[T any]() Rule[T] { return Rule[T]{kind: ruleAll} }

// OwnerRule allows the object whose user field (column, read in Go with
// owner) is the caller: Owns and OwnerScope. owner returns nil for a NULL
// owner.
func OwnerRule[T any](column string, owner func(*T) *int64) Rule[T] {
	return Rule[T]{kind: ruleOwner, column: column, owner: owner}
}

// StaffRule allows every object to active staff and none to anyone else:
// StaffCheck and StaffScope.
func StaffRule[T any]() Rule[T] { return Rule[T]{kind: ruleStaff} }

// FieldRule allows the object whose field (column, read in Go with value)
// equals the caller's attr (AttrID, AttrUsername or AttrIsStaff):
// FieldEquals and FieldEqualsScope. value returns the field's Go value, nil
// or a nil pointer for NULL.
func FieldRule[T any](column, attr string, value func(*T) any) Rule[T] {
	return Rule[T]{kind: ruleField, column: column, attr: attr, value: value}
}

// ValueRule allows the object whose field (column, read in Go with value)
// equals the constant want, a bool, int64 or string, whoever the caller
// is (anonymous included): ValueEquals and ValueScope. value returns the
// field's Go value, nil or a nil pointer for NULL, which never matches.
func ValueRule[T any](column string, want any, value func(*T) any) Rule[T] {
	return Rule[T]{kind: ruleValue, column: column, want: want, value: value}
}

// Or is the rule allowing what r or o allows: r.Allows || o.Allows, and
// r.Scope OR o.Scope. It keeps r's message.
func (r Rule[T]) Or(o Rule[T]) Rule[T] {
	return Rule[T]{kind: ruleOr, l: &r, r: &o, msg: r.msg}
}

// And is the rule allowing what both r and o allow: r.Allows && o.Allows,
// and r.Scope AND o.Scope. It keeps r's message.
func (r Rule[T]) And(o Rule[T]) Rule[T] {
	return Rule[T]{kind: ruleAnd, l: &r, r: &o, msg: r.msg}
}

// Allows is the Go side: whether u may see obj. The zero Rule and a nil obj
// allow nothing.
func (r Rule[T]) Allows(u *identity.User, obj *T) bool { return r.allows(u, obj) }

func (r *Rule[T]) allows(u *identity.User, obj *T) bool {
	if obj == nil {
		return false
	}
	switch r.kind {
	case ruleAll:
		return true
	case ruleOwner:
		return Owns(u, r.owner(obj))
	case ruleStaff:
		return StaffCheck(u)
	case ruleField:
		return FieldEquals(u, r.attr, r.value(obj))
	case ruleValue:
		return ValueEquals(r.value(obj), r.want)
	case ruleAnd:
		return r.l.allows(u, obj) && r.r.allows(u, obj)
	case ruleOr:
		return r.l.allows(u, obj) || r.r.allows(u, obj)
	}
	return false
}

// Scope is the SQL side: the rows u may see. The zero Rule selects Nothing.
func (r Rule[T]) Scope(u *identity.User) sqlexpr.Where {
	switch r.kind {
	case ruleAll:
		return sqlexpr.Where{}
	case ruleOwner:
		return OwnerScope(u, r.column)
	case ruleStaff:
		return StaffScope(u)
	case ruleField:
		return FieldEqualsScope(u, r.column, r.attr)
	case ruleValue:
		return ValueScope(r.column, r.want)
	case ruleAnd:
		return r.l.Scope(u).And(r.r.Scope(u))
	case ruleOr:
		return r.l.Scope(u).Or(r.r.Scope(u))
	}
	return sqlexpr.Nothing
}

// WithMessage returns r with msg as its 403 detail (DRF's message).
func (r Rule[T]) WithMessage(msg string) Rule[T] {
	r.msg = msg
	return r
}

// Message is the rule's 403 detail; "" for the default.
func (r Rule[T]) Message() string { return r.msg }

// HasPermission is true: a rule restricts objects, not requests.
func (r Rule[T]) HasPermission(*Request) (bool, error) { return true, nil }

// HasObjectPermission is Allows for the request's user.
func (r Rule[T]) HasObjectPermission(req *Request, obj *T) (bool, error) {
	return r.Allows(req.User, obj), nil
}

func (r Rule[T]) evalPerm(*Request) (result, error) { return allowed, nil }

func (r Rule[T]) evalObj(req *Request, obj *T) (result, error) {
	if r.allows(req.User, obj) {
		return allowed, nil
	}
	return result{msg: r.msg}, nil
}
