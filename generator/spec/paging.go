package spec

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// paging reads ordering_fields, pagination and max_limit, once page_size
// and ordering are read.
func (l *loader) paging(rl *resourceLoad) {
	r, d := rl.r, &rl.d
	r.Pagination = plan.PageNumber
	if d.Pagination != nil {
		if s, ok := l.str(d.Pagination, "pagination"); ok {
			if !slices.Contains(plan.Paginations, plan.Pagination(s)) {
				hint := "write page, limit_offset or cursor"
				if near := nearest(s, []string{"page", "limit_offset", "cursor"}); near != "" {
					hint = fmt.Sprintf("did you mean %q?", near)
				}
				l.errAt(d.Pagination, hint, "unknown pagination %q", s)
			} else {
				r.Pagination = plan.Pagination(s)
			}
		}
	}
	l.maxLimit(rl)
	r.OrderingFields = l.orderingFields(d.OrderingFields, r)
	if r.Pagination == plan.Cursor {
		l.cursorOrdering(rl)
	}
}

// maxLimit reads max_limit, which limit/offset pagination alone has.
func (l *loader) maxLimit(rl *resourceLoad) {
	r, d := rl.r, &rl.d
	if r.Pagination == plan.LimitOffset {
		r.MaxLimit = plan.DefaultMaxLimit
	}
	if d.MaxLimit == nil {
		return
	}
	if r.Pagination != plan.LimitOffset {
		l.errAt(keyNode(rl.v, "max_limit"), "remove it, or write pagination: limit_offset", "max_limit applies to pagination: limit_offset only")
		return
	}
	n, ok := l.integer(d.MaxLimit, "max_limit", 1, plan.DefaultMaxLimit)
	if !ok {
		return
	}
	r.MaxLimit = int(n)
	if r.PageSize > r.MaxLimit {
		at := d.MaxLimit
		if d.PageSize != nil {
			at = d.PageSize
		}
		l.errAt(at, fmt.Sprintf("write page_size: %d or less, or raise max_limit", r.MaxLimit), "page_size %d (the default limit) is above max_limit %d", r.PageSize, r.MaxLimit)
	}
}

// orderingFields reads the names a client may order by: fields of the
// resource or id, each once, without a direction.
func (l *loader) orderingFields(n *yaml.Node, r *plan.Resource) []string {
	out := []string{}
	if n == nil {
		return out
	}
	list, nodes, _ := l.strList(n, "ordering_fields")
	names := []string{"id"}
	for _, f := range r.Fields {
		names = append(names, f.Name)
	}
	for i, s := range list {
		name := strings.TrimPrefix(s, "-")
		switch {
		case name != s:
			l.errAt(nodes[i], fmt.Sprintf("write %s: the client chooses the direction (?ordering=-%s)", name, name), "ordering_fields names %q with a direction", s)
		case !slices.Contains(names, name):
			hint := "use id or a field of the resource"
			if near := nearest(name, names); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			l.errAt(nodes[i], hint, "ordering_fields names unknown field %q", name)
		case slices.Contains(out, name):
			l.errAt(nodes[i], "list each field once", "ordering_fields names %q twice", name)
		default:
			out = append(out, name)
		}
	}
	return out
}

// cursorOrdering checks the default order of a cursor-paginated
// resource: one field then id, both the same way (id alone is fine). An
// id the spec did not write follows the field's direction.
func (l *loader) cursorOrdering(rl *resourceLoad) {
	r := rl.r
	at := rl.d.Ordering
	if at == nil {
		return // id ascending
	}
	ord := r.Ordering
	if len(ord) > 2 || ord[len(ord)-1].Field != "id" {
		l.errAt(at, "write one field, then id the same way, e.g. ordering: [-created_at, -id]", "ordering names more than one field; cursor pagination orders by one field, then id")
		return
	}
	if len(ord) < 2 || ord[1].Desc == ord[0].Desc {
		return
	}
	explicit := false
	for _, c := range at.Content {
		explicit = explicit || strings.TrimPrefix(c.Value, "-") == "id"
	}
	if !explicit {
		ord[1].Desc = ord[0].Desc
		return
	}
	want := "id"
	if ord[0].Desc {
		want = "-id"
	}
	l.errAt(at, fmt.Sprintf("write %s: under cursor pagination id breaks ties in the field's direction", want), "ordering sorts %s and id in opposite directions", ord[0].Field)
}
