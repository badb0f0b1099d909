package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/jsonbody"
)

// MaxBody is the largest request body a resource endpoint reads (1 MiB).
const MaxBody = 1 << 20

// Mode says which write a body is decoded for.
type Mode int

const (
	// Create: required fields must be present; defaults apply.
	Create Mode = iota
	// Replace (PUT): required fields must be present; defaults apply.
	Replace
	// Partial (PATCH): only the fields present are validated.
	Partial
)

// Input is a decoded JSON object body and the field errors found so far.
type Input struct {
	raw  map[string]json.RawMessage
	mode Mode
	// Errs holds DRF-shaped field errors.
	Errs drf.FieldErrors
}

// DecodeBody reads a JSON object body of at most MaxBody bytes. It writes
// 415 for another content type or a charset other than UTF-8, 413 for a
// larger body, 400 with {"detail": "JSON parse error - ..."} for malformed
// JSON or invalid UTF-8, and DRF's non_field_errors for a JSON value that
// is not an object. The rules are package jsonbody's, which the login
// endpoints follow too.
func DecodeBody(w http.ResponseWriter, r *http.Request, mode Mode) (*Input, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !jsonbody.IsJSON(ct) {
		drf.UnsupportedMediaType(w, ct)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			drf.Detail(w, http.StatusRequestEntityTooLarge, drf.RequestTooLarge)
			return nil, false
		}
		drf.Detail(w, http.StatusBadRequest, drf.MalformedJSON+" - could not read the request body")
		return nil, false
	}
	if len(body) > MaxBody {
		drf.Detail(w, http.StatusRequestEntityTooLarge, drf.RequestTooLarge)
		return nil, false
	}
	in, msg := ParseInput(body, mode)
	if msg != "" {
		if msg == notObject {
			drf.JSON(w, http.StatusBadRequest, map[string][]string{nonFieldErrors: {msg}})
		} else {
			drf.Detail(w, http.StatusBadRequest, drf.MalformedJSON+" - "+msg)
		}
		return nil, false
	}
	return in, true
}

const notObject = "Invalid data. Expected a dictionary, but got a different type."

// ParseInput parses body as a JSON object in UTF-8. It returns a
// client-facing message instead of an error; the message never contains
// the body.
func ParseInput(body []byte, mode Mode) (*Input, string) {
	in := &Input{raw: map[string]json.RawMessage{}, mode: mode, Errs: drf.FieldErrors{}}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return in, "" // an empty body is an empty object, as DRF's parsers
	}
	if msg := jsonbody.Check(trimmed); msg != "" {
		return nil, msg
	}
	if trimmed[0] != '{' {
		return nil, notObject
	}
	if err := json.Unmarshal(trimmed, &in.raw); err != nil {
		return nil, jsonbody.InvalidJSON
	}
	return in, ""
}

// value returns the raw value of name and whether the field should be
// processed: absent fields are skipped on PATCH and reported when required.
func (in *Input) value(name string, required bool) (json.RawMessage, bool) {
	v, ok := in.raw[name]
	if ok {
		return v, true
	}
	if required && in.mode != Partial {
		in.Errs.Add(name, drf.FieldRequired)
	}
	return nil, false
}

// Absent reports whether name is missing from the body and the write is
// not a PATCH: the caller then applies the field's default.
func (in *Input) Absent(name string) bool {
	_, ok := in.raw[name]
	return !ok && in.mode != Partial
}

// Sent says whether the body holds the field name, null included.
func (in *Input) Sent(name string) bool {
	_, ok := in.raw[name]
	return ok
}

// Creating says whether the body is a create's (a create_only field is
// decoded only then, and ignored afterwards as read-only fields are).
func (in *Input) Creating() bool { return in.mode == Create }

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// Rules holds a field's validation rules. Zero values mean "no rule".
type Rules struct {
	Required   bool
	Nullable   bool
	AllowBlank bool
	MinLength  int // 0: none
	MaxLength  int // 0: none
	Min, Max   *float64
	Choices    []any
	// MaxDigits and DecimalPlaces are a decimal field's digit limits
	// (always set for one), MinDecimal and MaxDecimal its bounds.
	MaxDigits, DecimalPlaces int
	MinDecimal, MaxDecimal   *apd.Decimal
}

// nullable handles JSON null: it reports whether the value is null, adding
// "This field may not be null." when the field is not nullable.
func (in *Input) null(name string, v json.RawMessage, r Rules) bool {
	if !isNull(v) {
		return false
	}
	if !r.Nullable {
		in.Errs.Add(name, drf.FieldNull)
	}
	return true
}

// String decodes a string field into dst.
func (in *Input) String(name string, r Rules, dst *string) {
	p, set := in.stringValue(name, r)
	if set && p != nil {
		*dst = *p
	}
}

// StringPtr decodes a nullable string field into dst.
func (in *Input) StringPtr(name string, r Rules, dst **string) {
	if p, set := in.stringValue(name, r); set {
		*dst = p
	}
}

func (in *Input) stringValue(name string, r Rules) (*string, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	var s string
	switch c := bytes.TrimSpace(v)[0]; {
	case c == '"':
		if json.Unmarshal(v, &s) != nil {
			in.Errs.Add(name, "Not a valid string.")
			return nil, false
		}
		// encoding/json would store a lone surrogate as U+FFFD.
		if sr, lone := jsonbody.Surrogate(v); lone {
			in.Errs.Add(name, jsonbody.SurrogateMessage(sr))
			return nil, false
		}
	case c == '-' || (c >= '0' && c <= '9'):
		s = string(bytes.TrimSpace(v)) // DRF's CharField accepts numbers
	default:
		in.Errs.Add(name, "Not a valid string.")
		return nil, false
	}
	// DRF's CharField trims surrounding whitespace (trim_whitespace=True).
	s = strings.TrimSpace(s)
	if s == "" && !r.AllowBlank {
		in.Errs.Add(name, drf.FieldBlank)
		return nil, false
	}
	// DRF's CharField runs all its validators and reports every failure.
	valid := true
	n := utf8.RuneCountInString(s)
	if r.MaxLength > 0 && n > r.MaxLength {
		in.Errs.Add(name, "Ensure this field has no more than "+strconv.Itoa(r.MaxLength)+" characters.")
		valid = false
	}
	if r.MinLength > 0 && n < r.MinLength {
		in.Errs.Add(name, "Ensure this field has at least "+strconv.Itoa(r.MinLength)+" characters.")
		valid = false
	}
	// PostgreSQL cannot store NUL and SQLite would: refused everywhere. (A
	// field with choices is DRF's ChoiceField, where the choice decides.)
	if len(r.Choices) == 0 && jsonbody.HasNull(s) {
		in.Errs.Add(name, jsonbody.NullCharacters)
		valid = false
	}
	if !valid || !in.choice(name, r, s, s) {
		return nil, false
	}
	return &s, true
}

func (in *Input) choice(name string, r Rules, v any, shown string) bool {
	if len(r.Choices) == 0 {
		return true
	}
	for _, c := range r.Choices {
		if c == v {
			return true
		}
	}
	in.Errs.Add(name, `"`+shown+`" is not a valid choice.`)
	return false
}

func (in *Input) bounds(name string, r Rules, f float64) bool {
	if r.Max != nil && f > *r.Max {
		in.Errs.Add(name, "Ensure this value is less than or equal to "+num(*r.Max)+".")
		return false
	}
	if r.Min != nil && f < *r.Min {
		in.Errs.Add(name, "Ensure this value is greater than or equal to "+num(*r.Min)+".")
		return false
	}
	return true
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Int decodes an integer field into dst.
func (in *Input) Int(name string, r Rules, dst *int64) {
	if p, set := in.intValue(name, r); set && p != nil {
		*dst = *p
	}
}

// IntPtr decodes a nullable integer field into dst.
func (in *Input) IntPtr(name string, r Rules, dst **int64) {
	if p, set := in.intValue(name, r); set {
		*dst = p
	}
}

func (in *Input) intValue(name string, r Rules) (*int64, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	var text string
	if err := json.Unmarshal(v, &text); err != nil {
		text = string(bytes.TrimSpace(v))
	}
	text = strings.TrimSpace(text)
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		// DRF accepts 3.0 but not 3.5.
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 || len(text) > 1000 {
			in.Errs.Add(name, "A valid integer is required.")
			return nil, false
		}
		n = int64(f)
	}
	if !in.bounds(name, r, float64(n)) || !in.choice(name, r, n, strconv.FormatInt(n, 10)) {
		return nil, false
	}
	return &n, true
}

// Float decodes a number field into dst.
func (in *Input) Float(name string, r Rules, dst *float64) {
	if p, set := in.floatValue(name, r); set && p != nil {
		*dst = *p
	}
}

// FloatPtr decodes a nullable number field into dst.
func (in *Input) FloatPtr(name string, r Rules, dst **float64) {
	if p, set := in.floatValue(name, r); set {
		*dst = p
	}
}

func (in *Input) floatValue(name string, r Rules) (*float64, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	var text string
	if err := json.Unmarshal(v, &text); err != nil {
		text = string(bytes.TrimSpace(v))
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		in.Errs.Add(name, "A valid number is required.")
		return nil, false
	}
	if !in.bounds(name, r, f) || !in.choice(name, r, f, num(f)) {
		return nil, false
	}
	return &f, true
}

// Bool decodes a boolean field into dst.
func (in *Input) Bool(name string, r Rules, dst *bool) {
	if p, set := in.boolValue(name, r); set && p != nil {
		*dst = *p
	}
}

// BoolPtr decodes a nullable boolean field into dst.
func (in *Input) BoolPtr(name string, r Rules, dst **bool) {
	if p, set := in.boolValue(name, r); set {
		*dst = p
	}
}

func (in *Input) boolValue(name string, r Rules) (*bool, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	var b bool
	switch strings.Trim(string(bytes.TrimSpace(v)), `"`) {
	// DRF's BooleanField TRUE_VALUES and FALSE_VALUES.
	case "true", "True", "TRUE", "1", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y", "t", "T":
		b = true
	case "false", "False", "FALSE", "0", "no", "No", "NO", "off", "Off", "OFF", "n", "N", "f", "F":
		b = false
	default:
		in.Errs.Add(name, "Must be a valid boolean.")
		return nil, false
	}
	return &b, true
}

// DateTimeFormatError is DRF's message for a datetime it cannot parse.
const DateTimeFormatError = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."

// Time decodes an RFC 3339 datetime field into dst, in UTC.
func (in *Input) Time(name string, r Rules, dst *time.Time) {
	if p, set := in.timeValue(name, r); set && p != nil {
		*dst = *p
	}
}

// TimePtr decodes a nullable datetime field into dst.
func (in *Input) TimePtr(name string, r Rules, dst **time.Time) {
	if p, set := in.timeValue(name, r); set {
		*dst = p
	}
}

func (in *Input) timeValue(name string, r Rules) (*time.Time, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		in.Errs.Add(name, DateTimeFormatError)
		return nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		in.Errs.Add(name, DateTimeFormatError)
		return nil, false
	}
	t = Now(t)
	return &t, true
}

// Now normalises t as stored: UTC, microsecond precision (PostgreSQL's).
func Now(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// UserRef decodes a writable user field (a user id) into dst. Whether the
// user exists is checked later, against the database (Table.CheckRefs).
func (in *Input) UserRef(name string, r Rules, dst *int64) {
	if p, set := in.userValue(name, r); set && p != nil {
		*dst = *p
	}
}

// UserRefPtr decodes a nullable user field (a user id) into dst.
func (in *Input) UserRefPtr(name string, r Rules, dst **int64) {
	if p, set := in.userValue(name, r); set {
		*dst = p
	}
}

// Ref decodes a reference field (type: ref, an object id) into dst.
// Whether the object exists and the caller may see it is checked inside
// the write (Table.Refs).
func (in *Input) Ref(name string, r Rules, dst *int64) { in.UserRef(name, r, dst) }

// RefPtr decodes a nullable reference field into dst.
func (in *Input) RefPtr(name string, r Rules, dst **int64) { in.UserRefPtr(name, r, dst) }

// userValue decodes a primary key as DRF's PrimaryKeyRelatedField: a JSON
// integer, else "Incorrect type. Expected pk value, received T.".
func (in *Input) userValue(name string, r Rules) (*int64, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	var n int64
	if err := json.Unmarshal(v, &n); err != nil {
		if t := bytes.TrimSpace(v); isIntegerToken(t) {
			// An integer past int64 names no object, as DRF answers it.
			in.Errs.Add(name, `Invalid pk "`+string(t)+`" - object does not exist.`)
			return nil, false
		}
		kind := "str"
		switch bytes.TrimSpace(v)[0] {
		case '{':
			kind = "dict"
		case '[':
			kind = "list"
		case 't', 'f':
			kind = "bool"
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			kind = "float"
		}
		in.Errs.Add(name, "Incorrect type. Expected pk value, received "+kind+".")
		return nil, false
	}
	return &n, true
}

// Valid writes the field errors as a 400 and reports false when there are
// any.
func (in *Input) Valid(w http.ResponseWriter) bool {
	if in.Errs.Empty() {
		return true
	}
	in.Errs.Write(w)
	return false
}

// F64 returns a pointer to f, for Rules literals.
func F64(f float64) *float64 { return &f }

// Ptr returns a pointer to v, for defaults of nullable fields.
func Ptr[T any](v T) *T { return &v }
