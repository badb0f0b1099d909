package golang

import (
	"fmt"
	"sort"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// A permission expression made only of built-in classes (but model
// permissions) and owner or staff rules is also written out as two plain Go
// functions, so that the common case of a decision costs what a
// hand-written if-chain costs: no interface calls, nothing to build. The
// composed perm value stays the authority for denials (DRF's status and
// message) and for the read scope; a generated test compares the two on
// every caller, method and object.

// cond is a boolean Go expression; lit is set when it is a constant, so
// that "true && x" reads as "x".
type cond struct {
	code *Statement
	lit  *bool
	// auth marks req.Authenticated() itself; impliesAuth a check that is
	// false for every caller who is not an active user (staff, owner).
	auth, impliesAuth bool
}

var authenticated = cond{code: Id("req").Dot("Authenticated").Call(), auth: true, impliesAuth: true}

func constant(b bool) cond {
	return cond{code: Lit(b), lit: &b}
}

// same reports whether a and b are the same Go expression, so that
// "x && x" and "x || x" read as "x".
func same(a, b cond) bool {
	return fmt.Sprintf("%#v", a.code) == fmt.Sprintf("%#v", b.code)
}

func and(a, b cond) cond {
	switch {
	case same(a, b):
		return a
	case a.auth && b.impliesAuth: // req.Authenticated() && perm.Owns(...) is perm.Owns(...)
		return b
	case b.auth && a.impliesAuth:
		return a
	case a.lit != nil && *a.lit:
		return b
	case b.lit != nil && *b.lit:
		return a
	case a.lit != nil || b.lit != nil:
		return constant(false)
	}
	return cond{code: Parens(Add(a.code).Op("&&").Add(b.code)), impliesAuth: a.impliesAuth || b.impliesAuth}
}

func or(a, b cond) cond {
	switch {
	case same(a, b):
		return a
	case b.auth && a.impliesAuth: // staff || authenticated is authenticated
		return b
	case a.auth && b.impliesAuth:
		return a
	case a.lit != nil && !*a.lit:
		return b
	case b.lit != nil && !*b.lit:
		return a
	case a.lit != nil || b.lit != nil:
		return constant(true)
	}
	return cond{code: Parens(Add(a.code).Op("||").Add(b.code)), impliesAuth: a.impliesAuth && b.impliesAuth}
}

func not(a cond) cond {
	if a.lit != nil {
		return constant(!*a.lit)
	}
	return cond{code: Op("!").Add(a.code)}
}

func req() *Statement  { return Id("req") }
func user() *Statement { return Id("req").Dot("User") }

// fastPerm writes e's request check (DRF's has_permission) out, or reports
// that it cannot.
func (g *gen) fastPerm(x *res, e plan.Expr) (cond, bool) {
	switch v := e.(type) {
	case *plan.Ref:
		if v.Builtin {
			switch v.Name {
			case plan.AllowAny:
				return constant(true), true
			case plan.IsAuthenticated:
				return authenticated, true
			case plan.IsAdminUser:
				return cond{code: Qual(pkgPerm, "StaffCheck").Call(user()), impliesAuth: true}, true
			case plan.IsAuthenticatedOrReadOnly:
				return cond{code: Parens(req().Dot("SafeMethod").Call().Op("||").Add(req().Dot("Authenticated").Call()))}, true
			case plan.ReadOnly:
				return cond{code: req().Dot("SafeMethod").Call()}, true
			}
			return cond{}, false
		}
		if fastRule(v) {
			return constant(true), true // a rule constrains objects only
		}
		return cond{}, false
	case *plan.And:
		l, ok1 := g.fastPerm(x, v.L)
		r, ok2 := g.fastPerm(x, v.R)
		return and(l, r), ok1 && ok2
	case *plan.Or:
		l, ok1 := g.fastPerm(x, v.L)
		r, ok2 := g.fastPerm(x, v.R)
		return or(l, r), ok1 && ok2
	case *plan.Not:
		c, ok := g.fastPerm(x, v.X)
		return not(c), ok
	}
	return cond{}, false
}

// fastObj writes e's object check (DRF's has_object_permission, with
// Ward's Or and Not rules) out.
func (g *gen) fastObj(x *res, e plan.Expr) (cond, bool) {
	switch v := e.(type) {
	case *plan.Ref:
		if v.Builtin {
			_, ok := g.fastPerm(x, v)
			return constant(true), ok
		}
		if !fastRule(v) {
			return cond{}, false
		}
		r := v.Class.Rule
		if r.Kind == plan.RuleStaff {
			return cond{code: Qual(pkgPerm, "StaffCheck").Call(user()), impliesAuth: true}, true
		}
		fl := x.field(r.Field)
		owner := Op("&").Id("obj").Dot(valueField(fl))
		if fl.Nullable {
			owner = Id("obj").Dot(valueField(fl))
		}
		return cond{code: Qual(pkgPerm, "Owns").Call(user(), owner), impliesAuth: true}, true
	case *plan.And:
		l, ok1 := g.fastObj(x, v.L)
		r, ok2 := g.fastObj(x, v.R)
		return and(l, r), ok1 && ok2
	case *plan.Or:
		// (A.perm && A.obj) || (B.perm && B.obj), as DRF >= 3.14.
		lp, ok1 := g.fastPerm(x, v.L)
		lo, ok2 := g.fastObj(x, v.L)
		rp, ok3 := g.fastPerm(x, v.R)
		ro, ok4 := g.fastObj(x, v.R)
		return or(and(lp, lo), and(rp, ro)), ok1 && ok2 && ok3 && ok4
	case *plan.Not:
		_, ok := g.fastPerm(x, v.X)
		return constant(true), ok // ~A negates A's request check only
	}
	return cond{}, false
}

// fastRule reports whether ref is a declarative owner or staff rule.
func fastRule(ref *plan.Ref) bool {
	c := ref.Class
	return c != nil && c.Kind == plan.ClassRule && c.Rule != nil &&
		(c.Rule.Kind == plan.RuleOwner || c.Rule.Kind == plan.RuleStaff)
}

// allowsFuncs returns the names of the written-out checks of action a, or
// "" when its expression cannot be written out. Endpoints that share the
// resource's expression share its functions.
func (g *gen) allowsFuncs(x *res, a plan.Action) (perm, obj string) {
	for _, e := range x.r.Endpoints {
		if e.Action != a {
			continue
		}
		if _, ok := g.fastObj(x, e.Permission); !ok {
			return "", ""
		}
		base := x.id + exported(string(a)) + "Allows"
		if x.sharesResourceExpr(e) {
			base = x.id + "Allows"
		}
		return base, base + "Object"
	}
	return "", ""
}

func (x *res) sharesResourceExpr(e *plan.Endpoint) bool {
	return exprText(e.Permission) == exprText(x.r.Permission)
}

// fastEndpoint is one pair of written-out checks and the endpoint whose
// expression it writes out.
type fastEndpoint struct {
	allows, object string // function names
	value          string // the composed permission value it stands for
	ep             *plan.Endpoint
}

// fastEndpoints lists the written-out check pairs of x, once each.
func (g *gen) fastEndpoints(x *res) []fastEndpoint {
	var out []fastEndpoint
	seen := map[string]bool{}
	for _, e := range x.r.Endpoints {
		pf, of := g.allowsFuncs(x, e.Action)
		if pf == "" || seen[pf] {
			continue
		}
		seen[pf] = true
		value := x.permVar(e.Action)
		if x.sharesResourceExpr(e) {
			value = x.permVar("")
		}
		out = append(out, fastEndpoint{pf, of, value, e})
	}
	return out
}

// fastChecks emits the written-out checks that some endpoint uses.
func (g *gen) fastChecks(f *File, x *res) {
	for _, fe := range g.fastEndpoints(x) {
		p, _ := g.fastPerm(x, fe.ep.Permission)
		o, _ := g.fastObj(x, fe.ep.Permission)
		f.Add(comment("%s is the request check of %s, %s, written out as", fe.allows, fe.value, exprText(fe.ep.Permission)))
		f.Add(comment("plain Go; a denial still asks the composed value for DRF's status and message."))
		f.Func().Id(fe.allows).Params(Id("req").Op("*").Qual(pkgPerm, "Request")).Bool().Block(Return(p.code))
		f.Line()
		f.Add(comment("%s is its object check written out.", fe.object))
		f.Func().Id(fe.object).Params(Id("req").Op("*").Qual(pkgPerm, "Request"), Id("obj").Op("*").Id(x.model)).Bool().Block(Return(o.code))
		f.Line()
	}
}

const pkgPermtest = "github.com/wardhq/ward/runtime/perm/permtest"

// fastOwnerFields returns the fields the owner rules of e read.
func (g *gen) fastOwnerFields(x *res, e plan.Expr, into map[string]*plan.Field) {
	switch v := e.(type) {
	case *plan.Ref:
		if fastRule(v) && v.Class.Rule.Kind == plan.RuleOwner {
			fl := x.field(v.Class.Rule.Field)
			into[fl.Name] = fl
		}
	case *plan.And:
		g.fastOwnerFields(x, v.L, into)
		g.fastOwnerFields(x, v.R, into)
	case *plan.Or:
		g.fastOwnerFields(x, v.L, into)
		g.fastOwnerFields(x, v.R, into)
	case *plan.Not:
		g.fastOwnerFields(x, v.X, into)
	}
}

// fastTest emits a test that compares every written-out check of x with its
// composed value, on every caller, method and owner, so that the two can
// never drift apart unnoticed.
func (g *gen) fastTest(x *res) error {
	var entries []Code
	owners := map[string]*plan.Field{}
	for _, fe := range g.fastEndpoints(x) {
		g.fastOwnerFields(x, fe.ep.Permission, owners)
		entries = append(entries, Values(Lit(fe.allows), Lit(string(fe.ep.Action)), Id(fe.allows), Id(fe.object), Id(fe.value)))
	}
	if len(entries) == 0 {
		return nil
	}
	owner := Dict{}
	for _, name := range sortedKeys(owners) {
		fl := owners[name]
		if fl.Nullable {
			owner[Id(valueField(fl))] = Op("&").Id("id")
		} else {
			owner[Id(valueField(fl))] = Id("id")
		}
	}
	ownerLoop := Null()
	if len(owners) > 0 {
		ownerLoop = For(List(Id("_"), Id("id")).Op(":=").Range().Qual(pkgPermtest, "OwnerIDs")).Block(
			Id("objects").Op("=").Append(Id("objects"), Op("&").Id(x.model).Values(owner)),
		)
	}
	req := Op("*").Qual(pkgPerm, "Request")
	name := "Test" + exported(x.id) + "WrittenOutChecks"
	f := g.newFile()
	f.Add(comment("%s checks that the permission checks of %s written out as", name, x.r.Name))
	f.Add(comment("plain Go agree with their composed values on every caller, method and owner."))
	f.Func().Id(name).Params(Id("t").Op("*").Qual("testing", "T")).Block(
		Id("checks").Op(":=").Index().Struct(
			Id("name").String(),
			Id("action").String(),
			Id("allows").Func().Params(req).Bool(),
			Id("object").Func().Params(req, Op("*").Id(x.model)).Bool(),
			Id("value").Qual(pkgPerm, "Permission").Types(Id(x.model)),
		).Values(append(entries, Line())...),
		Id("objects").Op(":=").Index().Op("*").Id(x.model).Values(Values()),
		ownerLoop,
		For(List(Id("_"), Id("c")).Op(":=").Range().Id("checks")).Block(
			For(List(Id("_"), Id("req")).Op(":=").Range().Qual(pkgPermtest, "Requests").Call(Lit(x.r.Name), Id("c").Dot("action"), Lit(""))).Block(
				If(List(Id("got"), Id("want")).Op(":=").List(Id("c").Dot("allows").Call(Id("req")), Qual(pkgPerm, "Allows").Call(Id("c").Dot("value"), Id("req"))), Id("got").Op("!=").Id("want")).Block(
					Id("t").Dot("Errorf").Call(Lit("%s: %s as %+v: %v, the composed value says %v"), Id("c").Dot("name"), Id("req").Dot("HTTP").Dot("Method"), Id("req").Dot("User"), Id("got"), Id("want")),
				),
				For(List(Id("_"), Id("obj")).Op(":=").Range().Id("objects")).Block(
					If(List(Id("got"), Id("want")).Op(":=").List(Id("c").Dot("object").Call(Id("req"), Id("obj")), Qual(pkgPerm, "AllowsObject").Call(Id("c").Dot("value"), Id("req"), Id("obj"))), Id("got").Op("!=").Id("want")).Block(
						Id("t").Dot("Errorf").Call(Lit("%sObject: %s as %+v on %+v: %v, the composed value says %v"), Id("c").Dot("name"), Id("req").Dot("HTTP").Dot("Method"), Id("req").Dot("User"), Id("obj"), Id("got"), Id("want")),
					),
				),
			),
		),
	)
	return g.file(SnakeCase(camel(x.r.Name))+"_gen_test.go", f)
}

func sortedKeys(m map[string]*plan.Field) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
