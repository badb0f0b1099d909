package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wardhq/ward/generator/plan"
)

// Kind classifies one change of access.
type Kind string

const (
	Widened  Kind = "widened"  // some caller gets more than before
	Narrowed Kind = "narrowed" // some caller gets less than before
	Review   Kind = "review"   // a hand-written part changed where it decides: review by hand
	Changed  Kind = "changed"  // another change: a status among refusals, a chain, a throttle, an acknowledgement
)

// Change is one difference between two matrices.
type Change struct {
	Kind     Kind   `json:"kind"`
	Resource string `json:"resource"`
	Endpoint string `json:"endpoint,omitempty"` // "PATCH /api/orders/{id}"; "" for the resource
	Caller   string `json:"caller,omitempty"`
	Object   string `json:"object,omitempty"` // which objects, "" for all
	What     string `json:"what"`             // what changed, in words
	Old      string `json:"old,omitempty"`
	New      string `json:"new,omitempty"`
}

func (c Change) String() string {
	var b strings.Builder
	b.WriteString(string(c.Kind) + ": ")
	switch {
	case c.Endpoint != "":
		b.WriteString(c.Endpoint)
	default:
		b.WriteString(c.Resource)
	}
	if c.Caller != "" {
		b.WriteString(" as " + c.Caller)
	}
	if c.Object != "" {
		b.WriteString(" on objects where " + c.Object)
	}
	if c.What != "access" {
		b.WriteString(": " + c.What)
	}
	if c.Old != "" || c.New != "" {
		fmt.Fprintf(&b, ": %s -> %s", orNone(c.Old), orNone(c.New))
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Report is the result of Diff: every change, widened first.
type Report struct {
	Changes []Change `json:"changes"`
}

// Widened reports whether some change widens access.
func (r *Report) Widened() bool {
	for _, c := range r.Changes {
		if c.Kind == Widened {
			return true
		}
	}
	return false
}

// Count is the number of changes of kind k.
func (r *Report) Count(k Kind) int {
	n := 0
	for _, c := range r.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

var kindOrder = map[Kind]int{Widened: 0, Review: 1, Narrowed: 2, Changed: 3}

// Diff compares the access of two plans, each resource of both over the
// callers and objects of both, so that a caller only one of them names
// (the owner, in a spec that dropped its owner rule) is compared too.
func Diff(old, new *plan.Service) *Report {
	extra := map[string]universe{}
	for _, svc := range []*plan.Service{old, new} {
		for _, r := range svc.Resources {
			u := universeOf(svc, r)
			if x, ok := extra[r.Name]; ok {
				u = u.union(x)
			}
			extra[r.Name] = u
		}
	}
	a, b := build(old, extra), build(new, extra)
	rep := &Report{}
	olds := map[string]*Resource{}
	for _, r := range a.Resources {
		olds[r.Name] = r
	}
	for _, r := range b.Resources {
		o := olds[r.Name]
		delete(olds, r.Name)
		rep.Changes = append(rep.Changes, diffResource(o, r)...)
	}
	for _, o := range a.Resources {
		if _, gone := olds[o.Name]; gone {
			rep.Changes = append(rep.Changes, diffResource(o, nil)...)
		}
	}
	sort.SliceStable(rep.Changes, func(i, j int) bool {
		return kindOrder[rep.Changes[i].Kind] < kindOrder[rep.Changes[j].Kind]
	})
	return rep
}

// diffResource compares one resource's two versions; either may be nil
// (added, removed).
func diffResource(o, n *Resource) []Change {
	name := pick(o, n).Name
	var out []Change
	out = append(out, diffSettings(name, o, n)...)
	oe, ne := endpointsByKey(o), endpointsByKey(n)
	for _, k := range unionKeys(oe, ne) {
		out = append(out, diffEndpoint(name, oe[k], ne[k])...)
	}
	return out
}

func pick(o, n *Resource) *Resource {
	if n != nil {
		return n
	}
	return o
}

func endpointsByKey(r *Resource) map[string]*Endpoint {
	m := map[string]*Endpoint{}
	if r == nil {
		return m
	}
	for _, e := range r.Endpoints {
		m[e.Key()] = e
	}
	return m
}

// unionKeys lists the keys of both maps, in the order of the endpoints'
// routes and methods.
func unionKeys(a, b map[string]*Endpoint) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]*Endpoint{b, a} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool { return endpointLess(keys[i], keys[j]) })
	return keys
}

func endpointLess(a, b string) bool {
	ma, ra, _ := strings.Cut(a, " ")
	mb, rb, _ := strings.Cut(b, " ")
	if ra != rb {
		return ra < rb
	}
	return methodRank(ma) < methodRank(mb)
}

func methodRank(m string) int {
	for i, x := range methodOrder {
		if x == m {
			return i
		}
	}
	return len(methodOrder)
}

// diffSettings compares what is the resource's: the acknowledgements, the
// chain, the read scope and the hand-written classes it uses.
func diffSettings(name string, o, n *Resource) []Change {
	if o == nil || n == nil {
		return nil
	}
	var out []Change
	add := func(k Kind, what, a, b string) {
		if a != b {
			out = append(out, Change{Kind: k, Resource: name, What: what, Old: a, New: b})
		}
	}
	// The acknowledgements say what the spec accepts; the access they let
	// through is compared endpoint by endpoint.
	add(Changed, "acknowledgement public", ackText(o.Public, o.Reason), ackText(n.Public, n.Reason))
	add(Changed, "acknowledgement allow_anonymous_writes", ackText(o.AnonymousWrites, o.Reason), ackText(n.AnonymousWrites, n.Reason))
	for _, k := range sortedKeys(union(o.Acknowledged, n.Acknowledged)) {
		add(Changed, "acknowledged check "+k, o.Acknowledged[k], n.Acknowledged[k])
	}
	add(Changed, "authentication", strings.Join(o.Auth, ", "), strings.Join(n.Auth, ", "))
	add(Changed, "read scope", o.ReadScope, n.ReadScope)
	og, ng := goParts(o), goParts(n)
	if og != ng && (og != "" || ng != "") {
		out = append(out, Change{Kind: Review, Resource: name, What: "hand-written classes and scopes used (or their read scopes) changed", Old: og, New: ng})
	}
	return out
}

// goParts names the check: go classes a resource uses, with their read
// scopes, and its {func: F} scopes.
func goParts(r *Resource) string {
	var s []string
	for _, c := range classesOf(r.plan) {
		if c.Kind == plan.ClassGo {
			s = append(s, c.Name+" (read scope: "+RuleText(c.Scope)+")")
		}
	}
	return strings.Join(s, "; ")
}

// ackText is an acknowledgement with the reason the spec gives for it.
func ackText(on bool, reason string) string {
	if on && reason != "" {
		return "true, because " + reason
	}
	return fmt.Sprint(on)
}

func union(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
