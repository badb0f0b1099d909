package rest

import (
	"bytes"
	"encoding/json"
	"errors"
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
	return dropMembers(b, h.hide)
}

// dropMembers returns the JSON object b, compact as json.Marshal writes
// it, without the members named in hide, the others in order. It walks the
// bytes once; members are copied as they are.
func dropMembers(b []byte, hide []string) ([]byte, error) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, errNotObject
	}
	out := make([]byte, 1, len(b))
	out[0] = '{'
	for i := 1; i < len(b)-1; {
		if b[i] != '"' {
			return nil, errNotObject
		}
		keyEnd := skipString(b, i)
		key := b[i+1 : keyEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, errNotObject // generated field names never need escaping
		}
		end := skipValue(b, keyEnd+1)
		if !slices.Contains(hide, string(key)) {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, b[i:end]...)
		}
		i = end
		if i < len(b)-1 && b[i] == ',' {
			i++
		}
	}
	return append(out, '}'), nil
}

var errNotObject = errors.New("rest: a hidden field's object is not a JSON object of plain keys")

// skipString returns the index after the JSON string that starts at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index of the comma or closing brace after the
// JSON value that starts at b[i], inside an object.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			i = skipString(b, i) - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
