package spec

import (
	"fmt"
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

// fieldDigits reads a decimal field's max_digits and decimal_places, which
// it requires, as Django's DecimalField does.
func (l *loader) fieldDigits(fl *fieldLoad) {
	f, d := fl.f, &fl.d
	if f.Type != plan.Decimal {
		return
	}
	for _, req := range []struct {
		n   *yaml.Node
		key string
	}{{d.MaxDigits, "max_digits"}, {d.DecimalPlaces, "decimal_places"}} {
		if req.n == nil {
			l.errAt(fl.v, fmt.Sprintf("add %s, e.g. {type: decimal, max_digits: 10, decimal_places: 2}", req.key), "decimal %s has no %s", fl.what, req.key)
			fl.good = false
		}
	}
	if d.MaxDigits == nil || d.DecimalPlaces == nil {
		return
	}
	digits, ok := l.integer(d.MaxDigits, "max_digits", 0, math.MaxInt32)
	if ok && digits < 1 {
		l.errAt(d.MaxDigits, "write a number of digits from 1 to 18", "max_digits must be at least 1")
		ok = false
	}
	if ok && digits > schema.MaxDecimalDigits {
		l.errAt(d.MaxDigits, fmt.Sprintf("use at most %d digits: SQLite stores a decimal exactly as a 64-bit integer", schema.MaxDecimalDigits), "max_digits %d is more than %d", digits, schema.MaxDecimalDigits)
		ok = false
	}
	if !ok {
		fl.good = false
		return
	}
	places, ok := l.integer(d.DecimalPlaces, "decimal_places", 0, math.MaxInt32)
	if ok && places > digits {
		l.errAt(d.DecimalPlaces, "make decimal_places at most max_digits", "decimal_places %d is more than max_digits %d", places, digits)
		ok = false
	}
	if !ok {
		fl.good = false
		return
	}
	f.MaxDigits, f.DecimalPlaces = int(digits), int(places)
}

// decimalBounds reads a decimal field's min and max as exact decimals, a
// YAML number or a string such as "0.01", kept as written.
func (l *loader) decimalBounds(fl *fieldLoad) {
	f := fl.f
	read := func(x *yaml.Node, key string) (string, *apd.Decimal) {
		if x == nil {
			return "", nil
		}
		d, _, err := apd.NewFromString(x.Value)
		if x.Kind != yaml.ScalarNode || (x.Tag != "!!int" && x.Tag != "!!float" && x.Tag != "!!str") || err != nil || d.Form != apd.Finite {
			l.errAt(x, "write a finite decimal number such as 0 or 9.99", "%s of %s is not a decimal number", key, fl.what)
			fl.good = false
			return "", nil
		}
		return d.String(), d
	}
	var lo, hi *apd.Decimal
	f.MinDecimal, lo = read(fl.d.Min, "min")
	f.MaxDecimal, hi = read(fl.d.Max, "max")
	if lo != nil && hi != nil && lo.Cmp(hi) > 0 {
		l.errAt(fl.d.Max, "make max at least min", "max %s is less than min %s", f.MaxDecimal, f.MinDecimal)
		fl.good = false
	}
}

// dumpDecimal writes a decimal field's digits and bounds.
func dumpDecimal(b *strings.Builder, f *plan.Field) {
	fmt.Fprintf(b, " max_digits=%d decimal_places=%d", f.MaxDigits, f.DecimalPlaces)
	if f.MinDecimal != "" {
		fmt.Fprintf(b, " min=%s", f.MinDecimal)
	}
	if f.MaxDecimal != "" {
		fmt.Fprintf(b, " max=%s", f.MaxDecimal)
	}
}
