package golang_test

import (
	"bytes"
	"go/build"
	"io"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/golang"
)

// TestGoGenerateSkipsGeneratedFiles: `go generate` (build tag "generate")
// lists none of Ward's generated files, so ward may delete them while the
// go command runs; builds list them all. A person's files stay visible to
// `go generate`, for their //go:generate lines.
func TestGoGenerateSkipsGeneratedFiles(t *testing.T) {
	for _, name := range cases(t) {
		out := generate(t, name, module)
		for p, b := range out.Files {
			if !strings.HasSuffix(p, ".go") {
				continue // openapi.json: no Go file, embedded by service_gen.go
			}
			match := func(tags ...string) bool {
				ctx := build.Default
				ctx.BuildTags = tags
				ctx.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
				ok, err := ctx.MatchFile(".", path.Base(p))
				if err != nil {
					t.Fatalf("%s/%s: %v", name, p, err)
				}
				return ok
			}
			if !match() {
				t.Errorf("%s/%s: a build does not list it", name, p)
			}
			generated := !slices.Contains(out.Scaffolds, p)
			if generated && (!bytes.HasPrefix(b, []byte(golang.Header("api.yaml")+"\n")) || match("generate")) {
				t.Errorf("%s/%s: go generate lists a generated file:\n%.200s", name, p, b)
			}
			if !generated && !match("generate") {
				t.Errorf("%s/%s: go generate skips a person's file", name, p)
			}
		}
	}
}
