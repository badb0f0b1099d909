package access

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
)

// JSON renders m as indented JSON, with a final newline.
func JSON(m *Matrix) []byte { return marshal(m) }

// marshal is indented JSON without HTML escapes (& stays &).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		// Every value of a Matrix and a Report marshals; a failure is a bug.
		panic("access: " + err.Error())
	}
	return b.Bytes()
}

var page = template.Must(template.New("matrix").Funcs(template.FuncMap{"cell": CellText}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Who may do what: {{.Service}}</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;font-size:90%}code{white-space:nowrap}</style>
</head><body>
<h1>Who may do what: {{.Service}}</h1>
<p>Computed by Ward from {{.Spec}} alone, as the generated handlers decide. See PERMISSIONS.md for the legend.</p>
{{range .Resources}}<h2>{{.Name}}</h2>
<ul><li>route: <code>{{.Path}}</code></li><li>authentication: {{range $i, $a := .Auth}}{{if $i}}, {{end}}{{$a}}{{end}}{{if .Challenge}} (challenge <code>{{.Challenge}}</code>){{end}}</li>
<li>permission: <code>{{.Permission}}</code></li><li>read scope: {{.ReadScope}}</li>
{{range .Classes}}<li>class {{.}}</li>{{end}}<li>acknowledged: public: {{.Public}}, allow_anonymous_writes: {{.AnonymousWrites}}{{if .Reason}}, because {{.Reason}}{{end}}</li>{{range $k, $v := .Acknowledged}}<li>acknowledged check <code>{{$k}}</code>: {{$v}}</li>{{end}}
{{range .Fields}}<li>field <code>{{.Name}}</code>{{if .Read}}: shown to <code>{{.Read}}</code>{{end}}{{if .Write}}; set by <code>{{.Write}}</code>{{end}}</li>{{end}}</ul>
<table><tr><th>endpoint</th><th>permission</th>{{range .Callers}}<th title="{{.Text}}">{{.Name}}</th>{{end}}</tr>
{{range .Endpoints}}<tr><td><code>{{.Method}} {{.Route}}</code></td><td><code>{{.Permission}}</code>{{if not .Action}} (not supported){{end}}</td>{{range .Cells}}<td>{{cell .}}</td>{{end}}</tr>
{{end}}</table>
{{end}}</body></html>
`))

// HTML renders m as one HTML page.
func HTML(m *Matrix) []byte {
	var b bytes.Buffer
	if err := page.Execute(&b, m); err != nil {
		panic("access: " + err.Error())
	}
	return b.Bytes()
}

// File is the matrix's path beside the spec, which ward generate writes.
const File = "PERMISSIONS.md"

// ReportJSON renders a diff report as indented JSON.
func ReportJSON(r *Report) []byte {
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	return marshal(struct {
		Widened bool `json:"widened"`
		*Report
	}{r.Widened(), r})
}

// ReportText renders a diff report for people: a summary line, then the
// changes, widened first.
func ReportText(r *Report) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "access: %d widened, %d to review by hand, %d narrowed, %d other changes\n",
		r.Count(Widened), r.Count(Review), r.Count(Narrowed), r.Count(Changed))
	for _, c := range r.Changes {
		b.WriteString(c.String() + "\n")
	}
	return b.String()
}
