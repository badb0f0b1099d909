package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// lookupsFor says which lookups make sense for a field: those a query
// parameter can compare its type with the same result on SQLite and
// PostgreSQL. Text has no order (collations differ), a bool or a
// reference only equality; isnull needs a nullable field.
func lookupsFor(f *plan.Field) []plan.Lookup {
	var out []plan.Lookup
	switch {
	case f.Choices != nil:
		out = []plan.Lookup{plan.LookupExact, plan.LookupIn}
	case f.Type == plan.String || f.Type == plan.Text:
		out = []plan.Lookup{plan.LookupExact, plan.LookupIn}
	case f.Type == plan.Int || f.Type == plan.Float || f.Type == plan.Decimal:
		out = []plan.Lookup{plan.LookupExact, plan.LookupIn, plan.LookupGte, plan.LookupLte, plan.LookupGt, plan.LookupLt}
	case f.Type == plan.DateTime:
		out = []plan.Lookup{plan.LookupExact, plan.LookupGte, plan.LookupLte, plan.LookupGt, plan.LookupLt}
	case f.Type == plan.Bool || f.Type == plan.Reference:
		out = []plan.Lookup{plan.LookupExact}
	}
	if f.Nullable && out != nil {
		out = append(out, plan.LookupIsNull)
	}
	return out
}

// listParams are the query parameters a list reads for itself: a filter
// may not take one of them.
var listParams = []string{"page", "search", "ordering", "cursor", "limit", "offset"}

func lookupNames(ls []plan.Lookup) string {
	s := make([]string, len(ls))
	for i, x := range ls {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// filters reads filters: a mapping from fields to the lists of their
// lookups, as django-filter's filterset_fields in its dict form.
func (l *loader) filters(rl *resourceLoad) {
	n, r := rl.d.Filters, rl.r
	if n == nil {
		return
	}
	_, list, ok := l.mapping(n, rl.what+" filters", nil)
	if !ok {
		return
	}
	if !l.listed(rl, n, "filters") {
		return
	}
	if len(list) == 0 {
		l.errAt(n, "map fields to their lookups, e.g. filters: {price: [gte, lte]}, or remove the key", "%s filters names no field", rl.what)
		return
	}
	for _, e := range list {
		f := l.listField(rl, e.Key, "filters")
		if f == nil {
			continue
		}
		if len(lookupsFor(f)) == 0 {
			l.errAt(e.Key, "filter on another field", "%s filters names %s; %s fields cannot be filtered", rl.what, fieldWhat(f), f.Type)
			continue
		}
		if fl := l.filterLookups(rl, f, e.Val); fl != nil {
			r.Filters = append(r.Filters, fl)
		}
	}
}

// listed refuses key on a resource without a list.
func (l *loader) listed(rl *resourceLoad, n *yaml.Node, key string) bool {
	if contains(rl.actions, plan.List) {
		return true
	}
	l.errAt(keyNode(rl.v, key), "remove "+key+", or give the resource the list action", "%s has %s, but no list", rl.what, key)
	return false
}

// listField is the field of the resource k names, or nil (reported).
func (l *loader) listField(rl *resourceLoad, k *yaml.Node, key string) *plan.Field {
	var names []string
	for _, f := range rl.r.Fields {
		if f.Name == k.Value {
			return f
		}
		names = append(names, f.Name)
	}
	hint := "use a field of the resource"
	if near := nearest(k.Value, names); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	}
	l.errAt(k, hint, "%s %s names unknown field %q", rl.what, key, k.Value)
	return nil
}

// filterLookups reads the list of lookups of field f.
func (l *loader) filterLookups(rl *resourceLoad, f *plan.Field, n *yaml.Node) *plan.Filter {
	fits := lookupsFor(f)
	example := fmt.Sprintf("write a list of lookups, e.g. %s: [%s]", f.Name, fits[0])
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.errAt(n, example, "the lookups of filter %q must be a non-empty list", f.Name)
		return nil
	}
	names, nodes, ok := l.strList(n, "the lookups of filter "+f.Name)
	if !ok {
		return nil
	}
	fl := &plan.Filter{Field: f}
	good := true
	for i, s := range names {
		lk := plan.Lookup(s)
		switch {
		case !contains(plan.Lookups, lk):
			hint := "the lookups are: " + lookupNames(plan.Lookups)
			if near := nearest(s, strings.Split(lookupNames(plan.Lookups), ", ")); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			l.errAt(nodes[i], hint, "unknown lookup %q", s)
			good = false
		case contains(fl.Lookups, lk):
			l.errAt(nodes[i], "list each lookup once", "filter %q lists lookup %s twice", f.Name, s)
			good = false
		case lk == plan.LookupIsNull && !f.Nullable:
			l.errAt(nodes[i], "remove isnull: the field is never null; its lookups are: "+lookupNames(fits), "%s is not nullable, so isnull does not apply", fieldWhat(f))
			good = false
		case !contains(fits, lk):
			l.errAt(nodes[i], "use one of: "+lookupNames(fits), "lookup %s does not apply to %s", s, fieldWhat(f))
			good = false
		case lk == plan.LookupExact && contains(listParams, f.Name):
			l.errAt(nodes[i], "filter it with another lookup, or rename the field", "?%s= is a parameter of the list itself (%s), so filter %q cannot use exact", f.Name, strings.Join(listParams, ", "), f.Name)
			good = false
		default:
			fl.Lookups = append(fl.Lookups, lk)
		}
	}
	if !good {
		return nil
	}
	return fl
}

// fieldWhat names a field with its type for messages: decimal field
// "price", choices field "status".
func fieldWhat(f *plan.Field) string {
	t := string(f.Type)
	if f.Choices != nil {
		t = "choices"
	}
	return fmt.Sprintf("%s field %q", t, f.Name)
}

// search reads search: the string and text fields ?search= looks in, as
// DRF's search_fields. A field with read: is searched only for callers who
// may read it.
func (l *loader) search(rl *resourceLoad) {
	n, r := rl.d.Search, rl.r
	if n == nil {
		return
	}
	names, nodes, ok := l.strList(n, rl.what+" search")
	if !ok {
		return
	}
	if len(names) == 0 {
		l.errAt(n, "list string fields, e.g. search: [title], or remove the key", "%s search names no field", rl.what)
		return
	}
	if !l.listed(rl, n, "search") {
		return
	}
	for i, name := range names {
		f := l.listField(rl, nodes[i], "search")
		switch {
		case f == nil:
		case f.Type != plan.String && f.Type != plan.Text:
			l.errAt(nodes[i], "search string or text fields; filter the others with filters:", "search names %s; only string and text fields can be searched", fieldWhat(f))
		case contains(r.Search, name):
			l.errAt(nodes[i], "list each field once", "search names %q twice", name)
		default:
			r.Search = append(r.Search, name)
		}
	}
}
