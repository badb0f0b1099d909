package golang_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/generator/files"
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

// TestGoldenCompiles writes every case into a module of its own in a
// temporary folder outside this one, whose go.mod requires this module
// through a replace directive (and pins its dependencies as this go.mod
// does), then builds, vets and staticchecks it: generated code must be as
// clean as code written by hand.
func TestGoldenCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code with the go tool")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	const importRoot = "example.com/wardgolden"
	writeGoldenModule(t, root, tmp, importRoot)
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
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, b)
		}
	}
	run("go", "build", "./...")
	run("go", "vet", "./...")
	// staticcheck leaves its style checks out on files whose header says
	// they are generated: check them as if a person had written them, with
	// every check, those the repository's configuration leaves out too.
	for _, name := range cases(t) {
		for p, b := range generate(t, name, importRoot).Files {
			if files.IsGenerated(b) {
				_, rest, _ := bytes.Cut(b, []byte("\n"))
				full := filepath.Join(tmp, name, filepath.FromSlash(p))
				if err := os.WriteFile(full, append([]byte("// Written by ward.\n"), rest...), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	run(staticcheck(t), "-checks", "all", "./...")
	writeAppendJSONTests(t, tmp, importRoot)
	run("go", "test", "-run", "^TestAppendJSON$", "./...")
}

// writeAppendJSONTests writes, into every golden case's package under
// dir, a test that checks the AppendJSON of each model against
// json.Marshal (testdata/jsoncheck, copied to dir/jsoncheck).
func writeAppendJSONTests(t *testing.T, dir, importRoot string) {
	t.Helper()
	check, err := os.ReadFile(filepath.Join("testdata", "jsoncheck", "jsoncheck.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "jsoncheck"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jsoncheck", "jsoncheck.go"), check, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range cases(t) {
		svc, err := spec.LoadFile(filepath.Join("..", "testdata", name, "api.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"testing\"\n\n\t\"%s/jsoncheck\"\n)\n\n", svc.Package, importRoot)
		b.WriteString("func TestAppendJSON(t *testing.T) {\n")
		for _, r := range svc.Resources {
			fmt.Fprintf(&b, "\tjsoncheck.Model[%s](t", r.Model)
			for _, fl := range r.Fields {
				if fl.Read != nil {
					fmt.Fprintf(&b, ", %q", fl.Name)
				}
			}
			b.WriteString(")\n")
		}
		b.WriteString("}\n")
		full := filepath.Join(dir, name, filepath.FromSlash(svc.Output), "appendjson_test.go")
		if err := os.WriteFile(full, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeGoldenModule writes dir/go.mod for module path mod: this module's
// go.mod with its module line replaced, this module required and replaced
// by root; and this module's go.sum and staticcheck.conf.
func writeGoldenModule(t *testing.T, root, dir, mod string) {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for line := range strings.Lines(string(gomod)) {
		switch {
		case strings.HasPrefix(line, "module "):
			line = "module " + mod + "\n"
		case strings.HasPrefix(line, "tool "):
			continue
		}
		b.WriteString(line)
	}
	fmt.Fprintf(&b, "\nrequire %s v0.0.0\n\nreplace %s => %s\n", module, module, root)
	files := map[string][]byte{"go.mod": []byte(b.String())}
	for _, name := range []string{"go.sum", "staticcheck.conf"} {
		if files[name], err = os.ReadFile(filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// staticcheck returns the staticcheck binary: on PATH, else in GOPATH/bin,
// where .ci/run installs the pinned version. Without one the test is
// skipped, except under CI, where it fails.
func staticcheck(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("staticcheck"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "staticcheck")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("staticcheck is not installed: .ci/run installs honnef.co/go/tools/cmd/staticcheck")
	}
	t.Skip("staticcheck is not installed (go install honnef.co/go/tools/cmd/staticcheck@v0.8.2)")
	return ""
}
