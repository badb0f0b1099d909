package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// MaxSize is the largest spec Load accepts, in bytes.
const MaxSize = 1 << 20

// LoadFile reads, validates and resolves the spec at path. Error positions
// name the file as path is written.
func LoadFile(path string) (*plan.Service, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: "cannot read spec: " + describeIOError(err)}}
	}
	return Load(path, data)
}

func describeIOError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Load parses, validates and resolves a spec. filename is used as given in
// error positions and its base name becomes plan.Service.SpecFile. On
// invalid input the error is an ErrorList with every problem found.
func Load(filename string, data []byte) (svc *plan.Service, err error) {
	l := &loader{file: filename}
	defer func() {
		// Load must never panic; a bug in the loader reports as an error
		// rather than crashing the caller.
		if r := recover(); r != nil {
			svc = nil
			err = ErrorList{{File: filename, Msg: "internal error while loading the spec; please report it"}}
		}
	}()
	svc = l.load(data)
	if len(l.errs) > 0 {
		return nil, sortErrors(l.errs)
	}
	return svc, nil
}

type loader struct {
	file string
	errs ErrorList
	svc  *plan.Service

	prefix     string
	classes    map[string]*plan.Class
	classNodes map[string]*yaml.Node // class name -> its rule or read_scope node
	broken     map[string]bool       // classes declared with an error already reported
	scopeNames map[string]bool       // named throttle scopes
	authUsed   map[plan.AuthClass]bool
	routes     map[string]string // concrete route -> what declared it
	pending    []pendingRoute    // resource routes, registered after the auth routes
	lines      []string          // the source, for positions inside scalars
	meNode     *yaml.Node
}

type pendingRoute struct {
	node         *yaml.Node
	route, owner string
}

func (l *loader) errAt(n *yaml.Node, hint, format string, args ...any) {
	e := &Error{File: l.file, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

func (l *loader) errPos(line, col int, hint, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) load(data []byte) *plan.Service {
	if len(data) > MaxSize {
		l.errPos(1, 1, "split the API into smaller specs", "spec is larger than %d bytes", MaxSize)
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			l.errPos(1, 1, "start the file with \"version: 1\"", "spec is empty")
			return nil
		}
		l.yamlError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errAt(&extra, "keep one document per spec file", "spec has more than one YAML document")
		return nil
	} else if err != io.EOF {
		l.yamlError(err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		l.errPos(1, 1, "start the file with \"version: 1\"", "spec is empty")
		return nil
	}
	root := doc.Content[0]
	l.lines = strings.Split(string(data), "\n")
	if l.findAliases(root, 0) {
		return nil
	}
	return l.service(root)
}

func (l *loader) yamlError(err error) {
	msg := err.Error()
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if m := yamlErrLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			l.errPos(n, 1, "", "invalid YAML: %s", m[2])
			continue
		}
		if line == "" || line == "yaml: unmarshal errors:" {
			continue
		}
		l.errPos(1, 1, "", "invalid YAML: %s", strings.TrimPrefix(line, "yaml: "))
	}
	if len(l.errs) == 0 {
		l.errPos(1, 1, "", "invalid YAML")
	}
}

// findAliases reports every alias (*name) and overly deep nesting. Aliases
// are refused so that a spec reads as written and cannot expand.
func (l *loader) findAliases(n *yaml.Node, depth int) bool {
	if depth > 32 {
		l.errAt(n, "flatten the document", "YAML nested too deeply")
		return true
	}
	found := false
	if n.Kind == yaml.AliasNode {
		l.errAt(n, "write the value out instead of *"+n.Value, "YAML aliases are not supported")
		return true
	}
	for _, c := range n.Content {
		if l.findAliases(c, depth+1) {
			found = true
		}
	}
	return found
}

// ---- generic node helpers ----

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "nothing"
}

type entry struct {
	Key, Val *yaml.Node
}

// mapping checks that n is a mapping, reports duplicate keys and, when known
// is not nil, unknown keys. what names the mapping in messages.
func (l *loader) mapping(n *yaml.Node, what string, known []string) (map[string]*yaml.Node, []entry, bool) {
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return map[string]*yaml.Node{}, nil, true
		}
		l.errAt(n, "", "%s must be a mapping, found %s", what, kindName(n))
		return nil, nil, false
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	keys := make(map[string]*yaml.Node, len(n.Content)/2)
	var list []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errAt(k, "", "keys of %s must be strings, found %s", what, kindName(k))
			continue
		}
		if prev, dup := keys[k.Value]; dup {
			l.errAt(k, "remove one of them", "duplicate key %q in %s (first at line %d)", k.Value, what, prev.Line)
			continue
		}
		keys[k.Value] = k
		if known != nil && !contains(known, k.Value) {
			l.unknownKey(k, what, known)
			continue
		}
		m[k.Value] = v
		list = append(list, entry{k, v})
	}
	return m, list, true
}

func (l *loader) unknownKey(k *yaml.Node, what string, known []string) {
	if s := nearest(k.Value, known); s != "" {
		l.errAt(k, fmt.Sprintf("did you mean %q?", s), "unknown key %q in %s", k.Value, what)
		return
	}
	l.errAt(k, "expected one of: "+strings.Join(known, ", "), "unknown key %q in %s", k.Value, what)
}

func contains[T comparable](list []T, s T) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyNode returns the key node of name in mapping n, for positions.
func keyNode(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return n
}

// str reads a string. Every string of a spec goes through it, and it
// refuses the characters badRune names: a spec string may reach generated
// code, as a name, a literal or a comment.
func (l *loader) str(n *yaml.Node, what string) (string, bool) {
	s, ok := l.anyStr(n, what)
	if ok && !l.printable(n, what, s, "write it on one line, without tabs or other control characters") {
		return "", false
	}
	return s, ok
}

// anyStr reads a string that may hold any character; the caller checks it
// with printable.
func (l *loader) anyStr(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		l.errAt(n, "", "%s must be a string, found %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// printable reports, with hint, a character of s that badRune refuses.
func (l *loader) printable(n *yaml.Node, what, s, hint string) bool {
	i := strings.IndexFunc(s, badRune)
	if i < 0 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	l.errAt(n, hint, "%s holds the control character %s", what, strconv.QuoteRuneToASCII(r))
	return false
}

// badRune says whether a spec string must not hold r: control characters
// (line breaks and tabs included), line and paragraph separators,
// bidirectional controls (which make text read other than it is) and the
// byte order mark.
func badRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' || unicode.Is(unicode.Bidi_Control, r)
}

func (l *loader) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.errAt(n, "write true or false", "%s must be a boolean, found %s", what, kindName(n))
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		l.errAt(n, "write true or false", "%s must be a boolean", what)
		return false, false
	}
	return b, true
}

func (l *loader) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		l.errAt(n, "", "%s must be an integer, found %s", what, kindName(n))
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		l.errAt(n, "", "%s must be an integer between %d and %d", what, lo, hi)
		return 0, false
	}
	if v < lo || v > hi {
		l.errAt(n, "", "%s must be between %d and %d, found %d", what, lo, hi, v)
		return 0, false
	}
	return v, true
}

func (l *loader) number(n *yaml.Node, what string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		l.errAt(n, "", "%s must be a number, found %s", what, kindName(n))
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil || v != v || v > 1e300 || v < -1e300 {
		l.errAt(n, "", "%s must be a finite number", what)
		return 0, false
	}
	return v, true
}

func (l *loader) strList(n *yaml.Node, what string) ([]string, []*yaml.Node, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil, true
	}
	if n.Kind != yaml.SequenceNode {
		l.errAt(n, "write a list such as [a, b]", "%s must be a list, found %s", what, kindName(n))
		return nil, nil, false
	}
	var out []string
	var nodes []*yaml.Node
	ok := true
	for _, c := range n.Content {
		s, good := l.str(c, "each item of "+what)
		if !good {
			ok = false
			continue
		}
		out = append(out, s)
		nodes = append(nodes, c)
	}
	return out, nodes, ok
}

func (l *loader) duration(n *yaml.Node, what string, allowZero bool) (d0 dur, ok bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int") {
		l.errAt(n, "write a Go duration such as 5m or 24h", "%s must be a duration, found %s", what, kindName(n))
		return 0, false
	}
	d, err := parseDuration(n.Value)
	if err != nil {
		l.errAt(n, "write a Go duration such as 30s, 5m or 24h", "%s: invalid duration %q", what, n.Value)
		return 0, false
	}
	if d < 0 || (d == 0 && !allowZero) {
		l.errAt(n, "write a positive duration such as 5m", "%s must be positive, found %q", what, n.Value)
		return 0, false
	}
	return d, true
}

// ---- names ----

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
	if prev, dup := l.routes[route]; dup {
		l.errAt(n, "give each a different path", "route %s of %s is already used by %s", route, owner, prev)
		return
	}
	l.routes[route] = owner
}

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
