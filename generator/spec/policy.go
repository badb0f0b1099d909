package spec

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// The permission checks a spec may acknowledge, each with a reason:
// acknowledge: {CHECK: "why"} on a class or a resource. The loader makes
// the class check and the reason check; the checks over the permission
// matrix (package generator/policy) make the others.
const (
	// CheckUnused: a class no endpoint, field rule or default uses.
	CheckUnused = "unused"
	// CheckWriteWider: a caller may write an object (update,
	// partial_update, destroy, a detail extra action) that they may not
	// retrieve.
	CheckWriteWider = "write_wider_than_retrieve"
	// CheckCreateBlind: a caller may create an object that they then
	// cannot retrieve.
	CheckCreateBlind = "create_not_retrievable"
	// CheckNeverPasses: an expression no caller passes.
	CheckNeverPasses = "never_passes"
	// CheckAlwaysPasses: an expression other than AllowAny that every
	// caller, anonymous included, passes.
	CheckAlwaysPasses = "always_passes"
)

var classChecks = []string{CheckUnused}

// ResourceChecks are the checks a resource may acknowledge.
var ResourceChecks = []string{CheckWriteWider, CheckCreateBlind, CheckNeverPasses, CheckAlwaysPasses}

// acknowledge reads acknowledge: {CHECK: reason, ...}.
func (l *loader) acknowledge(n *yaml.Node, what string, checks []string) map[string]string {
	if n == nil {
		return nil
	}
	_, list, ok := l.mapping(n, what+".acknowledge", checks)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, e := range list {
		s, ok := l.anyStr(e.Val, "the reason")
		if ok && strings.TrimSpace(s) == "" {
			l.errAt(e.Val, fmt.Sprintf("write why it is meant, e.g. %s: \"kept for the v2 routes\"", e.Key.Value), "%s: acknowledging %s needs a reason", what, e.Key.Value)
			continue
		}
		if ok && l.printable(e.Val, "the reason", s, "write the reason on one line") {
			out[e.Key.Value] = strings.TrimSpace(s)
		}
	}
	return out
}

// reason reads a resource's reason: and requires one for public: true
// and allow_anonymous_writes: true.
func (l *loader) reason(rl *resourceLoad) {
	r, d := rl.r, &rl.d
	if d.Reason != nil {
		if s, ok := l.anyStr(d.Reason, "reason"); ok && l.printable(d.Reason, "reason", strings.TrimSpace(s), "write the reason on one line") {
			r.Reason = strings.TrimSpace(s)
		}
	}
	if r.Reason != "" {
		return
	}
	for _, k := range []struct {
		key string
		on  bool
	}{{"public", r.Public}, {"allow_anonymous_writes", rl.anonWrites}} {
		if k.on {
			l.errAt(keyNode(rl.v, k.key), "add reason: \"why every caller may ...\" to the resource: it is shown in PERMISSIONS.md and by ward diff", "%s: %s: true needs a reason", rl.what, k.key)
			return
		}
	}
	if d.Reason != nil {
		l.errAt(d.Reason, "write why public: true or allow_anonymous_writes: true holds", "%s: reason is empty", rl.what)
	}
}

// checkUnusedClasses: a class that nothing uses is dead policy, or a
// typo's victim (the expression names another class).
func (l *loader) checkUnusedClasses() {
	used := map[string]bool{}
	for _, c := range customClasses(l.svc.Default, nil) {
		used[c.Name] = true
	}
	for _, r := range l.svc.Resources {
		exprs := []plan.Expr{r.Permission}
		for _, ep := range r.Endpoints {
			exprs = append(exprs, ep.Permission)
		}
		for _, f := range r.Fields {
			exprs = append(exprs, f.Read, f.Write)
		}
		for _, e := range exprs {
			for _, c := range customClasses(e, nil) {
				used[c.Name] = true
			}
		}
	}
	if len(l.errs) > 0 {
		// A resource that failed to load uses classes nobody sees.
		return
	}
	for _, c := range l.svc.Classes {
		if used[c.Name] || c.Acknowledge[CheckUnused] != "" {
			continue
		}
		l.errAt(l.classKeys[c.Name], "use it in a resource's permissions, remove it, or add acknowledge: {unused: \"why it stays\"}", "class %s is used by no endpoint", c.Name)
	}
}

// tests reads the policy tests.
func (l *loader) tests(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.errAt(n, "write a list of {as, do, expect}", "tests must be a list, found %s", kindName(n))
		return
	}
	for _, item := range n.Content {
		if t := l.test(item); t != nil {
			l.svc.Tests = append(l.svc.Tests, t)
		}
	}
}

var reCaller = regexp.MustCompile(`^(anonymous|authenticated|staff|owner|owner\(([a-z][a-z0-9_]*)\)|perm:([a-z][a-z0-9_]*)\.(view|add|change|delete))$`)

func (l *loader) test(n *yaml.Node) *plan.Test {
	var d testDoc
	before := len(l.errs)
	if !l.decode(n, "a test", &d) {
		return nil
	}
	t := &plan.Test{Pos: pos(n)}
	for _, k := range []struct {
		v   *yaml.Node
		key string
	}{{d.As, "as"}, {d.Do, "do"}, {d.Expect, "expect"}} {
		if k.v == nil {
			l.errAt(n, "write {as: CALLER, do: \"METHOD /route\", expect: STATUS}", "a test has no %s", k.key)
		}
	}
	if len(l.errs) > before {
		return nil
	}
	r := l.testRequest(t, d.Do)
	l.testCaller(t, d.As, r)
	if code, ok := l.integer(d.Expect, "expect", 100, 599); ok {
		t.Expect, t.ExpectPos = int(code), pos(d.Expect)
	}
	if d.Name != nil {
		if s, ok := l.str(d.Name, "name"); ok && l.printable(d.Name, "name", s, "write the name on one line") {
			t.Name = s
		}
	}
	if t.Name == "" {
		t.Name = t.As + " " + t.Method + " " + t.Route
	}
	l.testObject(t, d.Object, d.With, r)
	l.testBody(t, d.Body)
	if len(l.errs) > before {
		return nil
	}
	return t
}

func pos(n *yaml.Node) plan.Pos { return plan.Pos{Line: n.Line, Col: n.Column} }

// testRequest reads do: "METHOD /route" and returns the resource whose
// route it is.
func (l *loader) testRequest(t *plan.Test, n *yaml.Node) *plan.Resource {
	s, ok := l.str(n, "do")
	if !ok {
		return nil
	}
	t.DoPos = pos(n)
	method, route, _ := strings.Cut(strings.TrimSpace(s), " ")
	route = strings.TrimSpace(route)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		l.errAt(n, "write the method in capitals first: \"GET /api/orders/{id}\"", "test: unknown method %q in %q", method, s)
		return nil
	}
	var all []string
	for _, r := range l.svc.Resources {
		for _, rt := range resourceRoutes(r) {
			if rt.path == route {
				t.Method, t.Route, t.Resource, t.Detail = method, route, r.Name, rt.detail
				return r
			}
			all = append(all, rt.path)
		}
	}
	hint := "write a route of a resource as the spec writes it, with {id} for the object"
	if near := nearest(route, all); near != "" {
		hint = fmt.Sprintf("did you mean %q?", method+" "+near)
	}
	l.errAt(n, hint, "test: unknown route %q", route)
	return nil
}

type testRoute struct {
	path   string
	detail bool
}

// resourceRoutes lists r's routes as the matrix does.
func resourceRoutes(r *plan.Resource) []testRoute {
	out := []testRoute{{path: r.Path}}
	for _, ep := range r.Endpoints {
		if ep.Detail && !ep.Extra {
			out = append(out, testRoute{r.Path + "/{id}", true})
			break
		}
	}
	for _, ep := range r.ExtraEndpoints() {
		if ep.Detail {
			out = append(out, testRoute{r.Path + "/{id}/" + string(ep.Action), true})
		} else {
			out = append(out, testRoute{r.Path + "/" + string(ep.Action), false})
		}
	}
	return out
}

// testCaller reads as: a kind of caller, as the matrix names them.
func (l *loader) testCaller(t *plan.Test, n *yaml.Node, r *plan.Resource) {
	s, ok := l.str(n, "as")
	if !ok {
		return
	}
	t.AsPos = pos(n)
	m := reCaller.FindStringSubmatch(s)
	if m == nil {
		l.errAt(n, "write anonymous, authenticated, staff, owner(FIELD) or perm:RESOURCE.view|add|change|delete", "test: unknown caller %q", s)
		return
	}
	t.As = s
	if r == nil {
		return
	}
	switch {
	case s == "owner" || m[2] != "":
		field := m[2]
		if field == "" && r.Owner != nil {
			field = r.Owner.Name
		}
		f := fieldOf(r, field)
		if f == nil || f.Type != plan.User {
			l.errAt(n, "name a user field of the resource: owner(FIELD)", "test: resource %q has no user field %q to own the object", r.Name, field)
			return
		}
		t.As = "owner(" + field + ")"
	case m[3] != "" && m[3] != r.Name:
		l.errAt(n, fmt.Sprintf("write perm:%s.%s", r.Name, m[4]), "test: %s is a permission of another resource than %s", s, r.Name)
	}
}

func fieldOf(r *plan.Resource, name string) *plan.Field {
	for _, f := range r.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// testObject reads object: own|other and with: {field: value}.
func (l *loader) testObject(t *plan.Test, obj, with *yaml.Node, r *plan.Resource) {
	if r == nil {
		return
	}
	owner := strings.HasPrefix(t.As, "owner(")
	if obj != nil {
		s, ok := l.str(obj, "object")
		switch {
		case !ok:
		case !t.Detail:
			l.errAt(obj, "remove object: a list or create route has no object", "test: object on %s, which names no object", t.Route)
		case s != "own" && s != "other":
			l.errAt(obj, "write own (the caller's object) or other (another user's)", "test: unknown object %q", s)
		case s == "own" && !owner:
			l.errAt(obj, "write as: owner(FIELD) for a caller who owns the object", "test: %s has no object of their own", t.As)
		default:
			t.Object = s
		}
	}
	if t.Detail && r.Source != "" {
		l.errPos(t.DoPos.Line, t.DoPos.Col, "test the list route, or another resource", "test: %s shows the users, whose objects a test cannot make", t.Route)
		return
	}
	if t.Object == "" && t.Detail {
		t.Object = "other"
		if owner {
			t.Object = "own"
		}
	}
	if with == nil {
		return
	}
	_, list, ok := l.mapping(with, "with", nil)
	if !ok {
		return
	}
	for _, e := range list {
		f := fieldOf(r, e.Key.Value)
		if f == nil {
			l.errAt(e.Key, "name a field of "+r.Name, "test: unknown field %q in with", e.Key.Value)
			continue
		}
		var v any
		var ok bool
		switch f.Type {
		case plan.String, plan.Text:
			v, ok = l.str(e.Val, "with."+f.Name)
		case plan.Int:
			v, ok = l.integer(e.Val, "with."+f.Name, -1<<53, 1<<53)
		case plan.Float:
			v, ok = l.number(e.Val, "with."+f.Name)
		case plan.Bool:
			v, ok = l.boolean(e.Val, "with."+f.Name)
		default:
			l.errAt(e.Key, "set string, text, int, float or bool fields only", "test: with cannot set %s field %q", f.Type, f.Name)
		}
		if ok {
			t.With = append(t.With, plan.FieldValue{Field: f.Name, Value: v})
		}
	}
	sort.Slice(t.With, func(i, j int) bool { return t.With[i].Field < t.With[j].Field })
}

// testBody reads body: a mapping, sent as JSON.
func (l *loader) testBody(t *plan.Test, n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		l.errAt(n, "write the body as a mapping, e.g. {title: Hello}", "test: body must be a mapping, found %s", kindName(n))
		return
	}
	var v map[string]any
	if err := n.Decode(&v); err != nil {
		l.errAt(n, "write the body as a mapping of JSON values", "test: body cannot be sent as JSON")
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		l.errAt(n, "write the body as a mapping of JSON values", "test: body cannot be sent as JSON")
		return
	}
	t.Body = string(b)
}
