package golang

import (
	"reflect"
	"slices"
	"testing"

	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/service"
)

// TestStructTypesMatchTheRuntime: the field lists the literals follow are
// the runtime types' exported fields, in declaration order.
func TestStructTypesMatchTheRuntime(t *testing.T) {
	runtime := map[string]reflect.Type{
		pkgRest + ".Rules":         reflect.TypeFor[rest.Rules](),
		pkgRest + ".View":          reflect.TypeFor[rest.View](),
		pkgRest + ".Parent":        reflect.TypeFor[rest.Parent](),
		pkgRest + ".Table":         reflect.TypeFor[rest.Table[struct{}]](),
		pkgService + ".Definition": reflect.TypeFor[service.Definition](),
		pkgService + ".Auth":       reflect.TypeFor[service.Auth](),
		pkgService + ".JWT":        reflect.TypeFor[service.JWT](),
		pkgService + ".Session":    reflect.TypeFor[service.Session](),
		pkgService + ".Token":      reflect.TypeFor[service.Token](),
		pkgService + ".Basic":      reflect.TypeFor[service.Basic](),
		pkgService + ".MFA":        reflect.TypeFor[service.MFA](),
		pkgService + ".Docs":       reflect.TypeFor[service.Docs](),
		pkgService + ".Throttle":   reflect.TypeFor[service.Throttle](),
		pkgSchema + ".Table":       reflect.TypeFor[schema.Table](),
		pkgSchema + ".Column":      reflect.TypeFor[schema.Column](),
		pkgRest + ".Unique":        reflect.TypeFor[rest.Unique[struct{}]](),
		pkgSchema + ".Index":       reflect.TypeFor[schema.Index](),
		pkgRest + ".Ref":           reflect.TypeFor[rest.Ref[struct{}]](),
		pkgRest + ".FilterSet":     reflect.TypeFor[rest.FilterSet](),
		pkgRest + ".Filter":        reflect.TypeFor[rest.Filter](),
		pkgRest + ".FilterTarget":  reflect.TypeFor[rest.FilterTarget](),
		pkgRest + ".Listing":       reflect.TypeFor[rest.Listing[struct{}]](),
		pkgRest + ".Column":        reflect.TypeFor[rest.Column[struct{}]](),
	}
	if len(runtime) != len(structTypes) {
		t.Fatalf("%d struct types, %d runtime types", len(structTypes), len(runtime))
	}
	for _, st := range structTypes {
		rt, ok := runtime[st.pkg+"."+st.name]
		if !ok {
			t.Errorf("%s.%s: no runtime type", st.pkg, st.name)
			continue
		}
		var want []string
		for f := range rt.Fields() {
			if f.IsExported() {
				want = append(want, f.Name)
			}
		}
		if !slices.Equal(st.fields, want) {
			t.Errorf("%s.%s: fields %v, the runtime declares %v", st.pkg, st.name, st.fields, want)
		}
	}
}

// TestVerboseName: Django's default verbose_name of a model, which DRF's
// unique message names.
func TestVerboseName(t *testing.T) {
	for model, want := range map[string]string{
		"Product": "product", "OrderItem": "order item", "HTTPLog": "http log", "LogHTTP": "log http",
		"ABc": "a bc", "Item2Box": "item2 box", "Item2B": "item2b", "X": "x",
	} {
		if got := verboseName(model); got != want {
			t.Errorf("verboseName(%q) = %q, want %q", model, got, want)
		}
	}
}
