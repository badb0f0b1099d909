package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wardhq/ward/generator/plan"
)

// Atom is one fact about an object that a rule or a read scope looks at:
// its field is the caller (owner), equals one of the caller's attributes
// (field), or equals a constant (value).
type Atom struct {
	Kind     plan.RuleKind `json:"kind"`
	Field    string        `json:"field"`
	UserAttr string        `json:"equals,omitempty"`
	Value    any           `json:"value,omitempty"`
	// Parent names the parent resource when the atom is about the parent
	// object of a nested route (found through the parent's read scope).
	Parent string `json:"parent,omitempty"`
}

// slot is where the synthetic object holds the atom's field: its name,
// or ^name for the parent's.
func (a Atom) slot() string {
	if a.Parent != "" {
		return "^" + a.Field
	}
	return a.Field
}

// Relative says whether the atom is about the caller's relation to the
// object (owner, field) rather than the object alone (value).
func (a Atom) Relative() bool { return a.Kind != plan.RuleValue }

// Key names the atom, stably across specs.
func (a Atom) Key() string {
	if a.Parent != "" {
		b := a
		b.Parent = ""
		return a.Parent + ":" + b.Key()
	}
	switch a.Kind {
	case plan.RuleOwner:
		return "owner(" + a.Field + ")"
	case plan.RuleField:
		return "field(" + a.Field + "=" + a.UserAttr + ")"
	}
	return fmt.Sprintf("value(%s=%s)", a.Field, constText(a.Value))
}

// Text says the atom in words, holding or not.
func (a Atom) Text(holds bool) string {
	if a.Parent != "" {
		b := a
		b.Parent = ""
		return "the parent's " + b.Text(holds)
	}
	switch a.Kind {
	case plan.RuleOwner:
		if holds {
			return a.Field + " is the caller"
		}
		return a.Field + " is another user"
	case plan.RuleField:
		if holds {
			return a.Field + " = the caller's " + a.UserAttr
		}
		return a.Field + " ≠ the caller's " + a.UserAttr
	}
	if holds {
		return a.Field + " = " + constText(a.Value)
	}
	return a.Field + " ≠ " + constText(a.Value)
}

func constText(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// atomOf is the atom a rule or read scope looks at, if any.
func atomOf(s *plan.ReadScope) (Atom, bool) {
	if s == nil {
		return Atom{}, false
	}
	switch s.Kind {
	case plan.RuleOwner, plan.RuleField, plan.RuleValue:
		return Atom{Kind: s.Kind, Field: s.Field, UserAttr: s.UserAttr, Value: s.Value}, true
	}
	return Atom{}, false
}

// classesIn appends the custom classes e names, each once.
func classesIn(e plan.Expr, out []*plan.Class) []*plan.Class {
	switch e := e.(type) {
	case *plan.Ref:
		if !e.Builtin && e.Class != nil {
			for _, c := range out {
				if c == e.Class || c.Name == e.Class.Name {
					return out
				}
			}
			out = append(out, e.Class)
		}
	case *plan.And:
		out = classesIn(e.R, classesIn(e.L, out))
	case *plan.Or:
		out = classesIn(e.R, classesIn(e.L, out))
	case *plan.Not:
		out = classesIn(e.X, out)
	}
	return out
}

// exprsOf lists every expression r's handlers evaluate: the resource's,
// each endpoint's, the guards of the read scope and the field rules.
func exprsOf(r *plan.Resource) []plan.Expr {
	out := []plan.Expr{r.Permission}
	for _, ep := range r.Endpoints {
		out = append(out, ep.Permission)
	}
	out = append(out, scopeExprs(r.ReadScope, nil)...)
	for _, f := range r.Fields {
		if f.Read != nil {
			out = append(out, f.Read)
		}
		if f.Write != nil {
			out = append(out, f.Write)
		}
	}
	return out
}

// scopeExprs lists the guards and classes of a read scope as expressions.
func scopeExprs(s plan.ScopeExpr, out []plan.Expr) []plan.Expr {
	switch s := s.(type) {
	case *plan.ScopeClass:
		out = append(out, s.Ref)
	case *plan.ScopeAnd:
		out = scopeExprs(s.R, scopeExprs(s.L, out))
	case *plan.ScopeOr:
		out = append(out, s.LGuard, s.RGuard)
		out = scopeExprs(s.R, scopeExprs(s.L, out))
	}
	return out
}

// classesOf lists the custom classes r uses, sorted by name.
func classesOf(r *plan.Resource) []*plan.Class {
	var cs []*plan.Class
	for _, e := range exprsOf(r) {
		cs = classesIn(e, cs)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// atomsOf lists the atoms of r's classes' rules and read scopes, sorted by
// key, each once.
func atomsOf(r *plan.Resource) []Atom {
	var out []Atom
	for _, c := range classesOf(r) {
		if a, ok := atomOf(c.Scope); ok {
			out = addAtom(out, a)
		}
	}
	return out
}

func addAtom(out []Atom, a Atom) []Atom {
	for _, x := range out {
		if x.Key() == a.Key() {
			return out
		}
	}
	out = append(out, a)
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// usesModelPerms says whether r's expressions name DjangoModelPermissions.
func usesModelPerms(r *plan.Resource) bool {
	for _, e := range exprsOf(r) {
		if names(e, plan.DjangoModelPermissions) {
			return true
		}
	}
	return false
}

func names(e plan.Expr, builtin string) bool {
	switch e := e.(type) {
	case *plan.Ref:
		return e.Builtin && e.Name == builtin
	case *plan.And:
		return names(e.L, builtin) || names(e.R, builtin)
	case *plan.Or:
		return names(e.L, builtin) || names(e.R, builtin)
	case *plan.Not:
		return names(e.X, builtin)
	}
	return false
}

// Caller is a kind of caller.
type Caller struct {
	// Name is stable across specs: "anonymous", "authenticated",
	// "owner(customer)", "field(author=username)", "staff",
	// "perm:orders.change".
	Name string `json:"name"`
	// Text says who it is.
	Text  string `json:"text"`
	auth  bool
	staff bool
	perm  string // the model permission held
	// subject is the index in the resource's atoms of the relation the
	// caller has to the objects (-1: none: "another user's object").
	subject int
}

// universe is what a resource is evaluated over: its atoms and whether
// model permissions are callers. Diff evaluates both specs over the union
// of theirs, so that every caller and object of either is compared.
type universe struct {
	atoms      []Atom
	modelPerms bool
}

func universeOf(svc *plan.Service, r *plan.Resource) universe {
	u := universe{atoms: atomsOf(r), modelPerms: usesModelPerms(r)}
	if p := parentOf(svc, r); p != nil {
		var cs []*plan.Class
		for _, e := range scopeExprs(p.ReadScope, nil) {
			cs = classesIn(e, cs)
		}
		for _, c := range cs {
			if a, ok := atomOf(c.Scope); ok {
				a.Parent = p.Name
				u.atoms = addAtom(u.atoms, a)
			}
		}
	}
	return u
}

// parentOf is the resource r's routes are nested under, or nil.
func parentOf(svc *plan.Service, r *plan.Resource) *plan.Resource {
	if r.Parent == nil {
		return nil
	}
	for _, p := range svc.Resources {
		if p.Name == r.Parent.Resource {
			return p
		}
	}
	return nil
}

func (u universe) union(o universe) universe {
	out := universe{atoms: append([]Atom{}, u.atoms...), modelPerms: u.modelPerms || o.modelPerms}
	for _, a := range o.atoms {
		out.atoms = addAtom(out.atoms, a)
	}
	return out
}

// callers lists the kinds of caller of a resource named res over u.
func (u universe) callers(res string) []Caller {
	out := []Caller{
		{Name: "anonymous", Text: "no credentials", subject: -1},
		{Name: "authenticated", Text: "a user with no relation to the object, not staff, no model permission", auth: true, subject: -1},
	}
	for i, a := range u.atoms {
		if a.Relative() {
			out = append(out, Caller{Name: a.Key(), Text: "a user for whom " + a.Text(true), auth: true, subject: i})
		}
	}
	out = append(out, Caller{Name: "staff", Text: "a staff user (is_staff), no model permission, no relation to the object", auth: true, staff: true, subject: -1})
	if u.modelPerms {
		for _, code := range []string{"view", "add", "change", "delete"} {
			p := res + "." + code
			out = append(out, Caller{Name: "perm:" + p, Text: "a user holding the model permission " + p + " only", auth: true, perm: p, subject: -1})
		}
	}
	return out
}

// FindCaller finds a caller of r by name: its full name, or "owner" (and
// "field") for the first such subject.
func (r *Resource) FindCaller(name string) (Caller, bool) {
	for _, c := range r.Callers {
		if c.Name == name {
			return c, true
		}
	}
	for _, c := range r.Callers {
		if strings.HasPrefix(c.Name, name+"(") {
			return c, true
		}
	}
	return Caller{}, false
}
