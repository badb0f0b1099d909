package golang

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// fixedHeader says whether e is made of Header(...), the constant
// BuildConstraint and string literals only: text fixed when Ward is built
// but for the spec's name, which Header writes only when it is printable
// (no line break), else it writes the header without it.
func fixedHeader(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.CallExpr:
		// Header(...), and commentText(...), whose "//" lines nothing in
		// the text can end.
		id, ok := e.Fun.(*ast.Ident)
		return ok && (id.Name == "Header" || id.Name == "commentText")
	case *ast.Ident:
		return e.Name == "Header" || e.Name == "BuildConstraint"
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.BinaryExpr:
		return e.Op == token.ADD && fixedHeader(e.X) && fixedHeader(e.Y)
	}
	return false
}

// TestCommentsThroughOneFunction: the emitters write every comment through
// comment (templates.Comment), never through jennifer's Comment, Commentf
// or a header other than the fixed Header and BuildConstraint, whose multi-line form is a /* */
// block that "*/" in the text would end.
func TestCommentsThroughOneFunction(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && (fn.Name.Name == "comment" || fn.Name.Name == "commentText" || fn.Name.Name == "embedDirective") {
				continue
			}
			ast.Inspect(d, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				checked++
				var name string
				switch fun := call.Fun.(type) {
				case *ast.Ident:
					name = fun.Name
				case *ast.SelectorExpr:
					name = fun.Sel.Name
				}
				switch name {
				case "Comment", "Commentf":
					t.Errorf("%s: %s writes a comment; use comment(...)", fset.Position(call.Pos()), name)
				case "HeaderComment", "PackageComment", "CanonicalPath":
					if !fixedHeader(call.Args[0]) {
						t.Errorf("%s: %s with a value other than Header, BuildConstraint and literals", fset.Position(call.Pos()), name)
					}
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d calls", checked)
	}
}
