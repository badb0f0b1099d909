package access

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardhq/ward/generator/files"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden pins the matrix as Markdown and JSON for golden cases of
// the generator; -update rewrites them (review the diff).
func TestGolden(t *testing.T) {
	for _, name := range []string{"composition", "fieldperms", "goscope", "valuerule", "overrides", "actions", "nested"} {
		t.Run(name, func(t *testing.T) {
			m := buildCase(t, name)
			for ext, got := range map[string][]byte{
				"md":   Markdown(m, files.MarkdownHeader("api.yaml")),
				"json": JSON(m),
			} {
				path := filepath.Join("testdata", name+"."+ext+".golden")
				if *update {
					if err := os.MkdirAll("testdata", 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the output:\n%s", path, files.Diff(path, want, got))
				}
			}
		})
	}
}

// TestDeterministic: the same plan gives the same bytes.
func TestDeterministic(t *testing.T) {
	a, b := JSON(buildCase(t, "valuerule")), JSON(buildCase(t, "valuerule"))
	if !bytes.Equal(a, b) {
		t.Fatal("two builds differ")
	}
}
