package openapi_test

import (
	"testing"

	"github.com/wardhq/ward/generator/files"
	"github.com/wardhq/ward/generator/golang"
	"github.com/wardhq/ward/generator/openapi"
	"github.com/wardhq/ward/generator/spec"
)

// BenchmarkDocument is the time the document adds to generation, beside
// the whole of golang.Generate (which includes it), for the examples.
func BenchmarkDocument(b *testing.B) {
	for _, ex := range []string{"blog", "shop"} {
		svc, err := spec.LoadFile("../../examples/" + ex + "/api.yaml")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(ex+"/openapi", func(b *testing.B) {
			for b.Loop() {
				openapi.Document(svc, files.JSONHeader(svc.SpecFile))
			}
		})
		b.Run(ex+"/generate", func(b *testing.B) {
			for b.Loop() {
				if _, err := golang.Generate(svc, golang.Config{ImportPath: "example.com/x"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
