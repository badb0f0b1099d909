package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The names a spec chooses: identifiers, paths, folders and routes.

var (
	reLowerIdent = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reGoIdent    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	reExported   = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]*$`)
	rePackage    = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	reEnv        = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	rePathSeg    = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
	reRelDir     = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
	reToken      = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	reSQLIdent   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

var goKeywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct", "switch", "type", "var"}

// checkPath validates an HTTP path prefix: it starts with "/", has no
// trailing slash, no braces, no empty or dot segments.
func (l *loader) checkPath(n *yaml.Node, what string) (string, bool) {
	p, ok := l.str(n, what)
	if !ok {
		return "", false
	}
	bad := func(why string) (string, bool) {
		hint := "write a path such as /api/posts"
		if strings.HasSuffix(p, "/") && len(p) > 1 {
			hint = fmt.Sprintf("write %q", strings.TrimRight(p, "/"))
		} else if !strings.HasPrefix(p, "/") && p != "" {
			hint = fmt.Sprintf("write %q", "/"+p)
		}
		l.errAt(n, hint, "%s %q %s", what, p, why)
		return "", false
	}
	switch {
	case !strings.HasPrefix(p, "/"):
		return bad("must start with /")
	case p == "/":
		return bad("must not be the root")
	case strings.HasSuffix(p, "/"):
		return bad("must not end with /")
	case strings.ContainsAny(p, "{}"):
		return bad("must not contain braces (Ward adds /{id} itself)")
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." || !rePathSeg.MatchString(seg) {
			return bad("has an invalid segment " + strconv.Quote(seg))
		}
	}
	return p, true
}

func (l *loader) route(n *yaml.Node, route, owner string) {
	// Routes that differ only in the names of their parameters
	// (/products/{id}/reviews, /products/{product_id}/reviews) are one.
	key := reParam.ReplaceAllString(route, "{}")
	if prev, dup := l.routes[key]; dup {
		l.errAt(n, "give each a different path", "route %s of %s is already used by %s", route, owner, prev)
		return
	}
	l.routes[key] = owner
}

// reParam is a parameter of a route.
var reParam = regexp.MustCompile(`\{[^}]*\}`)

// goName turns a snake_case name into an exported Go name, with common
// initialisms in upper case: created_at -> CreatedAt, owner_id -> OwnerID.
func goName(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		switch part {
		case "id", "url", "uri", "api", "http", "json", "uuid", "ip", "sql", "html", "csrf", "jwt":
			b.WriteString(strings.ToUpper(part))
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// singular is a small English singularizer for default model names.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "ss"):
		return s
	case strings.HasSuffix(s, "s") && len(s) > 1:
		return s[:len(s)-1]
	}
	return s
}

func (l *loader) enum(n *yaml.Node, what string, allowed []string, dst *string) {
	s, ok := l.str(n, what)
	if !ok {
		return
	}
	if !contains(allowed, s) {
		hint := "expected one of: " + strings.Join(allowed, ", ")
		if near := nearest(s, allowed); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		l.errAt(n, hint, "invalid %s %q", what, s)
		return
	}
	*dst = s
}

func (l *loader) nonEmpty(n *yaml.Node, what string, dst *string) {
	s, ok := l.str(n, what)
	if !ok {
		return
	}
	if strings.TrimSpace(s) == "" || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		l.errAt(n, "write a non-empty value without control characters", "%s must not be empty", what)
		return
	}
	*dst = s
}
