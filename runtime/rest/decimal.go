package rest

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/schema"
)

// MaxDecimalDigits is the largest max_digits of a decimal field (see
// schema.MaxDecimalDigits).
const MaxDecimalDigits = schema.MaxDecimalDigits

// DRF's DecimalField messages.
const (
	decimalInvalid  = "A valid number is required."
	decimalTooLarge = "String value too large."
	// decimalMaxString is DRF's DecimalField.MAX_STRING_LENGTH.
	decimalMaxString = 1000
)

// Decimal decodes a decimal field into dst, as DRF's DecimalField with
// COERCE_DECIMAL_TO_STRING: the value is a JSON string or number holding a
// finite decimal, validated against r.MaxDigits and r.DecimalPlaces without
// rounding, then given exactly r.DecimalPlaces places.
func (in *Input) Decimal(name string, r Rules, dst *apd.Decimal) {
	if p, set := in.decimalValue(name, r); set && p != nil {
		dst.Set(p)
	}
}

// DecimalPtr decodes a nullable decimal field into dst.
func (in *Input) DecimalPtr(name string, r Rules, dst **apd.Decimal) {
	if p, set := in.decimalValue(name, r); set {
		*dst = p
	}
}

func (in *Input) decimalValue(name string, r Rules) (*apd.Decimal, bool) {
	v, ok := in.value(name, r.Required)
	if !ok {
		return nil, false
	}
	if in.null(name, v, r) {
		return nil, r.Nullable
	}
	text, ok := decimalText(v)
	if !ok {
		in.Errs.Add(name, decimalInvalid)
		return nil, false
	}
	d, msg := ParseDecimal(text, r.MaxDigits, r.DecimalPlaces)
	if msg != "" {
		in.Errs.Add(name, msg)
		return nil, false
	}
	if r.MaxDecimal != nil && d.Cmp(r.MaxDecimal) > 0 {
		in.Errs.Add(name, "Ensure this value is less than or equal to "+r.MaxDecimal.String()+".")
		return nil, false
	}
	if r.MinDecimal != nil && d.Cmp(r.MinDecimal) < 0 {
		in.Errs.Add(name, "Ensure this value is greater than or equal to "+r.MinDecimal.String()+".")
		return nil, false
	}
	return d, true
}

// decimalText is the text of a JSON string or number, as written; false
// for any other JSON value.
func decimalText(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	switch c := v[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case c == '-' || (c >= '0' && c <= '9'):
		return string(v), true
	}
	return "", false
}

// decimalParts is a finite decimal as DRF sees it: digits D (without
// leading zeros) times 10^exp.
type decimalParts struct {
	neg    bool
	digits string
	exp    int64
}

// splitDecimal parses s (surrounding whitespace removed) as Python's
// decimal.Decimal does for finite values: [sign] digits [. digits]
// [e [sign] digits], where single underscores may group digits ("1_000").
// NaN, Infinity and anything else are refused.
func splitDecimal(s string) (decimalParts, bool) {
	var p decimalParts
	if s != "" && (s[0] == '+' || s[0] == '-') {
		p.neg = s[0] == '-'
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, _ := strings.Cut(mant, ".")
	whole, ok1 := digits(whole)
	frac, ok2 := digits(frac)
	if whole == "" && frac == "" || !ok1 || !ok2 {
		return p, false
	}
	if hasExp {
		sign := int64(1)
		if expText != "" && (expText[0] == '+' || expText[0] == '-') {
			if expText[0] == '-' {
				sign = -1
			}
			expText = expText[1:]
		}
		expText, ok := digits(expText)
		if expText == "" || !ok {
			return p, false
		}
		e, err := strconv.ParseInt(expText, 10, 64)
		if err != nil || e > math.MaxInt32 {
			e = math.MaxInt32 // far beyond any digit limit, as it is
		}
		p.exp = sign * e
	}
	p.exp -= int64(len(frac))
	p.digits = strings.TrimLeft(whole+frac, "0")
	if p.digits == "" {
		p.digits = "0"
	}
	return p, true
}

// digits returns s without its grouping underscores, and whether s is
// ASCII digits with single underscores between them (or empty).
func digits(s string) (string, bool) {
	if !strings.Contains(s, "_") {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return "", false
			}
		}
		return s, true
	}
	for _, group := range strings.Split(s, "_") {
		if _, ok := digits(group); !ok || group == "" {
			return "", false
		}
	}
	return strings.ReplaceAll(s, "_", ""), true
}

// ParseDecimal parses text as DRF's DecimalField(max_digits,
// decimal_places) does: surrounding whitespace is ignored, the value must
// be a finite decimal, then its digits are counted as written (DRF's
// validate_precision: "9.990" has 3 decimal places, "1e2" 3 whole digits)
// and checked, in this order, against maxDigits, decimalPlaces and
// maxDigits-decimalPlaces whole digits. Nothing is rounded: the value is
// given exactly decimalPlaces places. msg is DRF's message when the value
// is refused. maxDigits is at most MaxDecimalDigits.
func ParseDecimal(text string, maxDigits, decimalPlaces int) (_ *apd.Decimal, msg string) {
	text = strings.TrimSpace(text)
	if len(text) > decimalMaxString {
		return nil, decimalTooLarge
	}
	p, ok := splitDecimal(text)
	if !ok {
		return nil, decimalInvalid
	}
	places := max(0, -p.exp)
	whole := max(0, int64(len(p.digits))+p.exp)
	switch {
	case whole+places > int64(maxDigits):
		return nil, "Ensure that there are no more than " + strconv.Itoa(maxDigits) + " digits in total."
	case places > int64(decimalPlaces):
		return nil, "Ensure that there are no more than " + strconv.Itoa(decimalPlaces) + " decimal places."
	case whole > int64(maxDigits-decimalPlaces):
		return nil, "Ensure that there are no more than " + strconv.Itoa(maxDigits-decimalPlaces) + " digits before the decimal point."
	}
	// At most maxDigits <= 18 digits once scaled: the coefficient fits.
	coeff, err := strconv.ParseInt(p.digits, 10, 64)
	if err != nil {
		return nil, decimalInvalid
	}
	for e := p.exp + int64(decimalPlaces); e > 0; e-- {
		coeff *= 10
	}
	if p.neg {
		coeff = -coeff
	}
	return apd.New(coeff, -int32(decimalPlaces)), ""
}

// MustDecimal parses s, a decimal written in generated code (a bound of a
// decimal field), and panics when it is not one.
func MustDecimal(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil || d.Form != apd.Finite {
		panic(fmt.Sprintf("rest: %q is not a finite decimal", s))
	}
	return d
}

// DecimalArg binds a decimal column: NUMERIC(p,s) on PostgreSQL, and on
// SQLite an INTEGER holding V×10^Places, which keeps values exact and
// orders and compares them as numbers. A nil V is NULL. Table converts it
// for its dialect before a statement runs, in writes and in the arguments
// of a read's sqlexpr.Where (a range filter on a decimal column).
type DecimalArg struct {
	V      *apd.Decimal
	Places int
}

// BindDecimal is the DecimalArg of v (nil for NULL) in a column of
// places decimal places.
func BindDecimal(v *apd.Decimal, places int) DecimalArg { return DecimalArg{V: v, Places: places} }

// errDecimalRange reports a decimal that does not fit its column; the
// decoders never produce one.
var errDecimalRange = errors.New("rest: decimal does not fit its column")

// bind is the value stored for a in dialect.
func (a DecimalArg) bind(dialect Dialect) (driver.Value, error) {
	if a.V == nil {
		return nil, nil
	}
	if a.V.Form != apd.Finite {
		return nil, errDecimalRange
	}
	var q apd.Decimal
	c := apd.BaseContext.WithPrecision(MaxDecimalDigits)
	c.Traps = apd.DefaultTraps | apd.Inexact | apd.Rounded
	if _, err := c.Quantize(&q, a.V, -int32(a.Places)); err != nil {
		return nil, errDecimalRange
	}
	if dialect == Postgres {
		return q.Text('f'), nil
	}
	if !q.Coeff.IsInt64() {
		return nil, errDecimalRange
	}
	n := q.Coeff.Int64()
	if q.Negative {
		n = -n
	}
	return n, nil
}

// bindArgs replaces the DecimalArgs of args by their values in dialect.
func bindArgs(dialect Dialect, args []any) ([]any, error) {
	for i, a := range args {
		if d, ok := a.(DecimalArg); ok {
			v, err := d.bind(dialect)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	return args, nil
}

// ScanDecimal scans a decimal column (see DecimalArg) into dst, with
// exactly places decimal places.
func ScanDecimal(dst *apd.Decimal, places int) sql.Scanner {
	return decimalScanner{dst: dst, places: places}
}

// ScanDecimalPtr scans a nullable decimal column into dst; NULL is nil.
func ScanDecimalPtr(dst **apd.Decimal, places int) sql.Scanner {
	return decimalScanner{ptr: dst, places: places}
}

type decimalScanner struct {
	dst    *apd.Decimal
	ptr    **apd.Decimal
	places int
}

// Scan takes an INTEGER from SQLite (the value scaled by 10^places) and the
// text of a NUMERIC from PostgreSQL.
func (s decimalScanner) Scan(src any) error {
	var d apd.Decimal
	switch v := src.(type) {
	case nil:
		if s.ptr == nil {
			return errors.New("rest: NULL in a decimal column that is not nullable")
		}
		*s.ptr = nil
		return nil
	case int64:
		d.SetFinite(v, -int32(s.places))
	case []byte, string:
		text := fmt.Sprint(src)
		if b, ok := v.([]byte); ok {
			text = string(b)
		}
		if _, _, err := d.SetString(text); err != nil || d.Form != apd.Finite {
			return fmt.Errorf("rest: %q is not a decimal", text)
		}
		c := apd.BaseContext.WithPrecision(MaxDecimalDigits + 1)
		c.Traps = apd.DefaultTraps | apd.Inexact
		if _, err := c.Quantize(&d, &d, -int32(s.places)); err != nil {
			return fmt.Errorf("rest: decimal %q does not have %d places", text, s.places)
		}
	default:
		return fmt.Errorf("rest: cannot scan %T into a decimal", src)
	}
	if d.IsZero() {
		d.Negative = false
	}
	if s.ptr != nil {
		*s.ptr = &d
	} else {
		s.dst.Set(&d)
	}
	return nil
}
