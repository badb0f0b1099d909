package golang

import (
	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// decimalRules adds a decimal field's digits and bounds to d, the fields
// of its rest.Rules literal.
func decimalRules(fl *plan.Field, d map[string]Code) {
	d["MaxDigits"] = Lit(fl.MaxDigits)
	d["DecimalPlaces"] = Lit(fl.DecimalPlaces)
	if fl.MinDecimal != "" {
		d["MinDecimal"] = Qual(pkgRest, "MustDecimal").Call(Lit(fl.MinDecimal))
	}
	if fl.MaxDecimal != "" {
		d["MaxDecimal"] = Qual(pkgRest, "MustDecimal").Call(Lit(fl.MaxDecimal))
	}
}

// scanDest is the Scan destination of fl's column: the field itself, or
// for a decimal a rest scanner that reads it as stored for the dialect.
func scanDest(fl *plan.Field) Code {
	v := Op("&").Id("o").Dot(valueField(fl))
	if fl.Type != plan.Decimal {
		return v
	}
	if fl.Nullable {
		return Qual(pkgRest, "ScanDecimalPtr").Call(v, Lit(fl.DecimalPlaces))
	}
	return Qual(pkgRest, "ScanDecimal").Call(v, Lit(fl.DecimalPlaces))
}

// bindValue is the argument that writes fl's column: the field itself, or
// for a decimal a rest.DecimalArg (rest.BindDecimal), which the table
// binds for its dialect.
func bindValue(fl *plan.Field) Code {
	v := Id("o").Dot(valueField(fl))
	if fl.Type != plan.Decimal {
		return v
	}
	if !fl.Nullable {
		v = Op("&").Add(v)
	}
	return Qual(pkgRest, "BindDecimal").Call(v, Lit(fl.DecimalPlaces))
}
