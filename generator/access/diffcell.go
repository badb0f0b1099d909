package access

import (
	"strings"
)

// diffEndpoint compares one endpoint's two versions, caller by caller;
// either may be nil (the endpoint is new, or gone).
func diffEndpoint(res string, o, n *Endpoint) []Change {
	var out []Change
	e := n
	if e == nil {
		e = o
	}
	if o != nil && n != nil {
		if a, b := strings.Join(o.Auth, ", "), strings.Join(n.Auth, ", "); a != b {
			out = append(out, Change{Kind: Changed, Resource: res, Endpoint: e.Key(), What: "authentication", Old: a, New: b})
		}
	}
	oc, nc := cellsByCaller(o), cellsByCaller(n)
	for _, name := range callerNames(o, n) {
		out = append(out, diffCell(res, e.Key(), name, oc[name], nc[name])...)
	}
	return out
}

func cellsByCaller(e *Endpoint) map[string]*Cell {
	m := map[string]*Cell{}
	if e != nil {
		for _, c := range e.Cells {
			m[c.Caller] = c
		}
	}
	return m
}

func callerNames(o, n *Endpoint) []string {
	var out []string
	for _, e := range []*Endpoint{n, o} {
		if e == nil {
			continue
		}
		for _, c := range e.Cells {
			if !contains(out, c.Caller) {
				out = append(out, c.Caller)
			}
		}
	}
	return out
}

// absent is the answer of an endpoint that does not exist.
var absent = []Outcome{{Status: 404}}

func casesByKey(c *Cell) map[string]*Case {
	m := map[string]*Case{}
	if c != nil {
		for _, k := range c.Cases {
			m[k.key] = k
		}
	}
	return m
}

// diffCell compares what one caller gets, object by object, then the
// field rules and throttles.
func diffCell(res, ep, caller string, o, n *Cell) []Change {
	var out []Change
	base := Change{Resource: res, Endpoint: ep, Caller: caller}
	oc, nc := casesByKey(o), casesByKey(n)
	for _, k := range caseKeys(o, n) {
		a, b := oc[k], nc[k]
		ch := base
		ch.Object = pick2(a, b).Object
		if c, ok := compare(ch, "access", outcomesOf(a), outcomesOf(b), reviewOfCase(a), reviewOfCase(b)); ok {
			out = append(out, c)
		}
		out = append(out, diffMoves(ch, a, b)...)
	}
	if o != nil && n != nil {
		out = append(out, diffFields(base, o, n)...)
		if a, b := strings.Join(o.Throttles, ", "), strings.Join(n.Throttles, ", "); a != b {
			ch := base
			ch.Kind, ch.What, ch.Old, ch.New = Changed, "throttles", a, b
			out = append(out, ch)
		}
	}
	return out
}

func pick2(a, b *Case) *Case {
	if b != nil {
		return b
	}
	return a
}

func caseKeys(o, n *Cell) []string {
	var keys []string
	for _, c := range []*Cell{n, o} {
		if c == nil {
			continue
		}
		for _, k := range c.Cases {
			if !contains(keys, k.key) {
				keys = append(keys, k.key)
			}
		}
	}
	return keys
}

func outcomesOf(k *Case) []Outcome {
	if k == nil {
		return absent
	}
	return k.Outcomes
}

func reviewOfCase(k *Case) []string {
	if k == nil {
		return nil
	}
	return k.Review
}

// compare classifies a change of outcomes: widened when the new ones
// allow where the old did not (always, or depending on a hand-written
// check), narrowed the other way, review when a hand-written check
// decides both and what it decides changed, changed otherwise.
func compare(ch Change, what string, a, b []Outcome, ra, rb []string) (Change, bool) {
	if equalOutcomes(a, b) && (strings.Join(ra, ",") == strings.Join(rb, ",") || Access(a) == No) {
		// The same answers; other hand-written code deciding among
		// refusals changes no access.
		return ch, false
	}
	ch.What = what
	ch.Old = outcomesText(&Case{Outcomes: a, Review: ra})
	ch.New = outcomesText(&Case{Outcomes: b, Review: rb})
	ch.Kind = triChange(Access(a), Access(b))
	return ch, true
}

// triChange classifies a change from access a to access b.
func triChange(a, b Tri) Kind {
	rank := map[Tri]int{No: 0, Maybe: 1, Yes: 2}
	switch {
	case rank[b] > rank[a]:
		return Widened
	case rank[b] < rank[a]:
		return Narrowed
	case a == Maybe:
		return Review
	}
	return Changed
}

func diffMoves(base Change, a, b *Case) []Change {
	var out []Change
	om, nm := map[string]*Move{}, map[string]*Move{}
	var keys []string
	for _, x := range []struct {
		k *Case
		m map[string]*Move
	}{{b, nm}, {a, om}} {
		if x.k == nil {
			continue
		}
		for _, mv := range x.k.Moves {
			x.m[mv.key] = mv
			if !contains(keys, mv.key) {
				keys = append(keys, mv.key)
			}
		}
	}
	for _, k := range keys {
		ch := base
		oo, no := moveOutcomes(om[k], a), moveOutcomes(nm[k], b)
		to := om[k]
		if nm[k] != nil {
			to = nm[k]
		}
		if c, ok := compare(ch, "an update making "+to.To, oo, no, nil, nil); ok {
			out = append(out, c)
		}
	}
	return out
}

// moveOutcomes is a move's answer: its own, or the case's when it is
// answered as keeping the object (not listed).
func moveOutcomes(m *Move, k *Case) []Outcome {
	if m != nil {
		return m.Outcomes
	}
	return outcomesOf(k)
}

func diffFields(base Change, o, n *Cell) []Change {
	var out []Change
	of, nf := map[string]FieldAccess{}, map[string]FieldAccess{}
	var names []string
	for _, x := range []struct {
		c *Cell
		m map[string]FieldAccess
	}{{n, nf}, {o, of}} {
		if x.c == nil {
			continue
		}
		for _, f := range x.c.Fields {
			x.m[f.Name] = f
			if !contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
	}
	for _, name := range names {
		if !o.known[name] || !n.known[name] {
			continue // a field added or removed: not an access change
		}
		a, b := fieldOr(of, name), fieldOr(nf, name)
		if a.Read != b.Read {
			ch := base
			ch.Kind, ch.What, ch.Old, ch.New = triChange(a.Read, b.Read), "sees field "+name, a.Read.String(), b.Read.String()
			out = append(out, ch)
		}
		if a.Write != nil && b.Write != nil && *a.Write != *b.Write {
			ch := base
			ch.Kind, ch.What, ch.Old, ch.New = triChange(*a.Write, *b.Write), "may send field "+name, a.Write.String(), b.Write.String()
			out = append(out, ch)
		}
	}
	return out
}

// fieldOr is a field's access, or what a field without rules gets: seen
// and sent by whoever reaches the endpoint.
func fieldOr(m map[string]FieldAccess, name string) FieldAccess {
	if f, ok := m[name]; ok {
		return f
	}
	y := Yes
	return FieldAccess{Name: name, Read: Yes, Write: &y}
}
