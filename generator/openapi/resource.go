package openapi

import (
	"strconv"
	"strings"

	"github.com/wardhq/ward/generator/plan"
)

// fieldSchema is a field's JSON schema; input selects the form a client
// sends (constraints, decimals as strings or numbers).
func fieldSchema(f *plan.Field, input bool) obj {
	s := obj{}
	var typ string
	switch f.Type {
	case plan.String, plan.Text:
		typ = "string"
		if input && f.MinLength != nil {
			s["minLength"] = *f.MinLength
		}
		if input && f.MaxLength != nil {
			s["maxLength"] = *f.MaxLength
		}
	case plan.Int, plan.Float:
		typ = "number"
		if f.Type == plan.Int {
			typ, s["format"] = "integer", "int64"
		}
		if input && f.Min != nil {
			s["minimum"] = *f.Min
		}
		if input && f.Max != nil {
			s["maximum"] = *f.Max
		}
	case plan.Decimal:
		typ = "string"
		s["pattern"] = decimalPattern(f)
		s["format"] = "decimal"
		s["description"] = "A decimal of at most " + strconv.Itoa(f.MaxDigits) + " digits, " + strconv.Itoa(f.DecimalPlaces) + " after the point, as a string" + bounds(f)
	case plan.Bool:
		typ = "boolean"
	case plan.DateTime:
		typ, s["format"] = "string", "date-time"
	case plan.User:
		typ = "string"
		s["description"] = "a username"
	case plan.Reference:
		typ, s["format"] = "integer", "int64"
		s["description"] = "the id of an object of " + f.To
	}
	if len(f.Choices) > 0 {
		enum := append([]any(nil), f.Choices...)
		if f.Nullable {
			enum = append(enum, nil)
		}
		s["enum"] = enum
	}
	if f.Type == plan.Decimal && input {
		// Input: a string or a JSON number, rounded to the places.
		delete(s, "pattern")
		s["type"] = []any{"string", "number"}
		if f.Nullable {
			s["type"] = []any{"string", "number", "null"}
		}
	} else if f.Nullable {
		s["type"] = []any{typ, "null"}
	} else {
		s["type"] = typ
	}
	if f.Default != nil && input {
		s["default"] = f.Default
	}
	return s
}

// decimalPattern matches a decimal as Ward writes it: exactly
// DecimalPlaces places.
func decimalPattern(f *plan.Field) string {
	whole := f.MaxDigits - f.DecimalPlaces
	p := `^-?\d{1,` + strconv.Itoa(max(whole, 1)) + `}`
	if f.DecimalPlaces > 0 {
		p += `\.\d{` + strconv.Itoa(f.DecimalPlaces) + `}`
	}
	return p + `$`
}

func bounds(f *plan.Field) string {
	var parts []string
	if f.MinDecimal != "" {
		parts = append(parts, "at least "+f.MinDecimal)
	}
	if f.MaxDecimal != "" {
		parts = append(parts, "at most "+f.MaxDecimal)
	}
	if len(parts) == 0 {
		return "."
	}
	return ", " + strings.Join(parts, " and ") + "."
}

// modelSchema is the object as the API shows it. A field with a read rule
// may be left out, so it is not required.
func modelSchema(r *plan.Resource) obj {
	props := obj{"id": obj{"type": "integer", "format": "int64", "readOnly": true}}
	req := []any{"id"}
	for _, f := range r.Fields {
		s := fieldSchema(f, false)
		if f.ReadOnly || f.Owner || f.Auto != "" {
			s["readOnly"] = true
		}
		if f.Read != nil {
			s["x-ward-read"] = plan.ExprText(f.Read)
		} else {
			req = append(req, f.Name)
		}
		if f.Write != nil {
			s["x-ward-write"] = plan.ExprText(f.Write)
		}
		props[f.Name] = s
	}
	if _, ok := props["username"]; r.Source == "users" && !ok {
		props["username"] = obj{"type": "string"}
		props["is_staff"] = obj{"type": "boolean"}
		req = append(req, "username", "is_staff")
	}
	return obj{"type": "object", "required": req, "properties": props}
}

// inputSchema is the body of create (partial: of partial_update). Fields
// that are read-only are ignored when sent; create_only fields are
// ignored on updates.
func inputSchema(r *plan.Resource, create, partial bool) obj {
	props := obj{}
	var req []any
	for _, f := range r.Fields {
		if f.ReadOnly || f.Owner || f.Auto != "" || (f.CreateOnly && !create) || (r.Parent != nil && f.Name == r.Parent.Field) {
			continue
		}
		s := fieldSchema(f, true)
		if f.Write != nil {
			s["x-ward-write"] = plan.ExprText(f.Write)
		}
		props[f.Name] = s
		if f.Required && !partial {
			req = append(req, f.Name)
		}
	}
	o := obj{"type": "object", "properties": props}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}
