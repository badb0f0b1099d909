package spec

import (
	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// hookKinds are the hooks a resource may declare, in the order the
// reference documents them.
var hookKinds = []plan.Hook{plan.HookValidate}

// hooks reads a resource's hooks: a list of hook kinds, each once, on a
// resource that creates or updates.
func (l *loader) hooks(rl *resourceLoad) {
	n, r := rl.d.Hooks, rl.r
	if n == nil {
		return
	}
	names, nodes, ok := l.strList(n, "hooks")
	if !ok && nodes == nil {
		return // not a list
	}
	if ok && len(names) == 0 {
		l.errAt(n, "write hooks: [validate], or remove the key", "hooks must list at least one hook")
		return
	}
	if r.Source != "" || !(contains(rl.actions, plan.Create) || contains(rl.actions, plan.Update) || contains(rl.actions, plan.PartialUpdate)) {
		l.errAt(n, "remove hooks, or give the resource create or update actions", "%s has hooks, but it neither creates nor updates objects", rl.what)
		return
	}
	seen := map[string]int{}
	for i, name := range names {
		h := plan.Hook(name)
		switch {
		case !contains(hookKinds, h):
			l.errAt(nodes[i], "write hooks: [validate]", "unknown hook %q; the hooks are: %s", name, hookList())
		case seen[name] > 0:
			l.errAt(nodes[i], "list each hook once", "hooks lists %q twice (first at line %d)", name, seen[name])
		default:
			seen[name] = nodes[i].Line
			r.Hooks = append(r.Hooks, h)
			l.hookNameFree(rl, nodes[i])
		}
	}
}

// hookNameFree refuses a validate hook whose function, Validate<Model>,
// has the name of a permission class or a read scope function: both would
// be declared in the one package.
func (l *loader) hookNameFree(rl *resourceLoad, n *yaml.Node) {
	fn := "Validate" + rl.r.Model
	for _, name := range sortedKeys(l.classes) {
		c := l.classes[name]
		switch {
		case name == fn:
			l.errAt(n, "rename the class", "the validate hook of %s is the Go function %s, the name of permission class %s", rl.what, fn, name)
		case c.Scope != nil && c.Scope.Func == fn:
			l.errAt(n, "rename the scope function", "the validate hook of %s is the Go function %s, the name of the read scope function of class %s", rl.what, fn, name)
		}
	}
	if prev, dup := l.funcs[fn]; dup {
		l.errAt(n, "rename the extra action", "the validate hook of %s is the Go function %s, which is already %s", rl.what, fn, prev)
		return
	}
	if l.funcs == nil {
		l.funcs = map[string]string{}
	}
	l.funcs[fn] = "the validate hook of " + rl.what
}

func hookList() string {
	s := ""
	for i, h := range hookKinds {
		if i > 0 {
			s += ", "
		}
		s += string(h)
	}
	return s
}
