package spec

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

var actionNames = []string{string(plan.List), string(plan.Create), string(plan.Retrieve), string(plan.Update), string(plan.PartialUpdate), string(plan.Destroy)}

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
	l.resourceKeys = map[string]bool{}
	for _, e := range list {
		l.resourceKeys[e.Key.Value] = true
	}
	for _, e := range list {
		l.resourceKeys[e.Key.Value] = false // from here on, declared before
		l.refs = nil
		r := l.resource(e.Key, e.Val)
		if r == nil {
			continue
		}
		l.refTargets(r)
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

// resourceLoad is one resource while it loads: its decoded keys, the plan
// it resolves into and what the later checks need.
type resourceLoad struct {
	k, v *yaml.Node // the resource's name and mapping
	d    resourceDoc
	what string // "resource \"posts\"", for messages
	r    *plan.Resource
	// good is false once an error makes the checks of the whole resource
	// (routes, endpoints, object rules) report what the writer did not mean.
	good bool

	actions       []plan.Action
	permNode      *yaml.Node // where the resource's permission is written
	overrides     map[plan.Action]plan.Expr
	overrideNodes map[plan.Action]*yaml.Node
	anonWrites    bool
	extras        []extraLoad // extra actions, in spec order
}

func (l *loader) resource(k, v *yaml.Node) *plan.Resource {
	name := k.Value
	if !reLowerIdent.MatchString(name) || contains(goKeywords, name) {
		l.errAt(k, "use lower-case letters, digits and _, e.g. posts", "resource name %q is not a valid identifier", name)
		return nil
	}
	rl := &resourceLoad{k: k, v: v, what: fmt.Sprintf("resource %q", name),
		overrides: map[plan.Action]plan.Expr{}, overrideNodes: map[plan.Action]*yaml.Node{}}
	before := len(l.errs)
	if !l.decode(v, rl.what, &rl.d) {
		return nil
	}
	// With an unknown key (a misspelt "permissions", say) the checks
	// below would report what the writer did not mean.
	rl.good = len(l.errs) == before
	rl.r = &plan.Resource{Name: name, Path: "/" + name, Table: name, PageSize: 20, Model: goName(singular(name))}

	l.resourceSource(rl)
	l.resourceNames(rl)
	l.resourceFields(rl)
	l.parent(rl)
	l.resourceActions(rl)
	l.extraActions(rl)
	l.resourceRoutes(rl)
	l.resourceAuth(rl)
	l.resourcePermissions(rl)
	l.actionPermissions(rl)
	l.resourceOptions(rl)
	if !rl.good {
		return rl.r
	}
	l.endpoints(rl)
	l.checkResource(rl)
	rl.r.ReadScope = l.readScopeOf(rl.r)
	return rl.r
}

// resourceSource reads source: users, a read-only view of the users.
func (l *loader) resourceSource(rl *resourceLoad) {
	s := rl.d.Source
	if s == nil {
		return
	}
	src, ok := l.str(s, "source")
	if !ok {
		return
	}
	if src != "users" {
		l.errAt(s, "write source: users, or remove source and declare fields", "unknown source %q", src)
		rl.good = false
		return
	}
	r := rl.r
	r.Source, r.Table, r.Model = "users", "", "User"
	for _, key := range []string{"fields", "table"} {
		if *docNode(&rl.d, key) != nil {
			l.errAt(keyNode(rl.v, key), "remove it: a users view has the fields id, username and is_staff", "%s: a resource with source: users cannot set %s", rl.what, key)
			rl.good = false
		}
	}
}

// resourceNames reads the path, model and table.
func (l *loader) resourceNames(rl *resourceLoad) {
	r, d := rl.r, &rl.d
	if d.Path != nil {
		if s, ok := l.checkPath(d.Path, rl.what+" path"); ok {
			r.Path = s
		} else {
			rl.good = false
		}
	}
	if mv := d.Model; mv != nil {
		if s, ok := l.str(mv, "model"); ok {
			if !reExported.MatchString(s) {
				l.errAt(mv, fmt.Sprintf("write an exported Go type name such as %s", goName(singular(r.Name))), "model %q is not an exported Go identifier", s)
				rl.good = false
			} else {
				r.Model = s
			}
		}
	}
	if tv := d.Table; tv != nil && r.Source == "" {
		if s, ok := l.str(tv, "table"); ok {
			if !reSQLIdent.MatchString(s) || len(s) > 63 {
				l.errAt(tv, "use lower-case letters, digits and _", "table %q is not a valid SQL name", s)
				rl.good = false
			} else {
				r.Table = s
			}
		}
	}
}

func (l *loader) resourceFields(rl *resourceLoad) {
	r := rl.r
	switch {
	case r.Source == "users":
		r.Fields = []*plan.Field{
			{Name: "username", GoName: "Username", Column: "username", Type: plan.String, ReadOnly: true},
			{Name: "is_staff", GoName: "IsStaff", Column: "is_staff", Type: plan.Bool, ReadOnly: true},
		}
	case rl.d.Fields != nil:
		r.Fields = l.fields(rl.d.Fields, r)
	default:
		l.errAt(rl.k, "add fields, e.g. fields: {title: {type: string}}", "%s has no fields", rl.what)
		rl.good = false
	}
	if r.Fields == nil {
		r.Fields = []*plan.Field{}
	}
	for _, f := range r.Fields {
		if f.Owner {
			r.Owner = f
		}
	}
}

// resourceActions reads the actions, kept in canonical order.
func (l *loader) resourceActions(rl *resourceLoad) {
	actions := plan.Actions
	if rl.r.Source == "users" {
		actions = []plan.Action{plan.List, plan.Retrieve}
	}
	if av := rl.d.Actions; av != nil {
		names, nodes, ok := l.strList(av, rl.what+" actions")
		if ok {
			actions = l.actionList(rl, names, nodes)
			if len(names) == 0 {
				l.errAt(av, "list at least one action, e.g. [list, retrieve]", "%s has no actions", rl.what)
				rl.good = false
			}
		} else {
			rl.good = false
		}
	}
	for _, a := range plan.Actions {
		if contains(actions, a) {
			rl.actions = append(rl.actions, a)
		}
	}
}

func (l *loader) actionList(rl *resourceLoad, names []string, nodes []*yaml.Node) []plan.Action {
	var actions []plan.Action
	for i, s := range names {
		a := plan.Action(s)
		switch {
		case !contains(actionNames, s):
			hint := "expected one of: " + strings.Join(actionNames, ", ")
			if near := nearest(s, actionNames); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			l.errAt(nodes[i], hint, "unknown action %q", s)
			rl.good = false
		case contains(actions, a):
			l.errAt(nodes[i], "list each action once", "action %q is listed twice", s)
			rl.good = false
		case rl.r.Source == "users" && a != plan.List && a != plan.Retrieve:
			l.errAt(nodes[i], "keep list and retrieve only", "%s is read-only: action %q is not available", rl.what, s)
			rl.good = false
		default:
			actions = append(actions, a)
		}
	}
	return actions
}

// resourceRoutes registers the list and detail routes, checked for
// clashes once the authentication routes are known.
func (l *loader) resourceRoutes(rl *resourceLoad) {
	if !rl.good {
		return
	}
	r := rl.r
	at := keyNodeOr(rl.v, "path", rl.k)
	l.pending = append(l.pending, pendingRoute{at, r.Path, rl.what})
	if hasDetail(rl.actions) {
		l.pending = append(l.pending, pendingRoute{at, r.Path + "/{id}", rl.what})
	}
	l.extraRoutes(rl)
}

func (l *loader) resourceAuth(rl *resourceLoad) {
	rl.r.Auth = l.svc.Auth.Default
	av := rl.d.Authentication
	if av == nil {
		return
	}
	list, ok := l.authList(av, rl.what+" authentication")
	if !ok {
		rl.good = false
		return
	}
	rl.r.Auth = list
	for _, c := range list {
		l.authUsed[c] = true
	}
}

func (l *loader) resourcePermissions(rl *resourceLoad) {
	rl.permNode = rl.k
	rl.r.Permission = l.svc.Default
	pv := rl.d.Permissions
	if pv == nil {
		return
	}
	rl.permNode = pv
	if e, ok := l.expression(pv); ok {
		rl.r.Permission = e
	} else {
		rl.good = false
	}
}

// actionPermissions reads the permissions that replace the resource's
// on some of its actions.
func (l *loader) actionPermissions(rl *resourceLoad) {
	ov := rl.d.ActionPermissions
	if ov == nil {
		return
	}
	_, list, ok := l.mapping(ov, rl.what+" action_permissions", nil)
	if !ok {
		rl.good = false
		return
	}
	for _, e := range list {
		a := plan.Action(e.Key.Value)
		if !contains(rl.actions, a) {
			l.unknownOverride(rl, e.Key)
			rl.good = false
			continue
		}
		if x, ok := l.expression(e.Val); ok {
			rl.overrides[a] = x
			rl.overrideNodes[a] = e.Val
		} else {
			rl.good = false
		}
	}
}

func (l *loader) unknownOverride(rl *resourceLoad, k *yaml.Node) {
	hint := "use one of the resource's actions: " + joinActions(rl.actions)
	if contains(actionNames, k.Value) {
		l.errAt(k, hint, "action_permissions names %q, which %s does not have", k.Value, rl.what)
		return
	}
	if near := nearest(k.Value, actionNames); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	}
	l.errAt(k, hint, "unknown action %q in action_permissions", k.Value)
}

// resourceOptions reads the keys that no later check depends on.
func (l *loader) resourceOptions(rl *resourceLoad) {
	r, d := rl.r, &rl.d
	if d.PageSize != nil {
		if n, ok := l.integer(d.PageSize, "page_size", 1, 1000); ok {
			r.PageSize = int(n)
		}
	}
	r.Ordering = l.ordering(d.Ordering, r)
	l.paging(rl)
	r.Throttles = []string{}
	if d.Throttles != nil {
		l.resourceThrottles(rl)
	}
	if d.Public != nil {
		r.Public, _ = l.boolean(d.Public, "public")
	}
	if d.AllowAnonymousWrites != nil {
		rl.anonWrites, _ = l.boolean(d.AllowAnonymousWrites, "allow_anonymous_writes")
		r.AnonymousWrites = rl.anonWrites
	}
	l.reason(rl)
	r.Acknowledge = l.acknowledge(d.Acknowledge, rl.what, ResourceChecks)
	r.Pos = plan.Pos{Line: rl.k.Line, Col: rl.k.Column}
	l.uniqueTogether(rl)
	l.hooks(rl)
	l.filters(rl)
	l.search(rl)
}

// uniqueTogether reads unique_together: a list of sets of two or more
// distinct fields of the resource, each set once.
func (l *loader) uniqueTogether(rl *resourceLoad) {
	n, r := rl.d.UniqueTogether, rl.r
	if n == nil {
		return
	}
	example := "write a list of field lists, e.g. unique_together: [[product, author]]"
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.errAt(n, example, "unique_together must be a non-empty list of field lists")
		return
	}
	if r.Source != "" {
		l.errAt(n, "remove it: a users view is read-only", "%s: a resource with source: users cannot set unique_together", rl.what)
		return
	}
	fields := map[string]*plan.Field{}
	var names []string
	for _, f := range r.Fields {
		fields[f.Name] = f
		names = append(names, f.Name)
	}
	seen := map[string]int{}
	for _, set := range n.Content {
		if set.Kind != yaml.SequenceNode {
			l.errAt(set, example, "each item of unique_together must be a list of fields, found %s", kindName(set))
			continue
		}
		list, nodes, ok := l.strList(set, "unique_together set")
		if !ok {
			continue
		}
		if got := l.uniqueSet(list, nodes, fields, names); got && len(list) < 2 {
			l.errAt(set, "list two or more fields, or write unique: true on the field", "a unique_together set needs two or more fields, found %d", len(list))
		} else if got {
			key := strings.Join(sortedCopy(list), ",")
			if prev, dup := seen[key]; dup {
				l.errAt(set, "list each set once", "unique_together lists the fields %s twice (first at line %d)", strings.Join(list, ", "), prev)
				continue
			}
			seen[key] = set.Line
			r.UniqueTogether = append(r.UniqueTogether, list)
		}
	}
}

// uniqueSet checks the fields of one unique_together set.
func (l *loader) uniqueSet(list []string, nodes []*yaml.Node, fields map[string]*plan.Field, names []string) bool {
	ok := true
	in := map[string]bool{}
	for i, name := range list {
		switch {
		case fields[name] == nil:
			hint := "use a field of the resource"
			if near := nearest(name, names); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			l.errAt(nodes[i], hint, "unique_together names unknown field %q", name)
			ok = false
		case in[name]:
			l.errAt(nodes[i], "list each field once", "unique_together names %q twice in one set", name)
			ok = false
		case fields[name].Type == plan.Float || fields[name].Type == plan.Bool:
			l.errAt(nodes[i], "use string, text, int, datetime, user or ref fields", "unique_together names %s field %q", fields[name].Type, name)
			ok = false
		}
		in[name] = true
	}
	return ok
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func (l *loader) resourceThrottles(rl *resourceLoad) {
	names, nodes, _ := l.strList(rl.d.Throttles, rl.what+" throttles")
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
			rl.r.Throttles = append(rl.r.Throttles, s)
		}
	}
}
