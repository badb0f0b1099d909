package templates

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func TestComment(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "//"},
		{"Post is one object.", "// Post is one object."},
		{"a  b \t", "// a  b"},
		{"  indented", "//   indented"},
		{"one\ntwo", "// one\n// two"},
		{"one\r\ntwo\rthree\u2028four", "// one\n// two\n// three\n// four"},
		{"a\n\nb\n", "// a\n//\n// b\n//"},
		{"x\nfunc init() { panic(1) }\n//", "// x\n// func init() { panic(1) }\n// //"},
		{"x */ func init() {} /*", "// x */ func init() {} /*"},
		{"nul\x00 esc\x1b bidi\u202e bom\ufeff bad\xff", `// nul\x00 esc\x1b bidi\u202e bom\ufeff bad\xff`},
	}
	for _, tt := range tests {
		if got := Comment(tt.in); got != tt.want {
			t.Errorf("Comment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzComment checks that no text leaves the comment: a file made of a
// package clause, the comment and one declaration parses, declares only
// that declaration, and holds the comment as comments only.
func FuzzComment(f *testing.F) {
	for _, s := range []string{
		"x\nfunc init() { panic(1) }\n//",
		"*/ func init() {} /*",
		"a\rfunc init() {}",
		"a\u2028func init() {}",
		"a\x00b\ufeff\u202e\xff",
		"\\\nfunc init() {}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := Comment(text)
		src := "package p\n\n" + c + "\nvar X int\n"
		file, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments)
		if err != nil {
			t.Fatalf("Comment(%q) = %q does not parse: %v", text, c, err)
		}
		if len(file.Decls) != 1 {
			t.Fatalf("Comment(%q) = %q adds declarations: %d", text, c, len(file.Decls))
		}
		d, ok := file.Decls[0].(*ast.GenDecl)
		if !ok || d.Tok != token.VAR || d.Specs[0].(*ast.ValueSpec).Names[0].Name != "X" {
			t.Fatalf("Comment(%q) = %q changed the declaration", text, c)
		}
		for _, l := range strings.Split(c, "\n") {
			if l != "//" && !strings.HasPrefix(l, "// ") {
				t.Fatalf("Comment(%q) = %q has line %q, which could read as a directive (//go:...)", text, c, l)
			}
		}
		lines := strings.Count(c, "\n") + 1
		if d.Doc == nil || len(d.Doc.List) != lines {
			t.Fatalf("Comment(%q) = %q: want %d comment lines as X's doc, got %v", text, c, lines, d.Doc)
		}
	})
}

// TestTemplatesCommentThroughComment: a comment line of a Go template holds
// no value of its own; a comment with a value is written by {{comment}}.
func TestTemplatesCommentThroughComment(t *testing.T) {
	names, err := files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range names {
		if !strings.HasSuffix(e.Name(), ".go.tmpl") {
			continue
		}
		n++
		b, err := files.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") && strings.Contains(line, "{{") {
				t.Errorf("%s:%d: a comment line holds a value; write it as {{comment ...}}: %s", e.Name(), i+1, line)
			}
		}
	}
	if n == 0 {
		t.Fatal("no Go templates found")
	}
}
