package rest

import (
	"fmt"
	"net/http"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/perm"
)

// FieldPerm is the field-level permission of one field (read:, write: in
// the spec). Its expressions are evaluated with the request check only
// (HasPermission): they concern the caller, not the object. A nil
// expression is no restriction beyond the resource's own checks.
type FieldPerm[T any] struct {
	// Name is the field's JSON name.
	Name        string
	Read, Write perm.Permission[T]
}

// fieldAllowed says whether p allows req. A check that cannot decide (an
// error, 503) is reported as such: fail closed, and never a silent change
// of the response's shape.
func fieldAllowed[T any](p perm.Permission[T], req *perm.Request) (ok, decided bool) {
	d := perm.Check(p, req)
	if d.Allowed() {
		return true, true
	}
	return false, d.Status == http.StatusUnauthorized || d.Status == http.StatusForbidden
}

// Hidden returns the JSON names of the fields req may not read, for Hide.
// When a read expression cannot be decided it answers 503 and returns
// false: the response is not sent with a shape chosen by an error.
func Hidden[T any](w http.ResponseWriter, req *perm.Request, fields []FieldPerm[T]) ([]string, bool) {
	var hide []string
	for _, f := range fields {
		if f.Read == nil {
			continue
		}
		ok, decided := fieldAllowed(f.Read, req)
		if !decided {
			drf.Unavailable(w)
			return nil, false
		}
		if !ok {
			hide = append(hide, f.Name)
		}
	}
	return hide, true
}

// CheckWrites refuses a body that sends a field whose write expression
// req fails: 403 {"detail": "You do not have permission to set the field
// F."}, the first such field in spec order, before anything is written.
// An expression that cannot be decided answers 503.
func CheckWrites[T any](w http.ResponseWriter, req *perm.Request, in *Input, fields []FieldPerm[T]) bool {
	for _, f := range fields {
		if f.Write == nil || !in.Sent(f.Name) {
			continue
		}
		ok, decided := fieldAllowed(f.Write, req)
		if !decided {
			drf.Unavailable(w)
			return false
		}
		if !ok {
			drf.Forbidden(w, "You do not have permission to set the field "+f.Name+".")
			return false
		}
	}
	return true
}

// Hider is what a generated model with read: expressions on some fields
// implements: its JSON, as json.Marshal encodes it, without the fields
// named in hide (only those with a read: expression count).
type Hider interface {
	AppendJSONWithout(b []byte, hide []string) ([]byte, error)
}

// Hide returns obj as JSON without the fields named in hide (obj itself
// when hide is empty), keeping the other fields in their order. obj is
// encoded by its AppendJSONWithout (Hider); an obj without one is never
// shown: it fails to encode (a 500), as no field would be hidden.
func Hide[T any](obj *T, hide []string) any {
	if len(hide) == 0 {
		return obj
	}
	return hidden{obj: obj, hide: hide}
}

// HideAll is Hide over the rows of a list page.
func HideAll[T any](rows []*T, hide []string) []any {
	out := make([]any, len(rows))
	if len(hide) == 0 {
		for i, o := range rows {
			out[i] = o
		}
		return out
	}
	hs := make([]hidden, len(rows)) // one allocation, not one a row
	for i, o := range rows {
		hs[i] = hidden{obj: o, hide: hide}
		out[i] = &hs[i]
	}
	return out
}

// hidden is an object shown without some fields.
type hidden struct {
	obj  any
	hide []string
}

// AppendJSON appends the object's members but the hidden ones, in order.
func (h hidden) AppendJSON(b []byte) ([]byte, error) {
	o, ok := h.obj.(Hider)
	if !ok {
		return nil, fmt.Errorf("rest: %T cannot hide its fields (no AppendJSONWithout): regenerate it", h.obj)
	}
	return o.AppendJSONWithout(b, h.hide)
}

// MarshalJSON is AppendJSON, so that encoding/json never shows a hidden
// field either.
func (h hidden) MarshalJSON() ([]byte, error) { return h.AppendJSON(nil) }
