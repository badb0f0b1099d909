// Package access computes, from a plan alone, who may do what: for every
// endpoint of a service (method and route, the methods a route does not
// support included) and every kind of caller, the answer the generated
// handlers give, step by step as runtime/rest runs them: authentication,
// the request check (401 or 403), 405, the lookup through the read scope
// (404), the object check (403) on the object as stored and as written,
// the field rules and the throttles.
//
// The decisions are not re-implemented: the plan's expressions are built
// as runtime/perm values over a synthetic object and evaluated by
// perm.Check and perm.CheckObject, the functions the generated handlers
// call, on synthetic callers and objects. What the spec cannot know (the
// answers of check: go classes and of {func: F} read scopes) is
// enumerated: each such answer is tried both ways, and an answer that
// depends on them is reported with every outcome it can have and the
// classes to review by hand.
//
// The package is pure: a plan in, data out. Matrix renders it (PERMISSIONS.md,
// JSON, HTML), Diff compares two plans, Explain prints one decision.
package access

import "github.com/wardhq/ward/generator/plan"

// Tri is a three-valued answer: a hand-written check may decide it.
type Tri uint8

const (
	No    Tri = iota // never
	Yes              // always
	Maybe            // depending on a check: go class or a {func: F} scope: review by hand
)

func (t Tri) String() string { return [...]string{"no", "yes", "review"}[t] }

// MarshalText writes a Tri as "no", "yes" or "review".
func (t Tri) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Matrix is the access of every endpoint and caller of one service.
type Matrix struct {
	Service   string      `json:"service"`
	Spec      string      `json:"spec"`
	Resources []*Resource `json:"resources"`
}

// Resource is the access to one resource's routes.
type Resource struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Auth is the resource's authentication chain, Challenge the
	// WWW-Authenticate of its first class ("" for none: 403, never 401).
	Auth      []string `json:"auth"`
	Challenge string   `json:"challenge,omitempty"`
	// Public and AnonymousWrites are the spec's acknowledgements.
	Public          bool `json:"public"`
	AnonymousWrites bool `json:"allow_anonymous_writes"`
	// Reason says why they hold; Acknowledged are the vet checks the
	// resource acknowledged, each with its reason.
	Reason       string            `json:"reason,omitempty"`
	Acknowledged map[string]string `json:"acknowledged,omitempty"`
	// Permission is the resource's expression, ReadScope its read scope,
	// both as written and in words.
	Permission string   `json:"permission"`
	ReadScope  string   `json:"read_scope"`
	Classes    []string `json:"classes,omitempty"` // each custom class used, in words
	// Atoms are the facts about an object the resource's rules look at;
	// Callers the kinds of caller its answers differ for.
	Atoms     []Atom      `json:"-"`
	Callers   []Caller    `json:"callers"`
	Fields    []FieldRule `json:"fields,omitempty"`
	Endpoints []*Endpoint `json:"endpoints"`

	plan *plan.Resource
}

// FieldRule is a field's read and write expressions ("" for none).
type FieldRule struct {
	Name  string `json:"name"`
	Read  string `json:"read,omitempty"`
	Write string `json:"write,omitempty"`
}

// Endpoint is one method on one route.
type Endpoint struct {
	Method string `json:"method"`
	Route  string `json:"route"`
	// Action is the viewset action it runs (or the extra action's name),
	// "" for a method the route does not support (405 once the request
	// check passes).
	Action string `json:"action,omitempty"`
	// Extra names the function of an extra action (extra_actions), written
	// by hand: its 2xx is 200 or 204 as it returns, and it may refuse.
	Extra      string   `json:"extra,omitempty"`
	Permission string   `json:"permission"` // the expression checked
	Auth       []string `json:"auth"`
	Throttles  []string `json:"throttles,omitempty"` // named scopes
	Cells      []*Cell  `json:"cells"`               // one per caller of the resource, in order

	ep     *plan.Endpoint // nil for 405
	detail bool
	expr   plan.Expr        // the expression checked
	chain  []plan.AuthClass // the chain the view runs
}

// Key names the endpoint: "PATCH /api/orders/{id}".
func (e *Endpoint) Key() string { return e.Method + " " + e.Route }

// Cell is what one kind of caller gets from one endpoint.
type Cell struct {
	Caller string `json:"caller"`
	// Cases are the answers per object, when they differ with facts about
	// the object that are not the caller's relation to it (a field equal
	// to a constant); a single case otherwise.
	Cases []*Case `json:"cases"`
	// Throttles are the rates applied to this caller: "anon", "user" and
	// the named scopes.
	Throttles []string `json:"throttles,omitempty"`
	// Fields are the fields with a read or write rule: whether this caller
	// sees each, and may send it (create, update, partial_update).
	Fields []FieldAccess `json:"fields,omitempty"`

	known map[string]bool // every field of the resource
}

// Case is the answer on one kind of object.
type Case struct {
	// Object says which objects, "" for every object (or no object).
	Object string `json:"object,omitempty"`
	key    string
	// Outcomes are the answers it can have: one, unless a hand-written
	// check decides (Review names them).
	Outcomes []Outcome `json:"outcomes"`
	Review   []string  `json:"review,omitempty"`
	// Moves (update and partial_update) are the changes of the object's
	// facts the write may make, with their answers, where they differ
	// from keeping them: the object check runs on the object as written.
	Moves []*Move `json:"moves,omitempty"`
}

// Move is an update that changes facts about the object.
type Move struct {
	To       string `json:"to"`
	key      string
	Outcomes []Outcome `json:"outcomes"`
}

// Outcome is one answer.
type Outcome struct {
	Status int `json:"status"`
	// Listed, on a list, says whether the object is on the page (in the
	// read scope): "yes" or "no".
	Listed string `json:"listed,omitempty"`
}

// Allowed reports whether the caller gets what they asked for.
func (o Outcome) Allowed() bool { return o.Status < 300 && o.Listed != "no" }

// String is "200", "404", "200 listed", "200 not listed".
func (o Outcome) String() string {
	s := itoa(o.Status)
	switch o.Listed {
	case "yes":
		s += " listed"
	case "no":
		s += " not listed"
	}
	return s
}

// Access folds the outcomes: Yes when every one allows, No when none
// does, Maybe otherwise.
func Access(outs []Outcome) Tri {
	yes, no := false, false
	for _, o := range outs {
		if o.Allowed() {
			yes = true
		} else {
			no = true
		}
	}
	switch {
	case yes && no:
		return Maybe
	case yes:
		return Yes
	}
	return No
}

// FieldAccess is one field's rules for one caller.
type FieldAccess struct {
	Name string `json:"name"`
	Read Tri    `json:"read"`
	// Write is nil on endpoints that write nothing.
	Write *Tri `json:"write,omitempty"`
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// The lookups below are what checks over the matrix build on (issue 14's
// vet checks: a write wider than retrieve compares two endpoints' cells
// caller by caller; an expression no caller satisfies is a row whose
// every cell has Access No).

// Resource returns m's resource named name, or nil.
func (m *Matrix) Resource(name string) *Resource {
	for _, r := range m.Resources {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Endpoint returns r's endpoint with key ("PATCH /api/orders/{id}"), or nil.
func (r *Resource) Endpoint(key string) *Endpoint {
	for _, e := range r.Endpoints {
		if e.Key() == key {
			return e
		}
	}
	return nil
}

// Cell returns what caller gets from e, or nil.
func (e *Endpoint) Cell(caller string) *Cell {
	for _, c := range e.Cells {
		if c.Caller == caller {
			return c
		}
	}
	return nil
}

// Access folds every case of c: Yes when the caller gets what they ask
// on every object, No when on none, Maybe when it depends on the object
// or on hand-written code.
func (c *Cell) Access() Tri {
	var all []Outcome
	for _, k := range c.Cases {
		all = append(all, k.Outcomes...)
	}
	return Access(all)
}
