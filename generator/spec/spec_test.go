package spec

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite plan.golden and error.txt files from the loader's output")

// validCases lists every valid spec: testdata/valid/<case>/api.yaml, plus
// the blog example, whose golden file lives in testdata/valid/blog.
func validCases(t testing.TB) map[string]string {
	t.Helper()
	cases := map[string]string{"blog": "../../examples/blog/api.yaml"}
	dirs, err := os.ReadDir("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		p := filepath.Join("testdata/valid", d.Name(), "api.yaml")
		if _, err := os.Stat(p); err == nil {
			cases[d.Name()] = p
		}
	}
	return cases
}

func invalidCases(t testing.TB) []string {
	t.Helper()
	dirs, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if d.IsDir() {
			out = append(out, d.Name())
		}
	}
	return out
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

func TestValid(t *testing.T) {
	cases := validCases(t)
	if len(cases) < 3 {
		t.Fatalf("only %d valid cases", len(cases))
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Load("api.yaml", data)
			if err != nil {
				t.Fatalf("unexpected error:\n%v", err)
			}
			checkGolden(t, filepath.Join("testdata/valid", name, "plan.golden"), Dump(s))
			// Loading is deterministic.
			s2, err := Load("api.yaml", data)
			if err != nil || Dump(s2) != Dump(s) {
				t.Fatal("second load differs from the first")
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	cases := invalidCases(t)
	if len(cases) < 20 {
		t.Fatalf("only %d invalid cases", len(cases))
	}
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata/invalid", name)
			data, err := os.ReadFile(filepath.Join(dir, "api.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			s, err := Load("api.yaml", data)
			if err == nil {
				t.Fatalf("loaded without error:\n%s", Dump(s))
			}
			if s != nil {
				t.Error("a plan was returned with the error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is %T, want a non-empty ErrorList", err)
			}
			for i, e := range list {
				if e.File != "api.yaml" || e.Line < 1 || e.Col < 1 || e.Msg == "" {
					t.Errorf("error %d lacks a position or message: %+v", i, e)
				}
				if i > 0 && (list[i-1].Line > e.Line || list[i-1].Line == e.Line && list[i-1].Col > e.Col) {
					t.Errorf("errors not sorted: %v before %v", list[i-1], e)
				}
			}
			checkGolden(t, filepath.Join(dir, "error.txt"), err.Error()+"\n")
		})
	}
}

// TestValidTestdataCoversEveryKey checks that the valid specs, whose
// resolved plans are pinned by golden files, use every key of the language.
func TestValidTestdataCoversEveryKey(t *testing.T) {
	seen := map[string]map[string]bool{}
	var walk func(n *yaml.Node, p string)
	walk = func(n *yaml.Node, p string) {
		if n.Kind == yaml.DocumentNode {
			walk(n.Content[0], p)
			return
		}
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				walk(c, p)
			}
			return
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		_, fixed := knownKeys[p]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			child := p + "/*"
			if fixed {
				if seen[p] == nil {
					seen[p] = map[string]bool{}
				}
				seen[p][k] = true
				child = p + "/" + k
			}
			walk(n.Content[i+1], strings.TrimPrefix(child, "/"))
		}
	}
	for _, p := range validCases(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		walk(&doc, "")
	}
	for p, keys := range knownKeys {
		for _, k := range keys {
			if !seen[p][k] {
				t.Errorf("no valid testdata spec uses %s/%s", p, k)
			}
		}
	}
}
