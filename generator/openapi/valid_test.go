package openapi_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardhq/ward/generator/files"
	"github.com/wardhq/ward/generator/openapi"
	"github.com/wardhq/ward/generator/openapi/oascheck"
	"github.com/wardhq/ward/generator/spec"
)

// TestValid: the document of every example and golden case is valid
// OpenAPI 3.1 for an independent library, and ward's header makes it
// ward's file.
func TestValid(t *testing.T) {
	specs, _ := filepath.Glob("../../examples/*/api.yaml")
	golden, _ := filepath.Glob("../testdata/*/api.yaml")
	for _, p := range append(specs, golden...) {
		t.Run(p, func(t *testing.T) {
			svc, err := spec.LoadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			doc := openapi.Document(svc, files.JSONHeader(svc.SpecFile))
			if !files.IsGenerated(doc) {
				t.Errorf("the document does not carry ward's header:\n%.200s", doc)
			}
			if _, err := oascheck.New(doc); err != nil {
				t.Fatal(err)
			}
			if again := openapi.Document(svc, files.JSONHeader(svc.SpecFile)); string(again) != string(doc) {
				t.Error("two generations differ")
			}
		})
	}
}

// TestCommitted: the examples' committed documents are what generation
// writes (ward check says so too).
func TestCommitted(t *testing.T) {
	for _, ex := range []string{"blog", "shop"} {
		svc, err := spec.LoadFile("../../examples/" + ex + "/api.yaml")
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("../../examples", ex, svc.Output, openapi.File))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != string(openapi.Document(svc, files.JSONHeader(svc.SpecFile))) {
			t.Errorf("%s: openapi.json is stale: run go generate ./examples/...", ex)
		}
	}
}
