package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// Extra actions (extra_actions, DRF's @action) and nested routes (parent).

// extraMethods are the methods an extra action may answer.
var extraMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// extraLoad is one extra action while its resource loads; its permission
// (nil: the resource's) is resolved with the other endpoints.
type extraLoad struct {
	ep   *plan.Endpoint
	perm plan.Expr
	at   *yaml.Node // the action's name
}

// extraActions reads extra_actions: name -> {method, detail, permissions}.
// Each becomes an endpoint once the resource's permission is known.
func (l *loader) extraActions(rl *resourceLoad) {
	n := rl.d.ExtraActions
	if n == nil {
		return
	}
	_, list, ok := l.mapping(n, rl.what+" extra_actions", nil)
	if !ok {
		rl.good = false
		return
	}
	if rl.r.Source != "" {
		l.errAt(keyNode(rl.v, "extra_actions"), "remove it: a users view is read-only", "%s: a resource with source: users cannot have extra_actions", rl.what)
		rl.good = false
		return
	}
	for _, e := range list {
		if ea, ok := l.extraAction(rl, e.Key, e.Val); ok {
			rl.extras = append(rl.extras, ea)
		} else {
			rl.good = false
		}
	}
}

// extraAction reads one extra action.
func (l *loader) extraAction(rl *resourceLoad, k, v *yaml.Node) (extraLoad, bool) {
	name := k.Value
	what := fmt.Sprintf("extra action %q of %s", name, rl.what)
	switch {
	case !reLowerIdent.MatchString(name) || contains(goKeywords, name):
		l.errAt(k, "use lower-case letters, digits and _, e.g. cancel", "%s: the name is not a valid identifier", what)
		return extraLoad{}, false
	case contains(actionNames, name) || name == "metadata":
		l.errAt(k, "rename it, e.g. "+name+"_all: the six viewset actions are listed under actions:", "%s has the name of the viewset action %q", what, name)
		return extraLoad{}, false
	}
	var d extraActionDoc
	before := len(l.errs)
	if !l.decode(v, what, &d) {
		return extraLoad{}, false
	}
	ea := extraLoad{ep: &plan.Endpoint{Action: plan.Action(name), Method: "GET", Extra: true}, at: k}
	if d.Method != nil {
		if m, ok := l.str(d.Method, "method"); ok {
			switch {
			case contains(extraMethods, m):
				ea.ep.Method = m
			case contains(extraMethods, strings.ToUpper(m)):
				l.errAt(d.Method, fmt.Sprintf("write method: %s", strings.ToUpper(m)), "%s: method %q must be written in upper case", what, m)
			default:
				l.errAt(d.Method, "write one of: "+strings.Join(extraMethods, ", "), "%s: unknown method %q", what, m)
			}
		}
	}
	if d.Detail == nil {
		l.errAt(k, "add detail: true (on one object, PATH/{id}/"+name+") or detail: false (on the collection, PATH/"+name+")", "%s has no detail", what)
	} else {
		ea.ep.Detail, _ = l.boolean(d.Detail, "detail")
	}
	if d.Permissions != nil {
		if x, ok := l.expression(d.Permissions); ok {
			ea.perm = x
			rl.overrideNodes[ea.ep.Action] = d.Permissions
		}
	}
	ea.ep.Func = exportedName(name) + rl.r.Model
	if !ea.ep.Detail {
		ea.ep.Func = exportedName(name) + goName(rl.r.Name)
	}
	l.funcFree(k, ea.ep.Func, what)
	return ea, len(l.errs) == before
}

// exportedName is name in CamelCase without initialisms: cancel -> Cancel,
// mark_paid -> MarkPaid.
func exportedName(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// funcFree registers fn, a Go function a person writes for what, and
// refuses one whose name another function of the package already has: a
// permission class, a read scope function, a hook or another action.
func (l *loader) funcFree(at *yaml.Node, fn, what string) bool {
	for _, name := range sortedKeys(l.classes) {
		c := l.classes[name]
		switch {
		case name == fn:
			l.errAt(at, "rename the action or the class", "%s is the Go function %s, the name of permission class %s", what, fn, name)
			return false
		case c.Scope != nil && c.Scope.Func == fn:
			l.errAt(at, "rename the action or the scope function", "%s is the Go function %s, the name of the read scope function of class %s", what, fn, name)
			return false
		}
	}
	if l.funcs == nil {
		l.funcs = map[string]string{}
	}
	if prev, dup := l.funcs[fn]; dup {
		l.errAt(at, "rename one of them", "%s is the Go function %s, which is already %s", what, fn, prev)
		return false
	}
	l.funcs[fn] = what
	return true
}

// extraRoutes registers the routes of the extra actions.
func (l *loader) extraRoutes(rl *resourceLoad) {
	for _, ea := range rl.extras {
		l.pending = append(l.pending, pendingRoute{ea.at, extraPath(rl.r, ea.ep), fmt.Sprintf("extra action %q of %s", ea.ep.Action, rl.what)})
	}
}

// extraPath is the route of extra action ep of r.
func extraPath(r *plan.Resource, ep *plan.Endpoint) string {
	if ep.Detail {
		return r.Path + "/{id}/" + string(ep.Action)
	}
	return r.Path + "/" + string(ep.Action)
}

// parent reads parent: {resource, field}: the resource's routes are nested
// under the detail route of an object of resource, which field (a
// reference to it) names. The path becomes PARENT/{FIELD_id}/PATH, where
// PATH is the resource's own path (default /NAME).
func (l *loader) parent(rl *resourceLoad) {
	n := rl.d.Parent
	if n == nil {
		return
	}
	what := rl.what + " parent"
	var d parentDoc
	if !l.decode(n, what, &d) {
		rl.good = false
		return
	}
	if d.Resource == nil || d.Field == nil {
		l.errAt(n, "write parent: {resource: products, field: product}", "%s needs resource and field", what)
		rl.good = false
		return
	}
	pr, okR := l.parentResource(rl, d.Resource)
	f, okF := l.parentField(rl, d.Field, d.Resource.Value, pr)
	if !okR || !okF {
		rl.good = false
		return
	}
	// The parent is taken from the URL: the field is read-only, never null.
	f.ReadOnly, f.Required, f.Nullable, f.CreateOnly = true, false, false, false
	r := rl.r
	r.Parent = &plan.Parent{Resource: pr.Name, Table: pr.Table, Field: f.Name, Column: f.Column, Param: f.Column}
	r.Path = pr.Path + "/{" + f.Column + "}" + r.Path
}

// parentResource resolves the parent's name: a resource declared before
// this one, with a table, not nested itself.
func (l *loader) parentResource(rl *resourceLoad, n *yaml.Node) (*plan.Resource, bool) {
	name, ok := l.str(n, "parent resource")
	if !ok {
		return nil, false
	}
	var names []string
	for _, o := range l.svc.Resources {
		names = append(names, o.Name)
		if o.Name != name {
			continue
		}
		switch {
		case o.Source != "":
			l.errAt(n, "nest under a resource Ward stores", "parent resource %q is a view of the %s store, not a table", name, o.Source)
		case o.Parent != nil:
			l.errAt(n, "nest one level only: name a top-level resource", "parent resource %q is nested itself (under %q)", name, o.Parent.Resource)
		default:
			return o, true
		}
		return nil, false
	}
	switch {
	case name == rl.r.Name:
		l.errAt(n, "name another resource", "%s cannot be its own parent", rl.what)
	case l.declaredLater(name):
		l.errAt(n, fmt.Sprintf("declare %s before %s in resources", name, rl.r.Name), "parent resource %q is declared after %q", name, rl.r.Name)
	case l.loadedBroken(name):
		// Declared before with an error, reported already.
	default:
		hint := "name a resource of this spec"
		if near := nearest(name, names); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		l.errAt(n, hint, "unknown parent resource %q", name)
	}
	return nil, false
}

// parentField resolves the parent field: a reference field of the resource
// to the parent, to (pr, nil when it did not resolve).
func (l *loader) parentField(rl *resourceLoad, n *yaml.Node, to string, pr *plan.Resource) (*plan.Field, bool) {
	name, ok := l.str(n, "parent field")
	if !ok {
		return nil, false
	}
	var f *plan.Field
	var names []string
	for _, x := range rl.r.Fields {
		names = append(names, x.Name)
		if x.Name == name {
			f = x
		}
	}
	switch {
	case f == nil:
		hint := fmt.Sprintf("declare it: %s: {type: ref, to: %s}", name, to)
		if near := nearest(name, names); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		l.errAt(n, hint, "parent field %q is not a field of %s", name, rl.what)
	case f.Type != plan.Reference || (pr != nil && f.To != to):
		l.errAt(n, fmt.Sprintf("declare it as %s: {type: ref, to: %s}", name, to), "parent field %q of %s is not a reference to %s", name, rl.what, to)
	case f.OnDelete == plan.OnDeleteSetNull:
		l.errAt(n, "use on_delete: protect or cascade", "parent field %q of %s has on_delete: set_null, but a nested object always has a parent", name, rl.what)
	default:
		return f, pr != nil
	}
	return nil, false
}
