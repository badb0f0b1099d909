package golang_test

import (
	"fmt"
	"go/format"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/golang"
	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/spec"
)

// bigSpec is a spec with n resources of six fields each, alternating an
// owner rule, a Go class and a composition.
func bigSpec(n int) string {
	var b strings.Builder
	b.WriteString(`version: 1
service: {name: big}
authentication:
  default: [jwt, token]
  jwt: {key_env: BIG_JWT_KEY}
permissions:
  classes:
    IsOwner: {rule: {owner: owner}}
    Custom: {check: go, read_scope: all}
resources:
`)
	// Custom's read scope is all: everyone reads every object (public).
	perms := []string{"IsAuthenticated & IsOwner", "IsAuthenticatedOrReadOnly & Custom\n    public: true", "IsAdminUser | (IsAuthenticated & IsOwner)"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `  r%d:
    fields:
      title: {type: string, required: true, max_length: 200}
      body: {type: text, default: ""}
      stock: {type: int, min: 0}
      price: {type: float}
      done: {type: bool, default: false}
      owner: {type: user, owner: true}
      created_at: {type: datetime, auto: created}
    permissions: %s
`, i, perms[i%len(perms)])
	}
	return b.String()
}

func loadBig(tb testing.TB, n int) *plan.Service {
	tb.Helper()
	svc, err := spec.Load("api.yaml", []byte(bigSpec(n)))
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// BenchmarkGenerate measures generation for 10, 100 and 500 resources and
// reports the time and output bytes per resource; the per-resource time
// should stay flat (linear generation).
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		svc := loadBig(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for i := 0; i < b.N; i++ {
				out, err := golang.Generate(svc, golang.Config{ImportPath: "example.com/big/big"})
				if err != nil {
					b.Fatal(err)
				}
				size = 0
				for _, f := range out.Files {
					size += len(f)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/resource")
			b.ReportMetric(float64(size)/float64(n), "bytes/resource")
		})
	}
}

// BenchmarkGofmtBaseline is the floor generation cannot go under: gofmt of
// the very bytes Generate writes (jennifer formats every file it renders),
// measured in the same run so that the ratio survives a noisy machine.
func BenchmarkGofmtBaseline(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		out, err := golang.Generate(loadBig(b, n), golang.Config{ImportPath: "example.com/big/big"})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, src := range out.Files {
					if _, err := format.Source(src); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/resource")
		})
	}
}
