package golang

import (
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func ctxParam() Code { return Id("ctx").Qual("context", "Context") }

func (g *gen) storeIface(f *File, x *res) {
	where := Id("where").Qual(pkgPerm, "Where")
	methods := []Code{
		Comment("List returns one page of the rows inside where, ordered by order (an ORDER BY"),
		Comment("clause written by generated code), and the number of rows inside where."),
		Id("List").Params(ctxParam(), where, Id("order").String(), List(Id("limit"), Id("offset")).Int()).Params(Index().Op("*").Id(x.model), Int(), Error()),
		Comment("Get returns the row with id inside where, or rest.ErrNotFound."),
		Id("Get").Params(ctxParam(), where, Id("id").Int64()).Params(Op("*").Id(x.model), Error()),
	}
	if !x.readOnly() {
		methods = append(methods,
			Comment("Create inserts obj and returns it as stored."),
			Id("Create").Params(ctxParam(), Id("obj").Op("*").Id(x.model)).Params(Op("*").Id(x.model), Error()),
			Comment("Update writes the writable fields of obj and returns it as stored, or rest.ErrNotFound."),
			Id("Update").Params(ctxParam(), Id("obj").Op("*").Id(x.model)).Params(Op("*").Id(x.model), Error()),
			Comment("Delete removes the row with id, or returns rest.ErrNotFound."),
			Id("Delete").Params(ctxParam(), Id("id").Int64()).Error(),
		)
	}
	f.Commentf("%s reads and writes %s. Every read takes the caller's read scope, so", x.store, x.r.Name)
	f.Comment("filtering happens in SQL, never in Go. Errors other than rest.ErrNotFound")
	f.Comment("are answered 503.")
	f.Type().Id(x.store).Interface(methods...)
	f.Line()
}

// selectSQL is the SELECT of every column, with usernames of user fields.
func (x *res) selectSQL() string {
	cols := []string{ident("id")}
	for _, fl := range x.r.Fields {
		cols = append(cols, ident(fl.Column))
		if fl.Type == plan.User {
			cols = append(cols, "(SELECT "+ident("username")+" FROM "+ident("users")+" WHERE "+ident("users")+"."+ident("id")+" = "+ident(x.table)+"."+ident(fl.Column)+")")
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + ident(x.table)
}

// orderSQL is the ORDER BY clause, id always last.
func (x *res) orderSQL() string {
	var parts []string
	hasID := false
	for _, o := range x.r.Ordering {
		c := x.column(o.Field)
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		parts = append(parts, ident(c)+dir)
		if o.Field == "id" {
			hasID = true
			break
		}
	}
	if !hasID {
		parts = append(parts, ident("id")+" ASC")
	}
	return strings.Join(parts, ", ")
}

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
	recv := Id("s").Op("*").Id(x.sqlType)
	ret := func(c ...Code) Code { return Return(c...) }
	errRet := func(zero ...Code) Code {
		return If(Err().Op("!=").Nil()).Block(Return(append(zero, Err())...))
	}
	f.Commentf("%s is %s over database/sql, for SQLite and PostgreSQL.", x.sqlType, x.store)
	f.Type().Id(x.sqlType).Struct(Id("db").Op("*").Qual("database/sql", "DB"), Id("dialect").Qual(pkgRest, "Dialect"))
	f.Line()
	f.Comment("q adapts a query written with ? placeholders to the dialect.")
	f.Func().Params(recv).Id("q").Params(Id("query").String()).String().Block(
		If(Id("s").Dot("dialect").Op("==").Qual(pkgRest, "Postgres")).Block(Return(Qual(pkgPerm, "Rebind").Call(Id("query")))),
		Return(Id("query")))
	f.Line()
	sel := x.id + "Select"
	f.Const().Defs(
		Commentf("%s selects every column of %s.", sel, x.table),
		Id(sel).Op("=").Add(sqlLit(x.selectSQL())),
		Commentf("%sOrder is the ordering of %s lists; id is the last tie-breaker.", x.id, x.r.Name),
		Id(x.id+"Order").Op("=").Add(sqlLit(x.orderSQL())),
		Commentf("%sPageSize is the number of %s a list page holds.", x.id, x.r.Name),
		Id(x.id+"PageSize").Op("=").Lit(x.r.PageSize),
	)
	f.Line()

	// scan
	var pre, args, post []Code
	args = append(args, Op("&").Id("o").Dot("ID"))
	for _, fl := range x.r.Fields {
		args = append(args, Op("&").Id("o").Dot(valueField(fl)))
		if fl.Type == plan.User {
			n := "name" + fl.GoName
			pre = append(pre, Var().Id(n).Qual("database/sql", "NullString"))
			args = append(args, Op("&").Id(n))
			if fl.Nullable {
				post = append(post, If(Id(n).Dot("Valid")).Block(Id("o").Dot(fl.GoName).Op("=").Op("&").Id(n).Dot("String")))
			} else {
				post = append(post, Id("o").Dot(fl.GoName).Op("=").Id(n).Dot("String"))
			}
		}
	}
	scan := "scan" + x.model
	body := append([]Code{Var().Id("o").Id(x.model)}, pre...)
	body = append(body, If(Err().Op(":=").Id("row").Dot("Scan").Call(args...), Err().Op("!=").Nil()).Block(Return(Nil(), Err())))
	body = append(body, post...)
	for _, fl := range x.r.Fields {
		if fl.Type == plan.DateTime && !fl.Nullable {
			body = append(body, Id("o").Dot(fl.GoName).Op("=").Id("o").Dot(fl.GoName).Dot("UTC").Call())
		}
	}
	body = append(body, Return(Op("&").Id("o"), Nil()))
	f.Commentf("%s reads one row of %s.", scan, sel)
	f.Func().Id(scan).Params(Id("row").Interface(Id("Scan").Params(Op("...").Any()).Error())).Params(Op("*").Id(x.model), Error()).Block(body...)
	f.Line()

	// List
	f.Comment("List implements " + x.store + ".")
	f.Func().Params(recv).Id("List").Params(ctxParam(), Id("where").Qual(pkgPerm, "Where"), Id("order").String(), List(Id("limit"), Id("offset")).Int()).Params(Index().Op("*").Id(x.model), Int(), Error()).Block(
		Id("cond").Op(":=").Lit(""),
		If(Id("where").Dot("SQL").Op("!=").Lit("")).Block(Id("cond").Op("=").Lit(" WHERE ").Op("+").Id("where").Dot("SQL")),
		Var().Id("count").Int(),
		If(Err().Op(":=").Id("s").Dot("db").Dot("QueryRowContext").Call(Id("ctx"), Id("s").Dot("q").Call(sqlLit("SELECT COUNT(*) FROM "+ident(x.table)).Op("+").Id("cond")), Id("where").Dot("Args").Op("...")).Dot("Scan").Call(Op("&").Id("count")), Err().Op("!=").Nil()).Block(Return(Nil(), Lit(0), Err())),
		If(Id("count").Op("<=").Id("offset")).Block(Return(Nil(), Id("count"), Nil())),
		Id("args").Op(":=").Append(Append(Index().Any().Values(), Id("where").Dot("Args").Op("...")), Id("limit"), Id("offset")),
		List(Id("rows"), Err()).Op(":=").Id("s").Dot("db").Dot("QueryContext").Call(Id("ctx"), Id("s").Dot("q").Call(Id(sel).Op("+").Id("cond").Op("+").Lit(" ORDER BY ").Op("+").Id("order").Op("+").Lit(" LIMIT ? OFFSET ?")), Id("args").Op("...")),
		errRet(Nil(), Lit(0)),
		Defer().Id("rows").Dot("Close").Call(),
		Id("out").Op(":=").Make(Index().Op("*").Id(x.model), Lit(0), Id("limit")),
		For(Id("rows").Dot("Next").Call()).Block(
			List(Id("o"), Err()).Op(":=").Id(scan).Call(Id("rows")),
			errRet(Nil(), Lit(0)),
			Id("out").Op("=").Append(Id("out"), Id("o")),
		),
		ret(Id("out"), Id("count"), Id("rows").Dot("Err").Call()),
	)
	f.Line()

	// Get
	getBody := func(db string) []Code {
		return []Code{
			Id("cond").Op(":=").Add(sqlLit(" WHERE " + ident("id") + " = ?")),
			Id("args").Op(":=").Index().Any().Values(Id("id")),
			If(Id("where").Dot("SQL").Op("!=").Lit("")).Block(
				Id("cond").Op("+=").Lit(" AND (").Op("+").Id("where").Dot("SQL").Op("+").Lit(")"),
				Id("args").Op("=").Append(Id("args"), Id("where").Dot("Args").Op("...")),
			),
			List(Id("o"), Err()).Op(":=").Id(scan).Call(Id(db).Dot("QueryRowContext").Call(Id("ctx"), Id("s").Dot("q").Call(Id(sel).Op("+").Id("cond")), Id("args").Op("..."))),
			If(Qual("errors", "Is").Call(Err(), Qual("database/sql", "ErrNoRows"))).Block(Return(Nil(), Qual(pkgRest, "ErrNotFound"))),
			Return(Id("o"), Err()),
		}
	}
	f.Comment("Get implements " + x.store + ".")
	f.Func().Params(recv).Id("Get").Params(ctxParam(), Id("where").Qual(pkgPerm, "Where"), Id("id").Int64()).Params(Op("*").Id(x.model), Error()).Block(getBody("s.db")...)
	f.Line()
	if x.readOnly() {
		return
	}
	// Create
	ins := x.writable(false)
	var cols, marks []string
	var vals []Code
	for _, fl := range ins {
		cols = append(cols, ident(fl.Column))
		marks = append(marks, "?")
		vals = append(vals, Id("obj").Dot(valueField(fl)))
	}
	insertSQL := "INSERT INTO " + ident(x.table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ") RETURNING " + ident("id")
	if len(ins) == 0 {
		insertSQL = "INSERT INTO " + ident(x.table) + " DEFAULT VALUES RETURNING " + ident("id")
	}
	reread := []Code{
		List(Id("out"), Err()).Op(":=").Id(scan).Call(Id("tx").Dot("QueryRowContext").Call(Id("ctx"), Id("s").Dot("q").Call(Id(sel).Op("+").Add(sqlLit(" WHERE "+ident("id")+" = ?"))), Id("id"))),
		errRet(Nil()),
		Return(Id("out"), Id("tx").Dot("Commit").Call()),
	}
	f.Comment("Create implements " + x.store + ", in one transaction.")
	f.Func().Params(recv).Id("Create").Params(ctxParam(), Id("obj").Op("*").Id(x.model)).Params(Op("*").Id(x.model), Error()).Block(append([]Code{
		List(Id("tx"), Err()).Op(":=").Id("s").Dot("db").Dot("BeginTx").Call(Id("ctx"), Nil()),
		errRet(Nil()),
		Defer().Id("tx").Dot("Rollback").Call(),
		Var().Id("id").Int64(),
		If(Err().Op(":=").Id("tx").Dot("QueryRowContext").Call(append([]Code{Id("ctx"), Id("s").Dot("q").Call(sqlLit(insertSQL))}, vals...)...).Dot("Scan").Call(Op("&").Id("id")), Err().Op("!=").Nil()).Block(Return(Nil(), Err())),
	}, reread...)...)
	f.Line()
	// Update
	upd := x.writable(true)
	var sets []string
	var uvals []Code
	for _, fl := range upd {
		sets = append(sets, ident(fl.Column)+" = ?")
		uvals = append(uvals, Id("obj").Dot(valueField(fl)))
	}
	uvals = append(uvals, Id("obj").Dot("ID"))
	updBody := []Code{
		List(Id("tx"), Err()).Op(":=").Id("s").Dot("db").Dot("BeginTx").Call(Id("ctx"), Nil()),
		errRet(Nil()),
		Defer().Id("tx").Dot("Rollback").Call(),
		Id("id").Op(":=").Id("obj").Dot("ID"),
	}
	if len(sets) > 0 {
		updBody = append(updBody,
			List(Id("res"), Err()).Op(":=").Id("tx").Dot("ExecContext").Call(append([]Code{Id("ctx"), Id("s").Dot("q").Call(sqlLit("UPDATE " + ident(x.table) + " SET " + strings.Join(sets, ", ") + " WHERE " + ident("id") + " = ?"))}, uvals...)...),
			errRet(Nil()),
			If(List(Id("n"), Err()).Op(":=").Id("res").Dot("RowsAffected").Call(), Err().Op("!=").Nil()).Block(Return(Nil(), Err())).Else().If(Id("n").Op("==").Lit(0)).Block(Return(Nil(), Qual(pkgRest, "ErrNotFound"))),
		)
	}
	f.Comment("Update implements " + x.store + ", in one transaction.")
	f.Func().Params(recv).Id("Update").Params(ctxParam(), Id("obj").Op("*").Id(x.model)).Params(Op("*").Id(x.model), Error()).Block(append(updBody, reread...)...)
	f.Line()
	f.Comment("Delete implements " + x.store + ".")
	f.Func().Params(recv).Id("Delete").Params(ctxParam(), Id("id").Int64()).Error().Block(
		List(Id("res"), Err()).Op(":=").Id("s").Dot("db").Dot("ExecContext").Call(Id("ctx"), Id("s").Dot("q").Call(sqlLit("DELETE FROM "+ident(x.table)+" WHERE "+ident("id")+" = ?")), Id("id")),
		If(Err().Op("!=").Nil()).Block(Return(Err())),
		If(List(Id("n"), Err()).Op(":=").Id("res").Dot("RowsAffected").Call(), Err().Op("!=").Nil()).Block(Return(Err())).Else().If(Id("n").Op("==").Lit(0)).Block(Return(Qual(pkgRest, "ErrNotFound"))),
		Return(Nil()),
	)
	f.Line()
}

// sqlLit renders an SQL string as a raw Go string literal when it can.
func sqlLit(s string) *Statement {
	if !strings.Contains(s, "`") {
		return Op("`" + s + "`")
	}
	return Lit(s)
}
