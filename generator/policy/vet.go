// Package policy makes the spec checks that need the permission matrix
// (package access): a write wider than retrieve, a create whose author
// cannot retrieve what they created, an expression no caller or every
// caller passes, and the expectations of the spec's policy tests. Each
// is an error at a position of the spec, unless the resource acknowledges
// it (acknowledge: {CHECK: reason}); the checks of a policy test are not
// acknowledgeable: a test the matrix says cannot hold is wrong.
//
// It also writes the Go test file that runs the policy tests against the
// generated handlers (tests.go).
package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wardhq/ward/generator/access"
	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/spec"
)

// Vet checks svc, loaded from file, over its permission matrix.
func Vet(file string, svc *plan.Service) error {
	v := &vet{file: file, m: access.Build(svc)}
	for _, r := range svc.Resources {
		mr := v.m.Resource(r.Name)
		if mr == nil {
			continue
		}
		v.expressions(r, mr)
		v.fieldRules(r, mr)
		v.writeWider(r, mr)
		v.createBlind(r, mr)
	}
	for _, t := range svc.Tests {
		v.test(t)
		if _, ok := TestAuth(svc, t); !ok {
			v.errAt(t.AsPos, "add token, jwt (HS256, access token in the body) or basic to the resource's authentication, or test as anonymous", "test %q: %s cannot sign in: its authentication (%s) has no class the generated test can sign in with", t.Name, t.As, chainText(chainOf(svc, t)))
		}
	}
	if len(v.errs) == 0 {
		return nil
	}
	sort.SliceStable(v.errs, func(i, j int) bool {
		a, b := v.errs[i], v.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return v.errs
}

type vet struct {
	file string
	m    *access.Matrix
	errs spec.ErrorList
}

func (v *vet) errAt(p plan.Pos, hint, format string, args ...any) {
	v.errs = append(v.errs, &spec.Error{File: v.file, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// ack reports the error of check on r unless r acknowledges it.
func (v *vet) ack(r *plan.Resource, check, hint, format string, args ...any) {
	if r.Acknowledge[check] != "" {
		return
	}
	hint += fmt.Sprintf(", or add acknowledge: {%s: \"why it is meant\"} to the resource", check)
	v.errAt(r.Pos, hint, "resource %q: "+format, append([]any{r.Name}, args...)...)
}

// reviewed says whether a hand-written check decides c: the matrix cannot.
func reviewed(c *access.Cell) bool {
	for _, k := range c.Cases {
		if len(k.Review) > 0 {
			return true
		}
	}
	return false
}

// expressions: an expression (other than AllowAny) that every caller
// passes on every endpoint it guards, or that no caller passes.
func (v *vet) expressions(r *plan.Resource, mr *access.Resource) {
	type group struct {
		eps           []string
		never, always bool
	}
	groups := map[string]*group{}
	var order []string
	for _, e := range mr.Endpoints {
		if e.Action == "" {
			continue
		}
		g := groups[e.Permission]
		if g == nil {
			g = &group{never: true, always: true}
			groups[e.Permission] = g
			order = append(order, e.Permission)
		}
		g.eps = append(g.eps, e.Key())
		for _, c := range e.Cells {
			if reviewed(c) {
				g.never, g.always = false, false
				continue
			}
			switch c.Access() {
			case access.Yes:
				g.never = false
			case access.No:
				g.always = false
			default:
				g.never, g.always = false, false
			}
		}
	}
	for _, x := range order {
		g := groups[x]
		switch {
		case g.never:
			v.ack(r, spec.CheckNeverPasses, "fix the expression, or remove the actions no one may run", "no caller passes %s (%s)", x, strings.Join(g.eps, ", "))
		case g.always && x != plan.AllowAny:
			v.ack(r, spec.CheckAlwaysPasses, "write AllowAny if every caller is meant to pass, or narrow the expression", "every caller, anonymous included, passes %s (%s)", x, strings.Join(g.eps, ", "))
		}
	}
}

// fieldRules: a field's read rule that no caller or every caller
// passes, on the retrieve endpoint (its write rule: on partial_update).
func (v *vet) fieldRules(r *plan.Resource, mr *access.Resource) {
	for _, rule := range mr.Fields {
		for _, side := range []struct {
			expr, key, what string
		}{{rule.Read, "GET " + r.Path + "/{id}", "read"}, {rule.Write, "PATCH " + r.Path + "/{id}", "write"}} {
			e := mr.Endpoint(side.key)
			if side.expr == "" || e == nil || e.Action == "" {
				continue
			}
			yes, no, decided := 0, 0, true
			for _, c := range e.Cells {
				for _, f := range c.Fields {
					t := f.Read
					if side.what == "write" && f.Write != nil {
						t = *f.Write
					}
					switch {
					case f.Name != rule.Name:
					case t == access.Yes:
						yes++
					case t == access.No:
						no++
					default:
						decided = false
					}
				}
			}
			switch {
			case !decided || yes+no == 0:
			case yes == 0:
				v.ack(r, spec.CheckNeverPasses, "fix the rule, or remove the field", "no caller passes the %s rule %s of field %s", side.what, side.expr, rule.Name)
			case no == 0 && side.expr != plan.AllowAny:
				v.ack(r, spec.CheckAlwaysPasses, "remove the rule if every caller is meant to pass, or narrow it", "every caller passes the %s rule %s of field %s", side.what, side.expr, rule.Name)
			}
		}
	}
}

// writeWider: a caller who may change or delete an object they may not
// retrieve.
func (v *vet) writeWider(r *plan.Resource, mr *access.Resource) {
	get := mr.Endpoint("GET " + r.Path + "/{id}")
	if get == nil || get.Action == "" {
		return
	}
	var wide []string
	for _, e := range mr.Endpoints {
		if e.Action == "" || e.Method == "GET" || !strings.HasPrefix(e.Route, r.Path+"/{id}") {
			continue
		}
		for _, c := range e.Cells {
			rc := get.Cell(c.Caller)
			if rc == nil || reviewed(c) || reviewed(rc) || rc.Access() != access.No || c.Access() == access.No {
				continue
			}
			wide = append(wide, c.Caller+" may "+e.Key())
		}
	}
	if len(wide) > 0 {
		v.ack(r, spec.CheckWriteWider, "require of the writes what retrieve requires (e.g. add the retrieve expression with &)", "a write is wider than retrieve: %s, but not GET %s/{id}", strings.Join(wide, "; "), r.Path)
	}
}

// createBlind: a caller who may create an object that they, its owner
// once created, cannot retrieve.
func (v *vet) createBlind(r *plan.Resource, mr *access.Resource) {
	post := mr.Endpoint("POST " + r.Path)
	get := mr.Endpoint("GET " + r.Path + "/{id}")
	if post == nil || post.Action != string(plan.Create) || get == nil || get.Action == "" {
		return
	}
	var blind []string
	for _, c := range post.Cells {
		if reviewed(c) || c.Access() == access.No {
			continue
		}
		as := c.Caller
		if r.Owner != nil && c.Caller != "anonymous" && get.Cell("owner("+r.Owner.Name+")") != nil {
			as = "owner(" + r.Owner.Name + ")"
		}
		rc := get.Cell(as)
		if rc == nil || reviewed(rc) || rc.Access() != access.No {
			continue
		}
		blind = append(blind, c.Caller)
	}
	if len(blind) > 0 {
		v.ack(r, spec.CheckCreateBlind, "let the author retrieve what they create (e.g. an owner rule in the retrieve expression)", "%s may create objects that they cannot retrieve", strings.Join(blind, ", "))
	}
}

// matrixCaller is the matrix's caller for a test: the owner of another
// user's object is a user with no relation to it.
func matrixCaller(t *plan.Test) string {
	if strings.HasPrefix(t.As, "owner(") && t.Object == "other" {
		return "authenticated"
	}
	return t.As
}

// test checks a policy test's expectation against the matrix, where the
// matrix decides.
func (v *vet) test(t *plan.Test) {
	mr := v.m.Resource(t.Resource)
	e := mr.Endpoint(t.Method + " " + t.Route)
	if e == nil {
		return
	}
	c := e.Cell(matrixCaller(t))
	if c == nil && strings.HasPrefix(t.As, "owner(") {
		// No rule looks at the field: to the matrix the owner is any user
		// (a check: go class may look at it: then the cell is reviewed).
		c = e.Cell("authenticated")
	}
	if c == nil {
		var names []string
		for _, k := range mr.Callers {
			names = append(names, k.Name)
		}
		v.errAt(t.AsPos, "write one of: "+strings.Join(names, ", "), "test %q: resource %q has no caller %s", t.Name, t.Resource, t.As)
		return
	}
	if reviewed(c) {
		return
	}
	var seen []string
	for _, k := range c.Cases {
		for _, o := range k.Outcomes {
			if o.Status == t.Expect {
				return
			}
			seen = appendNew(seen, fmt.Sprint(o.Status))
		}
	}
	v.errAt(t.ExpectPos, fmt.Sprintf("the permission matrix answers %s: fix the expectation or the permissions (ward explain '%s %s' --as %s)", strings.Join(seen, " or "), t.Method, t.Route, c.Caller),
		"test %q cannot hold: %s gets %s from %s %s, never %d", t.Name, c.Caller, strings.Join(seen, " or "), t.Method, t.Route, t.Expect)
}

func appendNew(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

// TestAuth is the authentication class a policy test's caller uses: the
// first of token, jwt (HS256, the token in the body) and basic in the chain of the endpoint; ""
// for anonymous, and false when the chain has none of them.
func TestAuth(svc *plan.Service, t *plan.Test) (string, bool) {
	if t.As == "anonymous" {
		return "", true
	}
	chain := chainOf(svc, t)
	for _, want := range []plan.AuthClass{plan.AuthToken, plan.AuthJWT, plan.AuthBasic} {
		for _, c := range chain {
			if c == want && (c != plan.AuthJWT || jwtInBody(svc.Auth.JWT)) {
				return string(c), true
			}
		}
	}
	return "", false
}

// jwtInBody: the test signs in with JWT when it can make the key (HS256)
// and the login answers the access token in its body (not a cookie with
// CSRF).
func jwtInBody(j *plan.JWT) bool {
	return j != nil && j.Algorithm == "HS256" && j.AccessIn != "cookie"
}

// chainOf is the authentication chain of a test's endpoint.
func chainOf(svc *plan.Service, t *plan.Test) []plan.AuthClass {
	for _, r := range svc.Resources {
		if r.Name != t.Resource {
			continue
		}
		for _, ep := range r.Endpoints {
			if ep.Method != t.Method || ep.Detail != t.Detail {
				continue
			}
			route := r.Path
			if ep.Detail {
				route += "/{id}"
			}
			if ep.Extra {
				route += "/" + string(ep.Action)
			}
			if route == t.Route {
				return ep.Auth
			}
		}
		return r.Auth
	}
	return nil
}

func chainText(c []plan.AuthClass) string {
	s := make([]string, len(c))
	for i, x := range c {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
