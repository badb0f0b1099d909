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
	if !x.readOnly() && (x.has(plan.Create) || x.has(plan.Update) || x.has(plan.PartialUpdate)) {
		g.decode(f, x)
	}
	g.permissions(f, x)
	g.fastChecks(f, x)
	g.scope(f, x)
	g.storeIface(f, x)
	g.sqlStore(f, x)
	g.handlers(f, x)
	if err := g.fastTest(x); err != nil {
		return err
	}
	return g.file(SnakeCase(camel(r.Name))+"_gen.go", f)
}

// goType is the Go type of a field's value (the user id for user fields).
func goType(fl *plan.Field) *Statement {
	var t *Statement
	switch fl.Type {
	case plan.Int, plan.User:
		t = Int64()
	case plan.Float:
		t = Float64()
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
		fields = append(fields, Id(fl.GoName).Add(goType(fl)).Tag(map[string]string{"json": fl.Name}))
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
				body = append(body, If(Id("in").Dot("Absent").Call(Lit(fl.Name))).Block(
					Id("obj").Dot(valueField(fl)).Op("=").Add(val)))
			}
		}
		method := map[plan.FieldType]string{plan.String: "String", plan.Text: "String", plan.Int: "Int", plan.Float: "Float", plan.Bool: "Bool", plan.DateTime: "Time", plan.User: "UserRef"}[fl.Type]
		if fl.Nullable {
			method += "Ptr"
		}
		body = append(body, Id("in").Dot(method).Call(Lit(fl.Name), rules(fl), dst))
	}
	f.Add(comment("decode%s applies the writable fields of a request body to obj,", x.model))
	f.Add(comment("collecting DRF-shaped field errors in in.Errs. Read-only fields are ignored."))
	f.Func().Id("decode"+x.model).Params(Id("in").Op("*").Qual(pkgRest, "Input"), Id("obj").Op("*").Id(x.model)).Block(body...)
	f.Line()
}

func rules(fl *plan.Field) Code {
	d := Dict{}
	if fl.Required {
		d[Id("Required")] = True()
	}
	if fl.Nullable {
		d[Id("Nullable")] = True()
	}
	if (fl.Type == plan.String || fl.Type == plan.Text) && !fl.Required {
		d[Id("AllowBlank")] = True()
	}
	if fl.MinLength != nil {
		d[Id("MinLength")] = Lit(*fl.MinLength)
	}
	if fl.MaxLength != nil {
		d[Id("MaxLength")] = Lit(*fl.MaxLength)
	}
	if fl.Min != nil {
		d[Id("Min")] = Qual(pkgRest, "F64").Call(Lit(*fl.Min))
	}
	if fl.Max != nil {
		d[Id("Max")] = Qual(pkgRest, "F64").Call(Lit(*fl.Max))
	}
	if len(fl.Choices) > 0 {
		var cs []Code
		for _, c := range fl.Choices {
			cs = append(cs, Lit(c))
		}
		d[Id("Choices")] = Index().Any().Values(cs...)
	}
	return Qual(pkgRest, "Rules").Values(d)
}

// permVar is the name of the permission value of an action ("" = resource).
func (x *res) permVar(a plan.Action) string {
	if a == "" {
		return x.id + "Permission"
	}
	return x.id + exported(string(a)) + "Permission"
}

func exported(s string) string {
	c := camel(s)
	return strings.ToUpper(c[:1]) + c[1:]
}

func (g *gen) permissions(f *File, x *res) {
	// Adapters and rule values for the custom classes this resource uses.
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
	for _, c := range classes {
		name := classValue(c, x.model)
		if c.Kind == plan.ClassRule {
			f.Add(comment("%s is the declarative class %s over %s: its request check", name, c.Name, x.model))
			f.Add(comment("allows, its object check and its read scope come from the rule."))
			f.Var().Id(name).Op("=").Add(g.rule(x, c.Rule))
			f.Line()
			continue
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
	defs := []Code{
		comment("%s is the resource's own expression: %s. It guards methods", x.permVar(""), exprText(x.r.Permission)),
		comment("the resource does not support, which DRF checks before answering 405."),
		Id(x.permVar("")).Op("=").Add(g.expr(x, x.r.Permission)),
	}
	for _, e := range x.r.Endpoints {
		val := g.expr(x, e.Permission)
		if exprText(e.Permission) == exprText(x.r.Permission) {
			val = Id(x.permVar("")) // the same expression: share the value
		}
		defs = append(defs, Line(), comment("%s guards %s: %s", x.permVar(e.Action), e.Action, exprText(e.Permission)),
			Id(x.permVar(e.Action)).Qual(pkgPerm, "Permission").Types(Id(x.model)).Op("=").Add(val))
	}
	f.Var().Defs(defs...)
	f.Line()
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

// exprText renders an expression as in the spec, for comments.
func exprText(e plan.Expr) string {
	switch v := e.(type) {
	case *plan.Ref:
		return v.Name
	case *plan.And:
		return "(" + exprText(v.L) + " & " + exprText(v.R) + ")"
	case *plan.Or:
		return "(" + exprText(v.L) + " | " + exprText(v.R) + ")"
	case *plan.Not:
		return "~" + exprText(v.X)
	}
	return "?"
}

// scope emits xScope, the read scope every list and lookup uses.
func (g *gen) scope(f *File, x *res) {
	n := 0
	var body []Code
	var emit func(s plan.ScopeExpr) string
	emit = func(s plan.ScopeExpr) string {
		n++
		v := fmt.Sprintf("w%d", n)
		switch s := s.(type) {
		case *plan.ScopeClass:
			sc := s.Scope
			switch {
			case sc == nil || sc.Kind == plan.RuleAll:
				body = append(body, Id(v).Op(":=").Qual(pkgSQLExpr, "Where").Values().Add(comment("%s: every row", s.Ref.Name)))
			case sc.Kind == plan.RuleOwner:
				body = append(body, Id(v).Op(":=").Qual(pkgPerm, "OwnerScope").Call(Id("req").Dot("User"), Lit(x.column(sc.Field))).Add(comment("%s", s.Ref.Name)))
			case sc.Kind == plan.RuleStaff:
				body = append(body, Id(v).Op(":=").Qual(pkgPerm, "StaffScope").Call(Id("req").Dot("User")).Add(comment("%s", s.Ref.Name)))
			case sc.Kind == plan.RuleField:
				body = append(body, Id(v).Op(":=").Qual(pkgPerm, "FieldEqualsScope").Call(Id("req").Dot("User"), Lit(x.column(sc.Field)), Lit(sc.UserAttr)).Add(comment("%s", s.Ref.Name)))
			case sc.Kind == plan.RuleFunc:
				body = append(body,
					List(Id(v), Err()).Op(":=").Id(sc.Func).Call(Id("req")).Add(comment("%s, written by hand in %s.go", s.Ref.Name, SnakeCase(sc.Func))),
					If(Err().Op("!=").Nil()).Block(Return(Qual(pkgSQLExpr, "Nothing"), Err())))
			}
		case *plan.ScopeAnd:
			l, r := emit(s.L), emit(s.R)
			body = append(body, Id(v).Op(":=").Id(l).Dot("And").Call(Id(r)))
		case *plan.ScopeOr:
			l, r := emit(s.L), emit(s.R)
			gl, gr := v+"l", v+"r"
			body = append(body,
				List(Id(gl), Err()).Op(":=").Qual(pkgRest, "Guard").Call(g.expr(x, s.LGuard), Id("req")),
				If(Err().Op("!=").Nil()).Block(Return(Qual(pkgSQLExpr, "Nothing"), Err())),
				List(Id(gr), Err()).Op(":=").Qual(pkgRest, "Guard").Call(g.expr(x, s.RGuard), Id("req")),
				If(Err().Op("!=").Nil()).Block(Return(Qual(pkgSQLExpr, "Nothing"), Err())),
				Id(v).Op(":=").Qual(pkgPerm, "Guard").Call(Id(gl), Id(l)).Dot("Or").Call(Qual(pkgPerm, "Guard").Call(Id(gr), Id(r))),
			)
		default:
			body = append(body, Id(v).Op(":=").Qual(pkgSQLExpr, "Where").Values().Add(comment("every row")))
		}
		return v
	}
	last := emit(x.r.ReadScope)
	body = append(body, Return(Id(last), Nil()))
	f.Add(comment("%sScope is the read scope of %s: list, retrieve, update, partial_update", x.id, x.r.Name))
	f.Add(comment("and destroy only ever see the rows it selects. An error denies (503)."))
	f.Func().Id(x.id+"Scope").Params(Id("req").Op("*").Qual(pkgPerm, "Request")).Params(Qual(pkgSQLExpr, "Where"), Error()).Block(body...)
	f.Line()
}
