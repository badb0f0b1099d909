package golang

import (
	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// fieldPerms are the fields with a read: or write: expression, in spec order.
func (x *res) fieldPerms() []*plan.Field {
	var out []*plan.Field
	for _, fl := range x.r.Fields {
		if fl.Read != nil || fl.Write != nil {
			out = append(out, fl)
		}
	}
	return out
}

// readGuarded says whether some field has a read: expression, and
// writeGuarded whether some field has a write: expression.
func (x *res) readGuarded() bool {
	for _, fl := range x.fieldPerms() {
		if fl.Read != nil {
			return true
		}
	}
	return false
}

func (x *res) writeGuarded() bool {
	for _, fl := range x.fieldPerms() {
		if fl.Write != nil {
			return true
		}
	}
	return false
}

// fieldPermsVar emits xFields, the field-level permissions of the resource.
func (g *gen) fieldPermsVar(f *File, x *res) {
	fields := x.fieldPerms()
	if len(fields) == 0 {
		return
	}
	var items []Code
	for _, fl := range fields {
		d := Dict{Id("Name"): Lit(fl.Name)}
		if fl.Read != nil {
			d[Id("Read")] = g.expr(x, fl.Read)
		}
		if fl.Write != nil {
			d[Id("Write")] = g.expr(x, fl.Write)
		}
		items = append(items, Values(d))
	}
	f.Add(comment("%sFields are the field-level permissions of %s, checked on the request only:", x.id, x.r.Name))
	for _, fl := range fields {
		switch {
		case fl.Read != nil && fl.Write != nil:
			f.Add(comment("%s is shown to %s and set by %s.", fl.Name, plan.ExprText(fl.Read), plan.ExprText(fl.Write)))
		case fl.Read != nil:
			f.Add(comment("%s is shown to %s.", fl.Name, plan.ExprText(fl.Read)))
		default:
			f.Add(comment("%s is set by %s.", fl.Name, plan.ExprText(fl.Write)))
		}
	}
	f.Var().Id(x.id+"Fields").Op("=").Index().Qual(pkgRest, "FieldPerm").Types(Id(x.model)).Values(items...)
	f.Line()
}

// hidden computes, before anything is read or written, the fields the
// caller may not see (503 when a check cannot decide).
func (h handlerAction) hidden() []Code {
	if !h.x.readGuarded() || h.a == plan.Destroy {
		return nil
	}
	return []Code{
		List(Id("hide"), Id("ok")).Op(":=").Qual(pkgRest, "Hidden").Call(Id("w"), Id("req"), Id(h.x.id+"Fields")),
		If(Op("!").Id("ok")).Block(Return()),
	}
}

// checkWrites refuses a body that sets a field the caller may not set.
func (h handlerAction) checkWrites() []Code {
	if !h.x.writeGuarded() {
		return nil
	}
	return []Code{If(Op("!").Qual(pkgRest, "CheckWrites").Call(Id("w"), Id("req"), Id("in"), Id(h.x.id+"Fields"))).Block(Return())}
}

// shown is the response value of v: without the hidden fields when some
// field has a read: expression.
func (h handlerAction) shown(v string) Code {
	if !h.x.readGuarded() {
		return Id(v)
	}
	hide := "Hide"
	if v == "rows" {
		hide = "HideAll"
	}
	return Qual(pkgRest, hide).Call(Id(v), Id("hide"))
}
