package golang

import (
	"path"
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// Extra actions (DRF's @action) and nested routes.

// extras are the resource's extra actions, in spec order.
func (x *res) extras() []*plan.Endpoint { return x.r.ExtraEndpoints() }

// extraRoute is the route of extra action e.
func (x *res) extraRoute(e *plan.Endpoint) string {
	if e.Detail {
		return x.r.Path + "/{id}/" + string(e.Action)
	}
	return x.r.Path + "/" + string(e.Action)
}

// actionFile is the file a person writes extra action e in, inside the
// generated package: cancel_order.go.
func actionFile(e *plan.Endpoint) string { return SnakeCase(e.Func) + ".go" }

// actMethod is the store method of a resource with extra actions: the
// transaction they run in.
func (x *res) actMethod() []Code {
	if len(x.extras()) == 0 {
		return nil
	}
	return []Code{
		comment("Act runs f in one transaction, committed when f succeeds; the row f reads"),
		comment("with its Locker stays locked until then (the extra actions)."),
		Id("Act").Params(ctxParam(), Id("f").Qual(pkgRest, "ActionTx").Index(Id(x.model))).Params(Any(), Error()),
	}
}

// extraMounts registers the routes of the extra actions, each with its
// trailing-slash form answered 404.
func (x *res) extraMounts() []Code {
	var out []Code
	for _, e := range x.extras() {
		route := x.extraRoute(e)
		out = append(out,
			Id("r").Dot("HandleFunc").Call(Lit(route), Id("h").Dot(camel(string(e.Action))+"Route")),
			Id("r").Dot("HandleFunc").Call(Lit(route+"/"), Qual(pkgRest, "NotFound")),
		)
	}
	return out
}

// extraDispatch emits the dispatcher of extra action e's route: its
// method, OPTIONS, and 405 after the action's permission check.
func (g *gen) extraDispatch(f *File, x *res, e *plan.Endpoint) {
	allow := []string{e.Method}
	methods := []Code{Qual("net/http", "Method"+strings.ToUpper(e.Method[:1])+strings.ToLower(e.Method[1:]))}
	if e.Method == "GET" {
		allow = append(allow, "HEAD")
		methods = append(methods, Qual("net/http", "MethodHead"))
	}
	allow = append(allow, "OPTIONS")
	var lits []Code
	for _, a := range allow {
		lits = append(lits, Lit(a))
	}
	name := camel(string(e.Action))
	allowVar := x.id + exported(string(e.Action)) + "Allow"
	f.Add(comment("%s is the Allow header of %s.", allowVar, x.extraRoute(e)))
	f.Var().Id(allowVar).Op("=").Index().String().Values(lits...)
	f.Line()
	f.Add(comment("%sRoute dispatches on the method. Other methods authenticate and check", name))
	f.Add(comment("the action's permission before the 405, as DRF."))
	f.Func().Params(Id("h").Op("*").Id(x.handler)).Id(name + "Route").Params(rw()...).Block(Switch(Id("r").Dot("Method")).Block(
		Case(methods...).Block(Id("h").Dot(name+"Action").Call(Id("w"), Id("r"))),
		Case(Qual("net/http", "MethodOptions")).Block(Qual(pkgRest, "Options").Call(Id("h").Dot("view"), Id("w"), Id("r"), Id(allowVar))),
		Default().Block(Qual(pkgRest, "NotAllowed").Call(Id("h").Dot("view"), Id("w"), Id("r"), Id(x.permVar(e.Action)), Id(allowVar))),
	))
	f.Line()
}

// extraAction emits the handler of extra action e: the usual pipeline,
// then, in one transaction, the locked lookup, the object check and the
// function a person writes.
func (g *gen) extraAction(f *File, x *res, e *plan.Endpoint) {
	h := handlerAction{x: x, a: e.Action, p: Id(x.permVar(e.Action)), v: x.viewOf(e.Action)}
	body := h.begin()
	hide := Nil()
	if x.readGuarded() {
		hide = Id("hide")
	}
	steps := x.steps("authenticate, throttle, check the request, then in one transaction ")
	if e.Detail {
		steps += "look up through the scope (404) with the row locked, check the object and "
		body = append(body,
			comment("In one transaction: the lookup through the read scope, locked against"),
			comment("concurrent writers, the object check, and %s. A refusal writes nothing.", e.Func),
			List(Id("out"), Id("ok")).Op(":=").Qual(pkgRest, "ActOn").Call(h.v, Id("w"), Id("r"), Id("req"), h.p, Id(x.lookupScope()), Id("h").Dot("store").Dot("Act"), Id(e.Func)))
	} else {
		body = append(body,
			comment("%s runs in one transaction: a refusal writes nothing.", e.Func),
			List(Id("out"), Id("ok")).Op(":=").Qual(pkgRest, "ActOnCollection").Types(Id(x.model)).Call(h.v, Id("w"), Id("r"), Id("req"), Id("h").Dot("store").Dot("Act"), Id(e.Func)))
	}
	body = append(body,
		If(Op("!").Id("ok")).Block(Return()),
		Qual(pkgRest, "Reply").Types(Id(x.model)).Call(Id("w"), Id("out"), hide),
	)
	steps += "call " + e.Func + " (written by hand in " + actionFile(e) + ")"
	f.Add(comment("%sAction is %s %s, the extra action %s: %s.", camel(string(e.Action)), e.Method, x.extraRoute(e), e.Action, steps))
	f.Func().Params(Id("h").Op("*").Id(x.handler)).Id(camel(string(e.Action)) + "Action").Params(rw()...).Block(body...)
	f.Line()
}

// actionScaffolds renders the stub of every extra action, once.
func (g *gen) actionScaffolds() error {
	for _, r := range g.svc.Resources {
		x := newRes(r)
		for _, e := range x.extras() {
			file := path.Join(g.svc.Output, actionFile(e))
			data := map[string]any{"Package": g.svc.Package, "Name": e.Func, "Model": x.model, "Resource": r.Name,
				"Action": string(e.Action), "Method": e.Method, "Route": x.extraRoute(e), "Detail": e.Detail, "File": file}
			if err := g.scaffold(file, "action.go.tmpl", data); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookupScope is the scope lists and lookups read through: the read scope,
// within the parent of the URL for a nested resource.
func (x *res) lookupScope() string {
	if x.r.Parent != nil {
		return x.id + "InParent"
	}
	return x.id + "Scope"
}

// parentScope emits xInParent, the read scope within the parent, for a
// nested resource.
func (g *gen) parentScope(f *File, x *res) {
	p := x.r.Parent
	if p == nil {
		return
	}
	f.Add(comment("%s is %sScope within the %s of the URL ({%s}): lists and", x.lookupScope(), x.id, p.Field, p.Param))
	f.Add(comment("lookups see only its %s, so the id of another %s's is 404.", x.r.Name, p.Field))
	f.Var().Id(x.lookupScope()).Op("=").Qual(pkgRest, "InParent").Call(Id(x.id+"Scope"), rawLit(ident(p.Column)))
	f.Line()
}

// parentView is the Parent of a nested resource's view: found through the
// parent's own read scope before any permission check.
func (x *res) parentView() Code {
	p := x.r.Parent
	return Op("&").Add(parentType.lit(map[string]Code{
		"Param":    Lit(p.Param),
		"Resource": Lit(p.Resource),
		"Table":    rawLit(ident(p.Table)),
		"Scope":    Id(camel(p.Resource) + "Scope"),
	}))
}

// setParent takes the new object's parent from the URL: the parent field
// is read-only in the body.
func (h handlerAction) setParent() []Code {
	p := h.x.r.Parent
	if p == nil {
		return nil
	}
	fl := h.x.field(p.Field)
	return []Code{
		comment("The %s is the one of the URL, found before the permission check.", p.Field),
		Id("obj").Dot(fl.GoName).Op("=").Id("req").Dot("Parent"),
	}
}
