package openapi

import (
	"strconv"
	"strings"

	"github.com/wardhq/ward/generator/plan"
)

// listSchema is a page of objects in r's pagination style.
func listSchema(r *plan.Resource) obj {
	link := obj{"type": []any{"string", "null"}, "format": "uri"}
	props := obj{
		"next":     link,
		"previous": link,
		"results":  obj{"type": "array", "items": ref("schemas", r.Model)},
	}
	req := []any{"next", "previous", "results"}
	if r.Pagination != plan.Cursor {
		props["count"] = obj{"type": "integer", "minimum": 0}
		req = append([]any{"count"}, req...)
	}
	return obj{"type": "object", "required": req, "properties": props}
}

// query is a query parameter. Each is a string: the lists ignore a value
// they cannot read (an invalid ?limit= is the default, as DRF does).
func query(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

// listParams are the list's query parameters: pagination, ordering,
// search and filters.
func listParams(r *plan.Resource) []any {
	var out []any
	switch r.Pagination {
	case plan.LimitOffset:
		out = append(out,
			query("limit", "how many objects (default "+strconv.Itoa(r.PageSize)+", at most "+strconv.Itoa(r.MaxLimit)+")", obj{"type": "string"}),
			query("offset", "how many objects to skip", obj{"type": "string"}))
	case plan.Cursor:
		out = append(out, query("cursor", "the opaque position of a page, from next or previous ("+strconv.Itoa(r.PageSize)+" a page)", obj{"type": "string"}))
	default:
		out = append(out, query("page", "the page number, from 1 ("+strconv.Itoa(r.PageSize)+" a page)", obj{"type": "string"}))
	}
	if len(r.OrderingFields) > 0 {
		var enum []string
		for _, f := range r.OrderingFields {
			enum = append(enum, f, "-"+f)
		}
		out = append(out, query("ordering", "comma-separated keys, - for descending, of: "+strings.Join(enum, ", ")+" (id breaks ties)", obj{"type": "string"}))
	}
	if len(r.Search) > 0 {
		out = append(out, query("search", "terms, each found (case-insensitively) in one of: "+strings.Join(r.Search, ", "), obj{"type": "string"}))
	}
	for _, f := range r.Filters {
		for _, l := range f.Lookups {
			out = append(out, filterParam(f.Field, l))
		}
	}
	return out
}

func filterParam(f *plan.Field, l plan.Lookup) obj {
	name := f.Name
	if l != plan.LookupExact {
		name += "__" + string(l)
	}
	desc := f.Name + " " + string(l)
	if f.Read != nil {
		desc += " (ignored for a caller who may not read " + f.Name + ")"
	}
	// A string whatever the field: django-filter ignores a value it
	// cannot read rather than refusing the request.
	s := obj{"type": "string"}
	switch {
	case l == plan.LookupIn:
		desc += ": comma-separated values"
	case l == plan.LookupIsNull || f.Type == plan.Bool:
		desc += ": true or false"
	case f.Type == plan.Int || f.Type == plan.Reference:
		desc += ": an integer"
	case f.Type == plan.Decimal:
		desc += ": a decimal"
	case len(f.Choices) > 0:
		desc += ": one of the choices"
	}
	return query(name, desc, s)
}
