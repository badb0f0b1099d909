package spec

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

var fieldTypes = []string{string(plan.String), string(plan.Text), string(plan.Int), string(plan.Float), string(plan.Decimal), string(plan.Bool), string(plan.DateTime), string(plan.User), string(plan.Reference)}

// validFor says which field types each constraint applies to.
var validFor = map[string][]plan.FieldType{
	"min_length":     {plan.String, plan.Text},
	"max_length":     {plan.String, plan.Text},
	"min":            {plan.Int, plan.Float, plan.Decimal},
	"max":            {plan.Int, plan.Float, plan.Decimal},
	"max_digits":     {plan.Decimal},
	"decimal_places": {plan.Decimal},
	"choices":        {plan.String, plan.Text, plan.Int, plan.Float},
	"default":        {plan.String, plan.Text, plan.Int, plan.Float, plan.Bool, plan.DateTime},
	"owner":          {plan.User},
	"auto":           {plan.DateTime},
	"unique":         {plan.String, plan.Text, plan.Int, plan.DateTime, plan.User, plan.Reference},
	"to":             {plan.Reference},
	"on_delete":      {plan.Reference},
}

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
		f := l.field(e.Key, e.Val)
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

// outsideRange says whether x is below the field's min or above its max.
func outsideRange(f *plan.Field, x float64) bool {
	return (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max)
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
		if outsideRange(f, float64(x)) {
			l.errAt(n, "fit it within min and max", "%s %d is outside the field's range", what, x)
			return false
		}
	case float64:
		if outsideRange(f, x) {
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

// fieldLoad is one field while it loads.
type fieldLoad struct {
	v    *yaml.Node // the field's mapping
	d    fieldDoc
	what string // "field \"title\"", for messages
	f    *plan.Field
	good bool // false once any key of the field is wrong
}

func (l *loader) field(k, v *yaml.Node) *plan.Field {
	name := k.Value
	switch {
	case name == "id":
		l.errAt(k, "remove it: every resource has an integer id", "field id is implicit")
		return nil
	case !reLowerIdent.MatchString(name) || len(name) > 63:
		l.errAt(k, "use snake_case: lower-case letters, digits and _", "field name %q is not valid", name)
		return nil
	}
	fl := &fieldLoad{what: fmt.Sprintf("field %q", name), good: true}
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
		// shorthand: "title: string"
		v = &yaml.Node{Kind: yaml.MappingNode, Line: v.Line, Column: v.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type", Line: v.Line, Column: v.Column}, v,
		}}
	}
	fl.v = v
	if !l.decode(v, fl.what, &fl.d) {
		return nil
	}
	t, ok := l.fieldType(k, fl.d.Type, fl.what)
	if !ok {
		return nil
	}
	fl.f = &plan.Field{Name: name, GoName: goName(name), Column: name, Type: t}
	if t == plan.User || t == plan.Reference {
		fl.f.Column = name + "_id"
	}
	l.fieldApplies(fl)
	l.fieldFlags(fl)
	l.fieldLengths(fl)
	l.fieldDigits(fl)
	l.fieldBounds(fl)
	l.fieldChoices(fl)
	l.fieldDefault(fl)
	l.fieldConflicts(fl)
	l.fieldUnique(fl)
	f := fl.f
	if f.Owner || f.Auto != "" {
		f.ReadOnly = true
	}
	f.Nullable = !f.Required && f.Default == nil && !f.Owner && f.Auto == ""
	l.fieldRef(fl)
	l.fieldPerms(fl)
	if !fl.good {
		return nil
	}
	return f
}

func (l *loader) fieldType(k, tv *yaml.Node, what string) (plan.FieldType, bool) {
	if tv == nil {
		l.errAt(k, "add type: string, text, int, float, decimal, bool, datetime, user or ref", "%s has no type", what)
		return "", false
	}
	ts, ok := l.str(tv, "type")
	if !ok {
		return "", false
	}
	if !contains(fieldTypes, ts) {
		hint := "expected one of: " + strings.Join(fieldTypes, ", ")
		if near := nearest(ts, fieldTypes); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		l.errAt(tv, hint, "unknown field type %q", ts)
		return "", false
	}
	return plan.FieldType(ts), true
}

// fieldApplies refuses, and drops, the keys that do not apply to the
// field's type.
func (l *loader) fieldApplies(fl *fieldLoad) {
	t := fl.f.Type
	for _, key := range docKeys(reflect.TypeOf(fl.d)) {
		allowed, ok := validFor[key]
		n := docNode(&fl.d, key)
		if ok && *n != nil && !contains(allowed, t) {
			l.errAt(keyNode(fl.v, key), fmt.Sprintf("remove it; %s applies to %s fields", key, typeList(allowed)), "%s is not valid for %s fields", key, t)
			fl.good = false
			*n = nil
		}
	}
}

func (l *loader) fieldFlags(fl *fieldLoad) {
	flag := func(x *yaml.Node, key string) bool {
		if x == nil {
			return false
		}
		b, ok := l.boolean(x, key)
		if !ok {
			fl.good = false
		}
		return b
	}
	f, d := fl.f, &fl.d
	f.Required = flag(d.Required, "required")
	f.ReadOnly = flag(d.ReadOnly, "read_only")
	f.Owner = flag(d.Owner, "owner")
	if d.Auto != nil {
		l.enum(d.Auto, "auto", []string{"created", "updated"}, &f.Auto)
		if f.Auto == "" {
			fl.good = false
		}
	}
}

func (l *loader) fieldLengths(fl *fieldLoad) {
	length := func(x *yaml.Node, key string) *int {
		if x == nil {
			return nil
		}
		n, ok := l.integer(x, key, 0, 1<<30)
		if !ok {
			fl.good = false
			return nil
		}
		i := int(n)
		return &i
	}
	f := fl.f
	f.MinLength, f.MaxLength = length(fl.d.MinLength, "min_length"), length(fl.d.MaxLength, "max_length")
	if f.MinLength != nil && f.MaxLength != nil && *f.MinLength > *f.MaxLength {
		l.errAt(fl.d.MaxLength, "make max_length at least min_length", "max_length %d is less than min_length %d", *f.MaxLength, *f.MinLength)
		fl.good = false
	}
}

func (l *loader) fieldBounds(fl *fieldLoad) {
	f := fl.f
	if f.Type == plan.Decimal {
		l.decimalBounds(fl)
		return
	}
	f.Min, f.Max = l.bound(fl, fl.d.Min, "min"), l.bound(fl, fl.d.Max, "max")
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		l.errAt(fl.d.Max, "make max at least min", "max %v is less than min %v", *f.Max, *f.Min)
		fl.good = false
	}
}

// bound reads min or max: an integer on int fields, a number on others.
func (l *loader) bound(fl *fieldLoad, x *yaml.Node, key string) *float64 {
	if x == nil {
		return nil
	}
	var n float64
	var ok bool
	if fl.f.Type == plan.Int {
		var i int64
		i, ok = l.integer(x, key, math.MinInt64, math.MaxInt64)
		n = float64(i)
	} else {
		n, ok = l.number(x, key)
	}
	if !ok {
		fl.good = false
		return nil
	}
	return &n
}

func (l *loader) fieldChoices(fl *fieldLoad) {
	x, f := fl.d.Choices, fl.f
	if x == nil {
		return
	}
	if x.Kind != yaml.SequenceNode || len(x.Content) == 0 {
		l.errAt(x, "write a non-empty list such as [draft, published]", "choices must be a non-empty list")
		fl.good = false
		return
	}
	f.Choices = []any{}
	seen := map[any]bool{}
	for _, c := range x.Content {
		val, ok := l.typedValue(c, f.Type, "each choice")
		switch {
		case !ok:
		case seen[val]:
			l.errAt(c, "list each choice once", "duplicate choice %v", val)
			ok = false
		case !l.inConstraints(c, f, val, false):
			ok = false
		default:
			seen[val] = true
			f.Choices = append(f.Choices, val)
		}
		if !ok {
			fl.good = false
		}
	}
}

func (l *loader) fieldDefault(fl *fieldLoad) {
	x := fl.d.Default
	if x == nil {
		return
	}
	if x.Kind == yaml.ScalarNode && x.Tag == "!!null" {
		l.errAt(x, "remove default: a non-required field without default is already nullable", "default must not be null")
		fl.good = false
		return
	}
	val, ok := l.typedValue(x, fl.f.Type, "default")
	if ok && l.inConstraints(x, fl.f, val, true) {
		fl.f.Default = val
		return
	}
	fl.good = false
}

// fieldConflicts refuses keys that contradict each other.
func (l *loader) fieldConflicts(fl *fieldLoad) {
	f := fl.f
	conflict := func(a, b string) {
		if *docNode(&fl.d, a) == nil || *docNode(&fl.d, b) == nil {
			return
		}
		l.errAt(keyNode(fl.v, b), "remove one of them", "%s cannot be both %s and %s", fl.what, a, b)
		fl.good = false
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
	if f.Default != nil {
		switch {
		case f.Owner:
			conflict("owner", "default")
		case f.Auto != "":
			conflict("auto", "default")
		}
	}
}

// fieldUnique reads unique: true.
func (l *loader) fieldUnique(fl *fieldLoad) {
	x := fl.d.Unique
	if x == nil {
		return
	}
	b, ok := l.boolean(x, "unique")
	if !ok {
		fl.good = false
		return
	}
	if !b {
		l.errAt(x, "remove it: fields are not unique unless they say so", "unique: false is the default")
		fl.good = false
		return
	}
	fl.f.Unique = true
}
