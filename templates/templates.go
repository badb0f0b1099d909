// Package templates holds the embedded text Ward writes for files a person
// owns (permission class stubs, scope function stubs, the service's main)
// and for new projects (the starter api.yaml and generate.go).
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// A template writes a comment that holds a value as {{comment "text " .X}}:
// the operands are joined as by fmt.Sprint and written by Comment.
var all = template.Must(template.New("").Funcs(template.FuncMap{
	"comment": func(parts ...any) string { return Comment(fmt.Sprint(parts...)) },
}).ParseFS(files, "*.tmpl"))

// Render executes the named template with data.
func Render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := all.ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
