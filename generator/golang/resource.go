package golang

import (
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

// res holds the names used for one resource.
type res struct {
	r       *plan.Resource
	id      string // lowerCamel resource name, e.g. "posts"
	model   string // "Post"
	table   string
	store   string // "PostStore"
	sqlType string // "sqlPostStore"
	handler string // "postsHandler"
	eps     map[plan.Action]*plan.Endpoint
}

func newRes(r *plan.Resource) *res {
	x := &res{r: r, id: camel(r.Name), model: r.Model, table: r.Table, eps: map[plan.Action]*plan.Endpoint{}}
	if r.Source == "users" {
		x.table = schema.UsersTable // the runtime's users, read-only
	}
	x.store = r.Model + "Store"
	x.sqlType = "sql" + r.Model + "Store"
	x.handler = x.id + "Handler"
	for _, e := range r.Endpoints {
		x.eps[e.Action] = e
	}
	return x
}

func (x *res) has(a plan.Action) bool { _, ok := x.eps[a]; return ok }

func (x *res) readOnly() bool { return x.r.Source != "" }

func (g *gen) resource(r *plan.Resource) error {
	x := newRes(r)
	f := g.newFile()
	f.Add(comment("This file serves the %s resource at %s.", r.Name, r.Path))
	f.Line()
	g.model(f, x)
	g.appendJSON(f, x)
	if !x.readOnly() && (x.has(plan.Create) || x.has(plan.Update) || x.has(plan.PartialUpdate)) {
		g.decode(f, x)
	}
	g.permissions(f, x)
	g.fieldPermsVar(f, x)
	g.scope(f, x)
	g.parentScope(f, x)
	g.filterSetVar(f, x)
	g.storeIface(f, x)
	g.sqlStore(f, x)
	g.handlers(f, x)
	return g.file(SnakeCase(camel(r.Name))+"_gen.go", f)
}

// goType is the Go type of a field's value (the user id for user fields).
func goType(fl *plan.Field) *Statement {
	var t *Statement
	switch fl.Type {
	case plan.Int, plan.User, plan.Reference:
		t = Int64()
	case plan.Float:
		t = Float64()
	case plan.Decimal:
		t = Qual(pkgAPD, "Decimal")
	case plan.Bool:
		t = Bool()
	case plan.DateTime:
		t = Qual("time", "Time")
	default:
		t = String()
	}
	if fl.Nullable {
		return Op("*").Add(t)
	}
	return t
}

// valueField is the Go field holding what is stored in fl.Column.
func valueField(fl *plan.Field) string {
	if fl.Type == plan.User {
		return fl.GoName + "ID"
	}
	return fl.GoName
}

func (g *gen) model(f *File, x *res) {
	r := x.r
	fields := []Code{Id("ID").Int64().Tag(map[string]string{"json": "id"})}
	for _, fl := range r.Fields {
		if fl.Type == plan.User {
			fields = append(fields,
				Id(valueField(fl)).Add(goType(fl)).Tag(map[string]string{"json": "-"}).Add(comment("users.id")),
				Id(fl.GoName).Add(nullable(fl, String())).Tag(map[string]string{"json": fl.Name}).Add(comment("the user's username")),
			)
			continue
		}
		field := Id(fl.GoName).Add(goType(fl)).Tag(map[string]string{"json": fl.Name})
		if fl.Type == plan.Reference {
			field.Add(comment("%s.id", fl.ToTable))
		}
		fields = append(fields, field)
	}
	f.Add(comment("%s is one object of the %s resource, as the API shows it.", x.model, r.Name))
	f.Type().Id(x.model).Struct(fields...)
	f.Line()
}

func nullable(fl *plan.Field, t *Statement) *Statement {
	if fl.Nullable {
		return Op("*").Add(t)
	}
	return t
}

// decode emits decodeX, which applies the writable fields of a body.
func (g *gen) decode(f *File, x *res) {
	var body []Code
	for _, fl := range x.r.Fields {
		if fl.ReadOnly || fl.Owner || fl.Auto != "" {
			continue
		}
		dst := Op("&").Id("obj").Dot(valueField(fl))
		var stmts []Code
		if fl.Default != nil {
			val := Lit(fl.Default)
			if t, ok := fl.Default.(time.Time); ok {
				t = t.UTC()
				val = Qual("time", "Date").Call(Lit(t.Year()), Qual("time", t.Month().String()), Lit(t.Day()), Lit(t.Hour()), Lit(t.Minute()), Lit(t.Second()), Lit(t.Nanosecond()), Qual("time", "UTC"))
			}
			{
				if fl.Nullable {
					val = Qual(pkgRest, "Ptr").Call(val)
				}
				stmts = append(stmts, If(Id("in").Dot("Absent").Call(Lit(fl.Name))).Block(
					Id("obj").Dot(valueField(fl)).Op("=").Add(val)))
			}
		}
		method := map[plan.FieldType]string{plan.String: "String", plan.Text: "String", plan.Int: "Int", plan.Float: "Float", plan.Decimal: "Decimal", plan.Bool: "Bool", plan.DateTime: "Time", plan.User: "UserRef", plan.Reference: "Ref"}[fl.Type]
		if fl.Nullable {
			method += "Ptr"
		}
		stmts = append(stmts, Id("in").Dot(method).Call(Lit(fl.Name), rules(fl), dst))
		if fl.CreateOnly {
			// Set on create; ignored afterwards, as a read-only field is.
			stmts = []Code{If(Id("in").Dot("Creating").Call()).Block(stmts...)}
		}
		body = append(body, stmts...)
	}
	f.Add(comment("decode%s applies the writable fields of a request body to obj,", x.model))
	f.Add(comment("collecting DRF-shaped field errors in in.Errs. Read-only fields are ignored."))
	f.Func().Id("decode"+x.model).Params(Id("in").Op("*").Qual(pkgRest, "Input"), Id("obj").Op("*").Id(x.model)).Block(body...)
	f.Line()
}

func rules(fl *plan.Field) Code {
	d := map[string]Code{}
	if fl.Required {
		d["Required"] = True()
	}
	if fl.Nullable {
		d["Nullable"] = True()
	}
	if (fl.Type == plan.String || fl.Type == plan.Text) && !fl.Required {
		d["AllowBlank"] = True()
	}
	if fl.MinLength != nil {
		d["MinLength"] = Lit(*fl.MinLength)
	}
	if fl.MaxLength != nil {
		d["MaxLength"] = Lit(*fl.MaxLength)
	}
	if fl.Min != nil {
		d["Min"] = Qual(pkgRest, "F64").Call(Lit(*fl.Min))
	}
	if fl.Max != nil {
		d["Max"] = Qual(pkgRest, "F64").Call(Lit(*fl.Max))
	}
	if fl.Type == plan.Decimal {
		decimalRules(fl, d)
	}
	if len(fl.Choices) > 0 {
		var cs []Code
		for _, c := range fl.Choices {
			cs = append(cs, Lit(c))
		}
		d["Choices"] = Index().Any().Values(cs...)
	}
	return ruleType.lit(d)
}

// permVar is the name of the permission value of action a: the
// resource's (a == "" or an action whose expression is the resource's), or
// the action's own.
func (x *res) permVar(a plan.Action) string {
	if e, ok := x.eps[a]; !ok || sameExpr(e.Permission, x.r.Permission) {
		return x.id + "Permission"
	}
	return x.id + exported(string(a)) + "Permission"
}

// sameExpr reports whether a and b are the same expression.
func sameExpr(a, b plan.Expr) bool { return plan.ExprText(a) == plan.ExprText(b) }

func exported(s string) string {
	c := camel(s)
	return strings.ToUpper(c[:1]) + c[1:]
}

// classesOf lists, sorted by name, the custom classes x's expressions and
// read scope name.
func (x *res) classesOf() []*plan.Class {
	seen := map[string]bool{}
	var classes []*plan.Class
	var walk func(e plan.Expr)
	walk = func(e plan.Expr) {
		switch v := e.(type) {
		case *plan.Ref:
			if !v.Builtin && v.Class != nil && !seen[v.Class.Name] {
				seen[v.Class.Name] = true
				classes = append(classes, v.Class)
			}
		case *plan.And:
			walk(v.L)
			walk(v.R)
		case *plan.Or:
			walk(v.L)
			walk(v.R)
		case *plan.Not:
			walk(v.X)
		}
	}
	walk(x.r.Permission)
	for _, e := range x.r.Endpoints {
		walk(e.Permission)
	}
	for _, fl := range x.r.Fields {
		walk(fl.Read)
		walk(fl.Write)
	}
	var walkScope func(s plan.ScopeExpr)
	walkScope = func(s plan.ScopeExpr) {
		switch v := s.(type) {
		case *plan.ScopeAnd:
			walkScope(v.L)
			walkScope(v.R)
		case *plan.ScopeOr:
			walk(v.LGuard)
			walk(v.RGuard)
			walkScope(v.L)
			walkScope(v.R)
		}
	}
	walkScope(x.r.ReadScope)
	sort.Slice(classes, func(i, j int) bool { return classes[i].Name < classes[j].Name })
	return classes
}

// class emits the value of custom class c over x's model: a rule value,
// or an adapter to the class a person wrote in Go.
func (g *gen) class(f *File, x *res, c *plan.Class) {
	name := classValue(c, x.model)
	if c.Kind == plan.ClassRule {
		f.Add(comment("%s is the declarative class %s over %s: its request check", name, c.Name, x.model))
		f.Add(comment("allows, its object check and its read scope come from the rule."))
		f.Var().Id(name).Op("=").Add(g.rule(x, c.Rule))
		f.Line()
		return
	}
	file := SnakeCase(c.Name) + ".go"
	f.Add(comment("%s adapts %s (written by hand in %s) to perm.Permission[%s].", name, c.Name, file, x.model))
	f.Type().Id(name).Struct()
	f.Line()
	f.Add(comment("HasPermission calls %s.HasPermission.", c.Name))
	f.Func().Params(Id(name)).Id("HasPermission").Params(Id("req").Op("*").Qual(pkgPerm, "Request")).Params(Bool(), Error()).Block(
		Return(Id(c.Name).Values().Dot("HasPermission").Call(Id("req"))))
	f.Line()
	f.Add(comment("HasObjectPermission calls %s.Has%sPermission.", c.Name, x.model))
	f.Func().Params(Id(name)).Id("HasObjectPermission").Params(Id("req").Op("*").Qual(pkgPerm, "Request"), Id("obj").Op("*").Id(x.model)).Params(Bool(), Error()).Block(
		Return(Id(c.Name).Values().Dot("Has"+x.model+"Permission").Call(Id("req"), Id("obj"))))
	f.Line()
}

// permissions emits the custom classes' values and the permission values:
// the resource's, and one per action whose expression differs from it.
func (g *gen) permissions(f *File, x *res) {
	for _, c := range x.classesOf() {
		g.class(f, x, c)
	}
	defs := []Code{
		comment("%s is %s.", x.permVar(""), plan.ExprText(x.r.Permission)),
		comment("It guards %s, and the methods it does not support (DRF checks them before answering 405).", x.actionsSharing()),
		g.permDef(x, x.permVar(""), x.r.Permission),
	}
	for _, e := range x.r.Endpoints {
		if x.permVar(e.Action) == x.permVar("") {
			continue
		}
		defs = append(defs, Line(), comment("%s is %s. It guards %s.", x.permVar(e.Action), plan.ExprText(e.Permission), e.Action),
			g.permDef(x, x.permVar(e.Action), e.Permission))
	}
	for _, gd := range x.guards() {
		defs = append(defs, Line(), comment("%s is %s:", gd.name, plan.ExprText(gd.e)), comment("the request check of a branch of the read scope."),
			g.permDef(x, gd.name, gd.e))
	}
	if len(defs) == 3 {
		f.Add(defs[0])
		f.Add(defs[1])
		f.Var().Add(defs[2])
	} else {
		f.Var().Defs(defs...)
	}
	f.Line()
}

// guard is a composite guard of an Or in the read scope, named once.
type guard struct {
	name string
	e    plan.Expr
}

// guards lists the guards of the read scope's Or branches that are
// compositions, in the order the scope asks them; a single class is
// written where it is used.
func (x *res) guards() []guard {
	var out []guard
	var walk func(s plan.ScopeExpr)
	walk = func(s plan.ScopeExpr) {
		switch v := s.(type) {
		case *plan.ScopeAnd:
			walk(v.L)
			walk(v.R)
		case *plan.ScopeOr:
			for _, e := range []plan.Expr{v.LGuard, v.RGuard} {
				if _, single := e.(*plan.Ref); !single {
					out = append(out, guard{fmt.Sprintf("%sGuard%d", x.id, len(out)+1), e})
				}
			}
			walk(v.L)
			walk(v.R)
		}
	}
	walk(x.r.ReadScope)
	return out
}

// guardValue is the permission value of guard e: its name when it is a
// composition, the class itself when it is one.
func (g *gen) guardValue(x *res, e plan.Expr) Code {
	for _, gd := range x.guards() {
		if gd.e == e {
			return Id(gd.name)
		}
	}
	return g.expr(x, e)
}

// permDef is "name = e", typed perm.Permission[Model] when e is a single
// class, whose own type would not let rest.Check infer the model.
func (g *gen) permDef(x *res, name string, e plan.Expr) Code {
	if _, single := e.(*plan.Ref); single {
		return Id(name).Qual(pkgPerm, "Permission").Types(Id(x.model)).Op("=").Add(g.expr(x, e))
	}
	return Id(name).Op("=").Add(g.expr(x, e))
}

// actionsSharing describes the actions the resource's own permission
// guards: "every action of posts", or a list.
func (x *res) actionsSharing() string {
	var shared []string
	for _, e := range x.r.Endpoints {
		if x.permVar(e.Action) == x.permVar("") {
			shared = append(shared, string(e.Action))
		}
	}
	switch {
	case len(shared) == len(x.r.Endpoints):
		return "every action of " + x.r.Name
	case len(shared) == 0:
		return "no action of " + x.r.Name
	}
	return strings.Join(shared, ", ")
}

// classValue is the Go value of custom class c over model.
func classValue(c *plan.Class, model string) string {
	return lowerFirst(c.Name) + model
}

func (g *gen) rule(x *res, r *plan.Rule) Code {
	T := Types(Id(x.model))
	switch r.Kind {
	case plan.RuleOwner:
		fl := x.field(r.Field)
		get := Op("&").Id("o").Dot(valueField(fl))
		if fl.Nullable {
			get = Id("o").Dot(valueField(fl))
		}
		return Qual(pkgPerm, "OwnerRule").Add(T).Call(Lit(fl.Column),
			Func().Params(Id("o").Op("*").Id(x.model)).Op("*").Int64().Block(Return(get)))
	case plan.RuleStaff:
		return Qual(pkgPerm, "StaffRule").Add(T).Call()
	case plan.RuleField:
		fl := x.field(r.Field)
		return Qual(pkgPerm, "FieldRule").Add(T).Call(Lit(fl.Column), Lit(r.UserAttr),
			Func().Params(Id("o").Op("*").Id(x.model)).Any().Block(Return(Id("o").Dot(valueField(fl)))))
	case plan.RuleValue:
		fl := x.field(r.Field)
		return Qual(pkgPerm, "ValueRule").Add(T).Call(Lit(fl.Column), Lit(r.Value),
			Func().Params(Id("o").Op("*").Id(x.model)).Any().Block(Return(Id("o").Dot(valueField(fl)))))
	}
	return Qual(pkgPerm, "AllRule").Add(T).Call()
}

func (x *res) field(name string) *plan.Field {
	for _, fl := range x.r.Fields {
		if fl.Name == name {
			return fl
		}
	}
	// The loader resolves every field name; an unknown one is a plan bug.
	panic(fmt.Sprintf("golang: resource %s has no field %q", x.r.Name, name))
}

func (x *res) column(name string) string {
	if name == "id" {
		return "id"
	}
	return x.field(name).Column
}

// expr emits a permission expression as a perm.Permission[Model] value.
func (g *gen) expr(x *res, e plan.Expr) *Statement {
	T := Types(Id(x.model))
	switch v := e.(type) {
	case *plan.Ref:
		if v.Builtin {
			return Qual(pkgPerm, v.Name).Add(T).Values()
		}
		if v.Class != nil && v.Class.Kind == plan.ClassRule {
			return Id(classValue(v.Class, x.model))
		}
		return Id(classValue(v.Class, x.model)).Values()
	case *plan.And:
		return Qual(pkgPerm, "And").Add(T).Call(g.expr(x, v.L), g.expr(x, v.R))
	case *plan.Or:
		return Qual(pkgPerm, "Or").Add(T).Call(g.expr(x, v.L), g.expr(x, v.R))
	case *plan.Not:
		return Qual(pkgPerm, "Not").Add(T).Call(g.expr(x, v.X))
	}
	// Fail closed: an expression the emitter does not know denies.
	return Qual(pkgPerm, "Not").Add(T).Call(Qual(pkgPerm, "AllowAny").Add(T).Values())
}

// scope emits xScope, the read scope every list and lookup uses.
func (g *gen) scope(f *File, x *res) {
	sc := &scopeWriter{g: g, x: x}
	ret := Return(sc.expr(x.r.ReadScope), Nil())
	switch s := x.r.ReadScope.(type) {
	case *plan.ScopeClass:
		if s.Scope == nil || s.Scope.Kind != plan.RuleFunc {
			ret.Add(comment("%s", s.Ref.Name))
		}
	case *plan.ScopeOr, *plan.ScopeAnd:
	default:
		ret.Add(comment("every row"))
	}
	body := append(sc.body, ret)
	f.Add(comment("%sScope is the read scope of %s: list, retrieve, update, partial_update", x.id, x.r.Name))
	f.Add(comment("and destroy only ever see the rows it selects. An error denies (503)."))
	f.Func().Id(x.id+"Scope").Params(Id("req").Op("*").Qual(pkgPerm, "Request")).Params(Qual(pkgSQLExpr, "Where"), Error()).Block(body...)
	f.Line()
}

// scopeWriter writes a read scope as one expression, with the statements
// it needs first: the Go scope functions and the guards of Or branches,
// whose errors deny.
type scopeWriter struct {
	g    *gen
	x    *res
	body []Code
	n    int
}

// bail is the error check after a statement that can fail.
func bail() Code { return If(Err().Op("!=").Nil()).Block(Return(Qual(pkgSQLExpr, "Nothing"), Err())) }

func (w *scopeWriter) expr(s plan.ScopeExpr) Code {
	user := Id("req").Dot("User")
	switch s := s.(type) {
	case *plan.ScopeClass:
		sc := s.Scope
		switch {
		case sc == nil || sc.Kind == plan.RuleAll:
			return Qual(pkgSQLExpr, "Where").Values()
		case sc.Kind == plan.RuleOwner:
			return Qual(pkgPerm, "OwnerScope").Call(user, Lit(w.x.column(sc.Field)))
		case sc.Kind == plan.RuleStaff:
			return Qual(pkgPerm, "StaffScope").Call(user)
		case sc.Kind == plan.RuleField:
			return Qual(pkgPerm, "FieldEqualsScope").Call(user, Lit(w.x.column(sc.Field)), Lit(sc.UserAttr))
		case sc.Kind == plan.RuleValue:
			return Qual(pkgPerm, "ValueScope").Call(Lit(w.x.column(sc.Field)), Lit(sc.Value))
		case sc.Kind == plan.RuleFunc:
			w.n++
			v := fmt.Sprintf("where%d", w.n)
			w.body = append(w.body,
				List(Id(v), Err()).Op(":=").Id(sc.Func).Call(Id("req")).Add(comment("%s, written by hand in %s.go", s.Ref.Name, SnakeCase(sc.Func))),
				bail())
			return Id(v)
		}
	case *plan.ScopeAnd:
		return w.expr(s.L).(*Statement).Dot("And").Call(w.expr(s.R))
	case *plan.ScopeOr:
		w.n++
		gl, gr := fmt.Sprintf("left%d", w.n), fmt.Sprintf("right%d", w.n)
		w.body = append(w.body,
			List(Id(gl), Err()).Op(":=").Qual(pkgRest, "Guard").Call(w.g.guardValue(w.x, s.LGuard), Id("req")).Add(comment("the request check of %s", plan.ExprText(s.LGuard))),
			bail(),
			List(Id(gr), Err()).Op(":=").Qual(pkgRest, "Guard").Call(w.g.guardValue(w.x, s.RGuard), Id("req")).Add(comment("the request check of %s", plan.ExprText(s.RGuard))),
			bail())
		l, r := w.expr(s.L), w.expr(s.R)
		return Qual(pkgPerm, "Guard").Call(Id(gl), l).Dot("Or").Call(Qual(pkgPerm, "Guard").Call(Id(gr), r))
	}
	return Qual(pkgSQLExpr, "Where").Values()
}
