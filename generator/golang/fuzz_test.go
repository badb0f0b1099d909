package golang_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/golang"
	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/spec"
)

// injection is the spec of issue 10: a description that, written into a
// comment as it was, put a func init into the class's scaffold.
const injection = `version: 1
service: {name: inj, main: cmd/inj}
authentication: {default: [jwt]}
permissions:
  classes:
    IsOwnerOrReadOnly:
      description: "x\nfunc init() { panic(1) }\n//"
      check: go
      read_scope: {owner: owner}
resources:
  posts:
    fields:
      title: {type: text, default: "a */ func init() {} /*", choices: ["a */ func init() {} /*", "b"]}
      owner: {type: user, owner: true}
    permissions: IsAuthenticated & IsOwnerOrReadOnly
`

// FuzzGenerate checks that any spec that vets generates files that
// go/parser parses, declaring only what Ward intends: no init function, no
// import outside the standard library, chi and Ward, names made from the
// spec's names, and the same declarations whatever the spec's free text
// (descriptions, defaults, choices, realm, issuer, the spec's file name)
// says. text is put into every free-text place after loading, past the
// loader's checks, so that the emitters are tested on their own.
func FuzzGenerate(f *testing.F) {
	// The golden cases and the blog. Generating is slow under the fuzzer's
	// instrumentation (about a second a run for the blog), so larger specs
	// are left out.
	files, _ := filepath.Glob("../testdata/*/api.yaml")
	files = append(files, "../../examples/blog/api.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "Plain text.")
	}
	// The spec, which the loader now refuses, and its text put in
	// past the loader.
	blog, err := os.ReadFile("../../examples/blog/api.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(injection), "")
	for _, text := range []string{"x\nfunc init() { panic(1) }\n//", "*/ func init() {} /*\r\u2028\x00\ufeff\u202e\xff", "\n//go:generate rm -rf /\n"} {
		f.Add([]byte(injection), text)
		f.Add(blog, text)
	}
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		svc, err := spec.Load("api.yaml", data)
		if err != nil {
			return
		}
		// The same spec with its free text replaced by plain words
		// declares the same.
		twin, err := spec.Load("api.yaml", data)
		if err != nil {
			t.Fatal("second load fails")
		}
		neutral(twin, "")
		want := decls(t, twin)
		neutral(svc, text)
		if got := decls(t, svc); !equal(got, want) {
			t.Fatalf("free text %q changes the declarations:\n%v\nwant\n%v", text, got, want)
		}
	})
}

// neutral puts text (or, when empty, a neutral word) into every free-text
// place of svc.
func neutral(svc *plan.Service, text string) {
	word := func(i int) string {
		if text == "" {
			return fmt.Sprintf("w%d", i)
		}
		return fmt.Sprintf("%s%d", text, i)
	}
	n := 0
	next := func() string { n++; return word(n) }
	svc.SpecFile = next() + ".yaml"
	for _, c := range svc.Classes {
		c.Description = next()
	}
	if svc.Auth.Basic != nil {
		svc.Auth.Basic.Realm = next()
	}
	if svc.Auth.JWT != nil {
		svc.Auth.JWT.Issuer, svc.Auth.JWT.Audience = next(), next()
	}
	for _, r := range svc.Resources {
		for _, fl := range r.Fields {
			if _, ok := fl.Default.(string); ok {
				fl.Default = next()
			}
			for i, c := range fl.Choices {
				if _, ok := c.(string); ok {
					fl.Choices[i] = next()
				}
			}
		}
	}
}

func equal(a, b map[string][]string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// decls generates svc and returns, per file, its top-level declarations,
// after checking each file as FuzzGenerate says.
func decls(t *testing.T, svc *plan.Service) map[string][]string {
	t.Helper()
	importPath := "example.com/fuzz/" + svc.Output
	out, err := golang.Generate(svc, golang.Config{ImportPath: importPath})
	if err != nil {
		t.Fatalf("a spec that vets does not generate: %v", err)
	}
	c := &declChecker{t: t, intended: intendedNames(svc), types: map[string]bool{}}
	res := map[string][]string{}
	for p, b := range out.Files {
		if !strings.HasSuffix(p, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, b, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s does not parse: %v\n%s", p, err, b)
		}
		checkFileHead(t, svc, importPath, p, f)
		res[p] = c.decls(p, b, f)
	}
	for _, m := range c.methods {
		if !c.types[m[0]] {
			t.Fatalf("method %s.%s on a type Ward does not declare", m[0], m[1])
		}
	}
	return res
}

// intendedNames reports whether a top-level name is one Ward means to
// declare for svc: it holds a resource's or a class's name.
func intendedNames(svc *plan.Service) func(string) bool {
	stems := []string{}
	for _, r := range svc.Resources {
		stems = append(stems, r.Model, idOf(r.Name), exportedID(r.Name))
	}
	for _, c := range svc.Classes {
		stems = append(stems, c.Name)
		if c.Scope != nil && c.Scope.Func != "" {
			stems = append(stems, c.Scope.Func)
		}
	}
	return func(name string) bool {
		switch name {
		case "_", "Definition", "Mount", "main", "TestPolicy", "openapiDocument":
			return true
		}
		for _, s := range stems {
			if strings.Contains(name, s) {
				return true
			}
		}
		return false
	}
}

// checkFileHead checks a file's package, imports and directives.
func checkFileHead(t *testing.T, svc *plan.Service, importPath, p string, f *ast.File) {
	t.Helper()
	wantPkg := svc.Package
	if path.Dir(p) != path.Clean(svc.Output) {
		wantPkg = "main"
	}
	if f.Name.Name != wantPkg {
		t.Fatalf("%s: package %s, want %s", p, f.Name.Name, wantPkg)
	}
	for _, im := range f.Imports {
		ip, _ := strconv.Unquote(im.Path.Value)
		if strings.Contains(strings.Split(ip, "/")[0], ".") && !strings.HasPrefix(ip, "github.com/wardhq/ward/") && ip != "github.com/go-chi/chi/v5" && ip != "github.com/cockroachdb/apd/v3" && ip != importPath {
			t.Fatalf("%s imports %s", p, ip)
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:") && !strings.HasPrefix(c.Text, "//go:generate ") && c.Text != golang.BuildConstraint && c.Text != golang.EmbedDirective {
				t.Fatalf("%s holds a directive %s", p, c.Text)
			}
		}
	}
}

// declChecker lists the declarations of generated files, failing on any
// Ward does not intend, and collects types and methods across files.
type declChecker struct {
	t        *testing.T
	intended func(string) bool
	types    map[string]bool
	methods  [][2]string
}

func (c *declChecker) decls(p string, b []byte, f *ast.File) []string {
	var list []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			list = append(list, c.funcDecl(p, b, d))
		case *ast.GenDecl:
			list = append(list, c.genDecl(p, b, d)...)
		}
	}
	return list
}

func (c *declChecker) funcDecl(p string, b []byte, d *ast.FuncDecl) string {
	if d.Recv == nil {
		if d.Name.Name == "init" || !c.intended(d.Name.Name) {
			c.t.Fatalf("%s declares func %s, which Ward does not intend\n%s", p, d.Name.Name, b)
		}
		return "func " + d.Name.Name
	}
	recv := d.Recv.List[0].Type
	if s, ok := recv.(*ast.StarExpr); ok {
		recv = s.X
	}
	id, _ := recv.(*ast.Ident)
	if id == nil {
		c.t.Fatalf("%s: method %s on an unexpected receiver", p, d.Name.Name)
	}
	c.methods = append(c.methods, [2]string{id.Name, d.Name.Name})
	return "method " + id.Name + "." + d.Name.Name
}

func (c *declChecker) genDecl(p string, b []byte, d *ast.GenDecl) []string {
	var list []string
	for _, s := range d.Specs {
		var names []string
		switch s := s.(type) {
		case *ast.TypeSpec:
			names = []string{s.Name.Name}
			c.types[s.Name.Name] = true
		case *ast.ValueSpec:
			for _, n := range s.Names {
				names = append(names, n.Name)
			}
		}
		for _, n := range names {
			if !c.intended(n) {
				c.t.Fatalf("%s declares %s %s, which Ward does not intend\n%s", p, d.Tok, n, b)
			}
			list = append(list, d.Tok.String()+" "+n)
		}
	}
	return list
}

// idOf is the lowerCamel identifier of a resource name: old_items → oldItems.
func idOf(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func exportedID(name string) string {
	id := idOf(name)
	return strings.ToUpper(id[:1]) + id[1:]
}
