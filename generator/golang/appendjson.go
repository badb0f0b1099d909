package golang

import (
	"encoding/json"
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// appendJSON emits the model's AppendJSON, which appends the bytes
// json.Marshal writes for it without reflection (jsonw.Appender), and for
// a model with read: expressions AppendJSONWithout (rest.Hider), which
// leaves out the fields the caller may not read.
func (g *gen) appendJSON(f *File, x *res) {
	recv := Id("o").Op("*").Id(x.model)
	b := Id("b").Index().Byte()
	ret := Params(Index().Byte(), Error())
	if !x.readGuarded() {
		f.Add(comment("AppendJSON appends o to b as json.Marshal encodes it, without reflection."))
		f.Func().Params(recv).Id("AppendJSON").Params(b).Add(ret).Block(g.appendBody(x, false)...)
		f.Line()
		return
	}
	f.Add(comment("AppendJSON appends o to b as json.Marshal encodes it, without reflection."))
	f.Func().Params(recv).Id("AppendJSON").Params(b).Add(ret).Block(
		Return(Id("o").Dot("AppendJSONWithout").Call(Id("b"), Nil())))
	f.Line()
	var guarded []string
	for _, fl := range x.r.Fields {
		if fl.Read != nil {
			guarded = append(guarded, fl.Name)
		}
	}
	f.Add(comment("AppendJSONWithout is AppendJSON without the fields named in hide, among"))
	f.Add(comment("those with a read: expression (%s).", strings.Join(guarded, ", ")))
	f.Func().Params(recv).Id("AppendJSONWithout").Params(b, Id("hide").Index().String()).Add(ret).Block(g.appendBody(x, true)...)
	f.Line()
}

// appendBody is the body of AppendJSON, or with hiding that of
// AppendJSONWithout: the members in the struct's order (json:"-" fields
// have none), each after its key.
func (g *gen) appendBody(x *res, hiding bool) []Code {
	var body []Code
	// err is declared by the first call that can fail, unless that call
	// is inside an if: then first.
	declared := false
	for _, fl := range x.r.Fields {
		if _, fails := appendFunc(fl); fails {
			if hiding && fl.Read != nil {
				body = append(body, Var().Err().Error())
				declared = true
			}
			break
		}
	}
	body = append(body, appendKey("{", "id"), Id("b").Op("=").Qual(pkgJSONW, "AppendInt").Call(Id("b"), Id("o").Dot("ID")))
	for _, fl := range x.r.Fields {
		name, fails := appendFunc(fl)
		arg := Id("o").Dot(fl.GoName)
		if fl.Type == plan.Decimal && !fl.Nullable {
			arg = Op("&").Add(arg)
		}
		member := []Code{appendKey(",", fl.Name)}
		call := Qual(pkgJSONW, name).Call(Id("b"), arg)
		if !fails {
			member = append(member, Id("b").Op("=").Add(call))
		} else {
			op := "="
			if !declared {
				op = ":="
				declared = true
			}
			member = append(member,
				List(Id("b"), Err()).Op(op).Add(call),
				If(Err().Op("!=").Nil()).Block(Return(Nil(), Err())))
		}
		if hiding && fl.Read != nil {
			member = []Code{If(Op("!").Qual("slices", "Contains").Call(Id("hide"), Lit(fl.Name))).Block(member...)}
		}
		body = append(body, member...)
	}
	return append(body, Return(Append(Id("b"), LitRune('}')), Nil()))
}

// appendFunc is the jsonw function that appends fl's value, and whether
// it can fail (a float that is not finite, a time outside RFC 3339).
func appendFunc(fl *plan.Field) (name string, fails bool) {
	switch fl.Type {
	case plan.Int, plan.Reference:
		name = "AppendInt"
	case plan.Float:
		name, fails = "AppendFloat", true
	case plan.Decimal:
		return "AppendDecimal", false // a pointer either way; nil is null
	case plan.Bool:
		name = "AppendBool"
	case plan.DateTime:
		name, fails = "AppendTime", true
	default: // string, text, and a user field's username
		name = "AppendString"
	}
	if fl.Nullable {
		name += "Ptr"
	}
	return name, fails
}

// appendKey appends the start of a member, "b = append(b, `,"name":`...)",
// the key written as json.Marshal writes it; open is "{" for the first
// member and "," for the others.
func appendKey(open, name string) Code {
	key, _ := json.Marshal(name) // a string always encodes
	return Id("b").Op("=").Append(Id("b"), rawLit(open+string(key)+":").Op("..."))
}
