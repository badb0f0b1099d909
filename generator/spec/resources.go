package spec

import (
	"fmt"
	"math"
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

func (l *loader) resource(k, v *yaml.Node) *plan.Resource {
	name := k.Value
	if !reLowerIdent.MatchString(name) || contains(goKeywords, name) {
		l.errAt(k, "use lower-case letters, digits and _, e.g. posts", "resource name %q is not a valid identifier", name)
		return nil
	}
	what := fmt.Sprintf("resource %q", name)
	before := len(l.errs)
	m, _, ok := l.mapping(v, what, knownKeys["resources/*"])
	if !ok {
		return nil
	}
	// With an unknown key (a misspelt "permissions", say) the checks
	// below would report what the writer did not mean.
	good := len(l.errs) == before
	r := &plan.Resource{Name: name, Path: "/" + name, Table: name, PageSize: 20}
	r.Model = goName(singular(name))

	if s, ok := m["source"]; ok {
		if src, ok := l.str(s, "source"); ok {
			if src != "users" {
				l.errAt(s, "write source: users, or remove source and declare fields", "unknown source %q", src)
				good = false
			} else {
				r.Source = "users"
				r.Table = ""
				r.Model = "User"
				for _, key := range []string{"fields", "table"} {
					if _, has := m[key]; has {
						l.errAt(keyNode(v, key), "remove it: a users view has the fields id, username and is_staff", "%s: a resource with source: users cannot set %s", what, key)
						good = false
					}
				}
			}
		}
	}
	if p, ok := m["path"]; ok {
		if s, ok := l.checkPath(p, what+" path"); ok {
			r.Path = s
		} else {
			good = false
		}
	}
	if mv, ok := m["model"]; ok {
		if s, ok := l.str(mv, "model"); ok {
			if !reExported.MatchString(s) {
				l.errAt(mv, fmt.Sprintf("write an exported Go type name such as %s", goName(singular(name))), "model %q is not an exported Go identifier", s)
				good = false
			} else {
				r.Model = s
			}
		}
	}
	if tv, ok := m["table"]; ok && r.Source == "" {
		if s, ok := l.str(tv, "table"); ok {
			if !reSQLIdent.MatchString(s) || len(s) > 63 {
				l.errAt(tv, "use lower-case letters, digits and _", "table %q is not a valid SQL name", s)
				good = false
			} else {
				r.Table = s
			}
		}
	}

	// fields
	if r.Source == "users" {
		r.Fields = []*plan.Field{
			{Name: "username", GoName: "Username", Column: "username", Type: plan.String, ReadOnly: true},
			{Name: "is_staff", GoName: "IsStaff", Column: "is_staff", Type: plan.Bool, ReadOnly: true},
		}
	} else if fv, ok := m["fields"]; ok {
		r.Fields = l.fields(fv, r)
	} else {
		l.errAt(k, "add fields, e.g. fields: {title: {type: string}}", "%s has no fields", what)
		good = false
	}
	if r.Fields == nil {
		r.Fields = []*plan.Field{}
	}
	for _, f := range r.Fields {
		if f.Owner {
			r.Owner = f
		}
	}

	// actions
	actions := plan.Actions
	if r.Source == "users" {
		actions = []plan.Action{plan.List, plan.Retrieve}
	}
	var actionNodes = map[plan.Action]*yaml.Node{}
	if av, ok := m["actions"]; ok {
		names, nodes, ok := l.strList(av, what+" actions")
		if ok {
			actions = nil
			for i, s := range names {
				a := plan.Action(s)
				switch {
				case !contains(actionNames, s):
					hint := "expected one of: " + strings.Join(actionNames, ", ")
					if near := nearest(s, actionNames); near != "" {
						hint = fmt.Sprintf("did you mean %q?", near)
					}
					l.errAt(nodes[i], hint, "unknown action %q", s)
					good = false
				case contains(actions, a):
					l.errAt(nodes[i], "list each action once", "action %q is listed twice", s)
					good = false
				case r.Source == "users" && a != plan.List && a != plan.Retrieve:
					l.errAt(nodes[i], "keep list and retrieve only", "%s is read-only: action %q is not available", what, s)
					good = false
				default:
					actions = append(actions, a)
					actionNodes[a] = nodes[i]
				}
			}
			if len(names) == 0 {
				l.errAt(av, "list at least one action, e.g. [list, retrieve]", "%s has no actions", what)
				good = false
			}
		} else {
			good = false
		}
	}
	// canonical order
	var ordered []plan.Action
	for _, a := range plan.Actions {
		if contains(actions, a) {
			ordered = append(ordered, a)
		}
	}
	actions = ordered

	// routes
	if good {
		at := keyNodeOr(v, "path", k)
		l.pending = append(l.pending, pendingRoute{at, r.Path, what})
		if hasDetail(actions) {
			l.pending = append(l.pending, pendingRoute{at, r.Path + "/{id}", what})
		}
	}

	// authentication
	r.Auth = l.svc.Auth.Default
	if av, ok := m["authentication"]; ok {
		if list, ok := l.authList(av, what+" authentication"); ok {
			r.Auth = list
			for _, c := range list {
				l.authUsed[c] = true
			}
		} else {
			good = false
		}
	}

	// permissions
	uses := map[string]*yaml.Node{}
	permNode := k
	r.Permission = l.svc.Default
	if pv, ok := m["permissions"]; ok {
		permNode = pv
		if e, ok := l.expression(pv, uses); ok {
			r.Permission = e
		} else {
			good = false
		}
	}
	overrides := map[plan.Action]plan.Expr{}
	overrideNodes := map[plan.Action]*yaml.Node{}
	if ov, ok := m["action_permissions"]; ok {
		_, list, ok := l.mapping(ov, what+" action_permissions", nil)
		if ok {
			for _, e := range list {
				a := plan.Action(e.Key.Value)
				if !contains(actions, a) {
					hint := "use one of the resource's actions: " + joinActions(actions)
					if !contains(actionNames, e.Key.Value) {
						if near := nearest(e.Key.Value, actionNames); near != "" {
							hint = fmt.Sprintf("did you mean %q?", near)
						}
						l.errAt(e.Key, hint, "unknown action %q in action_permissions", e.Key.Value)
					} else {
						l.errAt(e.Key, hint, "action_permissions names %q, which %s does not have", e.Key.Value, what)
					}
					good = false
					continue
				}
				if x, ok := l.expression(e.Val, uses); ok {
					overrides[a] = x
					overrideNodes[a] = e.Val
				} else {
					good = false
				}
			}
		} else {
			good = false
		}
	}

	if pv, ok := m["page_size"]; ok {
		if n, ok := l.integer(pv, "page_size", 1, 1000); ok {
			r.PageSize = int(n)
		}
	}
	r.Ordering = l.ordering(m["ordering"], r)
	if tv, ok := m["throttles"]; ok {
		names, nodes, _ := l.strList(tv, what+" throttles")
		r.Throttles = []string{}
		listed := map[string]bool{}
		for i, s := range names {
			switch {
			case s == "anon" || s == "user" || s == "login":
				l.errAt(nodes[i], "remove it: the "+s+" rate applies on its own", "throttle %q cannot be listed on a resource", s)
			case !l.scopeNames[s]:
				hint := "declare it under throttles.rates, e.g. " + s + ": 20/second"
				if near := nearest(s, sortedKeys(l.scopeNames)); near != "" {
					hint = fmt.Sprintf("did you mean %q?", near)
				}
				l.errAt(nodes[i], hint, "unknown throttle scope %q", s)
			case listed[s]:
				l.errAt(nodes[i], "list it once", "throttle scope %q is listed twice", s)
			default:
				listed[s] = true
				r.Throttles = append(r.Throttles, s)
			}
		}
	}
	if r.Throttles == nil {
		r.Throttles = []string{}
	}
	if pv, ok := m["public"]; ok {
		r.Public, _ = l.boolean(pv, "public")
	}
	anonWrites := false
	if pv, ok := m["allow_anonymous_writes"]; ok {
		anonWrites, _ = l.boolean(pv, "allow_anonymous_writes")
	}

	if !good {
		return r
	}

	// endpoints
	for _, a := range actions {
		rt := actionRoute[a]
		p := r.Permission
		if x, ok := overrides[a]; ok {
			p = x
		}
		r.Endpoints = append(r.Endpoints, &plan.Endpoint{Action: a, Method: rt.method, Detail: rt.detail, Auth: append([]plan.AuthClass{}, r.Auth...), Permission: p})
	}
	if r.Endpoints == nil {
		r.Endpoints = []*plan.Endpoint{}
	}
	exprNode := func(a plan.Action) *yaml.Node {
		if n, ok := overrideNodes[a]; ok {
			return n
		}
		return permNode
	}

	// Classes' rules and scopes must name fields this resource has,
	// whether the expression is the resource's own or inherited.
	used := map[string]*yaml.Node{}
	for _, ep := range r.Endpoints {
		for _, c := range customClasses(ep.Permission, nil) {
			if _, seen := used[c.Name]; !seen {
				used[c.Name] = exprNode(ep.Action)
			}
		}
	}
	for _, cname := range sortedKeys(used) {
		l.checkClassFields(l.classes[cname], r, used[cname])
	}

	// Without an authentication class every caller is anonymous: only
	// AllowAny can mean anything.
	if len(r.Auth) == 0 {
		for _, ep := range r.Endpoints {
			if ref, ok := ep.Permission.(*plan.Ref); !ok || ref.Name != plan.AllowAny {
				l.errAt(exprNode(ep.Action), "list authentication classes under authentication.default (e.g. [jwt]) or in the resource's authentication", "%s: %s checks callers, but no authentication class can identify one", what, ep.Action)
				break
			}
		}
	}

	// OWASP API1 (BOLA): every detail route needs an object rule, unless
	// acknowledged public.
	if !r.Public {
		for _, ep := range r.Endpoints {
			if ep.Detail && !objectProtected(ep.Permission, ep.Method == "GET") {
				hint := "add a class with an object rule (e.g. IsOwner with rule: {owner: owner}) to the expression, or set public: true"
				if r.Source == "users" {
					hint = "require IsAdminUser, or set public: true to show every user to whoever passes the check"
				}
				if c := readAllClass(ep.Permission); c != "" && ep.Method == "GET" {
					hint = fmt.Sprintf("%s has read_scope: all, so a list shows every object whatever its object check says; give it a narrower read_scope such as {owner: FIELD} or {func: GoFunc}, or set public: true", c)
				}
				l.errAt(exprNode(ep.Action), hint, "%s: %s lets every caller who passes the request check reach every object", what, ep.Action)
				break
			}
		}
	}
	// Anonymous writes must be acknowledged.
	if !anonWrites {
		var open []string
		var at *yaml.Node
		for _, ep := range r.Endpoints {
			if ep.Method != "GET" && anonymousMayPass(ep.Permission, ep.Detail) {
				open = append(open, string(ep.Action))
				if at == nil {
					at = exprNode(ep.Action)
				}
			}
		}
		if len(open) > 0 {
			l.errAt(at, "require a user (e.g. IsAuthenticated & ...), or set allow_anonymous_writes: true", "%s: anonymous callers pass the permission check of %s", what, strings.Join(open, ", "))
		}
	}

	r.ReadScope = l.readScopeOf(r)
	return r
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

// ---- fields ----

func (l *loader) fields(n *yaml.Node, r *plan.Resource) []*plan.Field {
	_, list, ok := l.mapping(n, fmt.Sprintf("fields of %q", r.Name), nil)
	if !ok {
		return nil
	}
	if len(list) == 0 {
		l.errAt(n, "declare at least one field", "resource %q has no fields", r.Name)
	}
	out := []*plan.Field{}
	columns := map[string]string{"id": "id"}
	var owner *yaml.Node
	for _, e := range list {
		f := l.field(e.Key, e.Val, r.Name)
		if f == nil {
			continue
		}
		if prev, dup := columns[f.Column]; dup {
			l.errAt(e.Key, "rename one of them", "field %q uses column %s, already used by %q", f.Name, f.Column, prev)
			continue
		}
		columns[f.Column] = f.Name
		if f.Owner {
			if owner != nil {
				l.errAt(e.Key, "keep one owner field", "resource %q has a second owner field (the first is at line %d)", r.Name, owner.Line)
				continue
			}
			owner = e.Key
		}
		out = append(out, f)
	}
	return out
}

func (l *loader) field(k, v *yaml.Node, res string) *plan.Field {
	name := k.Value
	switch {
	case name == "id":
		l.errAt(k, "remove it: every resource has an integer id", "field id is implicit")
		return nil
	case !reLowerIdent.MatchString(name) || len(name) > 63:
		l.errAt(k, "use snake_case: lower-case letters, digits and _", "field name %q is not valid", name)
		return nil
	}
	what := fmt.Sprintf("field %q", name)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
		// shorthand: "title: string"
		v = &yaml.Node{Kind: yaml.MappingNode, Line: v.Line, Column: v.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type", Line: v.Line, Column: v.Column}, v,
		}}
	}
	m, list, ok := l.mapping(v, what, knownKeys["resources/*/fields/*"])
	if !ok {
		return nil
	}
	tv, ok := m["type"]
	if !ok {
		l.errAt(k, "add type: string, text, int, float, bool, datetime or user", "%s has no type", what)
		return nil
	}
	ts, ok := l.str(tv, "type")
	if !ok {
		return nil
	}
	if !contains(fieldTypes, ts) {
		hint := "expected one of: " + strings.Join(fieldTypes, ", ")
		if near := nearest(ts, fieldTypes); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		l.errAt(tv, hint, "unknown field type %q", ts)
		return nil
	}
	t := plan.FieldType(ts)
	f := &plan.Field{Name: name, GoName: goName(name), Column: name, Type: t}
	if t == plan.User {
		f.Column = name + "_id"
	}
	good := true
	for _, e := range list {
		key := e.Key.Value
		if allowed, ok := validFor[key]; ok && !contains(allowed, t) {
			l.errAt(e.Key, fmt.Sprintf("remove it; %s applies to %s fields", key, typeList(allowed)), "%s is not valid for %s fields", key, t)
			good = false
			delete(m, key)
		}
	}
	flag := func(key string) bool {
		if x, ok := m[key]; ok {
			b, ok := l.boolean(x, key)
			if !ok {
				good = false
			}
			return b
		}
		return false
	}
	f.Required = flag("required")
	f.ReadOnly = flag("read_only")
	f.Owner = flag("owner")
	if x, ok := m["auto"]; ok {
		var s string
		l.enum(x, "auto", []string{"created", "updated"}, &s)
		if s == "" {
			good = false
		}
		f.Auto = s
	}
	length := func(key string) *int {
		x, ok := m[key]
		if !ok {
			return nil
		}
		n, ok := l.integer(x, key, 0, 1<<30)
		if !ok {
			good = false
			return nil
		}
		i := int(n)
		return &i
	}
	f.MinLength, f.MaxLength = length("min_length"), length("max_length")
	if f.MinLength != nil && f.MaxLength != nil && *f.MinLength > *f.MaxLength {
		l.errAt(m["max_length"], "make max_length at least min_length", "max_length %d is less than min_length %d", *f.MaxLength, *f.MinLength)
		good = false
	}
	bound := func(key string) *float64 {
		x, ok := m[key]
		if !ok {
			return nil
		}
		if t == plan.Int {
			n, ok := l.integer(x, key, math.MinInt64, math.MaxInt64)
			if !ok {
				good = false
				return nil
			}
			fv := float64(n)
			return &fv
		}
		n, ok := l.number(x, key)
		if !ok {
			good = false
			return nil
		}
		return &n
	}
	f.Min, f.Max = bound("min"), bound("max")
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		l.errAt(m["max"], "make max at least min", "max %v is less than min %v", *f.Max, *f.Min)
		good = false
	}
	if x, ok := m["choices"]; ok {
		if x.Kind != yaml.SequenceNode || len(x.Content) == 0 {
			l.errAt(x, "write a non-empty list such as [draft, published]", "choices must be a non-empty list")
			good = false
		} else {
			f.Choices = []any{}
			seen := map[any]bool{}
			for _, c := range x.Content {
				val, ok := l.typedValue(c, t, "each choice")
				if !ok {
					good = false
					continue
				}
				if seen[val] {
					l.errAt(c, "list each choice once", "duplicate choice %v", val)
					good = false
					continue
				}
				if !l.inConstraints(c, f, val, false) {
					good = false
					continue
				}
				seen[val] = true
				f.Choices = append(f.Choices, val)
			}
		}
	}
	if x, ok := m["default"]; ok {
		if x.Kind == yaml.ScalarNode && x.Tag == "!!null" {
			l.errAt(x, "remove default: a non-required field without default is already nullable", "default must not be null")
			good = false
		} else if val, ok := l.typedValue(x, t, "default"); ok {
			if l.inConstraints(x, f, val, true) {
				f.Default = val
			} else {
				good = false
			}
		} else {
			good = false
		}
	}
	// conflicts
	conflict := func(a, b string) {
		if _, ok := m[a]; !ok {
			return
		}
		if _, ok := m[b]; !ok {
			return
		}
		l.errAt(keyNode(v, b), "remove one of them", "%s cannot be both %s and %s", what, strings.TrimSuffix(a, ": true"), b)
		good = false
	}
	if f.Required {
		if f.Default != nil {
			conflict("required", "default")
		}
		if f.ReadOnly {
			conflict("required", "read_only")
		}
		if f.Owner {
			conflict("required", "owner")
		}
		if f.Auto != "" {
			conflict("required", "auto")
		}
	}
	if (f.Owner || f.Auto != "") && f.Default != nil {
		conflict(map[bool]string{true: "owner", false: "auto"}[f.Owner], "default")
	}
	if f.Owner || f.Auto != "" {
		f.ReadOnly = true
	}
	f.Nullable = !f.Required && f.Default == nil && !f.Owner && f.Auto == ""
	if !good {
		return nil
	}
	return f
}

func typeList(ts []plan.FieldType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func containsAny(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// typedValue decodes a scalar as a value of field type t: string for
// string/text, int64, float64, bool, or time.Time for datetime.
func (l *loader) typedValue(n *yaml.Node, t plan.FieldType, what string) (any, bool) {
	switch t {
	case plan.String, plan.Text:
		s, ok := l.str(n, what)
		return s, ok
	case plan.Int:
		i, ok := l.integer(n, what, math.MinInt64, math.MaxInt64)
		return i, ok
	case plan.Float:
		f, ok := l.number(n, what)
		return f, ok
	case plan.Bool:
		b, ok := l.boolean(n, what)
		return b, ok
	case plan.DateTime:
		s, ok := l.str(n, what)
		if !ok {
			return nil, false
		}
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			l.errAt(n, "write an RFC 3339 time such as 2024-01-02T15:04:05Z", "%s %q is not an RFC 3339 time", what, s)
			return nil, false
		}
		return tm.UTC(), true
	}
	l.errAt(n, "", "%s is not valid for %s fields", what, t)
	return nil, false
}

// inConstraints checks a choice or default against the field's length,
// range and (for defaults) choices.
func (l *loader) inConstraints(n *yaml.Node, f *plan.Field, v any, isDefault bool) bool {
	what := "choice"
	if isDefault {
		what = "default"
	}
	switch x := v.(type) {
	case string:
		c := len([]rune(x))
		if (f.MinLength != nil && c < *f.MinLength) || (f.MaxLength != nil && c > *f.MaxLength) {
			l.errAt(n, "fit it within min_length and max_length", "%s %q has %d characters, outside the field's length limits", what, x, c)
			return false
		}
	case int64:
		if (f.Min != nil && float64(x) < *f.Min) || (f.Max != nil && float64(x) > *f.Max) {
			l.errAt(n, "fit it within min and max", "%s %d is outside the field's range", what, x)
			return false
		}
	case float64:
		if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) {
			l.errAt(n, "fit it within min and max", "%s %v is outside the field's range", what, x)
			return false
		}
	}
	if isDefault && f.Choices != nil && !containsAny(f.Choices, v) {
		l.errAt(n, "use one of the choices", "default %v is not one of the choices", v)
		return false
	}
	return true
}

// ---- ordering ----

func (l *loader) ordering(n *yaml.Node, r *plan.Resource) []plan.Order {
	out := []plan.Order{}
	hasID := false
	if n != nil {
		list, nodes, _ := l.strList(n, "ordering")
		seen := map[string]bool{}
		names := map[string]bool{}
		var fieldNames []string
		for _, f := range r.Fields {
			names[f.Name] = true
			fieldNames = append(fieldNames, f.Name)
		}
		for i, s := range list {
			o := plan.Order{Field: strings.TrimPrefix(s, "-"), Desc: strings.HasPrefix(s, "-")}
			known := o.Field == "id" || names[o.Field]
			switch {
			case !known:
				hint := "use id or a field of the resource"
				if near := nearest(o.Field, append(fieldNames, "id")); near != "" {
					hint = fmt.Sprintf("did you mean %q?", near)
				}
				l.errAt(nodes[i], hint, "ordering names unknown field %q", o.Field)
				continue
			case seen[o.Field]:
				l.errAt(nodes[i], "list each field once", "ordering names %q twice", o.Field)
				continue
			}
			seen[o.Field] = true
			hasID = hasID || o.Field == "id"
			out = append(out, o)
		}
	}
	if !hasID {
		out = append(out, plan.Order{Field: "id"})
	}
	return out
}
