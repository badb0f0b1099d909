package access

import (
	"strings"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/identity"
)

// caseMode says which objects a row meets.
type caseMode uint8

const (
	stored   caseMode = iota // the object as stored (list, lookups)
	created                  // the object a create makes
	noObject                 // none (a 405, a collection's extra action): only a parent's facts
)

// objCase is one synthetic object a caller can meet, with the facts about
// it that are not implied by the kind of caller (key and text).
type objCase struct {
	obj       *object
	key, text string
}

// field returns r's field named name, nil for id or an unknown name.
func field(r *plan.Resource, name string) *plan.Field {
	for _, f := range r.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// writable says whether a client sets field name on create (or update).
func writable(r *plan.Resource, name string, create bool) bool {
	f := field(r, name)
	if f == nil || f.ReadOnly || f.Owner || f.Auto != "" {
		return false
	}
	return create || !f.CreateOnly
}

// target is the value of a's field that makes a hold for the caller.
func target(a Atom, staff bool) any {
	switch {
	case a.Kind == plan.RuleOwner, a.Kind == plan.RuleField && a.UserAttr == "id":
		return callerID
	case a.Kind == plan.RuleField && a.UserAttr == "username":
		return callerName
	case a.Kind == plan.RuleField:
		return staff
	}
	return a.Value
}

// candidates lists the values worth trying for a field: each atom's
// target, then one that is none of them ("another").
func (ev *evaluator) candidates(name string, staff bool) []any {
	var out []any
	for _, a := range ev.atoms {
		if a.slot() == name && !containsT(out, target(a, staff)) {
			out = append(out, target(a, staff))
		}
	}
	if len(out) == 0 {
		return nil
	}
	switch out[0].(type) {
	case int64:
		v := otherID
		for containsT(out, any(v)) || v == callerID {
			v++
		}
		out = append(out, v)
	case string:
		v := otherName
		for containsT(out, any(v)) || v == callerName {
			v += "~"
		}
		out = append(out, v)
	case bool:
		if !containsT(out, any(true)) {
			out = append(out, true)
		} else if !containsT(out, any(false)) {
			out = append(out, false)
		}
	}
	return out
}

// atomFields lists the fields the atoms look at, in atom order, once.
func (ev *evaluator) atomFields() []string {
	var out []string
	for _, a := range ev.atoms {
		if !contains(out, a.slot()) {
			out = append(out, a.slot())
		}
	}
	return out
}

// expected is what a relative atom is for caller c: the subject's holds,
// the others do not.
func expected(c Caller, i int) bool { return c.subject == i }

// describe is the key and text of obj's facts for c: every value atom,
// and the relative atoms that are not what c's kind implies.
func (ev *evaluator) describe(c Caller, u *identity.User, obj *object, mode caseMode) (key, text string, plain bool) {
	var keys, texts []string
	plain = true
	create := mode == created
	for i, a := range ev.atoms {
		if mode == noObject && a.Parent == "" {
			continue // no object of the resource's own
		}
		h := holds(a, u, obj)
		if a.Relative() && (h == expected(c, i) || c.subject >= 0 && ev.atoms[c.subject].slot() == a.slot()) {
			continue // what the kind of caller says
		}
		if create && ev.r.Owner != nil && a.slot() == ev.r.Owner.Name {
			continue // a create makes the caller the owner
		}
		if a.Relative() {
			plain = false
		}
		k := a.Key()
		if !h {
			k = "not " + k
		}
		keys, texts = append(keys, k), append(texts, a.Text(h))
	}
	return strings.Join(keys, ", "), strings.Join(texts, ", "), plain
}

// cases lists the objects c can meet: as stored (create false), where the
// caller's relation to each is the one c's kind says, or as a create
// makes them (the owner field is the caller; fields a client cannot set
// hold their default).
func (ev *evaluator) cases(c Caller, u *identity.User, mode caseMode) []objCase {
	create := mode == created
	var fields []string
	for _, f := range ev.atomFields() {
		if mode != noObject || strings.HasPrefix(f, "^") {
			fields = append(fields, f)
		}
	}
	choices := make([][]any, len(fields))
	for i, name := range fields {
		choices[i] = ev.fieldChoices(c, name, create)
	}
	var out []objCase
	seen := map[string]bool{}
	product(choices, func(vals []any) {
		obj := &object{vals: map[string]any{}}
		for i, name := range fields {
			if vals[i] != nil {
				obj.vals[name] = vals[i]
			}
		}
		key, text, plain := ev.describe(c, u, obj, mode)
		if (!plain && !create) || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, objCase{obj: obj, key: key, text: text})
	})
	return out
}

// fieldChoices are the values field name can hold for c.
func (ev *evaluator) fieldChoices(c Caller, name string, create bool) []any {
	if c.subject >= 0 && ev.atoms[c.subject].slot() == name {
		return []any{target(ev.atoms[c.subject], c.staff)}
	}
	f := field(ev.r, name)
	switch {
	case strings.HasPrefix(name, "^"):
		// The parent's: it exists before the request, whatever it holds.
	case create && f != nil && f.Owner:
		return []any{callerID}
	case create && !writable(ev.r, name, true):
		return []any{defaultOf(f)}
	}
	all := ev.candidates(name, c.staff)
	var out []any
	for _, v := range all {
		// Only a value atom's constant, or the last ("another"), for a
		// field the caller's kind has no relation through.
		if isValueTarget(ev.atoms, name, v) || v == all[len(all)-1] {
			out = append(out, v)
		}
	}
	return out
}

func isValueTarget(atoms []Atom, name string, v any) bool {
	for _, a := range atoms {
		if a.slot() == name && a.Kind == plan.RuleValue && a.Value == v {
			return true
		}
	}
	return false
}

// defaultOf is the value of a field a create does not take from the
// client: its default, nil (NULL) for none.
func defaultOf(f *plan.Field) any {
	if f == nil {
		return nil
	}
	switch v := f.Default.(type) {
	case int:
		return int64(v)
	case bool, int64, string:
		return v
	}
	return nil
}

// product calls f with every combination of one value per list.
func product(lists [][]any, f func([]any)) {
	vals := make([]any, len(lists))
	var rec func(i int)
	rec = func(i int) {
		if i == len(lists) {
			f(vals)
			return
		}
		if len(lists[i]) == 0 {
			vals[i] = nil
			rec(i + 1)
			return
		}
		for _, v := range lists[i] {
			vals[i] = v
			rec(i + 1)
		}
	}
	rec(0)
}

// moves lists the objects an update by c may turn stored into: every
// combination of values of the atoms' fields the client may set, but
// the one stored holds. sent names the fields each changes.
func (ev *evaluator) moves(c Caller, u *identity.User, stored *object) []moveCase {
	var fields []string
	for _, name := range ev.atomFields() {
		if writable(ev.r, name, false) {
			fields = append(fields, name)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	choices := make([][]any, len(fields))
	for i, name := range fields {
		choices[i] = ev.candidates(name, c.staff)
	}
	baseKey := ev.fullKey(u, stored)
	var out []moveCase
	seen := map[string]bool{baseKey: true}
	product(choices, func(vals []any) {
		next := &object{vals: map[string]any{}, fresh: true}
		for k, v := range stored.vals {
			next.vals[k] = v
		}
		var sent []string
		for i, name := range fields {
			if vals[i] != stored.vals[name] {
				next.vals[name] = vals[i]
				sent = append(sent, name)
			}
		}
		key := ev.fullKey(u, next)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, moveCase{obj: next, sent: sent, key: key, text: ev.changeText(u, stored, next)})
	})
	return out
}

type moveCase struct {
	obj       *object
	sent      []string
	key, text string
}

// fullKey names every atom's truth on obj for u.
func (ev *evaluator) fullKey(u *identity.User, obj *object) string {
	var b strings.Builder
	for _, a := range ev.atoms {
		if holds(a, u, obj) {
			b.WriteString("+")
		} else {
			b.WriteString("-")
		}
		b.WriteString(a.Key())
	}
	return b.String()
}

// changeText says which facts an update changes.
func (ev *evaluator) changeText(u *identity.User, from, to *object) string {
	var out []string
	for _, a := range ev.atoms {
		if h := holds(a, u, to); h != holds(a, u, from) {
			out = append(out, a.Text(h))
		}
	}
	return strings.Join(out, ", ")
}
