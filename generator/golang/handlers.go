package golang

import (
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

func rw() []Code {
	return []Code{Id("w").Qual("net/http", "ResponseWriter"), Id("r").Op("*").Qual("net/http", "Request")}
}

var permConst = map[plan.Action]string{
	plan.List: "ActionList", plan.Create: "ActionCreate", plan.Retrieve: "ActionRetrieve",
	plan.Update: "ActionUpdate", plan.PartialUpdate: "ActionPartialUpdate", plan.Destroy: "ActionDestroy",
}

func (g *gen) view(x *res, auth []plan.AuthClass) Code {
	var names []Code
	for _, a := range auth {
		names = append(names, Lit(string(a)))
	}
	d := map[string]Code{
		"App":      Id("app"),
		"Resource": Lit(x.r.Name),
		"Chain":    Id("app").Dot("Chain").Call(names...),
	}
	if g.svc.Throttle.Anon != nil {
		d["Anon"] = True()
	}
	if g.svc.Throttle.User != nil {
		d["User"] = True()
	}
	if x.r.Parent != nil {
		d["Parent"] = x.parentView()
	}
	if len(x.r.Throttles) > 0 {
		var s []Code
		for _, t := range x.r.Throttles {
			s = append(s, Lit(t))
		}
		d["Scopes"] = Index().String().Values(s...)
	}
	return Op("&").Add(viewType.lit(d))
}

// chainKey names an authentication chain, to compare chains.
func chainKey(a []plan.AuthClass) string {
	k := make([]string, len(a))
	for i, c := range a {
		k[i] = string(c)
	}
	return strings.Join(k, ",")
}

// ownView reports whether action a authenticates with another chain than
// its resource, so that it needs a view of its own.
func (x *res) ownView(a plan.Action) bool {
	e, ok := x.eps[a]
	return ok && chainKey(e.Auth) != chainKey(x.r.Auth)
}

// viewOf is the view action a runs in: the resource's, or its own.
func (x *res) viewOf(a plan.Action) *Statement {
	if x.ownView(a) {
		return Id("h").Dot(camel(string(a)) + "View")
	}
	return Id("h").Dot("view")
}

func (g *gen) handlers(f *File, x *res) {
	// The handler type: the store, the resource's view, and a view for each
	// action with its own authentication.
	fields := []Code{Id("store").Id(x.store), Id("view").Op("*").Qual(pkgRest, "View")}
	values := []Code{Id("store").Op(":").Id("new" + x.store).Call(Id("app")), Id("view").Op(":").Add(g.view(x, x.r.Auth))}
	for _, a := range plan.Actions {
		if !x.ownView(a) {
			continue
		}
		name := camel(string(a)) + "View"
		fields = append(fields, Id(name).Op("*").Qual(pkgRest, "View").Add(comment("%s has its own authentication", a)))
		values = append(values, Id(name).Op(":").Add(g.view(x, x.eps[a].Auth)))
	}
	f.Add(comment("%s serves %s and %s/{id}.", x.handler, x.r.Path, x.r.Path))
	f.Type().Id(x.handler).Struct(fields...)
	f.Line()

	hasDetail := x.has(plan.Retrieve) || x.has(plan.Update) || x.has(plan.PartialUpdate) || x.has(plan.Destroy)
	mount := []Code{
		Id("h").Op(":=").Op("&").Id(x.handler).Add(fieldValues(values...)),
		Id("r").Dot("HandleFunc").Call(Lit(x.r.Path), Id("h").Dot("collection")),
		Id("r").Dot("HandleFunc").Call(Lit(x.r.Path+"/"), Qual(pkgRest, "NotFound")).Add(comment("no trailing slash, as the contract says")),
	}
	if hasDetail {
		mount = append(mount, Id("r").Dot("HandleFunc").Call(Lit(x.r.Path+"/{id}"), Id("h").Dot("detail")))
	} else {
		mount = append(mount, Id("r").Dot("HandleFunc").Call(Lit(x.r.Path+"/{id}"), Qual(pkgRest, "NotFound")))
	}
	mount = append(mount, Id("r").Dot("HandleFunc").Call(Lit(x.r.Path+"/{id}/"), Qual(pkgRest, "NotFound")))
	mount = append(mount, x.extraMounts()...)
	f.Add(comment("mount%s registers the %s routes.", exported(x.id), x.r.Name))
	f.Func().Id("mount"+exported(x.id)).Params(Id("r").Qual(pkgChi, "Router"), Id("app").Op("*").Qual(pkgRest, "App")).Block(mount...)
	f.Line()

	// Dispatchers.
	g.dispatch(f, x, "collection", []plan.Action{plan.List, plan.Create})
	if hasDetail {
		g.dispatch(f, x, "detail", []plan.Action{plan.Retrieve, plan.Update, plan.PartialUpdate, plan.Destroy})
	}
	for _, e := range x.extras() {
		g.extraDispatch(f, x, e)
	}
	for _, a := range plan.Actions {
		if x.has(a) {
			g.action(f, x, a)
		}
	}
	for _, e := range x.extras() {
		g.extraAction(f, x, e)
	}
}

var methodOf = map[plan.Action]string{plan.List: "GET", plan.Create: "POST", plan.Retrieve: "GET", plan.Update: "PUT", plan.PartialUpdate: "PATCH", plan.Destroy: "DELETE"}

func (g *gen) dispatch(f *File, x *res, name string, actions []plan.Action) {
	var allow []string
	var cases []Code
	hasGet := false
	for _, a := range actions {
		if !x.has(a) {
			continue
		}
		m := methodOf[a]
		allow = append(allow, m)
		methods := []Code{Qual("net/http", "Method"+strings.ToUpper(m[:1])+strings.ToLower(m[1:]))}
		if m == "GET" {
			hasGet = true
			methods = append(methods, Qual("net/http", "MethodHead"))
		}
		cases = append(cases, Case(methods...).Block(Id("h").Dot(camel(string(a))+"Action").Call(Id("w"), Id("r"))))
	}
	if hasGet {
		allow = append(allow, "HEAD")
	}
	allow = append(allow, "OPTIONS")
	var lits []Code
	for _, a := range allow {
		lits = append(lits, Lit(a))
	}
	allowVar := x.id + exported(name) + "Allow"
	f.Add(comment("%s is the Allow header of %s.", allowVar, map[string]string{"collection": x.r.Path, "detail": x.r.Path + "/{id}"}[name]))
	f.Var().Id(allowVar).Op("=").Index().String().Values(lits...)
	f.Line()
	cases = append(cases,
		Case(Qual("net/http", "MethodOptions")).Block(Qual(pkgRest, "Options").Call(Id("h").Dot("view"), Id("w"), Id("r"), Id(allowVar))),
		Default().Block(Qual(pkgRest, "NotAllowed").Call(Id("h").Dot("view"), Id("w"), Id("r"), Id(x.permVar("")), Id(allowVar))),
	)
	f.Add(comment("%s dispatches on the method. Unsupported methods authenticate and", name))
	f.Add(comment("check the resource's permission before the 405, as DRF."))
	f.Func().Params(Id("h").Op("*").Id(x.handler)).Id(name).Params(rw()...).Block(Switch(Id("r").Dot("Method")).Block(cases...))
	f.Line()
}

// handlerAction holds what the body of one action handler is written
// from: the resource, the action, its permission value and its view.
type handlerAction struct {
	x *res
	a plan.Action
	p *Statement // the permission value
	v *Statement // the view
}

func (h handlerAction) ctx() *Statement { return Id("r").Dot("Context").Call() }

// fail is the error check that answers the error through the view.
func (h handlerAction) fail() Code {
	return If(Err().Op("!=").Nil()).Block(Add(h.v).Dot("Fail").Call(Id("w"), Err()), Return())
}

// begin authenticates, throttles and runs the request check.
func (h handlerAction) begin() []Code {
	return append([]Code{
		List(Id("req"), Id("ok")).Op(":=").Add(h.v).Dot("Begin").Call(Id("w"), Id("r"), h.actionName()),
		If(Op("!").Id("ok").Op("||").Op("!").Qual(pkgRest, "Check").Call(Id("w"), h.p, Id("req"))).Block(Return()),
	}, h.hidden()...)
}

// actionName is the action as perm.Request.Action names it: perm's
// constant for a viewset action, the name of an extra action.
func (h handlerAction) actionName() Code {
	if c, ok := permConst[h.a]; ok {
		return Qual(pkgPerm, c)
	}
	return Lit(string(h.a))
}

// lookup reads obj through the read scope and runs the object check.
func (h handlerAction) lookup() []Code {
	return []Code{
		comment("Look up through the read scope (404 outside it), then check the object."),
		List(Id("obj"), Id("ok")).Op(":=").Qual(pkgRest, "Lookup").Call(h.v, Id("w"), Id("r"), Id("req"), h.p, Id(h.x.lookupScope()), Id("h").Dot("store").Dot("Get")),
		If(Op("!").Id("ok")).Block(Return()),
	}
}

// decode applies the body to obj in mode (Create, Replace, Partial) and
// checks its user references.
func (h handlerAction) decode(mode string) []Code {
	out := []Code{
		List(Id("in"), Id("ok")).Op(":=").Qual(pkgRest, "DecodeBody").Call(Id("w"), Id("r"), Qual(pkgRest, mode)),
		If(Op("!").Id("ok")).Block(Return()),
	}
	out = append(out, h.checkWrites()...)
	if mode == "Create" {
		out = append(out, Id("obj").Op(":=").Op("&").Id(h.x.model).Values())
	}
	out = append(out,
		Id("decode"+h.x.model).Call(Id("in"), Id("obj")),
		If(Op("!").Id("in").Dot("Valid").Call(Id("w"))).Block(Return()),
	)
	if len(h.x.userRefs()) > 0 {
		out = append(out,
			List(Id("refs"), Err()).Op(":=").Id("h").Dot("store").Dot("CheckRefs").Call(h.ctx(), Id("obj")),
			h.fail(),
			If(Op("!").Id("refs").Dot("Empty").Call()).Block(Id("refs").Dot("Write").Call(Id("w")), Return()),
		)
	}
	return out
}

// now sets the automatic timestamps: "updated" ones, and "created" ones
// when which is "created".
func (h handlerAction) now(which string) []Code {
	var out []Code
	for _, fl := range h.x.r.Fields {
		if fl.Auto == "updated" || (which == "created" && fl.Auto == "created") {
			val := Qual(pkgRest, "Now").Call(Qual("time", "Now").Call())
			if fl.Nullable {
				val = Qual(pkgRest, "Ptr").Call(val)
			}
			out = append(out, Id("obj").Dot(fl.GoName).Op("=").Add(val))
		}
	}
	return out
}

// setOwner makes the caller the owner of the new object.
func (h handlerAction) setOwner() []Code {
	o := h.x.r.Owner
	if o == nil {
		return nil
	}
	id := Id("req").Dot("User").Dot("ID")
	name := Id("req").Dot("User").Dot("Username")
	if o.Nullable {
		id = Op("&").Add(id)
		name = Op("&").Add(name)
	}
	return []Code{
		comment("The owner is the caller; an anonymous caller cannot own anything."),
		If(Id("req").Dot("User").Op("==").Nil()).Block(Add(h.v).Dot("Chain").Dot("Unauthenticated").Call(Id("w")), Return()),
		Id("obj").Dot(valueField(o)).Op(",").Id("obj").Dot(o.GoName).Op("=").List(id, name),
	}
}

func (h handlerAction) list() []Code {
	x := h.x
	where := Id("where")
	if x.filtered() {
		where = Id("where").Dot("And").Call(Id("filters"))
	}
	hide := Nil()
	if x.readGuarded() {
		hide = Id("hide")
	}
	return append(h.filters(),
		List(Id("list"), Id("ok")).Op(":=").Id(x.id+"Listing").Dot("Parse").Call(h.v, Id("w"), Id("r"), hide),
		If(Op("!").Id("ok")).Block(Return()),
		List(Id("where"), Err()).Op(":=").Id(x.lookupScope()).Call(Id("req")),
		h.fail(),
		List(Id("rows"), Id("count"), Err()).Op(":=").Id("h").Dot("store").Dot("List").Call(h.ctx(), where, Id("list").Dot("Query")),
		h.fail(),
		Id("list").Dot("Write").Call(Id("w"), Id("r"), Id("rows"), Id("count")),
	)
}

func (h handlerAction) create() []Code {
	body := h.decode("Create")
	body = append(body, h.setOwner()...)
	body = append(body, h.setParent()...)
	body = append(body, h.now("created")...)
	if h.x.hooked() {
		return append(body, h.hookedCreate()...)
	}
	return append(body,
		comment("The object check runs on the object about to be written."),
		If(Op("!").Qual(pkgRest, "CheckObject").Call(Id("w"), h.p, Id("req"), Id("obj"))).Block(Return()),
		List(Id("out"), Err()).Op(":=").Id("h").Dot("store").Dot("Create").Call(h.ctx(), Id("obj")),
		h.fail(),
		Qual(pkgRest, "Write").Call(Id("w"), Qual("net/http", "StatusCreated"), h.shown("out")),
	)
}

func (h handlerAction) update(mode string) []Code {
	body := append(h.lookup(), h.keepOld()...)
	body = append(body, h.decode(mode)...)
	body = append(body, h.now("updated")...)
	save := List(Id("out"), Id("ok")).Op(":=").Qual(pkgRest, "Save").Call(h.v, Id("w"), Id("r"), Id("req"), h.p, Id("obj"), Id("h").Dot("store").Dot("Update"))
	if h.x.hooked() {
		save = h.hookedSave()
	}
	return append(body,
		comment("The object check runs again on the object as it will be written, inside"),
		comment("the write's transaction: a denial writes nothing."),
		save,
		If(Op("!").Id("ok")).Block(Return()),
		Qual(pkgRest, "Write").Call(Id("w"), Qual("net/http", "StatusOK"), h.shown("out")),
	)
}

func (g *gen) action(f *File, x *res, a plan.Action) {
	h := handlerAction{x: x, a: a, p: Id(x.permVar(a)), v: x.viewOf(a)}
	body := h.begin()
	switch a {
	case plan.List:
		body = append(body, h.list()...)
	case plan.Create:
		body = append(body, h.create()...)
	case plan.Retrieve:
		body = append(body, h.lookup()...)
		body = append(body, Qual(pkgRest, "Write").Call(Id("w"), Qual("net/http", "StatusOK"), h.shown("obj")))
	case plan.Update:
		body = append(body, h.update("Replace")...)
	case plan.PartialUpdate:
		body = append(body, h.update("Partial")...)
	case plan.Destroy:
		body = append(body, h.lookup()...)
		body = append(body,
			If(Op("!").Add(h.v).Dot("Result").Call(Id("w"), Id("h").Dot("store").Dot("Delete").Call(h.ctx(), Id("obj").Dot("ID")))).Block(Return()),
			Qual(pkgRest, "NoContent").Call(Id("w")),
		)
	}
	path := x.r.Path
	if a != plan.List && a != plan.Create {
		path += "/{id}"
	}
	f.Add(comment("%sAction is %s %s: %s.", camel(string(a)), methodOf[a], path, x.steps(steps[a])))
	f.Func().Params(Id("h").Op("*").Id(x.handler)).Id(camel(string(a)) + "Action").Params(rw()...).Block(body...)
	f.Line()
}

var steps = map[plan.Action]string{
	plan.List:          "authenticate, throttle, check the request, read one page through the scope",
	plan.Create:        "authenticate, throttle, check the request, validate, set the owner, check the new object, insert",
	plan.Retrieve:      "authenticate, throttle, check the request, look up through the scope (404), check the object",
	plan.Update:        "authenticate, throttle, check the request, look up through the scope (404), check the object, validate every field, write and check the object as written",
	plan.PartialUpdate: "authenticate, throttle, check the request, look up through the scope (404), check the object, validate the fields sent, write and check the object as written",
	plan.Destroy:       "authenticate, throttle, check the request, look up through the scope (404), check the object, delete",
}

// steps is the description of a handler's steps, with the lookup of the
// parent for a nested resource.
func (x *res) steps(s string) string {
	if x.r.Parent == nil {
		return s
	}
	return strings.Replace(s, "authenticate, throttle, ", "authenticate, throttle, find the "+x.r.Parent.Field+" (404), ", 1)
}
