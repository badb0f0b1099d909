package golang

import (
	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

// refType is rest.Ref, a reference field of a rest.Table.
var refType = structType{pkgRest, "Ref", []string{"Field", "Constraint", "Resource", "Table", "Scope", "ID"}}

// refs adds to d, the fields of a rest.Table, the reference fields a write
// checks against their target's read scope.
func (x *res) refs(d map[string]Code) {
	var refs []Code
	for _, fl := range x.r.Fields {
		if fl.Type != plan.Reference {
			continue
		}
		id := Op("&").Id("o").Dot(valueField(fl))
		if fl.Nullable {
			id = Id("o").Dot(valueField(fl))
		}
		refs = append(refs, refType.values(map[string]Code{
			"Field":      Lit(fl.Name),
			"Constraint": Lit(schema.ForeignKeyName(x.table, fl.Column)),
			"Resource":   Lit(fl.To),
			"Table":      rawLit(ident(fl.ToTable)),
			"Scope":      Id(camel(fl.To) + "Scope"),
			"ID":         Func().Params(Id("o").Op("*").Id(x.model)).Op("*").Int64().Block(Return(id)),
		}))
	}
	if len(refs) > 0 {
		d["Refs"] = Index().Qual(pkgRest, "Ref").Types(Id(x.model)).Values(refs...)
	}
}

// refColumn adds to c, a schema.Column literal, the foreign key of a
// reference field.
func refColumn(fl *plan.Field, c map[string]Code) {
	c["References"] = Lit(fl.ToTable)
	if fl.OnDelete != plan.OnDeleteProtect {
		c["OnDelete"] = Lit(fl.OnDelete)
	}
}
