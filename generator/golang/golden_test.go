package golang_test

import (
	"flag"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/generator/golang"
	"github.com/wardhq/ward/generator/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under generator/testdata/*/want")

const module = "github.com/wardhq/ward"

func cases(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("../testdata/*/api.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Base(filepath.Dir(d)))
	}
	sort.Strings(out)
	return out
}

func generate(t *testing.T, name, importRoot string) *golang.Output {
	t.Helper()
	svc, err := spec.LoadFile(filepath.Join("..", "testdata", name, "api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := golang.Generate(svc, golang.Config{ImportPath: path.Join(importRoot, name, svc.Output)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return got
}

// TestGolden compares every generated and scaffolded file with
// testdata/<case>/want. Run `go test ./generator/... -update` to rewrite.
func TestGolden(t *testing.T) {
	for _, name := range cases(t) {
		t.Run(name, func(t *testing.T) {
			out := generate(t, name, module+"/generator/testdata")
			want := filepath.Join("..", "testdata", name, "want")
			if *update {
				if err := os.RemoveAll(want); err != nil {
					t.Fatal(err)
				}
				for p, b := range out.Files {
					full := filepath.Join(want, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
						t.Fatal(err)
					}
					// .golden keeps the go tool from building the expected files.
					if err := os.WriteFile(full+".golden", b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := map[string]string{}
			for p, b := range out.Files {
				got[p+".golden"] = string(b)
			}
			if diff := cmp.Diff(readTree(t, want), got); diff != "" {
				t.Errorf("generated files differ from %s (-want +got); run with -update if intended:\n%s", want, diff)
			}
		})
	}
}

// TestDeterministic generates every case twice and expects the same bytes.
func TestDeterministic(t *testing.T) {
	for _, name := range cases(t) {
		a := generate(t, name, module)
		b := generate(t, name, module)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s: two runs differ:\n%s", name, diff)
		}
	}
}

// TestGoldenCompiles writes every case into a folder of the module whose
// name starts with "_" (so ./... ignores it), then builds and vets it.
func TestGoldenCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code with the go tool")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(root, "_wardgolden")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	importRoot := module + "/" + filepath.Base(tmp)
	var pkgs []string
	for _, name := range cases(t) {
		out := generate(t, name, importRoot)
		for p, b := range out.Files {
			full := filepath.Join(tmp, name, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		pkgs = append(pkgs, "./"+filepath.Base(tmp)+"/"+name+"/...")
	}
	// The generated tests compare written-out permission checks with their
	// composed values; run them on every case.
	for _, tool := range [][]string{{"build"}, {"vet"}, {"test", "-count=1", "-run", "WrittenOutChecks"}} {
		cmd := exec.Command("go", append(tool, pkgs...)...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(tool, " "), err, b)
		}
	}
}
