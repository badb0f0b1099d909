package golang

import (
	"slices"
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

var (
	listingType = structType{pkgRest, "Listing", []string{"Pagination", "PageSize", "MaxLimit", "Columns", "Default", "Fields"}}
	sortColType = structType{pkgRest, "Column", []string{"Name", "SQL", "Nullable", "Value"}}
)

// paginationConst names the runtime's constant of each style.
var paginationConst = map[plan.Pagination]string{
	plan.PageNumber:  "PageNumberPagination",
	plan.LimitOffset: "LimitOffsetPagination",
	plan.Cursor:      "CursorPagination",
}

// defaultOrder is the spec's ordering up to id, which ends it.
func (x *res) defaultOrder() []plan.Order {
	for i, o := range x.r.Ordering {
		if o.Field == "id" {
			return x.r.Ordering[:i+1]
		}
	}
	return x.r.Ordering
}

// sortFields are the fields a list can be ordered by (the default
// ordering's and ordering_fields), in spec order.
func (x *res) sortFields() []*plan.Field {
	var out []*plan.Field
	for _, fl := range x.r.Fields {
		used := slices.Contains(x.r.OrderingFields, fl.Name)
		for _, o := range x.defaultOrder() {
			used = used || o.Field == fl.Name
		}
		if used {
			out = append(out, fl)
		}
	}
	return out
}

// listingVar emits xListing, how the resource's lists are ordered and
// paginated.
func (g *gen) listingVar(f *File, x *res) {
	cursor := x.r.Pagination == plan.Cursor
	obj := Id("o").Op("*").Id(x.model)
	idCol := map[string]Code{"Name": Lit("id"), "SQL": rawLit(ident("id"))}
	if cursor {
		idCol["Value"] = Func().Params(obj).Any().Block(Return(Id("o").Dot("ID")))
	}
	cols := []Code{colValues(idCol)}
	for _, fl := range x.sortFields() {
		c := map[string]Code{"Name": Lit(fl.Name), "SQL": rawLit(ident(fl.Column))}
		if fl.Nullable {
			c["Nullable"] = True()
		}
		if cursor {
			c["Value"] = Func().Params(obj).Any().Block(Return(bindValue(fl)))
		}
		cols = append(cols, colValues(c))
	}
	var def []Code
	var names []string
	for _, o := range x.defaultOrder() {
		t := []Code{Id("Name").Op(":").Lit(o.Field)}
		name := o.Field
		if o.Desc {
			t = append(t, Id("Desc").Op(":").True())
			name = "-" + name
		}
		def = append(def, Values(t...))
		names = append(names, name)
	}
	d := map[string]Code{
		"Pagination": Qual(pkgRest, paginationConst[x.r.Pagination]),
		"PageSize":   Lit(x.r.PageSize),
		"Columns":    Index().Qual(pkgRest, "Column").Types(Id(x.model)).Add(fieldValues(cols...)),
		"Default":    Index().Qual(pkgRest, "Term").Add(fieldValues(def...)),
	}
	if x.r.Pagination == plan.LimitOffset {
		d["MaxLimit"] = Lit(x.r.MaxLimit)
	}
	about := "no ?ordering="
	if len(x.r.OrderingFields) > 0 {
		d["Fields"] = stringList(x.r.OrderingFields)
		about = "?ordering= takes " + strings.Join(x.r.OrderingFields, ", ")
	}
	v := x.id + "Listing"
	style := map[plan.Pagination]string{plan.PageNumber: "page-number", plan.LimitOffset: "limit/offset", plan.Cursor: "cursor"}[x.r.Pagination]
	f.Add(comment("%s orders and paginates %s lists: %s pagination, %d a page.", v, x.r.Name, style, x.r.PageSize))
	f.Add(comment("Default order: %s; %s.", strings.Join(names, ", "), about))
	f.Var().Id(v).Op("=").Op("&").Qual(pkgRest, "Listing").Types(Id(x.model)).Add(listingType.values(d))
	f.Line()
}

// colValues is a rest.Column literal, on one line when it has no Value.
func colValues(c map[string]Code) Code {
	if c["Value"] != nil {
		return sortColType.values(c)
	}
	var items []Code
	for _, name := range sortColType.fields {
		if v := c[name]; v != nil {
			items = append(items, Id(name).Op(":").Add(v))
		}
	}
	return Values(items...)
}
