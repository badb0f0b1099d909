package golang

import (
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

var (
	// filterSetType is rest.FilterSet, filterType rest.Filter and
	// filterTargetType rest.FilterTarget.
	filterSetType    = structType{pkgRest, "FilterSet", []string{"Filters", "Search"}}
	filterType       = structType{pkgRest, "Filter", []string{"Field", "Column", "Type", "Lookups", "Choices", "MaxDigits", "DecimalPlaces", "Target"}}
	filterTargetType = structType{pkgRest, "FilterTarget", []string{"Resource", "Table", "Scope"}}
)

// filterTypes is the rest.FilterType of each field type.
var filterTypes = map[plan.FieldType]string{
	plan.String: "FilterString", plan.Text: "FilterString", plan.Int: "FilterInt", plan.Float: "FilterFloat",
	plan.Decimal: "FilterDecimal", plan.Bool: "FilterBool", plan.DateTime: "FilterDateTime", plan.Reference: "FilterRef",
}

// lookupConst is the rest constant of each lookup.
var lookupConst = map[plan.Lookup]string{
	plan.LookupExact: "LookupExact", plan.LookupIn: "LookupIn", plan.LookupGte: "LookupGte", plan.LookupLte: "LookupLte",
	plan.LookupGt: "LookupGt", plan.LookupLt: "LookupLt", plan.LookupIsNull: "LookupIsNull",
}

// filtered says whether the resource's list reads filter or search
// parameters.
func (x *res) filtered() bool { return len(x.r.Filters) > 0 || len(x.r.Search) > 0 }

// filterParams are the query parameters of the resource's filters, for
// the comment of its FilterSet.
func (x *res) filterParams() string {
	var ps []string
	for _, fl := range x.r.Filters {
		for _, l := range fl.Lookups {
			p := "?" + fl.Field.Name
			if l != plan.LookupExact {
				p += "__" + string(l)
			}
			ps = append(ps, p+"=")
		}
	}
	if len(x.r.Search) > 0 {
		ps = append(ps, "?search= (over "+strings.Join(x.r.Search, ", ")+")")
	}
	return strings.Join(ps, ", ")
}

// wrap breaks s into lines of at most width bytes, between words.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// filterSetVar emits xFilters, the resource's list filters and search
// fields.
func (g *gen) filterSetVar(f *File, x *res) {
	if !x.filtered() {
		return
	}
	d := map[string]Code{}
	var filters []Code
	for _, fl := range x.r.Filters {
		filters = append(filters, filterValue(fl))
	}
	if len(filters) > 0 {
		d["Filters"] = Index().Qual(pkgRest, "Filter").Values(filters...)
	}
	if len(x.r.Search) > 0 {
		var names []Code
		for _, s := range x.r.Search {
			names = append(names, Lit(s))
		}
		d["Search"] = Index().String().Values(names...)
	}
	f.Add(comment("%sFilters are the query filters of the %s list:", x.id, x.r.Name))
	for _, line := range wrap(x.filterParams()+".", 76) {
		f.Add(comment("%s", line))
	}
	f.Add(comment("They narrow the read scope, never widen it; a field the caller may not read is"))
	f.Add(comment("neither filtered nor searched (its parameters are ignored as unknown ones)."))
	f.Var().Id(x.id + "Filters").Op("=").Add(filterSetType.lit(d))
	f.Line()
}

// filterValue is the rest.Filter of one field.
func filterValue(fl *plan.Filter) Code {
	field := fl.Field
	var lookups []Code
	for _, l := range fl.Lookups {
		lookups = append(lookups, Qual(pkgRest, lookupConst[l]))
	}
	d := map[string]Code{
		"Field":   Lit(field.Name),
		"Column":  Lit(field.Column),
		"Type":    Qual(pkgRest, filterTypes[field.Type]),
		"Lookups": Index().Qual(pkgRest, "FilterLookup").Values(lookups...),
	}
	if len(field.Choices) > 0 {
		var cs []Code
		for _, c := range field.Choices {
			cs = append(cs, Lit(c))
		}
		d["Choices"] = Index().Any().Values(cs...)
	}
	if field.Type == plan.Decimal {
		d["MaxDigits"], d["DecimalPlaces"] = Lit(field.MaxDigits), Lit(field.DecimalPlaces)
	}
	if field.Type == plan.Reference {
		d["Target"] = Op("&").Add(filterTargetType.lit(map[string]Code{
			"Resource": Lit(field.To),
			"Table":    rawLit(ident(field.ToTable)),
			"Scope":    Id(camel(field.To) + "Scope"),
		}))
	}
	return filterType.values(d)
}

// filters reads the filter and search parameters (400 for a bad value)
// into filters, which the list ANDs with the read scope.
func (h handlerAction) filters() []Code {
	if !h.x.filtered() {
		return nil
	}
	hide := Nil()
	if h.x.readGuarded() {
		hide = Id("hide")
	}
	return []Code{
		comment("Filters and search: 400 for a bad value; ANDed with the read scope below."),
		List(Id("filters"), Err()).Op(":=").Id(h.x.id+"Filters").Dot("Where").Call(Id("req"), hide),
		h.fail(),
	}
}
