package golang

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestFunctionSize: no function of the emitters (this package and
// generator/files, tests included) is over 80 lines or has a cyclomatic
// complexity over 20, counted as gocyclo counts it: 1, plus one per if,
// for, range, non-default case or select case, && and ||.
func TestFunctionSize(t *testing.T) {
	const maxLines, maxComplexity = 80, 20
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range []string{".", "../files"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range files {
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				checked++
				pos := fset.Position(fn.Pos())
				if n := fset.Position(fn.End()).Line - pos.Line + 1; n > maxLines {
					t.Errorf("%s: %s is %d lines long, over %d", pos, fn.Name.Name, n, maxLines)
				}
				if c := complexity(fn); c > maxComplexity {
					t.Errorf("%s: %s has a cyclomatic complexity of %d, over %d", pos, fn.Name.Name, c, maxComplexity)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d functions", checked)
	}
}

func complexity(fn *ast.FuncDecl) int {
	c := 1
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			c++
		case *ast.CaseClause:
			if n.List != nil {
				c++
			}
		case *ast.CommClause:
			if n.Comm != nil {
				c++
			}
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				c++
			}
		}
		return true
	})
	return c
}
