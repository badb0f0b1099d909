package spec

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Reading the value nodes decode leaves in a struct: each reader checks
// the node's kind and reports, at the node's position, what it found.
// Every string of a spec goes through str, which refuses control
// characters.

func contains[T comparable](list []T, s T) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

type dur = time.Duration

const (
	timeSecond = time.Second
	timeMinute = time.Minute
	timeHour   = time.Hour
	timeDay    = 24 * time.Hour
)

var parseDuration = time.ParseDuration
