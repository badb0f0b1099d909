package access

import (
	"net/http"
	"sort"
	"strings"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

// object is the synthetic object the plan's expressions are evaluated on:
// the values of the fields the rules look at, and whether it is the object
// as stored or as it will be written (a check: go class may answer each
// differently).
type object struct {
	vals  map[string]any // field name -> int64, string or bool; absent is NULL
	fresh bool           // the object as it will be written (create, update)
}

func (o *object) owner(field string) *int64 {
	if v, ok := o.vals[field].(int64); ok {
		return &v
	}
	return nil
}

func (o *object) value(field string) any { return o.vals[field] }

// parentObject is the parent object of a nested route, whose fields o
// holds as ^name.
func (o *object) parentObject() *object {
	p := &object{vals: map[string]any{}}
	for k, v := range o.vals {
		if name, ok := strings.CutPrefix(k, "^"); ok {
			p.vals[name] = v
		}
	}
	return p
}

// The synthetic users: the caller, and another user.
const (
	callerID   = int64(1)
	callerName = "caller"
	otherID    = int64(2)
	otherName  = "other"
)

// env holds the answers of what the spec cannot see (check: go classes,
// {func: F} scopes) for one run, and records which were asked.
type env struct {
	bits map[string]bool
	read map[string]bool
}

func (e *env) get(key string) bool {
	e.read[key] = true
	return e.bits[key]
}

// opaque stands for a check: go class: its answers come from the env.
type opaque struct {
	name string
	env  *env
}

func (o opaque) HasPermission(*perm.Request) (bool, error) {
	return o.env.get(o.name + ".HasPermission"), nil
}

func (o opaque) HasObjectPermission(_ *perm.Request, obj *object) (bool, error) {
	if obj.fresh {
		return o.env.get(o.name + ".object as written"), nil
	}
	return o.env.get(o.name + ".object as stored"), nil
}

// evaluator evaluates one resource's expressions as runtime/perm values.
type evaluator struct {
	svc    *plan.Service
	r      *plan.Resource
	parent *plan.Resource // the parent of a nested resource, or nil
	atoms  []Atom
	env    *env
	built  map[plan.Expr]perm.Permission[object]
}

func newEvaluator(svc *plan.Service, r *plan.Resource, atoms []Atom) *evaluator {
	return &evaluator{svc: svc, r: r, parent: parentOf(svc, r), atoms: atoms, env: &env{bits: map[string]bool{}, read: map[string]bool{}},
		built: map[plan.Expr]perm.Permission[object]{}}
}

// perm builds e as the value generated code builds (generator/golang's
// expr), over the synthetic object.
func (ev *evaluator) perm(e plan.Expr) perm.Permission[object] {
	if p, ok := ev.built[e]; ok {
		return p
	}
	var p perm.Permission[object]
	switch x := e.(type) {
	case *plan.Ref:
		p = ev.ref(x)
	case *plan.And:
		p = perm.And(ev.perm(x.L), ev.perm(x.R))
	case *plan.Or:
		p = perm.Or(ev.perm(x.L), ev.perm(x.R))
	case *plan.Not:
		p = perm.Not(ev.perm(x.X))
	}
	ev.built[e] = p
	return p
}

func (ev *evaluator) ref(x *plan.Ref) perm.Permission[object] {
	if x.Builtin {
		switch x.Name {
		case plan.AllowAny:
			return perm.AllowAny[object]{}
		case plan.IsAuthenticated:
			return perm.IsAuthenticated[object]{}
		case plan.IsAdminUser:
			return perm.IsAdminUser[object]{}
		case plan.IsAuthenticatedOrReadOnly:
			return perm.IsAuthenticatedOrReadOnly[object]{}
		case plan.ReadOnly:
			return perm.ReadOnly[object]{}
		case plan.DjangoModelPermissions:
			return perm.DjangoModelPermissions[object]{}
		}
		return nil // unknown: perm's nil operand denies
	}
	if x.Class == nil {
		return nil
	}
	if x.Class.Kind == plan.ClassGo {
		return opaque{name: x.Class.Name, env: ev.env}
	}
	return ruleOf(x.Class.Rule)
}

// ruleOf is a rule class's perm.Rule, as generated code builds it.
func ruleOf(r *plan.Rule) perm.Permission[object] {
	if r == nil {
		return nil
	}
	f := r.Field
	switch r.Kind {
	case plan.RuleAll:
		return perm.AllRule[object]()
	case plan.RuleOwner:
		return perm.OwnerRule(f, func(o *object) *int64 { return o.owner(f) })
	case plan.RuleStaff:
		return perm.StaffRule[object]()
	case plan.RuleField:
		return perm.FieldRule(f, r.UserAttr, func(o *object) any { return o.value(f) })
	case plan.RuleValue:
		return perm.ValueRule(f, r.Value, func(o *object) any { return o.value(f) })
	}
	return nil
}

// inScope says whether obj is in the read scope for req: the Go side of
// the scope generated code builds, which the runtime's differential tests
// hold equal to its SQL side.
func (ev *evaluator) inScope(s plan.ScopeExpr, req *perm.Request, obj *object) bool {
	u := req.User
	switch s := s.(type) {
	case *plan.ScopeClass:
		sc := s.Scope
		switch {
		case sc == nil || sc.Kind == plan.RuleAll:
			return true
		case sc.Kind == plan.RuleOwner:
			return perm.Owns(u, obj.owner(sc.Field))
		case sc.Kind == plan.RuleStaff:
			return perm.StaffCheck(u)
		case sc.Kind == plan.RuleField:
			return perm.FieldEquals(u, sc.UserAttr, obj.value(sc.Field))
		case sc.Kind == plan.RuleValue:
			return perm.ValueEquals(obj.value(sc.Field), sc.Value)
		case sc.Kind == plan.RuleFunc:
			return ev.env.get(sc.Func + "(req) selects it")
		}
		return false
	case *plan.ScopeAnd:
		return ev.inScope(s.L, req, obj) && ev.inScope(s.R, req, obj)
	case *plan.ScopeOr:
		// Both guards are asked first, as generated code does.
		l := perm.Check(ev.perm(s.LGuard), req).Allowed()
		r := perm.Check(ev.perm(s.RGuard), req).Allowed()
		return (l && ev.inScope(s.L, req, obj)) || (r && ev.inScope(s.R, req, obj))
	}
	return true
}

// challenge is the WWW-Authenticate of a chain's first class.
func (ev *evaluator) challenge(chain []plan.AuthClass) string {
	if len(chain) == 0 {
		return ""
	}
	switch chain[0] {
	case plan.AuthJWT:
		return `Bearer realm="api"`
	case plan.AuthToken:
		return "Token"
	case plan.AuthBasic:
		realm := "api"
		if b := ev.svc.Auth.Basic; b != nil && b.Realm != "" {
			realm = b.Realm
		}
		return `Basic realm="` + realm + `"`
	}
	return ""
}

// request is the perm.Request the view builds for c on a chain: a caller
// is authenticated only when the chain has a class to authenticate them.
func (ev *evaluator) request(c Caller, method, action string, chain []plan.AuthClass) *perm.Request {
	req := &perm.Request{HTTP: &http.Request{Method: method}, Action: action, Resource: ev.r.Name, Challenge: ev.challenge(chain)}
	if c.auth && len(chain) > 0 {
		u := &identity.User{ID: callerID, Username: callerName, IsActive: true, IsStaff: c.staff}
		if c.perm != "" {
			u.Perms = []string{c.perm}
		}
		req.User = u
	}
	return req
}

// holds says whether atom a holds for req's caller on obj, by the runtime's
// own comparisons.
func holds(a Atom, u *identity.User, obj *object) bool {
	switch a.Kind {
	case plan.RuleOwner:
		return perm.Owns(u, obj.owner(a.slot()))
	case plan.RuleField:
		return perm.FieldEquals(u, a.UserAttr, obj.value(a.slot()))
	}
	return perm.ValueEquals(obj.value(a.slot()), a.Value)
}

// enumerate runs f under every answer of the unknowns it asks, and
// returns the distinct results with the unknowns that were asked. Keys
// are discovered as f asks them; a run that asks a new one restarts the
// enumeration with it.
func enumerate[T comparable](e *env, f func() T) ([]T, []string) {
	var keys []string
	for {
		var outs []T
		grown := false
		for mask := 0; mask < 1<<len(keys); mask++ {
			e.bits = map[string]bool{}
			for i, k := range keys {
				e.bits[k] = mask&(1<<i) != 0
			}
			e.read = map[string]bool{}
			o := f()
			for k := range e.read {
				if !contains(keys, k) {
					keys = append(keys, k)
					grown = true
				}
			}
			if grown {
				break
			}
			if !containsT(outs, o) {
				outs = append(outs, o)
			}
		}
		if !grown || len(keys) > maxUnknowns {
			sort.Strings(keys)
			return outs, keys
		}
	}
}

// maxUnknowns bounds the unknowns of one decision (2^n runs).
const maxUnknowns = 14

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func containsT[T comparable](s []T, x T) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// reviewOf names the hand-written parts behind unknown keys.
func reviewOf(keys []string) []string {
	var out []string
	for _, k := range keys {
		name, _, _ := strings.Cut(k, ".")
		name, _, _ = strings.Cut(name, "(")
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
