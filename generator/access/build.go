package access

import (
	"net/http"
	"sort"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/perm"
)

// Build computes the matrix of svc.
func Build(svc *plan.Service) *Matrix {
	return build(svc, nil)
}

// build computes the matrix of svc, each resource over its universe
// joined with extra's (by resource name).
func build(svc *plan.Service, extra map[string]universe) *Matrix {
	m := &Matrix{Service: svc.Name, Spec: svc.SpecFile}
	for _, r := range svc.Resources {
		u := universeOf(svc, r)
		if x, ok := extra[r.Name]; ok {
			u = u.union(x)
		}
		m.Resources = append(m.Resources, buildResource(svc, r, u))
	}
	return m
}

func buildResource(svc *plan.Service, r *plan.Resource, u universe) *Resource {
	ev := newEvaluator(svc, r, u.atoms)
	out := &Resource{
		Name: r.Name, Path: r.Path, Auth: authNames(r.Auth), Challenge: ev.challenge(r.Auth),
		Public: r.Public, AnonymousWrites: r.AnonymousWrites, Reason: r.Reason, Acknowledged: r.Acknowledge,
		Permission: plan.ExprText(r.Permission), ReadScope: ScopeText(r.ReadScope),
		Atoms: u.atoms, Callers: u.callers(r.Name), plan: r,
	}
	for _, c := range classesOf(r) {
		out.Classes = append(out.Classes, ClassText(c))
	}
	for _, f := range r.Fields {
		if f.Read != nil || f.Write != nil {
			out.Fields = append(out.Fields, FieldRule{Name: f.Name, Read: exprOrEmpty(f.Read), Write: exprOrEmpty(f.Write)})
		}
	}
	for _, row := range rows(r) {
		for _, c := range out.Callers {
			row.Cells = append(row.Cells, ev.cell(row, c))
		}
		out.Endpoints = append(out.Endpoints, row)
	}
	return out
}

func exprOrEmpty(e plan.Expr) string {
	if e == nil {
		return ""
	}
	return plan.ExprText(e)
}

func authNames(a []plan.AuthClass) []string {
	out := make([]string, len(a))
	for i, c := range a {
		out[i] = string(c)
	}
	return out
}

var methodOrder = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// actionOfMethod is the action runtime/rest's NotAllowed checks an
// unsupported method as.
var actionOfMethod = map[string]string{
	http.MethodGet: perm.ActionList, http.MethodPost: perm.ActionCreate, http.MethodPut: perm.ActionUpdate,
	http.MethodPatch: perm.ActionPartialUpdate, http.MethodDelete: perm.ActionDestroy,
}

// rows lists r's endpoints, route by route (the collection, the detail
// route when r has one, then each extra action's), each route's methods
// in the order GET, POST, PUT, PATCH, DELETE: the actions, and the
// methods the route does not support (405), which runtime/rest checks in
// the resource's view with the route's expression (the resource's, or the
// extra action's).
func rows(r *plan.Resource) []*Endpoint {
	type route struct {
		path   string
		detail bool
		extra  *plan.Endpoint
	}
	routes := []route{{path: r.Path}}
	for _, ep := range r.Endpoints {
		if ep.Detail && !ep.Extra {
			routes = append(routes, route{path: r.Path + "/{id}", detail: true})
			break
		}
	}
	for _, ep := range r.ExtraEndpoints() {
		rt := route{path: r.Path + "/" + string(ep.Action), detail: ep.Detail, extra: ep}
		if ep.Detail {
			rt.path = r.Path + "/{id}/" + string(ep.Action)
		}
		routes = append(routes, rt)
	}
	var out []*Endpoint
	for _, rt := range routes {
		for _, m := range methodOrder {
			row := &Endpoint{Method: m, Route: rt.path, Throttles: r.Throttles, detail: rt.detail, expr: r.Permission, chain: r.Auth}
			if rt.extra != nil {
				row.expr = rt.extra.Permission
			}
			for _, ep := range r.Endpoints {
				if ep.Detail == rt.detail && ep.Method == m && (rt.extra == nil && !ep.Extra || ep == rt.extra) {
					row.Action, row.ep, row.expr, row.chain = string(ep.Action), ep, ep.Permission, ep.Auth
					row.Extra = ep.Func
				}
			}
			row.Permission, row.Auth = plan.ExprText(row.expr), authNames(row.chain)
			out = append(out, row)
		}
	}
	return out
}

// chain is the authentication chain a row runs: its action's, or the
// resource's for a 405 (NotAllowed runs in the resource's view).
func (ev *evaluator) chain(row *Endpoint) []plan.AuthClass { return row.chain }

// expr is the expression a row checks.
func (ev *evaluator) expr(row *Endpoint) plan.Expr { return row.expr }

func (ev *evaluator) action(row *Endpoint) string {
	if row.ep != nil {
		return row.Action
	}
	return actionOfMethod[row.Method]
}

// decide is what the generated handler answers c on row, for the stored
// object (list, lookups) and the object as written (next: create and
// update; sent names the fields an update sends that its rules guard).
// The steps are runtime/rest's: authenticate, throttle, the request
// check (401 or 403), 405, the lookup through the read scope (404), the
// object check, the field writes, the object check on the object as
// written.
func (ev *evaluator) decide(row *Endpoint, c Caller, stored, next *object, sent []string) Outcome {
	chain := ev.chain(row)
	req := ev.request(c, row.Method, ev.action(row), chain)
	if !ev.parentFound(req, stored) {
		return Outcome{Status: http.StatusNotFound}
	}
	p := ev.perm(ev.expr(row))
	if d := perm.Check(p, req); !d.Allowed() {
		return Outcome{Status: d.Status}
	}
	switch {
	case row.Action == "":
		return Outcome{Status: http.StatusMethodNotAllowed}
	case row.Extra != "" && !row.detail:
		return Outcome{Status: http.StatusOK}
	}
	switch row.Action {
	case string(plan.List):
		if ev.inScope(ev.r.ReadScope, req, stored) {
			return Outcome{Status: http.StatusOK, Listed: "yes"}
		}
		return Outcome{Status: http.StatusOK, Listed: "no"}
	case string(plan.Create):
		if ev.r.Owner != nil && req.User == nil {
			return Outcome{Status: unauthenticated(req)}
		}
		if d := perm.CheckObject(p, req, next); !d.Allowed() {
			return Outcome{Status: d.Status}
		}
		return Outcome{Status: http.StatusCreated}
	}
	if !ev.inScope(ev.r.ReadScope, req, stored) {
		return Outcome{Status: http.StatusNotFound}
	}
	if d := perm.CheckObject(p, req, stored); !d.Allowed() {
		return Outcome{Status: d.Status}
	}
	switch row.Action {
	case string(plan.Update), string(plan.PartialUpdate):
		if !ev.mayWrite(req, sent) {
			return Outcome{Status: http.StatusForbidden}
		}
		if d := perm.CheckObject(p, req, next); !d.Allowed() {
			return Outcome{Status: d.Status}
		}
	case string(plan.Destroy):
		return Outcome{Status: http.StatusNoContent}
	}
	return Outcome{Status: http.StatusOK}
}

// parentFound is runtime/rest's Parent.find, after authentication and
// before any check: the parent of a nested route is looked up through the
// parent's own read scope, as a retrieve of the parent by the caller (404
// outside it). True for a resource that is not nested.
func (ev *evaluator) parentFound(req *perm.Request, obj *object) bool {
	if ev.parent == nil {
		return true
	}
	as := *req
	as.Action, as.Resource = perm.ActionRetrieve, ev.parent.Name
	return ev.inScope(ev.parent.ReadScope, &as, obj.parentObject())
}

// unauthenticated is the chain's answer to a create without a caller
// when the resource has an owner: 401 with a challenge, else 403.
func unauthenticated(req *perm.Request) int {
	if req.Challenge != "" {
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// mayWrite is CheckWrites: every sent field's write rule passes.
func (ev *evaluator) mayWrite(req *perm.Request, sent []string) bool {
	for _, name := range sent {
		if f := field(ev.r, name); f != nil && f.Write != nil && !perm.Check(ev.perm(f.Write), req).Allowed() {
			return false
		}
	}
	return true
}

// cell is what caller c gets from row, on every object c can meet.
func (ev *evaluator) cell(row *Endpoint, c Caller) *Cell {
	cell := &Cell{Caller: c.Name, Throttles: ev.throttles(row, c), known: map[string]bool{}}
	for _, f := range ev.r.Fields {
		cell.known[f.Name] = true
	}
	req := ev.request(c, row.Method, ev.action(row), ev.chain(row))
	var cases []objCase
	switch {
	case row.Action == "" || row.Extra != "" && !row.detail:
		cases = ev.cases(c, req.User, noObject)
	case row.Action == string(plan.Create):
		cases = ev.cases(c, req.User, created)
	default:
		cases = ev.cases(c, req.User, stored)
	}
	for _, oc := range cases {
		stored := oc.obj
		next := &object{vals: stored.vals, fresh: true}
		outs, keys := enumerate(ev.env, func() Outcome { return ev.decide(row, c, stored, next, nil) })
		k := &Case{Object: oc.text, key: oc.key, Outcomes: sortOutcomes(outs)}
		if len(outs) > 1 {
			k.Review = reviewOf(keys)
		}
		if row.Action == string(plan.Update) || row.Action == string(plan.PartialUpdate) {
			k.Moves = ev.cellMoves(row, c, req, stored, k.Outcomes)
		}
		cell.Cases = append(cell.Cases, k)
	}
	if row.Action != "" {
		cell.Fields = ev.fields(row, req)
	}
	return cell
}

// cellMoves lists the updates that change facts about the object and are
// answered otherwise than keeping them (same).
func (ev *evaluator) cellMoves(row *Endpoint, c Caller, req *perm.Request, stored *object, same []Outcome) []*Move {
	var out []*Move
	for _, mv := range ev.moves(c, req.User, stored) {
		outs, _ := enumerate(ev.env, func() Outcome { return ev.decide(row, c, stored, mv.obj, mv.sent) })
		outs = sortOutcomes(outs)
		if !equalOutcomes(outs, same) {
			out = append(out, &Move{To: mv.text, key: mv.key, Outcomes: outs})
		}
	}
	return out
}

func sortOutcomes(o []Outcome) []Outcome {
	sort.Slice(o, func(i, j int) bool {
		if o[i].Status != o[j].Status {
			return o[i].Status < o[j].Status
		}
		return o[i].Listed < o[j].Listed
	})
	return o
}

func equalOutcomes(a, b []Outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// throttles lists the rates the view applies to c on row.
func (ev *evaluator) throttles(row *Endpoint, c Caller) []string {
	var out []string
	t := ev.svc.Throttle
	anon := !c.auth || len(ev.chain(row)) == 0
	switch {
	case anon && t.Anon != nil:
		out = append(out, "anon "+t.Anon.Text)
	case !anon && t.User != nil:
		out = append(out, "user "+t.User.Text)
	}
	for _, s := range ev.r.Throttles {
		for _, sc := range t.Scopes {
			if sc.Name == s {
				out = append(out, s+" "+sc.Rate.Text)
			}
		}
	}
	return out
}

// fields evaluates the field rules on the request alone.
func (ev *evaluator) fields(row *Endpoint, req *perm.Request) []FieldAccess {
	writes := row.Action == string(plan.Create) || row.Action == string(plan.Update) || row.Action == string(plan.PartialUpdate)
	var out []FieldAccess
	for _, f := range ev.r.Fields {
		if f.Read == nil && f.Write == nil {
			continue
		}
		fa := FieldAccess{Name: f.Name, Read: Yes}
		if f.Read != nil {
			fa.Read = ev.tri(func() bool { return perm.Check(ev.perm(f.Read), req).Allowed() })
		}
		if writes {
			w := Yes
			if f.Write != nil {
				w = ev.tri(func() bool { return perm.Check(ev.perm(f.Write), req).Allowed() })
			}
			fa.Write = &w
		}
		out = append(out, fa)
	}
	return out
}

func (ev *evaluator) tri(f func() bool) Tri {
	outs, _ := enumerate(ev.env, f)
	switch {
	case len(outs) > 1:
		return Maybe
	case len(outs) == 1 && outs[0]:
		return Yes
	}
	return No
}
