package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

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
}

func (l *loader) resource(k, v *yaml.Node) *plan.Resource {
	name := k.Value
	if !reLowerIdent.MatchString(name) || contains(goKeywords, name) {
		l.errAt(k, "use lower-case letters, digits and _, e.g. posts", "resource name %q is not a valid identifier", name)
		return nil
	}
	rl := &resourceLoad{k: k, v: v, what: fmt.Sprintf("resource %q", name)}
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
	l.resourceActions(rl)
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
	rl.overrides = map[plan.Action]plan.Expr{}
	rl.overrideNodes = map[plan.Action]*yaml.Node{}
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
	r.Throttles = []string{}
	if d.Throttles != nil {
		l.resourceThrottles(rl)
	}
	if d.Public != nil {
		r.Public, _ = l.boolean(d.Public, "public")
	}
	if d.AllowAnonymousWrites != nil {
		rl.anonWrites, _ = l.boolean(d.AllowAnonymousWrites, "allow_anonymous_writes")
	}
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
