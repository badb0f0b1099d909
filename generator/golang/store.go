package golang

import (
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func ctxParam() Code { return Id("ctx").Qual("context", "Context") }

func (g *gen) storeIface(f *File, x *res) {
	where := Id("where").Qual(pkgSQLExpr, "Where")
	methods := []Code{
		comment("List returns one page of the rows inside where, as q says (order, limit, offset"),
		comment("or keyset position), and, when q.Count, the number of rows inside where."),
		Id("List").Params(ctxParam(), where, Id("q").Qual(pkgRest, "ListQuery")).Params(Index().Op("*").Id(x.model), Int(), Error()),
		comment("Get returns the row with id inside where, or rest.ErrNotFound."),
		Id("Get").Params(ctxParam(), where, Id("id").Int64()).Params(Op("*").Id(x.model), Error()),
	}
	if !x.readOnly() {
		methods = append(methods,
			comment("Create inserts obj and returns it as stored."),
			Id("Create").Params(ctxParam(), Id("obj").Op("*").Id(x.model)).Params(Op("*").Id(x.model), Error()),
			comment("Update writes the writable fields of obj and returns it as stored, or rest.ErrNotFound."),
			comment("allowed decides on the object as it will be written, before the commit; when it"),
			comment("returns false nothing is written and Update returns rest.ErrDenied."),
			Id("Update").Params(ctxParam(), Id("obj").Op("*").Id(x.model), Id("allowed").Func().Params(Op("*").Id(x.model)).Bool()).Params(Op("*").Id(x.model), Error()),
			comment("CheckRefs reports the user fields of obj that name no user."),
			Id("CheckRefs").Params(ctxParam(), Id("obj").Op("*").Id(x.model)).Params(Qual(pkgDRF, "FieldErrors"), Error()),
			comment("Delete removes the row with id, or returns rest.ErrNotFound."),
			Id("Delete").Params(ctxParam(), Id("id").Int64()).Error(),
		)
		methods = append(methods, x.hookMethods()...)
		methods = append(methods, x.actMethod()...)
	}
	f.Add(comment("%s reads and writes %s. Every read takes the caller's read scope, so", x.store, x.r.Name))
	f.Add(comment("filtering happens in SQL, never in Go. Errors other than rest.ErrNotFound"))
	f.Add(comment("are answered 503."))
	f.Type().Id(x.store).Interface(methods...)
	f.Line()
}

// selectList is the select list of every column, with usernames of user
// fields. The usernames are correlated subqueries, never a JOIN, so the list
// is valid in a RETURNING clause too (PostgreSQL; SQLite since 3.35): the
// SELECT and the writes share it.
func (x *res) selectList() string {
	cols := []string{ident("id")}
	for _, fl := range x.r.Fields {
		cols = append(cols, ident(fl.Column))
		if fl.Type == plan.User {
			cols = append(cols, "(SELECT "+ident("username")+" FROM "+ident(schema.UsersTable)+" WHERE "+ident(schema.UsersTable)+"."+ident("id")+" = "+ident(x.table)+"."+ident(fl.Column)+")")
		}
	}
	return strings.Join(cols, ", ")
}

// columnsConst is the name of the constant holding selectList.
func (x *res) columnsConst() string { return x.id + "Columns" }

// writable lists the fields an INSERT writes (all) or an UPDATE writes
// (all but the owner and the created timestamp).
func (x *res) writable(update bool) []*plan.Field {
	var out []*plan.Field
	for _, fl := range x.r.Fields {
		if update && (fl.Owner || fl.Auto == "created") {
			continue
		}
		out = append(out, fl)
	}
	return out
}

func (g *gen) sqlStore(f *File, x *res) {
	sel, cols := x.id+"Select", x.columnsConst()
	f.Const().Defs(
		comment("%s is every column of %s, in scan%s's order: what %s selects", cols, x.table, x.model, sel),
		comment("and what a write returns (RETURNING), so a write reads no row back."),
		Id(cols).Op("=").Add(rawLit(x.selectList())),
		comment("%s selects every column of %s, in scan%s's order.", sel, x.table, x.model),
		Id(sel).Op("=").Add(rawLit("SELECT ")).Op("+").Id(cols).Op("+").Add(rawLit(" FROM "+ident(x.table))),
	)
	f.Line()
	g.listingVar(f, x)
	scan := "scan" + x.model
	f.Add(comment("%s reads one row of %s.", scan, sel))
	f.Func().Id(scan).Params(Id("row").Qual(pkgRest, "Scanner")).Params(Op("*").Id(x.model), Error()).Block(x.scanBody()...)
	f.Line()
	d := map[string]Code{
		"DB":      Id("app").Dot("DB"),
		"Dialect": Id("app").Dot("Dialect"),
		"Name":    rawLit(ident(x.table)),
		"Select":  Id(sel),
		"Scan":    Id(scan),
		"ID":      Func().Params(Id("o").Op("*").Id(x.model)).Int64().Block(Return(Id("o").Dot("ID"))),
	}
	if !x.readOnly() {
		x.writes(d)
	}
	f.Add(comment("new%s is %s over app.DB (SQLite or PostgreSQL) with rest.Table.", x.store, x.store))
	f.Func().Id("new" + x.store).Params(Id("app").Op("*").Qual(pkgRest, "App")).Id(x.store).Block(
		Return(Op("&").Qual(pkgRest, "Table").Types(Id(x.model)).Add(tableType.values(d))))
	f.Line()
}

// scanBody is the body of scanX: one row into an object, with the
// usernames of user fields.
func (x *res) scanBody() []Code {
	var pre, args, post []Code
	args = append(args, Op("&").Id("o").Dot("ID"))
	for _, fl := range x.r.Fields {
		args = append(args, scanDest(fl))
		if fl.Type != plan.User {
			continue
		}
		n := "name" + fl.GoName
		pre = append(pre, Var().Id(n).Qual("database/sql", "NullString"))
		args = append(args, Op("&").Id(n))
		if fl.Nullable {
			post = append(post, If(Id(n).Dot("Valid")).Block(Id("o").Dot(fl.GoName).Op("=").Op("&").Id(n).Dot("String")))
		} else {
			post = append(post, Id("o").Dot(fl.GoName).Op("=").Id(n).Dot("String"))
		}
	}
	body := append([]Code{Var().Id("o").Id(x.model)}, pre...)
	body = append(body, If(Err().Op(":=").Id("row").Dot("Scan").Call(args...), Err().Op("!=").Nil()).Block(Return(Nil(), Err())))
	body = append(body, post...)
	for _, fl := range x.r.Fields {
		if fl.Type == plan.DateTime && !fl.Nullable {
			body = append(body, Id("o").Dot(fl.GoName).Op("=").Id("o").Dot(fl.GoName).Dot("UTC").Call())
		}
	}
	return append(body, Return(Op("&").Id("o"), Nil()))
}

// writes adds to d, the fields of a rest.Table, the statements and
// arguments of writes, and the user references a write checks.
func (x *res) writes(d map[string]Code) {
	obj := Id("o").Op("*").Id(x.model)
	ins := x.writable(false)
	var cols, marks []string
	var vals []Code
	for _, fl := range ins {
		cols = append(cols, ident(fl.Column))
		marks = append(marks, "?")
		vals = append(vals, bindValue(fl))
	}
	insertSQL := "INSERT INTO " + ident(x.table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	if len(ins) == 0 {
		insertSQL = "INSERT INTO " + ident(x.table) + " DEFAULT VALUES"
	}
	var sets []string
	var uvals []Code
	for _, fl := range x.writable(true) {
		sets = append(sets, ident(fl.Column)+" = ?")
		uvals = append(uvals, bindValue(fl))
	}
	if len(sets) == 0 {
		sets = []string{ident("id") + " = " + ident("id")}
	}
	uvals = append(uvals, Id("o").Dot("ID"))
	refs := Dict{}
	for _, fl := range x.userRefs() {
		v := Op("&").Id("o").Dot(valueField(fl))
		if fl.Nullable {
			v = Id("o").Dot(valueField(fl))
		}
		refs[Lit(fl.Name)] = v
	}
	if len(refs) > 0 {
		d["UserRefs"] = Func().Params(obj).Map(String()).Op("*").Int64().Block(Return(Map(String()).Op("*").Int64().Values(refs)))
	}
	returning := Op("+").Id(x.columnsConst())
	d["InsertSQL"] = rawLit(insertSQL + " RETURNING ").Add(returning)
	d["UpdateSQL"] = rawLit("UPDATE " + ident(x.table) + " SET " + strings.Join(sets, ", ") + " WHERE " + ident("id") + " = ? RETURNING ").Add(returning)
	d["InsertArgs"] = Func().Params(obj).Index().Any().Block(Return(Index().Any().Values(vals...)))
	d["UpdateArgs"] = Func().Params(obj).Index().Any().Block(Return(Index().Any().Values(uvals...)))
	x.uniques(d)
	x.refs(d)
}

// rawLit renders a string (SQL, JSON) as a raw Go string literal when it
// can.
func rawLit(s string) *Statement {
	if !strings.Contains(s, "`") {
		return Op("`" + s + "`")
	}
	return Lit(s)
}

// userRefs lists the user fields a client writes (not the owner).
func (x *res) userRefs() []*plan.Field {
	var out []*plan.Field
	for _, fl := range x.r.Fields {
		if fl.Type == plan.User && !fl.Owner && !fl.ReadOnly {
			out = append(out, fl)
		}
	}
	return out
}
