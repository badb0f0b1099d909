package spec

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// fieldRequestClasses are the built-in classes a field expression may
// name: those whose request check concerns the caller only. The others
// depend on the method or the action (IsAuthenticatedOrReadOnly, ReadOnly,
// DjangoModelPermissions), which would make a field appear or vanish with
// the verb.
var fieldRequestClasses = []string{plan.AllowAny, plan.IsAuthenticated, plan.IsAdminUser}

// fieldPerms reads read:, write: and create_only:, after the field's
// read_only is known. Field expressions are checked on the request only
// (HasPermission), so they may name only classes with a request check of
// their own; and a field must never be writable by callers who cannot read
// it: when read: is set on a writable field, write: is required and must
// be the read expression, or the read expression AND'ed with more checks.
func (l *loader) fieldPerms(fl *fieldLoad) {
	d, f := &fl.d, fl.f
	if d.Read != nil {
		f.Read = l.fieldExpr(fl, d.Read)
	}
	if d.Write != nil {
		if f.ReadOnly {
			l.errAt(keyNode(fl.v, "write"), "remove write: nobody sets a read-only field", "%s is read-only, so write does not apply", fl.what)
			fl.good = false
			return
		}
		f.Write = l.fieldExpr(fl, d.Write)
	}
	if d.CreateOnly != nil {
		b, ok := l.boolean(d.CreateOnly, "create_only")
		switch {
		case !ok:
			fl.good = false
		case !b:
			l.errAt(d.CreateOnly, "remove it: fields are writable on update unless they say so", "create_only: false is the default")
			fl.good = false
		case f.ReadOnly:
			l.errAt(keyNode(fl.v, "create_only"), "remove one of them: create_only makes a field writable on create only", "%s cannot be both read-only and create_only", fl.what)
			fl.good = false
		default:
			f.CreateOnly = true
		}
	}
	if !fl.good || f.Read == nil || f.ReadOnly {
		return
	}
	read := exprSrc(d.Read)
	if f.Write == nil {
		l.errAt(keyNode(fl.v, "read"), `add write: "`+read+`" (or "`+read+` & <more checks>"), or read_only: true`,
			"%s is writable by callers who cannot read it: read is restricted and write is not", fl.what)
		fl.good = false
		return
	}
	if !implies(f.Write, f.Read) {
		l.errAt(d.Write, `write the read expression AND'ed with more checks, such as write: "`+read+` & `+exprSrc(d.Write)+`", or the read expression itself`,
			"%s is writable by callers who cannot read it: write does not include every check of read (%s)", fl.what, read)
		fl.good = false
	}
}

// exprSrc is the expression as the spec wrote it, for messages.
func exprSrc(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return "<read expression>"
}

// fieldExpr parses a field expression and refuses the classes whose
// request check is not about the caller.
func (l *loader) fieldExpr(fl *fieldLoad, n *yaml.Node) plan.Expr {
	e, ok := l.expression(n)
	if !ok {
		fl.good = false
		return nil
	}
	for _, r := range refs(e, nil) {
		switch {
		case r.Builtin && !slices.Contains(fieldRequestClasses, r.Name):
			l.errAt(n, "use AllowAny, IsAuthenticated, IsAdminUser or a check: go class", "%s depends on the request's method or action; a field expression is checked on the caller only", r.Name)
		case !r.Builtin && (r.Class == nil || r.Class.Kind != plan.ClassGo):
			l.errAt(n, "use IsAuthenticated, IsAdminUser or a check: go class (its HasPermission decides)", "%s is an object rule; a field expression is checked on the request only, with no object", r.Name)
		default:
			continue
		}
		fl.good = false
		return nil
	}
	return e
}

// refs appends the class references of e, left to right.
func refs(e plan.Expr, out []*plan.Ref) []*plan.Ref {
	switch v := e.(type) {
	case *plan.Ref:
		return append(out, v)
	case *plan.Not:
		return refs(v.X, out)
	case *plan.And:
		return refs(v.R, refs(v.L, out))
	case *plan.Or:
		return refs(v.R, refs(v.L, out))
	}
	return out
}

// implies says whether write implies read by its form: every conjunct of
// read is a conjunct of write. Sound (A & B & C implies A & C) and simple
// enough to state; anything else is refused.
func implies(write, read plan.Expr) bool {
	have := conjuncts(write, nil)
	for _, c := range conjuncts(read, nil) {
		if !slices.Contains(have, c) {
			return false
		}
	}
	return true
}

// conjuncts renders the operands of e's top-level & chain, each as a
// canonical string.
func conjuncts(e plan.Expr, out []string) []string {
	if a, ok := e.(*plan.And); ok {
		return conjuncts(a.R, conjuncts(a.L, out))
	}
	return append(out, canon(e))
}

func canon(e plan.Expr) string {
	switch v := e.(type) {
	case *plan.Ref:
		return v.Name
	case *plan.Not:
		return "~(" + canon(v.X) + ")"
	case *plan.And:
		return "(" + canon(v.L) + "&" + canon(v.R) + ")"
	case *plan.Or:
		return "(" + canon(v.L) + "|" + canon(v.R) + ")"
	}
	return "?"
}
