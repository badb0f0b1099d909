package spec

import (
	"fmt"
	"unicode/utf8"
)

// node kinds of a parsed permission expression, before name resolution.
const (
	exRef = iota
	exAnd
	exOr
	exNot
)

// ast is a parsed permission expression. Off is the byte offset in the
// source string of the class name or of the operator.
type ast struct {
	Kind int
	Name string
	Off  int
	L, R *ast
}

// exprError is a parse error at a byte offset in the expression string.
type exprError struct {
	Off  int
	Msg  string
	Hint string
}

const maxExprDepth = 64

type exprParser struct {
	src   string
	pos   int
	depth int
}

// parseExpr parses a permission expression: class names combined with
// ~ (not), & (and), | (or) and parentheses; ~ binds tighter than &, which
// binds tighter than |. Binary operators associate to the left.
func parseExpr(src string) (*ast, *exprError) {
	p := &exprParser{src: src}
	p.skip()
	if p.pos == len(src) {
		return nil, &exprError{Off: 0, Msg: "empty permission expression", Hint: "write a class name such as IsAuthenticated, or AllowAny"}
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos < len(src) {
		if src[p.pos] == ')' {
			return nil, &exprError{Off: p.pos, Msg: "unmatched \")\" in permission expression", Hint: "remove it or add the matching \"(\""}
		}
		return nil, &exprError{Off: p.pos, Msg: fmt.Sprintf("unexpected %s in permission expression", p.describe()), Hint: "join class names with &, | or ~"}
	}
	return e, nil
}

func (p *exprParser) skip() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *exprParser) describe() string {
	if p.pos >= len(p.src) {
		return "end of expression"
	}
	c := p.src[p.pos]
	if isIdentStart(c) {
		start := p.pos
		end := start
		for end < len(p.src) && isIdentPart(p.src[end]) {
			end++
		}
		return fmt.Sprintf("name %q", p.src[start:end])
	}
	if c < 0x20 || c >= 0x7f {
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		return fmt.Sprintf("character %q", r)
	}
	return fmt.Sprintf("%q", string(c))
}

func (p *exprParser) or() (*ast, *exprError) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			off := p.pos
			p.pos++
			if p.pos < len(p.src) && p.src[p.pos] == '|' {
				return nil, &exprError{Off: off, Msg: "\"||\" in permission expression", Hint: "write a single | for or"}
			}
			r, err := p.and()
			if err != nil {
				return nil, err
			}
			l = &ast{Kind: exOr, Off: off, L: l, R: r}
			continue
		}
		return l, nil
	}
}

func (p *exprParser) and() (*ast, *exprError) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if p.pos < len(p.src) && p.src[p.pos] == '&' {
			off := p.pos
			p.pos++
			if p.pos < len(p.src) && p.src[p.pos] == '&' {
				return nil, &exprError{Off: off, Msg: "\"&&\" in permission expression", Hint: "write a single & for and"}
			}
			r, err := p.unary()
			if err != nil {
				return nil, err
			}
			l = &ast{Kind: exAnd, Off: off, L: l, R: r}
			continue
		}
		return l, nil
	}
}

func (p *exprParser) unary() (*ast, *exprError) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExprDepth {
		return nil, &exprError{Off: p.pos, Msg: "permission expression nested too deeply", Hint: fmt.Sprintf("use at most %d levels of ~ and parentheses", maxExprDepth)}
	}
	p.skip()
	if p.pos >= len(p.src) {
		return nil, &exprError{Off: p.pos, Msg: "permission expression ends where a class name was expected", Hint: "add a class name after the operator"}
	}
	c := p.src[p.pos]
	switch {
	case c == '~' || c == '!':
		off := p.pos
		if c == '!' {
			return nil, &exprError{Off: off, Msg: "\"!\" in permission expression", Hint: "write ~ for not"}
		}
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &ast{Kind: exNot, Off: off, L: x}, nil
	case c == '(':
		open := p.pos
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			if p.pos >= len(p.src) {
				return nil, &exprError{Off: open, Msg: "unclosed \"(\" in permission expression", Hint: "add the matching \")\""}
			}
			return nil, &exprError{Off: p.pos, Msg: fmt.Sprintf("unexpected %s in permission expression, expected \")\"", p.describe()), Hint: "join class names with &, | or ~"}
		}
		p.pos++
		return e, nil
	case isIdentStart(c):
		start := p.pos
		for p.pos < len(p.src) && isIdentPart(p.src[p.pos]) {
			p.pos++
		}
		return &ast{Kind: exRef, Name: p.src[start:p.pos], Off: start}, nil
	default:
		return nil, &exprError{Off: p.pos, Msg: fmt.Sprintf("unexpected %s in permission expression, expected a class name", p.describe()), Hint: "write a class name such as IsAuthenticated"}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}
