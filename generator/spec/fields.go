package spec

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wardhq/ward/generator/plan"
	"gopkg.in/yaml.v3"
)

func (l *loader) fields(n *yaml.Node, r *plan.Resource) []*plan.Field {
	_, list, ok := l.mapping(n, fmt.Sprintf("fields of %q", r.Name), nil)
	if !ok {
		return nil
	}
	if len(list) == 0 {
		l.errAt(n, "declare at least one field", "resource %q has no fields", r.Name)
	}
	out := []*plan.Field{}
	columns := map[string]string{"id": "id"}
	var owner *yaml.Node
	for _, e := range list {
		f := l.field(e.Key, e.Val, r.Name)
		if f == nil {
			continue
		}
		if prev, dup := columns[f.Column]; dup {
			l.errAt(e.Key, "rename one of them", "field %q uses column %s, already used by %q", f.Name, f.Column, prev)
			continue
		}
		columns[f.Column] = f.Name
		if f.Owner {
			if owner != nil {
				l.errAt(e.Key, "keep one owner field", "resource %q has a second owner field (the first is at line %d)", r.Name, owner.Line)
				continue
			}
			owner = e.Key
		}
		out = append(out, f)
	}
	return out
}

func (l *loader) field(k, v *yaml.Node, res string) *plan.Field {
	name := k.Value
	switch {
	case name == "id":
		l.errAt(k, "remove it: every resource has an integer id", "field id is implicit")
		return nil
	case !reLowerIdent.MatchString(name) || len(name) > 63:
		l.errAt(k, "use snake_case: lower-case letters, digits and _", "field name %q is not valid", name)
		return nil
	}
	what := fmt.Sprintf("field %q", name)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
		// shorthand: "title: string"
		v = &yaml.Node{Kind: yaml.MappingNode, Line: v.Line, Column: v.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type", Line: v.Line, Column: v.Column}, v,
		}}
	}
	m, list, ok := l.mapping(v, what, knownKeys["resources/*/fields/*"])
	if !ok {
		return nil
	}
	tv, ok := m["type"]
	if !ok {
		l.errAt(k, "add type: string, text, int, float, bool, datetime or user", "%s has no type", what)
		return nil
	}
	ts, ok := l.str(tv, "type")
	if !ok {
		return nil
	}
	if !contains(fieldTypes, ts) {
		hint := "expected one of: " + strings.Join(fieldTypes, ", ")
		if near := nearest(ts, fieldTypes); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		l.errAt(tv, hint, "unknown field type %q", ts)
		return nil
	}
	t := plan.FieldType(ts)
	f := &plan.Field{Name: name, GoName: goName(name), Column: name, Type: t}
	if t == plan.User {
		f.Column = name + "_id"
	}
	good := true
	for _, e := range list {
		key := e.Key.Value
		if allowed, ok := validFor[key]; ok && !contains(allowed, t) {
			l.errAt(e.Key, fmt.Sprintf("remove it; %s applies to %s fields", key, typeList(allowed)), "%s is not valid for %s fields", key, t)
			good = false
			delete(m, key)
		}
	}
	flag := func(key string) bool {
		if x, ok := m[key]; ok {
			b, ok := l.boolean(x, key)
			if !ok {
				good = false
			}
			return b
		}
		return false
	}
	f.Required = flag("required")
	f.ReadOnly = flag("read_only")
	f.Owner = flag("owner")
	if x, ok := m["auto"]; ok {
		var s string
		l.enum(x, "auto", []string{"created", "updated"}, &s)
		if s == "" {
			good = false
		}
		f.Auto = s
	}
	length := func(key string) *int {
		x, ok := m[key]
		if !ok {
			return nil
		}
		n, ok := l.integer(x, key, 0, 1<<30)
		if !ok {
			good = false
			return nil
		}
		i := int(n)
		return &i
	}
	f.MinLength, f.MaxLength = length("min_length"), length("max_length")
	if f.MinLength != nil && f.MaxLength != nil && *f.MinLength > *f.MaxLength {
		l.errAt(m["max_length"], "make max_length at least min_length", "max_length %d is less than min_length %d", *f.MaxLength, *f.MinLength)
		good = false
	}
	bound := func(key string) *float64 {
		x, ok := m[key]
		if !ok {
			return nil
		}
		if t == plan.Int {
			n, ok := l.integer(x, key, math.MinInt64, math.MaxInt64)
			if !ok {
				good = false
				return nil
			}
			fv := float64(n)
			return &fv
		}
		n, ok := l.number(x, key)
		if !ok {
			good = false
			return nil
		}
		return &n
	}
	f.Min, f.Max = bound("min"), bound("max")
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		l.errAt(m["max"], "make max at least min", "max %v is less than min %v", *f.Max, *f.Min)
		good = false
	}
	if x, ok := m["choices"]; ok {
		if x.Kind != yaml.SequenceNode || len(x.Content) == 0 {
			l.errAt(x, "write a non-empty list such as [draft, published]", "choices must be a non-empty list")
			good = false
		} else {
			f.Choices = []any{}
			seen := map[any]bool{}
			for _, c := range x.Content {
				val, ok := l.typedValue(c, t, "each choice")
				if !ok {
					good = false
					continue
				}
				if seen[val] {
					l.errAt(c, "list each choice once", "duplicate choice %v", val)
					good = false
					continue
				}
				if !l.inConstraints(c, f, val, false) {
					good = false
					continue
				}
				seen[val] = true
				f.Choices = append(f.Choices, val)
			}
		}
	}
	if x, ok := m["default"]; ok {
		if x.Kind == yaml.ScalarNode && x.Tag == "!!null" {
			l.errAt(x, "remove default: a non-required field without default is already nullable", "default must not be null")
			good = false
		} else if val, ok := l.typedValue(x, t, "default"); ok {
			if l.inConstraints(x, f, val, true) {
				f.Default = val
			} else {
				good = false
			}
		} else {
			good = false
		}
	}
	// conflicts
	conflict := func(a, b string) {
		if _, ok := m[a]; !ok {
			return
		}
		if _, ok := m[b]; !ok {
			return
		}
		l.errAt(keyNode(v, b), "remove one of them", "%s cannot be both %s and %s", what, strings.TrimSuffix(a, ": true"), b)
		good = false
	}
	if f.Required {
		if f.Default != nil {
			conflict("required", "default")
		}
		if f.ReadOnly {
			conflict("required", "read_only")
		}
		if f.Owner {
			conflict("required", "owner")
		}
		if f.Auto != "" {
			conflict("required", "auto")
		}
	}
	if (f.Owner || f.Auto != "") && f.Default != nil {
		conflict(map[bool]string{true: "owner", false: "auto"}[f.Owner], "default")
	}
	if f.Owner || f.Auto != "" {
		f.ReadOnly = true
	}
	f.Nullable = !f.Required && f.Default == nil && !f.Owner && f.Auto == ""
	if !good {
		return nil
	}
	return f
}

func typeList(ts []plan.FieldType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func containsAny(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// typedValue decodes a scalar as a value of field type t: string for
// string/text, int64, float64, bool, or time.Time for datetime.
func (l *loader) typedValue(n *yaml.Node, t plan.FieldType, what string) (any, bool) {
	switch t {
	case plan.String, plan.Text:
		s, ok := l.str(n, what)
		return s, ok
	case plan.Int:
		i, ok := l.integer(n, what, math.MinInt64, math.MaxInt64)
		return i, ok
	case plan.Float:
		f, ok := l.number(n, what)
		return f, ok
	case plan.Bool:
		b, ok := l.boolean(n, what)
		return b, ok
	case plan.DateTime:
		s, ok := l.str(n, what)
		if !ok {
			return nil, false
		}
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			l.errAt(n, "write an RFC 3339 time such as 2024-01-02T15:04:05Z", "%s %q is not an RFC 3339 time", what, s)
			return nil, false
		}
		return tm.UTC(), true
	}
	l.errAt(n, "", "%s is not valid for %s fields", what, t)
	return nil, false
}

// inConstraints checks a choice or default against the field's length,
// range and (for defaults) choices.
func (l *loader) inConstraints(n *yaml.Node, f *plan.Field, v any, isDefault bool) bool {
	what := "choice"
	if isDefault {
		what = "default"
	}
	switch x := v.(type) {
	case string:
		c := len([]rune(x))
		if (f.MinLength != nil && c < *f.MinLength) || (f.MaxLength != nil && c > *f.MaxLength) {
			l.errAt(n, "fit it within min_length and max_length", "%s %q has %d characters, outside the field's length limits", what, x, c)
			return false
		}
	case int64:
		if (f.Min != nil && float64(x) < *f.Min) || (f.Max != nil && float64(x) > *f.Max) {
			l.errAt(n, "fit it within min and max", "%s %d is outside the field's range", what, x)
			return false
		}
	case float64:
		if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) {
			l.errAt(n, "fit it within min and max", "%s %v is outside the field's range", what, x)
			return false
		}
	}
	if isDefault && f.Choices != nil && !containsAny(f.Choices, v) {
		l.errAt(n, "use one of the choices", "default %v is not one of the choices", v)
		return false
	}
	return true
}

func (l *loader) ordering(n *yaml.Node, r *plan.Resource) []plan.Order {
	out := []plan.Order{}
	hasID := false
	if n != nil {
		list, nodes, _ := l.strList(n, "ordering")
		seen := map[string]bool{}
		names := map[string]bool{}
		var fieldNames []string
		for _, f := range r.Fields {
			names[f.Name] = true
			fieldNames = append(fieldNames, f.Name)
		}
		for i, s := range list {
			o := plan.Order{Field: strings.TrimPrefix(s, "-"), Desc: strings.HasPrefix(s, "-")}
			known := o.Field == "id" || names[o.Field]
			switch {
			case !known:
				hint := "use id or a field of the resource"
				if near := nearest(o.Field, append(fieldNames, "id")); near != "" {
					hint = fmt.Sprintf("did you mean %q?", near)
				}
				l.errAt(nodes[i], hint, "ordering names unknown field %q", o.Field)
				continue
			case seen[o.Field]:
				l.errAt(nodes[i], "list each field once", "ordering names %q twice", o.Field)
				continue
			}
			seen[o.Field] = true
			hasID = hasID || o.Field == "id"
			out = append(out, o)
		}
	}
	if !hasID {
		out = append(out, plan.Order{Field: "id"})
	}
	return out
}
