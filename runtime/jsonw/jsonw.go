// Package jsonw appends JSON values to a byte slice exactly as
// encoding/json encodes them: json.Marshal's bytes, byte for byte,
// without reflection. Generated models use it in their AppendJSON
// methods; drf.JSON calls AppendJSON when a value has one (Appender) and
// encoding/json otherwise.
//
// The Append functions of values that json.Marshal can refuse (a float
// that is NaN or infinite, a time outside RFC 3339) return an error
// where it does, and then nothing is to be written.
package jsonw

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// Appender is a value that appends its own JSON encoding to b: the bytes
// json.Marshal would return for it.
type Appender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// Append appends v's JSON encoding to b: through its AppendJSON when it
// is an Appender, else through json.Marshal.
func Append(b []byte, v any) ([]byte, error) {
	if a, ok := v.(Appender); ok {
		return a.AppendJSON(b)
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}

// AppendArray appends the JSON array of s, each element through Append;
// a nil slice is null, as json.Marshal writes it.
func AppendArray[T any](b []byte, s []T) ([]byte, error) {
	if s == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = Append(b, v); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// AppendString appends s as a JSON string with encoding/json's escaping:
// ", \ and the control characters escaped (\n, \r, \t, \b, \f, else
// \u00XX); <, > and & escaped as \u003c, \u003e and \u0026 (json.Marshal
// escapes HTML by default); U+2028 and U+2029 escaped; each byte of
// invalid UTF-8 replaced by \ufffd.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is yet to be copied as it is
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !mustEscape[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hex = "0123456789abcdef"

// mustEscape says which ASCII bytes AppendString escapes.
var mustEscape = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c < ' ' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&'
	}
	return t
}()

// AppendStringPtr appends *s as AppendString does, or null for nil.
func AppendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return AppendString(b, *s)
}

// AppendInt appends i in decimal.
func AppendInt(b []byte, i int64) []byte { return strconv.AppendInt(b, i, 10) }

// AppendIntPtr appends *i in decimal, or null for nil.
func AppendIntPtr(b []byte, i *int64) []byte {
	if i == nil {
		return append(b, "null"...)
	}
	return AppendInt(b, *i)
}

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// AppendBoolPtr appends *v as true or false, or null for nil.
func AppendBoolPtr(b []byte, v *bool) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return AppendBool(b, *v)
}

// AppendFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form (e-7, e+21) below 1e-6
// and from 1e21 on in absolute value. NaN and the infinities have no JSON
// form: json.Marshal's *json.UnsupportedValueError is returned.
func AppendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// The exponent has no leading zero: e-7, not e-07.
		if n := len(b); b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// AppendFloatPtr appends *f as AppendFloat does, or null for nil.
func AppendFloatPtr(b []byte, f *float64) ([]byte, error) {
	if f == nil {
		return append(b, "null"...), nil
	}
	return AppendFloat(b, *f)
}

// AppendTime appends t as time.Time's MarshalJSON writes it: an RFC 3339
// string with the nanoseconds that are not zero. A time RFC 3339 cannot
// hold (a year outside [0,9999], a zone offset of 24 hours or more) is
// MarshalJSON's error.
func AppendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		_, err = t.MarshalJSON()
		return nil, err
	}
	return append(b, '"'), nil
}

// AppendTimePtr appends *t as AppendTime does, or null for nil.
func AppendTimePtr(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	return AppendTime(b, *t)
}

// AppendDecimal appends d as a JSON string of its text (d.String(), which
// is what encoding/json writes through its MarshalText), or null for nil.
// That text is digits, '.', '-', 'E', '+', "NaN" or "Infinity": nothing
// to escape.
func AppendDecimal(b []byte, d *apd.Decimal) []byte {
	if d == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.Append(b, 'G')
	return append(b, '"')
}
