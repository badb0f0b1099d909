package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"

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

// Hide returns obj as JSON without the fields named in hide (obj itself
// when hide is empty), keeping the other fields in their order.
func Hide[T any](obj *T, hide []string) any {
	if len(hide) == 0 {
		return obj
	}
	return hidden{v: obj, hide: hide}
}

// HideAll is Hide over the rows of a list page.
func HideAll[T any](rows []*T, hide []string) []any {
	out := make([]any, len(rows))
	for i, o := range rows {
		out[i] = Hide(o, hide)
	}
	return out
}

type hidden struct {
	v    any
	hide []string
}

// MarshalJSON writes the object's members but the hidden ones, in order.
func (h hidden) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(h.v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		name, _ := k.(string)
		if slices.Contains(h.hide, name) {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		kb, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		out.Write(kb)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
