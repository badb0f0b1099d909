package rest

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/runtime/drf"
)

// Pagination is how a resource's lists are paginated.
type Pagination int

const (
	// PageNumberPagination is ?page=N, DRF's PageNumberPagination.
	PageNumberPagination Pagination = iota
	// LimitOffsetPagination is ?limit=L&offset=O, DRF's LimitOffsetPagination.
	LimitOffsetPagination
	// CursorPagination is ?cursor=C, DRF's CursorPagination, read by keyset.
	CursorPagination
)

// invalidCursor is DRF's CursorPagination message.
const invalidCursor = "Invalid cursor"

// Column is one column a list can be ordered by.
type Column[T any] struct {
	// Name is the field's JSON name, as ?ordering= writes it, or "id".
	Name string
	// SQL is the quoted column, e.g. `"created_at"`.
	SQL      string
	Nullable bool
	// Value returns obj's value of the column as the store binds it
	// (cursor pagination only: it is a cursor's position).
	Value func(obj *T) any
}

// Listing is how the lists of one resource are ordered and paginated. It
// is generated from the spec (ordering, ordering_fields, pagination,
// page_size, max_limit).
type Listing[T any] struct {
	Pagination Pagination
	// PageSize is the size of a page, and the default limit.
	PageSize int
	// MaxLimit caps ?limit= (limit/offset pagination).
	MaxLimit int
	// Columns are id and every column Default and Fields name.
	Columns []Column[T]
	// Default is the order when ?ordering= names nothing usable, id last.
	Default []Term
	// Fields are the names ?ordering= may use (ordering_fields).
	Fields []string
}

// ListRequest is one list request: the query for the store, and what the
// answer's links are made from.
type ListRequest[T any] struct {
	// Query is what the store reads.
	Query ListQuery
	l     *Listing[T]
	v     *View
	hide  []string
	keys  []*Column[T] // the columns of Query.Order, not reversed
	terms string       // the ordering in effect, for cursors: "-total,-id"
	page  int          // page-number pagination
	pos   *position    // the cursor given; nil on the first page
	err   error        // a sort key that cannot be put in a cursor
}

func (l *Listing[T]) column(name string) *Column[T] {
	for i := range l.Columns {
		if l.Columns[i].Name == name {
			return &l.Columns[i]
		}
	}
	return nil
}

// order is the ordering of a request: ?ordering= among Fields (the names
// in hide are not offered: a caller who cannot read a field cannot sort by
// it), else Default. For page-number and limit/offset pagination id
// ascending breaks the remaining ties; for cursor pagination only the
// first name counts and id breaks ties in its direction.
func (l *Listing[T]) order(q url.Values, hide []string) []Term {
	var terms []Term
	if raw, ok := lastValue(q, "ordering"); ok && len(l.Fields) > 0 {
		terms = ParseOrdering(raw, func(n string) bool {
			return slices.Contains(l.Fields, n) && !slices.Contains(hide, n)
		})
	}
	if len(terms) == 0 {
		return l.Default
	}
	if l.Pagination == CursorPagination {
		terms = terms[:1]
		if terms[0].Name != "id" {
			terms = append(terms, Term{Name: "id", Desc: terms[0].Desc})
		}
		return terms
	}
	for i, t := range terms {
		if t.Name == "id" {
			return terms[:i+1]
		}
	}
	return append(terms, Term{Name: "id"})
}

// Parse reads the ordering and pagination parameters of a list request.
// A page number that is not a positive integer is 404 "Invalid page.", a
// cursor the service did not issue, or issued for another ordering, 404
// "Invalid cursor"; ok is false once the answer is written.
func (l *Listing[T]) Parse(v *View, w http.ResponseWriter, r *http.Request, hide []string) (*ListRequest[T], bool) {
	q := r.URL.Query()
	lr := &ListRequest[T]{l: l, v: v, hide: hide}
	var names []string
	for _, t := range l.order(q, hide) {
		c := l.column(t.Name)
		if c == nil {
			v.Fail(w, errors.New("rest: the listing has no column "+t.Name))
			return nil, false
		}
		lr.keys = append(lr.keys, c)
		lr.Query.Order = append(lr.Query.Order, OrderKey{Column: c.SQL, Desc: t.Desc, Nullable: c.Nullable})
		names = append(names, t.String())
	}
	lr.terms = strings.Join(names, ",")
	switch l.Pagination {
	case LimitOffsetPagination:
		lr.Query.Limit, lr.Query.Offset = LimitOffset(q, l.PageSize, l.MaxLimit)
		lr.Query.Count = true
	case CursorPagination:
		return lr, lr.cursor(w, q)
	default:
		page, ok := PageNumber(w, r)
		if !ok {
			return nil, false
		}
		lr.page = page
		lr.Query.Limit, lr.Query.Offset, lr.Query.Count = l.PageSize, Offset(page, l.PageSize), true
	}
	return lr, true
}

// cursor reads ?cursor= into the query: one row more than a page, to
// know whether another page follows.
func (lr *ListRequest[T]) cursor(w http.ResponseWriter, q url.Values) bool {
	lr.Query.Limit = lr.l.PageSize + 1
	s, _ := lastValue(q, "cursor")
	if s == "" {
		return true
	}
	p, err := decodeCursor(lr.v.cursorKey(), lr.v.Resource, s)
	if err == nil && (p.Ordering != lr.terms || len(p.Key) != len(lr.keys)) {
		err = errInvalidCursor
	}
	var after []any
	for i := 0; err == nil && i < len(p.Key); i++ {
		var v any
		v, err = decodeValue(p.Key[i])
		after = append(after, v)
	}
	if err != nil {
		drf.Detail(w, http.StatusNotFound, invalidCursor)
		return false
	}
	lr.pos = p
	lr.Query.After, lr.Query.Inclusive = after, p.Inclusive
	if p.Reverse {
		lr.Query.Order = Reversed(lr.Query.Order)
	}
	return true
}

// cursorKey is the key that signs cursors; nil when none is configured.
func (v *View) cursorKey() []byte {
	if v.App == nil {
		return nil
	}
	return v.App.CursorKey
}

// Write answers the page the store returned for lr.Query: the
// pagination's body with its next and previous links (absolute URLs from
// the request's Host, the other parameters kept), the fields in hide left
// out of every row.
func (lr *ListRequest[T]) Write(w http.ResponseWriter, r *http.Request, rows []*T, count int) {
	switch lr.l.Pagination {
	case LimitOffsetPagination:
		lr.writeLimitOffset(w, r, rows, count)
	case CursorPagination:
		lr.writeCursor(w, r, rows)
	default:
		WritePage(w, r, lr.page, lr.l.PageSize, count, lr.shown(rows))
	}
}

func (lr *ListRequest[T]) shown(rows []*T) []any {
	return HideAll(rows, lr.hide)
}

// writeLimitOffset is DRF's LimitOffsetPagination body: next is null when
// O + L >= count, previous null when O is 0 and without offset when
// O - L <= 0.
func (lr *ListRequest[T]) writeLimitOffset(w http.ResponseWriter, r *http.Request, rows []*T, count int) {
	limit, offset := lr.Query.Limit, lr.Query.Offset
	p := Page[any]{Count: count, Results: lr.shown(rows)}
	if offset+limit < count {
		s := linkURL(r, "limit", strconv.Itoa(limit), "offset", strconv.Itoa(offset+limit))
		p.Next = &s
	}
	if offset > 0 {
		s := linkURL(r, "limit", strconv.Itoa(limit), "offset", strconv.Itoa(offset-limit))
		if offset-limit <= 0 {
			s = linkURL(r, "limit", strconv.Itoa(limit), "offset", "")
		}
		p.Previous = &s
	}
	drf.JSON(w, http.StatusOK, p)
}

// CursorPage is DRF's CursorPagination body: no count.
type CursorPage[T any] struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// AppendJSON appends p as json.Marshal encodes it, each result through
// its own AppendJSON when it has one.
func (p CursorPage[T]) AppendJSON(b []byte) ([]byte, error) {
	b = appendLinks(append(b, '{'), p.Next, p.Previous)
	return appendResults(b, p.Results)
}

// writeCursor answers a keyset page. The store returned one row more
// than a page when another page follows in the direction read; a
// previous page's rows came backwards and are turned around.
func (lr *ListRequest[T]) writeCursor(w http.ResponseWriter, r *http.Request, rows []*T) {
	size := lr.l.PageSize
	more := len(rows) > size
	rows = rows[:min(len(rows), size)]
	back := lr.pos != nil && lr.pos.Reverse
	if back {
		slices.Reverse(rows)
	}
	var next, prev *position
	switch {
	case lr.pos == nil: // the first page
		if more {
			next = lr.at(rows[len(rows)-1], false)
		}
	case !back:
		if more {
			next = lr.at(rows[len(rows)-1], false)
		}
		prev = lr.edge(rows, 0, true)
	default:
		if more {
			prev = lr.at(rows[0], true)
		}
		next = lr.edge(rows, len(rows)-1, false)
	}
	p := CursorPage[any]{Results: lr.shown(rows)}
	if lr.err != nil {
		lr.v.Fail(w, lr.err)
		return
	}
	for _, link := range []struct {
		pos *position
		dst **string
	}{{next, &p.Next}, {prev, &p.Previous}} {
		if link.pos == nil {
			continue
		}
		if len(lr.v.cursorKey()) == 0 {
			lr.v.Fail(w, errors.New("rest: no key to sign cursors with (App.CursorKey)"))
			return
		}
		s := linkURL(r, "cursor", encodeCursor(lr.v.cursorKey(), lr.v.Resource, link.pos))
		*link.dst = &s
	}
	drf.JSON(w, http.StatusOK, p)
}

// at is the position of row, reading backwards (a previous page) or not.
func (lr *ListRequest[T]) at(row *T, reverse bool) *position {
	p := &position{Ordering: lr.terms, Reverse: reverse}
	for _, c := range lr.keys {
		v, err := encodeValue(c.Value(row))
		if err != nil {
			lr.err = err
		}
		p.Key = append(p.Key, v)
	}
	return p
}

// edge is the link from a page read through a cursor back the way it
// came: from its row i, or, when the page is empty (the rows beyond the
// cursor went away), from the cursor's own position, that row included.
func (lr *ListRequest[T]) edge(rows []*T, i int, reverse bool) *position {
	if len(rows) > 0 {
		return lr.at(rows[i], reverse)
	}
	return &position{Ordering: lr.terms, Reverse: reverse, Inclusive: true, Key: lr.pos.Key}
}

// linkURL is the request's absolute URL with the query parameters given as
// key, value pairs set (an empty value removes the key).
func linkURL(r *http.Request, kv ...string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
