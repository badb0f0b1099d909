package spec

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

var builtins = []string{plan.AllowAny, plan.IsAuthenticated, plan.IsAdminUser, plan.IsAuthenticatedOrReadOnly, plan.ReadOnly, plan.DjangoModelPermissions}

// Bounds on permission expressions: far above any real spec, low enough
// that every later pass over an expression stays cheap.
const (
	maxExprLen   = 512
	maxExprItems = 16
)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// expression parses a permission value: a string expression, or a list of
// them meaning their AND.
func (l *loader) expression(n *yaml.Node) (plan.Expr, bool) {
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) > maxExprItems {
			l.errAt(n, "combine the classes into fewer items", "permission list has %d items, more than %d", len(n.Content), maxExprItems)
			return nil, false
		}
		if len(n.Content) == 0 {
			l.errAt(n, "write a class name such as IsAuthenticated, or AllowAny", "empty permission list")
			return nil, false
		}
		var out plan.Expr
		ok := true
		for _, c := range n.Content {
			e, good := l.expression1(c)
			if !good {
				ok = false
				continue
			}
			if out == nil {
				out = e
			} else {
				out = &plan.And{L: out, R: e}
			}
		}
		return out, ok && out != nil
	}
	return l.expression1(n)
}

func (l *loader) expression1(n *yaml.Node) (plan.Expr, bool) {
	// An expression reaches generated code as the classes it names, never
	// as text, and its parser reads tabs and line breaks as spaces.
	s, ok := l.anyStr(n, "a permission expression")
	if !ok {
		return nil, false
	}
	if len(s) > maxExprLen {
		l.errAt(n, "declare a custom class that combines the checks", "permission expression is longer than %d characters", maxExprLen)
		return nil, false
	}
	a, perr := parseExpr(s)
	if perr != nil {
		line, col := l.exprPos(n, perr.Off)
		l.errPos(line, col, perr.Hint, "%s", perr.Msg)
		return nil, false
	}
	return l.resolve(n, s, a)
}

// exprPos maps a byte offset in the value of scalar n to a line and column
// in the file. Columns count characters, as yaml.v3 does. When the value
// does not sit on one line as computed (block scalars, values folded over
// several lines), it reports the scalar's own position.
func (l *loader) exprPos(n *yaml.Node, off int) (int, int) {
	if n == nil {
		return 0, 0
	}
	v := n.Value
	if off > len(v) {
		off = len(v)
	}
	if strings.ContainsAny(v, "\n\r") || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Line, n.Column
	}
	col := scalarCol(n, v[:off])
	// Check against the source: the character at the computed column must
	// be the one at off in the value.
	if off < len(v) && v[off] != '"' && v[off] != '\'' && v[off] != '\\' && v[off] >= 0x20 {
		want, _ := utf8.DecodeRuneInString(v[off:])
		if !l.sourceHas(n.Line, col, want) {
			return n.Line, n.Column
		}
	}
	return n.Line, col
}

// scalarCol is the column of the character after before, the start of
// the value of scalar n, counting the quotes and escapes of its style.
func scalarCol(n *yaml.Node, before string) int {
	col := n.Column + utf8.RuneCountInString(before)
	switch {
	case n.Style&yaml.SingleQuotedStyle != 0:
		col += 1 + strings.Count(before, "'")
	case n.Style&yaml.DoubleQuotedStyle != 0:
		col++
		for _, r := range before {
			if r == '"' || r == '\\' || r < 0x20 {
				col++
			}
		}
	}
	return col
}

// sourceHas says whether the source holds r at line and col.
func (l *loader) sourceHas(line, col int, r rune) bool {
	if line < 1 || line > len(l.lines) {
		return false
	}
	text := []rune(l.lines[line-1])
	return col-1 < len(text) && text[col-1] == r
}

func (l *loader) resolve(n *yaml.Node, src string, a *ast) (plan.Expr, bool) {
	switch a.Kind {
	case exRef:
		if contains(builtins, a.Name) {
			return &plan.Ref{Name: a.Name, Builtin: true}, true
		}
		if c, ok := l.classes[a.Name]; ok {
			return &plan.Ref{Name: a.Name, Class: c}, true
		}
		if l.broken[a.Name] {
			return nil, false // its declaration's error is reported
		}
		line, col := l.exprPos(n, a.Off)
		known := builtins
		if len(l.classes) <= 256 {
			known = append(append([]string{}, builtins...), sortedKeys(l.classes)...)
		}
		if near := nearest(a.Name, known); near != "" {
			l.errPos(line, col, fmt.Sprintf("did you mean %s?", near), "unknown permission class %q", a.Name)
		} else {
			l.errPos(line, col, "declare it under permissions.classes or use a built-in: "+strings.Join(builtins, ", "), "unknown permission class %q", a.Name)
		}
		return nil, false
	case exNot:
		x, ok := l.resolve(n, src, a.L)
		if !ok {
			return nil, false
		}
		if c := firstCustom(x); c != "" {
			line, col := l.exprPos(n, a.Off)
			l.errPos(line, col, "~ negates only request-level checks: negate built-in classes only, or write the negation as a check: go class", "~ cannot negate %s, which has an object-level check", c)
			return nil, false
		}
		return &plan.Not{X: x}, true
	default:
		left, ok1 := l.resolve(n, src, a.L)
		right, ok2 := l.resolve(n, src, a.R)
		if !ok1 || !ok2 {
			return nil, false
		}
		if a.Kind == exAnd {
			return &plan.And{L: left, R: right}, true
		}
		return &plan.Or{L: left, R: right}, true
	}
}

// firstCustom returns the name of the first custom class in e, or "".
func firstCustom(e plan.Expr) string {
	switch e := e.(type) {
	case *plan.Ref:
		if !e.Builtin {
			return e.Name
		}
	case *plan.Not:
		return firstCustom(e.X)
	case *plan.And:
		if s := firstCustom(e.L); s != "" {
			return s
		}
		return firstCustom(e.R)
	case *plan.Or:
		if s := firstCustom(e.L); s != "" {
			return s
		}
		return firstCustom(e.R)
	}
	return ""
}

func (l *loader) permissions(n *yaml.Node) {
	var d permissionsDoc
	if n != nil {
		l.decode(n, "permissions", &d)
	}
	if d.Classes != nil {
		_, list, ok := l.mapping(d.Classes, "permissions.classes", nil)
		if ok {
			for _, e := range list {
				l.class(e.Key, e.Val)
			}
		}
	}
	for _, name := range sortedKeys(l.classes) {
		l.svc.Classes = append(l.svc.Classes, l.classes[name])
	}
	if d.Default != nil {
		l.svc.Default, _ = l.expression(d.Default)
	}
	if l.svc.Default == nil {
		// Fail closed: without a default, endpoints require a user.
		l.svc.Default = &plan.Ref{Name: plan.IsAuthenticated, Builtin: true}
	}
}

func (l *loader) class(k, v *yaml.Node) {
	name := k.Value
	// A class declared with an error is reported once, here: its uses
	// must not add "unknown permission class" on top.
	l.broken[name] = true
	if !l.className(k) {
		return
	}
	var d classDoc
	if !l.decode(v, "class "+name, &d) {
		return
	}
	c := &plan.Class{Name: name}
	l.classDescription(d.Description, c)
	var at *yaml.Node
	var ok bool
	switch {
	case d.Check != nil && d.Rule != nil:
		l.errAt(keyNode(v, "rule"), "keep either check: go or rule", "class %s has both check and rule", name)
		return
	case d.Check == nil && d.Rule == nil:
		l.errAt(k, "add \"check: go\" with a read_scope, or a declarative rule such as \"rule: {owner: owner}\"", "class %s has neither check nor rule", name)
		return
	case d.Check != nil:
		at, ok = l.goClass(k, &d, c)
	default:
		at, ok = l.ruleClass(v, &d, c)
	}
	if !ok {
		return
	}
	c.Acknowledge = l.acknowledge(d.Acknowledge, "class "+name, classChecks)
	l.classNodes[name] = at
	l.classKeys[name] = k
	l.classes[name] = c
	delete(l.broken, name)
}

func (l *loader) className(k *yaml.Node) bool {
	name := k.Value
	switch {
	case contains(builtins, name):
		l.errAt(k, "choose another name", "class %q is a built-in permission class", name)
		return false
	case !reExported.MatchString(name) || !reGoIdent.MatchString(name):
		l.errAt(k, "use an exported Go identifier such as IsOwner", "class name %q is not a valid Go identifier", name)
		return false
	}
	return true
}

func (l *loader) classDescription(d *yaml.Node, c *plan.Class) {
	if d == nil {
		return
	}
	if s, ok := l.anyStr(d, "description"); ok {
		// A block scalar's final line break is not part of the text.
		s = strings.TrimSpace(s)
		if l.printable(d, "description", s, "write the description on one line, without tabs; a folded block scalar (description: >) joins lines") {
			c.Description = s
		}
	}
}

// goClass reads a check: go class, whose read_scope is required. It
// returns the node its field references are reported at.
func (l *loader) goClass(k *yaml.Node, d *classDoc, c *plan.Class) (*yaml.Node, bool) {
	s, ok := l.str(d.Check, "check")
	if !ok {
		return nil, false
	}
	if s != "go" {
		l.errAt(d.Check, "write \"check: go\"", "invalid check %q", s)
		return nil, false
	}
	c.Kind = plan.ClassGo
	if d.ReadScope == nil {
		l.errAt(k, "add read_scope: all, {owner: FIELD}, {staff: true}, {field: FIELD, equals: id}, {field: FIELD, value: true} or {func: GoFunc}", "class %s has check: go but no read_scope", c.Name)
		return nil, false
	}
	sc, ok := l.readScope(d.ReadScope, c.Name, true)
	if !ok {
		return nil, false
	}
	c.Scope = sc
	return d.ReadScope, true
}

// ruleClass reads a class with a declarative rule, which is also its
// read scope.
func (l *loader) ruleClass(v *yaml.Node, d *classDoc, c *plan.Class) (*yaml.Node, bool) {
	c.Kind = plan.ClassRule
	if d.ReadScope != nil {
		l.errAt(keyNode(v, "read_scope"), "remove read_scope: a rule class reads through its rule", "class %s has both rule and read_scope", c.Name)
		return nil, false
	}
	sc, ok := l.readScope(d.Rule, c.Name, false)
	if !ok {
		return nil, false
	}
	c.Rule = &plan.Rule{Kind: sc.Kind, Field: sc.Field, UserAttr: sc.UserAttr, Value: sc.Value}
	c.Scope = sc
	return d.Rule, true
}

// readScope parses a read_scope (isScope) or a rule.
func (l *loader) readScope(n *yaml.Node, class string, isScope bool) (*plan.ReadScope, bool) {
	what := "rule"
	forms := "{owner: FIELD}, {staff: true}, {field: FIELD, equals: id|username|is_staff}"
	var d readScopeDoc
	dst := any(&d.ruleDoc)
	if isScope {
		what, dst = "read_scope", &d
		forms = "all, " + forms + ", {field: FIELD, value: CONSTANT} or {func: GoFunc}"
	} else {
		forms += " or {field: FIELD, value: CONSTANT}"
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		if isScope && n.Value == "all" {
			return &plan.ReadScope{Kind: plan.RuleAll}, true
		}
		l.errAt(n, "write "+forms, "invalid %s %q of class %s", what, n.Value, class)
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		l.errAt(n, "write "+forms, "%s of class %s must be a mapping, found %s", what, class, kindName(n))
		return nil, false
	}
	if !l.decode(n, what+" of class "+class, dst) {
		return nil, false
	}
	if len(n.Content) == 0 {
		l.errAt(n, "write "+forms, "empty %s of class %s", what, class)
		return nil, false
	}
	if d.count() == 0 {
		return nil, false
	}
	if sc, ok, matched := l.scopeForm(&d, what); matched {
		return sc, ok
	}
	l.errAt(n, "write "+forms, "invalid %s of class %s", what, class)
	return nil, false
}

// count is the number of keys d holds.
func (d *readScopeDoc) count() int {
	n := 0
	for _, x := range []*yaml.Node{d.Owner, d.Staff, d.Field, d.Equals, d.Value, d.Func} {
		if x != nil {
			n++
		}
	}
	return n
}

// scopeForm reads the form d is written in; matched is false when d
// matches none.
func (l *loader) scopeForm(d *readScopeDoc, what string) (sc *plan.ReadScope, ok, matched bool) {
	one := d.count() == 1
	switch {
	case one && d.Owner != nil:
		f, ok := l.scopeField(d.Owner, what)
		return &plan.ReadScope{Kind: plan.RuleOwner, Field: f}, ok, true
	case one && d.Staff != nil:
		b, ok := l.boolean(d.Staff, "staff")
		if ok && !b {
			l.errAt(d.Staff, "write staff: true", "staff: false is not a rule")
			return nil, false, true
		}
		return &plan.ReadScope{Kind: plan.RuleStaff}, ok, true
	case one && d.Func != nil:
		s, ok := l.str(d.Func, "func")
		if ok && !reExported.MatchString(s) {
			l.errAt(d.Func, "write an exported Go function name such as TeamScope", "func %q is not an exported Go identifier", s)
			return nil, false, true
		}
		return &plan.ReadScope{Kind: plan.RuleFunc, Func: s}, ok, true
	case d.count() == 2 && d.Field != nil && d.Equals != nil:
		f, ok := l.scopeField(d.Field, what)
		var attr string
		l.enum(d.Equals, "equals", []string{"id", "username", "is_staff"}, &attr)
		return &plan.ReadScope{Kind: plan.RuleField, Field: f, UserAttr: attr}, ok && attr != "", true
	case d.count() == 2 && d.Field != nil && d.Value != nil:
		return l.valueScope(d, what)
	}
	return nil, false, false
}

// scopeField reads the field name a rule or read_scope compares.
func (l *loader) scopeField(v *yaml.Node, what string) (string, bool) {
	s, ok := l.str(v, what+" field")
	if ok && !reLowerIdent.MatchString(s) {
		l.errAt(v, "write a field name of the resource, e.g. owner", "%q is not a field name", s)
		return "", false
	}
	return s, ok
}

// valueScope reads {field: FIELD, value: CONSTANT}: the objects whose
// field equals a constant, a boolean, an integer or a string.
func (l *loader) valueScope(d *readScopeDoc, what string) (sc *plan.ReadScope, ok, matched bool) {
	f, ok := l.scopeField(d.Field, what)
	v, good := l.ruleConstant(d.Value)
	return &plan.ReadScope{Kind: plan.RuleValue, Field: f, Value: v}, ok && good, true
}

// ruleConstant reads the value of a {field, value} rule.
func (l *loader) ruleConstant(n *yaml.Node) (any, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.Tag {
		case "!!bool":
			return l.boolean(n, "value")
		case "!!int":
			return l.integer(n, "value", math.MinInt64, math.MaxInt64)
		case "!!str":
			return l.str(n, "value")
		}
	}
	l.errAt(n, "write a boolean, an integer or a string, such as value: true", "value must be a boolean, an integer or a string, found %s", kindName(n))
	return nil, false
}
