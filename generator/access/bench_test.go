package access

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/spec"
)

// bigSpec is a spec of n resources, cycling through the shapes of the
// examples: an owner rule, a value rule in an Or with staff, a Go class
// with a func scope, model permissions, field rules.
func bigSpec(n int, widen bool) string {
	var b strings.Builder
	b.WriteString(`version: 1
service: {name: big}
authentication:
  default: [jwt, token]
  jwt: {key_env: B_JWT_KEY}
  token: {}
permissions:
  classes:
    IsOwner: {rule: {owner: owner}}
    IsActive: {rule: {field: active, value: true}}
    SameTeam: {check: go, read_scope: {func: TeamScope}}
resources:
`)
	perms := []string{
		"IsAuthenticated & IsOwner",
		"IsAdminUser | IsActive",
		"IsAuthenticated & SameTeam",
		"DjangoModelPermissions & IsOwner",
	}
	for i := 0; i < n; i++ {
		p := perms[i%len(perms)]
		if widen && i%10 == 0 && i%len(perms) == 0 {
			p = "IsAuthenticated"
		}
		fmt.Fprintf(&b, "  r%d:\n    fields:\n      title: {type: string, required: true}\n      active: {type: bool, default: true}\n", i)
		b.WriteString("      owner: {type: user, owner: true}\n      cost: {type: int, read: IsAdminUser, write: IsAdminUser}\n")
		fmt.Fprintf(&b, "    permissions: %s\n", p)
		if i%len(perms) == 1 || p == "IsAuthenticated" {
			b.WriteString("    public: true\n")
		}
		if i%len(perms) == 1 {
			b.WriteString("    action_permissions: {create: IsAdminUser, update: IsAdminUser, partial_update: IsAdminUser, destroy: IsAdminUser}\n")
		}
	}
	return b.String()
}

func readShop(b *testing.B) []byte {
	data, err := os.ReadFile("../../examples/shop/api.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkMatrix is `ward matrix`: load the spec, build, render.
func BenchmarkMatrix(b *testing.B) {
	for _, c := range []struct {
		name string
		data []byte
	}{{"shop", readShop(b)}, {"200resources", []byte(bigSpec(200, false))}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				svc, err := spec.Load("api.yaml", c.data)
				if err != nil {
					b.Fatal(err)
				}
				Markdown(Build(svc), "")
			}
		})
	}
}

// BenchmarkDiff is `ward diff`: load both specs, compare, render.
func BenchmarkDiff(b *testing.B) {
	shop := readShop(b)
	shop2 := []byte(strings.Replace(string(shop), "permissions: IsAuthenticated & (IsAdminUser | IsCustomer)\n", "permissions: IsAuthenticated\n    public: true\n", 1))
	for _, c := range []struct {
		name     string
		old, new []byte
	}{{"shop", shop, shop2}, {"200resources", []byte(bigSpec(200, false)), []byte(bigSpec(200, true))}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				o, err := spec.Load("old.yaml", c.old)
				if err != nil {
					b.Fatal(err)
				}
				n, err := spec.Load("new.yaml", c.new)
				if err != nil {
					b.Fatal(err)
				}
				if rep := Diff(o, n); !rep.Widened() {
					b.Fatal("no widening")
				}
			}
		})
	}
}
