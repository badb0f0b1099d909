package golang

import (
	"strings"
	"unicode"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/schema"
)

var (
	uniqueType = structType{pkgRest, "Unique", []string{"Index", "Columns", "Field", "Message", "Exists", "Args"}}
	indexType  = structType{pkgSchema, "Index", []string{"Name", "Columns", "Unique"}}
)

// uniqueSet is one set of fields no two objects of a resource share.
type uniqueSet struct {
	fields []*plan.Field
	field  string // the JSON name of a unique field; "" for unique_together
}

// uniqueSets lists the unique fields in spec order, then the
// unique_together sets: the order DRF reports them in.
func (x *res) uniqueSets() []uniqueSet {
	var out []uniqueSet
	for _, fl := range x.r.Fields {
		if fl.Unique {
			out = append(out, uniqueSet{fields: []*plan.Field{fl}, field: fl.Name})
		}
	}
	for _, names := range x.r.UniqueTogether {
		set := uniqueSet{}
		for _, n := range names {
			set.fields = append(set.fields, x.field(n))
		}
		out = append(out, set)
	}
	return out
}

func (s uniqueSet) columns() []string {
	cols := make([]string, len(s.fields))
	for i, fl := range s.fields {
		cols[i] = fl.Column
	}
	return cols
}

// message is DRF's: UniqueValidator's with Django's verbose names, or
// UniqueTogetherValidator's.
func (s uniqueSet) message(model string) string {
	if s.field != "" {
		return verboseName(model) + " with this " + strings.ReplaceAll(s.field, "_", " ") + " already exists."
	}
	names := make([]string, len(s.fields))
	for i, fl := range s.fields {
		names[i] = fl.Name
	}
	return "The fields " + strings.Join(names, ", ") + " must make a unique set."
}

// verboseName is Django's default verbose_name of a model: its name split
// into words at capitals, in lower case (OrderItem: "order item", HTTPLog:
// "http log").
func verboseName(model string) string {
	rs := []rune(model)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			afterLower := unicode.IsLower(rs[i-1])
			beforeLower := i+1 < len(rs) && !unicode.IsUpper(rs[i+1])
			if afterLower || beforeLower {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// uniques adds to d, the fields of a rest.Table, the resource's unique
// sets, with the query that finds a duplicate of an object.
func (x *res) uniques(d map[string]Code) {
	sets := x.uniqueSets()
	if len(sets) == 0 {
		return
	}
	var items []Code
	for _, s := range sets {
		var conds []string
		var args []Code
		for _, fl := range s.fields {
			conds = append(conds, ident(fl.Column)+" = ?")
			args = append(args, Id("o").Dot(valueField(fl)))
		}
		conds = append(conds, ident("id")+" <> ?")
		args = append(args, Id("o").Dot("ID"))
		u := map[string]Code{
			"Index":   Lit(schema.UniqueIndexName(x.table, s.columns())),
			"Columns": stringList(s.columns()),
			"Message": Lit(s.message(x.model)),
			"Exists":  rawLit("SELECT COUNT(*) FROM " + ident(x.table) + " WHERE " + strings.Join(conds, " AND ")),
			"Args":    Func().Params(Id("o").Op("*").Id(x.model)).Index().Any().Block(Return(Index().Any().Values(args...))),
		}
		if s.field != "" {
			u["Field"] = Lit(s.field)
		}
		items = append(items, uniqueType.values(u))
	}
	d["Uniques"] = Index().Qual(pkgRest, "Unique").Types(Id(x.model)).Values(items...)
}

// tableIndexes is the schema.Index literals of r's unique sets, then,
// under cursor pagination, of the keyset indexes: (field, id) for every
// field a cursor can sort by, so that every page is an index range scan.
func tableIndexes(r *plan.Resource) []Code {
	var out []Code
	for _, s := range newRes(r).uniqueSets() {
		cols := s.columns()
		out = append(out, indexType.values(map[string]Code{
			"Name":    Lit(schema.UniqueIndexName(r.Table, cols)),
			"Columns": stringList(cols),
			"Unique":  True(),
		}))
	}
	return append(out, keysetIndexes(r)...)
}

func stringList(s []string) *Statement {
	lits := make([]Code, len(s))
	for i, v := range s {
		lits[i] = Lit(v)
	}
	return Index().String().Values(lits...)
}

func keysetIndexes(r *plan.Resource) []Code {
	if r.Pagination != plan.Cursor {
		return nil
	}
	var out []Code
	for _, fl := range newRes(r).sortFields() {
		cols := []string{fl.Column, "id"}
		out = append(out, indexType.values(map[string]Code{
			"Name":    Lit(schema.IndexName(r.Table, cols)),
			"Columns": stringList(cols),
		}))
	}
	return out
}
