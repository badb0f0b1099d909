package spec

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docTableClasses returns the first column of the markdown table that
// follows the line starting with heading in the file at path, with
// backquotes removed.
func docTableClasses(t *testing.T, path, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, heading) {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("%s: no line starting with %q", path, heading)
	}
	var out []string
	inTable := false
	for _, l := range lines[start+1:] {
		if !strings.HasPrefix(l, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(l, "|")
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if name == "class" || strings.HasPrefix(name, "---") {
			continue
		}
		out = append(out, name)
	}
	return out
}

var reClassName = regexp.MustCompile(`^[A-Z][A-Za-z]+$`)

// TestDocBuiltins pins the built-in classes the docs list to the ones the
// loader accepts: docs/spec.md lists exactly them, and every built-in of
// the runtime's table in docs/permissions.md is one the spec can name.
func TestDocBuiltins(t *testing.T) {
	want := append([]string{}, builtins...)
	sort.Strings(want)
	got := docTableClasses(t, "../../docs/spec.md", "Built-in classes")
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("docs/spec.md built-in table (+) differs from the loader's built-ins (-):\n%s", d)
	}
	runtime := docTableClasses(t, "../../docs/permissions.md", "Built-ins are zero-size generic types")
	n := 0
	for _, c := range runtime {
		if !reClassName.MatchString(c) {
			continue // a rule such as "IsOwner (`perm.OwnerRule`)"
		}
		n++
		spec := "version: 1\nservice: {name: s}\nauthentication: {default: [jwt]}\nresources:\n  r:\n    fields: {title: string}\n    public: true\n    allow_anonymous_writes: true\n    reason: every builtin\n    permissions: " + c + "\n"
		if _, err := Load("api.yaml", []byte(spec)); err != nil {
			t.Errorf("docs/permissions.md lists built-in %s, but the spec refuses it:\n%v", c, err)
		}
	}
	if n < 5 {
		t.Fatalf("found only %d built-ins in docs/permissions.md", n)
	}
}
