// Package runtime_test holds the test that keeps the runtime's import graph
// pointing one way. The layers are the table of docs/architecture.md, so the
// page cannot drift from the code.
package runtime_test

import (
	"bufio"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/wardhq/ward/"

// layerRow is one row of the layer table: | 0 | `runtime/identity` | ... |
var layerRow = regexp.MustCompile("^\\| *(\\d+) *\\| *`(runtime[^`]*)` *\\|")

// readLayers reads the table between <!-- layers --> and <!-- /layers -->
// of the architecture page: package (relative to the module) to layer.
func readLayers(path string) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	layers := map[string]int{}
	in, seen := false, false
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "<!-- layers -->":
			in, seen = true, true
			continue
		case text == "<!-- /layers -->":
			in = false
			continue
		case !in || !strings.HasPrefix(text, "|") || strings.HasPrefix(text, "|---") || strings.HasPrefix(text, "| layer"):
			continue
		}
		m := layerRow.FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: a row of the layer table is | <layer> | `runtime/<package>` | <what it owns> |", path, line)
		}
		if _, dup := layers[m[2]]; dup {
			return nil, fmt.Errorf("%s:%d: %s has two rows", path, line, m[2])
		}
		layers[m[2]], _ = strconv.Atoi(m[1])
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !seen || len(layers) == 0 {
		return nil, fmt.Errorf("%s: no layer table between <!-- layers --> and <!-- /layers -->", path)
	}
	return layers, nil
}

// runtimeImports returns the Ward imports of every package under dir
// (non-test files, as the go command selects them), keyed by package path
// relative to the module.
func runtimeImports(root, dir string) (map[string][]string, error) {
	out := map[string][]string{}
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return filepath.SkipDir
		}
		p, err := build.Default.ImportDir(path, 0)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return err
		}
		if len(p.GoFiles) == 0 {
			return nil // tests only, as this one
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		var ward []string
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) {
				ward = append(ward, strings.TrimPrefix(imp, module))
			}
		}
		out[filepath.ToSlash(rel)] = ward
		return nil
	})
	return out, err
}

// upward lists the imports that break the layering: an import of a package
// of the same or a higher layer, of a package the table does not list, or of
// anything outside the runtime; and every package without a row.
func upward(layers map[string]int, imports map[string][]string) []string {
	var bad []string
	for pkg, imps := range imports {
		l, ok := layers[pkg]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s has no row in the layer table of docs/architecture.md", pkg))
			continue
		}
		for _, imp := range imps {
			il, ok := layers[imp]
			switch {
			case !strings.HasPrefix(imp, "runtime/"):
				bad = append(bad, fmt.Sprintf("%s imports %s, outside the runtime", pkg, imp))
			case !ok:
				bad = append(bad, fmt.Sprintf("%s imports %s, which has no row in the layer table", pkg, imp))
			case il >= l:
				bad = append(bad, fmt.Sprintf("%s (layer %d) imports %s (layer %d): import only lower layers", pkg, l, imp, il))
			}
		}
	}
	for pkg := range layers {
		if _, ok := imports[pkg]; !ok {
			bad = append(bad, fmt.Sprintf("the layer table lists %s, which is not a package", pkg))
		}
	}
	sort.Strings(bad)
	return bad
}

func TestRuntimeImportsPointDown(t *testing.T) {
	layers, err := readLayers(filepath.Join("..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	imports, err := runtimeImports("..", "runtime")
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("found %d runtime packages; is the test run from runtime/?", len(imports))
	}
	for _, msg := range upward(layers, imports) {
		t.Error(msg)
	}
}

// The checker itself: each kind of breach is reported, and a clean graph
// is not.
func TestUpwardFindsEachBreach(t *testing.T) {
	layers := map[string]int{"runtime/a": 0, "runtime/b": 1, "runtime/c": 1, "runtime/d": 2}
	cases := []struct {
		name    string
		imports map[string][]string
		want    []string
	}{
		{"downward only", map[string][]string{"runtime/a": nil, "runtime/b": {"runtime/a"}, "runtime/c": {"runtime/a"}, "runtime/d": {"runtime/b", "runtime/a"}}, nil},
		{"upward", map[string][]string{"runtime/a": {"runtime/b"}, "runtime/b": nil, "runtime/c": nil, "runtime/d": nil},
			[]string{"runtime/a (layer 0) imports runtime/b (layer 1): import only lower layers"}},
		{"same layer", map[string][]string{"runtime/a": nil, "runtime/b": {"runtime/c"}, "runtime/c": nil, "runtime/d": nil},
			[]string{"runtime/b (layer 1) imports runtime/c (layer 1): import only lower layers"}},
		{"package without a row", map[string][]string{"runtime/a": nil, "runtime/b": nil, "runtime/c": nil, "runtime/d": nil, "runtime/e": {"runtime/a"}},
			[]string{"runtime/e has no row in the layer table of docs/architecture.md"}},
		{"row without a package", map[string][]string{"runtime/a": nil, "runtime/b": nil, "runtime/c": nil},
			[]string{"the layer table lists runtime/d, which is not a package"}},
		{"outside the runtime", map[string][]string{"runtime/a": {"generator/spec"}, "runtime/b": nil, "runtime/c": nil, "runtime/d": nil},
			[]string{"runtime/a imports generator/spec, outside the runtime"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := upward(layers, c.imports)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestReadLayersRefusesABadRow(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"no table":  "# nothing\n",
		"bad row":   "<!-- layers -->\n| layer | package | owns |\n|---|---|---|\n| zero | `runtime/a` | x |\n<!-- /layers -->\n",
		"two rows":  "<!-- layers -->\n| 0 | `runtime/a` | x |\n| 1 | `runtime/a` | y |\n<!-- /layers -->\n",
		"not ticks": "<!-- layers -->\n| 0 | runtime/a | x |\n<!-- /layers -->\n",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".md")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readLayers(path); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}
