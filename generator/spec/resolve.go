package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// Step three of loading: resolving. Once a resource's keys are read,
// each action becomes an endpoint with its permission, the checks that
// need the whole resource run over the endpoints (class fields, callers
// that cannot be identified, object rules, anonymous writes), and the
// resource gets the read scope its list and retrieve apply.

// customClasses appends the custom classes e refers to.
func customClasses(e plan.Expr, out []*plan.Class) []*plan.Class {
	switch e := e.(type) {
	case *plan.Ref:
		if !e.Builtin && e.Class != nil {
			out = append(out, e.Class)
		}
	case *plan.And:
		out = customClasses(e.R, customClasses(e.L, out))
	case *plan.Or:
		out = customClasses(e.R, customClasses(e.L, out))
	case *plan.Not:
		out = customClasses(e.X, out)
	}
	return out
}

// objectProtected says whether every way to satisfy e goes through a custom
// class's object check or through IsAdminUser (staff are trusted with every
// object, as in Django's admin). On a read (retrieve), a class whose read
// scope is all protects nothing: the list shows every object whatever its
// object check says, so only a narrower scope counts.
func objectProtected(e plan.Expr, read bool) bool {
	switch e := e.(type) {
	case *plan.Ref:
		if e.Builtin {
			return e.Name == plan.IsAdminUser
		}
		if e.Class != nil && e.Class.Scope != nil && e.Class.Scope.Kind == plan.RuleValue {
			// A constant ties no object to a caller: every caller reaches
			// every object that holds it (a check: go class's object check
			// still counts on writes).
			return !read && e.Class.Kind == plan.ClassGo
		}
		return !read || (e.Class != nil && e.Class.Scope != nil && e.Class.Scope.Kind != plan.RuleAll)
	case *plan.And:
		return objectProtected(e.L, read) || objectProtected(e.R, read)
	case *plan.Or:
		return objectProtected(e.L, read) && objectProtected(e.R, read)
	}
	return false
}

// readAllClass names the first custom class in e whose read scope is all,
// or "".
func readAllClass(e plan.Expr) string {
	for _, c := range customClasses(e, nil) {
		if c.Scope != nil && c.Scope.Kind == plan.RuleAll {
			return c.Name
		}
	}
	return ""
}

// anonymousMayPass says whether an anonymous caller may pass e on an unsafe
// method, on a detail route (with an object) or not. A declarative rule
// (owner, field, staff) denies an anonymous caller every object, but has
// no object to deny on create; a rule on a constant (value) lets anyone,
// anonymous included, reach the objects that hold it. A check: go class is assumed to pass: the
// spec cannot prove what hand-written code does.
func anonymousMayPass(e plan.Expr, detail bool) bool {
	switch e := e.(type) {
	case *plan.Ref:
		if !e.Builtin {
			return !(detail && e.Class != nil && e.Class.Kind == plan.ClassRule && (e.Class.Scope == nil || e.Class.Scope.Kind != plan.RuleValue))
		}
		return e.Name == plan.AllowAny
	case *plan.And:
		return anonymousMayPass(e.L, detail) && anonymousMayPass(e.R, detail)
	case *plan.Or:
		return anonymousMayPass(e.L, detail) || anonymousMayPass(e.R, detail)
	case *plan.Not:
		// X holds built-ins only (the loader rejects ~ over custom
		// classes), whose value for an anonymous caller is exact.
		return !anonymousMayPass(e.X, detail)
	}
	return false
}

// readScopeOf derives the resource's read scope from the retrieve
// endpoint's expression, or the resource's expression without retrieve.
func (l *loader) readScopeOf(r *plan.Resource) plan.ScopeExpr {
	e := r.Permission
	for _, ep := range r.Endpoints {
		if ep.Action == plan.Retrieve {
			e = ep.Permission
		}
	}
	return scopeOf(e)
}

func scopeOf(e plan.Expr) plan.ScopeExpr {
	switch e := e.(type) {
	case *plan.Ref:
		if e.Builtin || e.Class == nil {
			return plan.ScopeAll{}
		}
		return &plan.ScopeClass{Ref: e, Scope: e.Class.Scope}
	case *plan.And:
		l, r := scopeOf(e.L), scopeOf(e.R)
		if _, ok := l.(plan.ScopeAll); ok {
			return r
		}
		if _, ok := r.(plan.ScopeAll); ok {
			return l
		}
		return &plan.ScopeAnd{L: l, R: r}
	case *plan.Or:
		return &plan.ScopeOr{L: scopeOf(e.L), R: scopeOf(e.R), LGuard: e.L, RGuard: e.R}
	}
	return plan.ScopeAll{}
}

// checkClassFields checks that a class's rule or read scope names fields
// resource r has, of a fitting type.
func (l *loader) checkClassFields(c *plan.Class, r *plan.Resource, at *yaml.Node) {
	if c == nil || c.Scope == nil {
		return
	}
	sc := c.Scope
	if sc.Kind != plan.RuleOwner && sc.Kind != plan.RuleField && sc.Kind != plan.RuleValue {
		return
	}
	var f *plan.Field
	for _, x := range r.Fields {
		if x.Name == sc.Field {
			f = x
		}
	}
	if f == nil && sc.Field == "id" {
		f = &plan.Field{Name: "id", Type: plan.Int}
	}
	if f == nil {
		l.errAt(at, fmt.Sprintf("add a field %q to the resource, or use another class", sc.Field), "class %s uses field %q, which resource %q does not have", c.Name, sc.Field, r.Name)
		return
	}
	if sc.Kind == plan.RuleValue {
		l.checkValueField(c, r, f, at)
		return
	}
	var want []plan.FieldType
	switch {
	case sc.Kind == plan.RuleOwner:
		want = []plan.FieldType{plan.User}
	case sc.UserAttr == "id":
		want = []plan.FieldType{plan.User, plan.Int}
	case sc.UserAttr == "username":
		want = []plan.FieldType{plan.String, plan.Text}
	case sc.UserAttr == "is_staff":
		want = []plan.FieldType{plan.Bool}
	}
	if !contains(want, f.Type) {
		l.errAt(at, fmt.Sprintf("give field %q type %s", f.Name, want[0]), "class %s compares field %q of resource %q, which has type %s", c.Name, f.Name, r.Name, f.Type)
	}
}

// endpoints resolves one endpoint per action, with its permission.
func (l *loader) endpoints(rl *resourceLoad) {
	r := rl.r
	r.Endpoints = []*plan.Endpoint{}
	for _, a := range rl.actions {
		rt := actionRoute[a]
		p := r.Permission
		if x, ok := rl.overrides[a]; ok {
			p = x
		}
		r.Endpoints = append(r.Endpoints, &plan.Endpoint{Action: a, Method: rt.method, Detail: rt.detail, Auth: append([]plan.AuthClass{}, r.Auth...), Permission: p})
	}
	for _, ea := range rl.extras {
		ep := ea.ep
		ep.Auth, ep.Permission = append([]plan.AuthClass{}, r.Auth...), r.Permission
		if ea.perm != nil {
			ep.Permission = ea.perm
		}
		if usesBuiltin(ep.Permission, plan.DjangoModelPermissions) {
			l.errAt(rl.exprNode(ep.Action), "give the action its own permissions, e.g. IsAdminUser or a check: go class", "%s: extra action %q is guarded by DjangoModelPermissions, which knows the six viewset actions only and would deny every request", rl.what, ep.Action)
		}
		r.Endpoints = append(r.Endpoints, ep)
	}
}

// usesBuiltin reports whether e names the built-in class name.
func usesBuiltin(e plan.Expr, name string) bool {
	switch e := e.(type) {
	case *plan.Ref:
		return e.Builtin && e.Name == name
	case *plan.And:
		return usesBuiltin(e.L, name) || usesBuiltin(e.R, name)
	case *plan.Or:
		return usesBuiltin(e.L, name) || usesBuiltin(e.R, name)
	case *plan.Not:
		return usesBuiltin(e.X, name)
	}
	return false
}

// exprNode is where the permission of action a is written.
func (rl *resourceLoad) exprNode(a plan.Action) *yaml.Node {
	if n, ok := rl.overrideNodes[a]; ok {
		return n
	}
	return rl.permNode
}

// checkResource runs the checks over the resolved endpoints.
func (l *loader) checkResource(rl *resourceLoad) {
	l.checkClassUse(rl)
	l.checkIdentified(rl)
	l.checkObjectRules(rl)
	l.checkAnonymousWrites(rl)
}

// checkClassUse: classes' rules and scopes must name fields this resource
// has, whether the expression is the resource's own or inherited.
func (l *loader) checkClassUse(rl *resourceLoad) {
	used := map[string]*yaml.Node{}
	for _, ep := range rl.r.Endpoints {
		for _, c := range customClasses(ep.Permission, nil) {
			if _, seen := used[c.Name]; !seen {
				used[c.Name] = rl.exprNode(ep.Action)
			}
		}
	}
	for _, cname := range sortedKeys(used) {
		l.checkClassFields(l.classes[cname], rl.r, used[cname])
	}
}

// checkIdentified: without an authentication class every caller is
// anonymous, and only AllowAny can mean anything.
func (l *loader) checkIdentified(rl *resourceLoad) {
	if len(rl.r.Auth) > 0 {
		return
	}
	for _, ep := range rl.r.Endpoints {
		if ref, ok := ep.Permission.(*plan.Ref); !ok || ref.Name != plan.AllowAny {
			l.errAt(rl.exprNode(ep.Action), "list authentication classes under authentication.default (e.g. [jwt]) or in the resource's authentication", "%s: %s checks callers, but no authentication class can identify one", rl.what, ep.Action)
			return
		}
	}
}

// checkObjectRules is OWASP API1 (BOLA): every detail route needs an
// object rule, unless acknowledged public.
func (l *loader) checkObjectRules(rl *resourceLoad) {
	r := rl.r
	if r.Public {
		return
	}
	for _, ep := range r.Endpoints {
		if !ep.Detail || objectProtected(ep.Permission, ep.Method == "GET") {
			continue
		}
		hint := "add a class with an object rule (e.g. IsOwner with rule: {owner: owner}) to the expression, or set public: true"
		if r.Source == "users" {
			hint = "require IsAdminUser, or set public: true to show every user to whoever passes the check"
		}
		if c := readAllClass(ep.Permission); c != "" && ep.Method == "GET" {
			hint = fmt.Sprintf("%s has read_scope: all, so a list shows every object whatever its object check says; give it a narrower read_scope such as {owner: FIELD} or {func: GoFunc}, or set public: true", c)
		}
		l.errAt(rl.exprNode(ep.Action), hint, "%s: %s lets every caller who passes the request check reach every object", rl.what, ep.Action)
		return
	}
}

// checkAnonymousWrites: anonymous writes must be acknowledged.
func (l *loader) checkAnonymousWrites(rl *resourceLoad) {
	if rl.anonWrites {
		return
	}
	var open []string
	var at *yaml.Node
	for _, ep := range rl.r.Endpoints {
		if ep.Method != "GET" && anonymousMayPass(ep.Permission, ep.Detail) {
			open = append(open, string(ep.Action))
			if at == nil {
				at = rl.exprNode(ep.Action)
			}
		}
	}
	if len(open) > 0 {
		l.errAt(at, "require a user (e.g. IsAuthenticated & ...), or set allow_anonymous_writes: true", "%s: anonymous callers pass the permission check of %s", rl.what, strings.Join(open, ", "))
	}
}

// checkValueField checks that the constant of class c's {field, value}
// rule is a value field f of resource r can hold.
func (l *loader) checkValueField(c *plan.Class, r *plan.Resource, f *plan.Field, at *yaml.Node) {
	v := c.Scope.Value
	var want []plan.FieldType
	switch v.(type) {
	case bool:
		want = []plan.FieldType{plan.Bool}
	case int64:
		want = []plan.FieldType{plan.Int}
	case string:
		want = []plan.FieldType{plan.String, plan.Text}
	}
	switch {
	case !contains(want, f.Type):
		l.errAt(at, fmt.Sprintf("compare field %q with a constant of its type, or give it type %s", f.Name, want[0]), "class %s compares field %q of resource %q, of type %s, with the constant %s", c.Name, f.Name, r.Name, f.Type, constText(v))
	case f.Choices != nil && !containsAny(f.Choices, v):
		l.errAt(at, "compare it with one of the field's choices", "class %s compares field %q of resource %q with %s, which is not one of its choices: the rule would allow nothing", c.Name, f.Name, r.Name, constText(v))
	}
}

// constText writes a rule's constant as the spec would: true, 3, "x".
func constText(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
