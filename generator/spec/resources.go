package spec

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

type dur = time.Duration

const (
	timeSecond = time.Second
	timeMinute = time.Minute
	timeHour   = time.Hour
	timeDay    = 24 * time.Hour
)

var parseDuration = time.ParseDuration

var (
	fieldTypes  = []string{string(plan.String), string(plan.Text), string(plan.Int), string(plan.Float), string(plan.Bool), string(plan.DateTime), string(plan.User)}
	actionNames = []string{string(plan.List), string(plan.Create), string(plan.Retrieve), string(plan.Update), string(plan.PartialUpdate), string(plan.Destroy)}
)

// validFor says which field types each constraint applies to.
var validFor = map[string][]plan.FieldType{
	"min_length": {plan.String, plan.Text},
	"max_length": {plan.String, plan.Text},
	"min":        {plan.Int, plan.Float},
	"max":        {plan.Int, plan.Float},
	"choices":    {plan.String, plan.Text, plan.Int, plan.Float},
	"default":    {plan.String, plan.Text, plan.Int, plan.Float, plan.Bool, plan.DateTime},
	"owner":      {plan.User},
	"auto":       {plan.DateTime},
}

var actionRoute = map[plan.Action]struct {
	method string
	detail bool
}{
	plan.List:          {"GET", false},
	plan.Create:        {"POST", false},
	plan.Retrieve:      {"GET", true},
	plan.Update:        {"PUT", true},
	plan.PartialUpdate: {"PATCH", true},
	plan.Destroy:       {"DELETE", true},
}

func (l *loader) resources(n *yaml.Node) {
	_, list, ok := l.mapping(n, "resources", nil)
	if !ok {
		return
	}
	models := map[string]string{}
	tables := map[string]string{}
	for _, e := range list {
		r := l.resource(e.Key, e.Val)
		if r == nil {
			continue
		}
		if prev, dup := models[r.Model]; dup {
			l.errAt(keyNode(e.Val, "model"), "set model: to a different name", "model %s of resource %q is already the model of %q", r.Model, r.Name, prev)
		}
		models[r.Model] = r.Name
		if r.Table != "" {
			l.reservedTable(r, e.Key, e.Val)
			if prev, dup := tables[r.Table]; dup {
				l.errAt(keyNode(e.Val, "table"), "set table: to a different name", "table %s of resource %q is already the table of %q", r.Table, r.Name, prev)
			}
			tables[r.Table] = r.Name
		}
		l.svc.Resources = append(l.svc.Resources, r)
	}
}

// reservedTable refuses a resource table that starts with a prefix
// reserved for the runtime's own tables or the database's system tables.
// The table is the explicit table: or, without one, the resource's name.
func (l *loader) reservedTable(r *plan.Resource, k, v *yaml.Node) {
	p := schema.ReservedPrefix(r.Table)
	if p == "" {
		return
	}
	reserved := strings.Join(schema.ReservedPrefixes, ", ")
	if n := keyNodeOr(v, "table", nil); n != nil {
		l.errAt(n, "set table: to another name", "table %s of resource %q starts with %s, a prefix reserved for Ward's and the database's own tables (reserved: %s)", r.Table, r.Name, p, reserved)
		return
	}
	l.errAt(k, "rename the resource, or set table: to another name", "table %s of resource %q (its name) starts with %s, a prefix reserved for Ward's and the database's own tables (reserved: %s)", r.Table, r.Name, p, reserved)
}

func keyNodeOr(n *yaml.Node, key string, fallback *yaml.Node) *yaml.Node {
	k := keyNode(n, key)
	if k == n {
		return fallback
	}
	// point at the value
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] == k {
			return n.Content[i+1]
		}
	}
	return k
}

func joinActions(as []plan.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func hasDetail(as []plan.Action) bool {
	for _, a := range as {
		if actionRoute[a].detail {
			return true
		}
	}
	return false
}

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
// no object to deny on create. A check: go class is assumed to pass: the
// spec cannot prove what hand-written code does.
func anonymousMayPass(e plan.Expr, detail bool) bool {
	switch e := e.(type) {
	case *plan.Ref:
		if !e.Builtin {
			return !(detail && e.Class != nil && e.Class.Kind == plan.ClassRule)
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
	if sc.Kind != plan.RuleOwner && sc.Kind != plan.RuleField {
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
