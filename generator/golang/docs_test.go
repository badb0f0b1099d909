package golang_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/generator/golang"
	"github.com/wardhq/ward/generator/spec"
)

var reDocMethod = regexp.MustCompile("`(Has[A-Za-z<>]*Permission)")

// TestDocScaffoldMethods pins what docs/spec.md tells a person to write for
// a check: go class to the methods the scaffold defines: the same names,
// with <Model> standing for each model the class guards.
func TestDocScaffoldMethods(t *testing.T) {
	b, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "- **`check: go`**")
	if i < 0 {
		t.Fatal("docs/spec.md has no check: go item")
	}
	item := doc[i:]
	if j := strings.Index(item[1:], "\n- "); j >= 0 {
		item = item[:j+1]
	}
	const src = `version: 1
service: {name: d}
authentication: {default: [jwt]}
permissions:
  classes:
    Guard: {check: go, read_scope: {owner: owner}}
resources:
  posts:
    fields: {owner: {type: user, owner: true}}
    permissions: IsAuthenticated & Guard
  notes:
    fields: {owner: {type: user, owner: true}}
    permissions: IsAuthenticated & Guard
`
	svc, err := spec.Load("api.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	seen := map[string]bool{}
	for _, m := range reDocMethod.FindAllStringSubmatch(item, -1) {
		names := []string{m[1]}
		if strings.Contains(m[1], "<Model>") {
			names = []string{strings.ReplaceAll(m[1], "<Model>", "Note"), strings.ReplaceAll(m[1], "<Model>", "Post")}
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				want = append(want, n)
			}
		}
	}
	if len(want) < 2 {
		t.Fatalf("docs/spec.md's check: go item names %v, want the request and object checks", want)
	}
	out, err := golang.Generate(svc, golang.Config{ImportPath: "example.com/d/d"})
	if err != nil {
		t.Fatal(err)
	}
	code, ok := out.Files["d/guard.go"]
	if !ok {
		t.Fatalf("no scaffold d/guard.go among %v", out.Scaffolds)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "guard.go", code, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil && strings.HasPrefix(fn.Name.Name, "Has") {
			got = append(got, fn.Name.Name)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("methods docs/spec.md says to write (-) and the scaffold defines (+) differ:\n%s", d)
	}
}
