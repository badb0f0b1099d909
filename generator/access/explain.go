package access

import (
	"fmt"
	"strings"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// Explain prints, step by step, how the generated handler of endpoint
// ("PATCH /api/orders/{id}") decides for the caller named as (a caller
// name of the matrix, or "owner" for the first owner rule's subject).
func Explain(svc *plan.Service, endpoint, as string) (string, error) {
	method, route, _ := strings.Cut(strings.TrimSpace(endpoint), " ")
	method, route = strings.ToUpper(method), strings.TrimSpace(route)
	for _, r := range svc.Resources {
		res := buildResource(svc, r, universeOf(svc, r))
		for _, row := range res.Endpoints {
			if row.Method != method || row.Route != route {
				continue
			}
			c, ok := res.FindCaller(as)
			if !ok {
				return "", fmt.Errorf("no caller %q on %s: use one of %s", as, r.Name, callerList(res))
			}
			ev := newEvaluator(svc, r, res.Atoms)
			var b strings.Builder
			ev.explain(&b, row, c)
			return b.String(), nil
		}
	}
	return "", fmt.Errorf("no endpoint %q: write a method and a route as `ward matrix` lists them, e.g. \"GET /api/things/{id}\"", endpoint)
}

func callerList(r *Resource) string {
	var s []string
	for _, c := range r.Callers {
		s = append(s, c.Name)
	}
	return strings.Join(s, ", ")
}

// triOf folds f over every answer of the unknowns.
func (ev *evaluator) triOf(f func() bool) Tri { return ev.tri(f) }

func checkMark(t Tri) string {
	return map[Tri]string{Yes: "passes", No: "fails", Maybe: "depends on hand-written code: review by hand"}[t]
}

func (ev *evaluator) explain(b *strings.Builder, row *Endpoint, c Caller) {
	action := ev.action(row)
	chain := ev.chain(row)
	req := ev.request(c, row.Method, action, chain)
	fmt.Fprintf(b, "%s (resource %s, action %s) as %s: %s\n\n", row.Key(), ev.r.Name, actionText(row, action), c.Name, c.Text)
	step := 1
	say := func(format string, args ...any) {
		fmt.Fprintf(b, "%d. ", step)
		fmt.Fprintf(b, format, args...)
		b.WriteString("\n")
		step++
	}
	say("authenticate: %s", ev.authText(chain, req))
	if t := ev.throttles(row, c); len(t) > 0 {
		say("throttle: %s (429 once spent)", strings.Join(t, ", "))
	} else {
		say("throttle: none")
	}
	if ev.parent != nil {
		say("find the parent %s {%s} through its read scope, as a retrieve of it (404 outside it): %s", ev.parent.Name, ev.r.Parent.Param, ScopeText(ev.parent.ReadScope))
		for _, oc := range ev.cases(c, req.User, noObject) {
			if oc.text != "" {
				obj := oc.obj
				in := ev.triOf(func() bool { return ev.parentFound(req, obj) })
				fmt.Fprintf(b, "   %s: %s\n", oc.text, map[Tri]string{Yes: "found", No: "404", Maybe: "review by hand"}[in])
			}
		}
	}
	p := ev.expr(row)
	say("request check of `%s` (action %s, method %s):", plan.ExprText(p), action, row.Method)
	ev.leaves(b, p, func(e plan.Expr) Tri {
		return ev.triOf(func() bool { return perm.Check(ev.perm(e), req).Allowed() })
	}, "request check")
	d := ev.triOf(func() bool { return perm.Check(ev.perm(p), req).Allowed() })
	fmt.Fprintf(b, "   => %s%s\n", checkMark(d), denial(d, req))
	ev.explainRest(b, row, c, req, say)
	fmt.Fprintf(b, "\noutcome: %s\n", CellText(ev.cell(row, c)))
}

func actionText(row *Endpoint, action string) string {
	if row.Action == "" {
		return action + " (checked as; the route does not support " + row.Method + ")"
	}
	return action
}

func denial(t Tri, req *perm.Request) string {
	if t == Yes {
		return ""
	}
	if req.User == nil && req.Challenge != "" {
		return "; refused: 401 with WWW-Authenticate: " + req.Challenge
	}
	return "; refused: 403"
}

func (ev *evaluator) authText(chain []plan.AuthClass, req *perm.Request) string {
	if len(chain) == 0 {
		return "no authentication class: every caller is anonymous"
	}
	who := "no credentials: anonymous"
	if req.User != nil {
		who = fmt.Sprintf("user %d (active, staff: %v, model permissions: %v)", req.User.ID, req.User.IsStaff, req.User.Perms)
	}
	ch := "no challenge (a refused anonymous caller gets 403)"
	if req.Challenge != "" {
		ch = "challenge " + req.Challenge
	}
	return fmt.Sprintf("chain %s; %s; %s", strings.Join(authNames(chain), ", "), ch, who)
}

// leaves prints each class of e with its answer.
func (ev *evaluator) leaves(b *strings.Builder, e plan.Expr, f func(plan.Expr) Tri, what string) {
	var walk func(e plan.Expr)
	seen := map[string]bool{}
	walk = func(e plan.Expr) {
		switch x := e.(type) {
		case *plan.Ref:
			if seen[x.Name] {
				return
			}
			seen[x.Name] = true
			fmt.Fprintf(b, "   - %s (%s): %s %s\n", x.Name, refKind(x, what), what, checkMark(f(x)))
		case *plan.And:
			walk(x.L)
			walk(x.R)
		case *plan.Or:
			walk(x.L)
			walk(x.R)
		case *plan.Not:
			walk(x.X)
		}
	}
	walk(e)
}

func refKind(x *plan.Ref, what string) string {
	switch {
	case x.Builtin:
		return "built-in: " + builtinText[x.Name]
	case x.Class == nil:
		return "unknown"
	case x.Class.Kind == plan.ClassGo:
		return "check: go, written by hand"
	case what == "request check":
		return "rule " + RuleText(x.Class.Scope) + "; a rule's request check always passes"
	}
	return "rule " + RuleText(x.Class.Scope)
}

// explainRest prints the steps after the request check: 405, the scope,
// the object checks and the field rules, per object the caller can meet.
func (ev *evaluator) explainRest(b *strings.Builder, row *Endpoint, c Caller, req *perm.Request, say func(string, ...any)) {
	p := ev.expr(row)
	switch {
	case row.Action == "":
		say("the route does not support %s: 405", row.Method)
		return
	case row.Extra != "" && !row.detail:
		say("call %s, written by hand, in one transaction: 200 or 204 as it returns, unless it refuses", row.Extra)
		return
	}
	switch row.Action {
	case string(plan.List):
		say("read one page through the read scope: %s", ScopeText(ev.r.ReadScope))
		fmt.Fprintf(b, "   SQL: %s\n", ev.scopeSQL(req, false))
	case string(plan.Create):
		if ev.r.Owner != nil {
			say("set the owner %s to the caller (an anonymous caller: %d)", ev.r.Owner.Name, unauthenticated(req))
		}
	default:
		say("look up the object through the read scope (404 outside it): %s", ScopeText(ev.r.ReadScope))
		fmt.Fprintf(b, "   SQL: %s\n", ev.scopeSQL(req, true))
	}
	ev.explainFields(b, row, req, say)
	create := row.Action == string(plan.Create)
	mode := stored
	if create {
		mode = created
	}
	for _, oc := range ev.cases(c, req.User, mode) {
		obj := oc.obj
		what := "the object"
		if oc.text != "" {
			what = "an object where " + oc.text
		}
		if !create {
			in := ev.triOf(func() bool { return ev.inScope(ev.r.ReadScope, req, obj) })
			say("%s is in the caller's scope: %s", what, map[Tri]string{Yes: "yes", No: "no (404, or not listed)", Maybe: "review by hand"}[in])
		}
		if row.Action == string(plan.List) {
			continue
		}
		ev.explainObject(b, p, req, obj, what, create, say)
	}
	if row.Extra != "" {
		say("call %s, written by hand, in the lookup's transaction with the row locked: 200 or 204 as it returns, unless it refuses", row.Extra)
	}
}

// extra is the function of r's extra action named action, "" for none.
func (ev *evaluator) extra(action string) string {
	for _, e := range ev.r.Endpoints {
		if e.Extra && string(e.Action) == action {
			return e.Func
		}
	}
	return ""
}

func (ev *evaluator) explainObject(b *strings.Builder, p plan.Expr, req *perm.Request, obj *object, what string, create bool, say func(string, ...any)) {
	next := &object{vals: obj.vals, fresh: true}
	check := func(o *object) func(plan.Expr) Tri {
		return func(e plan.Expr) Tri {
			return ev.triOf(func() bool { return perm.CheckObject(ev.perm(e), req, o).Allowed() })
		}
	}
	steps := []struct {
		o    *object
		name string
	}{{obj, "as stored"}, {next, "as it will be written"}}
	switch {
	case create:
		steps = steps[1:]
	case req.Action == perm.ActionRetrieve || req.Action == perm.ActionDestroy || ev.extra(req.Action) != "":
		steps = steps[:1]
	}
	for _, s := range steps {
		say("object check of `%s` on %s, %s (Or: each branch's request check and object check):", plan.ExprText(p), what, s.name)
		ev.leaves(b, p, check(s.o), "object check")
		t := check(s.o)(p)
		fmt.Fprintf(b, "   => %s%s\n", checkMark(t), denial(t, req))
	}
}

func (ev *evaluator) explainFields(b *strings.Builder, row *Endpoint, req *perm.Request, say func(string, ...any)) {
	fs := ev.fields(row, req)
	if len(fs) == 0 {
		return
	}
	var parts []string
	for _, f := range fs {
		s := f.Name + ": seen " + f.Read.String()
		if f.Write != nil {
			s += ", may send " + f.Write.String() + " (403 when sent otherwise)"
		}
		parts = append(parts, s)
	}
	say("field rules (request only): %s", strings.Join(parts, "; "))
}

// scopeSQL is the WHERE clause the read scope gives req, built by the
// runtime's own scope functions; a guard or a func scope that only
// hand-written code decides is shown as a comment.
func (ev *evaluator) scopeSQL(req *perm.Request, lookup bool) string {
	w := ev.whereOf(ev.r.ReadScope, req)
	table := ev.r.Table
	if table == "" {
		table = ev.r.Name
	}
	q := "SELECT ... FROM " + sqlexpr.Ident(table)
	if lookup {
		q += " WHERE " + sqlexpr.Ident("id") + " = ?"
		if w.SQL != "" {
			q += " AND (" + w.SQL + ")"
		}
		w.Args = append([]any{"{id}"}, w.Args...)
	} else if w.SQL != "" {
		q += " WHERE " + w.SQL
	}
	if len(w.Args) > 0 {
		q += fmt.Sprintf("  -- args %v", w.Args)
	}
	return q
}

func (ev *evaluator) column(name string) string {
	if f := field(ev.r, name); f != nil && f.Column != "" {
		return f.Column
	}
	return name
}

func (ev *evaluator) whereOf(s plan.ScopeExpr, req *perm.Request) sqlexpr.Where {
	u := req.User
	switch s := s.(type) {
	case *plan.ScopeClass:
		sc := s.Scope
		switch {
		case sc == nil || sc.Kind == plan.RuleAll:
			return sqlexpr.Where{}
		case sc.Kind == plan.RuleOwner:
			return perm.OwnerScope(u, ev.column(sc.Field))
		case sc.Kind == plan.RuleStaff:
			return perm.StaffScope(u)
		case sc.Kind == plan.RuleField:
			return perm.FieldEqualsScope(u, ev.column(sc.Field), sc.UserAttr)
		case sc.Kind == plan.RuleValue:
			return perm.ValueScope(ev.column(sc.Field), sc.Value)
		case sc.Kind == plan.RuleFunc:
			return sqlexpr.Where{SQL: "/* what " + sc.Func + "(req) returns */ TRUE"}
		}
	case *plan.ScopeAnd:
		return ev.whereOf(s.L, req).And(ev.whereOf(s.R, req))
	case *plan.ScopeOr:
		return ev.guarded(s.LGuard, ev.whereOf(s.L, req), req).Or(ev.guarded(s.RGuard, ev.whereOf(s.R, req), req))
	}
	return sqlexpr.Where{}
}

// guarded is perm.Guard with the guard's answer, or a comment when
// hand-written code decides it.
func (ev *evaluator) guarded(g plan.Expr, w sqlexpr.Where, req *perm.Request) sqlexpr.Where {
	switch ev.triOf(func() bool { return perm.Check(ev.perm(g), req).Allowed() }) {
	case Yes:
		return perm.Guard(true, w)
	case No:
		return perm.Guard(false, w)
	}
	sql := w.SQL
	if sql == "" {
		sql = "TRUE"
	}
	return sqlexpr.Where{SQL: "/* if " + plan.ExprText(g) + " passes, else 1 = 0 */ " + sql, Args: w.Args}
}
