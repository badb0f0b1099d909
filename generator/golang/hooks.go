package golang

import (
	"path"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// hooked reports whether the resource declares the validate hook.
func (x *res) hooked() bool { return x.r.HasHook(plan.HookValidate) }

// hookName is the hook function a person writes: ValidateOrder.
func (x *res) hookName() string { return "Validate" + x.model }

// hookMethods are the store methods a hooked resource's writes call: the
// writes with the hook and the check run inside them.
func (x *res) hookMethods() []Code {
	if !x.hooked() || x.readOnly() {
		return nil
	}
	before := Id("before").Qual(pkgRest, "Before").Index(Id(x.model))
	return []Code{
		comment("CreateWith is Create calling before inside the transaction, before the insert."),
		Id("CreateWith").Params(ctxParam(), Id("obj").Op("*").Id(x.model), before).Params(Op("*").Id(x.model), Error()),
		comment("UpdateWith is Update calling before inside the transaction, before the update."),
		Id("UpdateWith").Params(ctxParam(), Id("obj").Op("*").Id(x.model), before, Id("allowed").Func().Params(Op("*").Id(x.model)).Bool()).Params(Op("*").Id(x.model), Error()),
	}
}

// hookedCreate is the end of a hooked resource's create: the hook and the
// object check inside the write.
func (h handlerAction) hookedCreate() []Code {
	return []Code{
		comment("%s, then the object check on the object as it left it, run", h.x.hookName()),
		comment("inside the write's transaction: a refusal or a denial writes nothing."),
		List(Id("out"), Id("ok")).Op(":=").Qual(pkgRest, "Insert").Call(h.v, Id("w"), Id("r"), Id("req"), h.p, Id("obj"), Id("h").Dot("store").Dot("CreateWith"), Id(h.x.hookName())),
		If(Op("!").Id("ok")).Block(Return()),
		Qual(pkgRest, "Write").Call(Id("w"), Qual("net/http", "StatusCreated"), h.shown("out")),
	}
}

// hookedSave is the write of a hooked resource's update: the hook on the
// object as stored (old, copied before the input is applied) and as it will
// be written, then the write and the object check.
func (h handlerAction) hookedSave() *Statement {
	return List(Id("out"), Id("ok")).Op(":=").Qual(pkgRest, "SaveWith").Call(h.v, Id("w"), Id("r"), Id("req"), h.p, Op("&").Id("old"), Id("obj"), Id("h").Dot("store").Dot("UpdateWith"), Id(h.x.hookName()))
}

// keepOld copies the object as stored before the input is applied to it,
// for the hook's old.
func (h handlerAction) keepOld() []Code {
	if !h.x.hooked() {
		return nil
	}
	return []Code{Id("old").Op(":=").Op("*").Id("obj")}
}

// hookScaffolds renders the stub of every hooked resource's hook, once.
func (g *gen) hookScaffolds() error {
	for _, r := range g.svc.Resources {
		x := newRes(r)
		if !x.hooked() {
			continue
		}
		name := SnakeCase(x.hookName()) + ".go"
		data := map[string]any{"Package": g.svc.Package, "Name": x.hookName(), "Model": x.model, "Resource": r.Name}
		if err := g.scaffold(path.Join(g.svc.Output, name), "hook.go.tmpl", data); err != nil {
			return err
		}
	}
	return nil
}
