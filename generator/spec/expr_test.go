package spec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/plan"
)

// astString renders a parsed expression with explicit parentheses.
func astString(a *ast) string {
	switch a.Kind {
	case exRef:
		return a.Name
	case exNot:
		return "~" + astString(a.L)
	case exAnd:
		return "(" + astString(a.L) + " & " + astString(a.R) + ")"
	}
	return "(" + astString(a.L) + " | " + astString(a.R) + ")"
}

func TestParseExpr(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"A", "A"},
		{"  A  ", "A"},
		{"A & B", "(A & B)"},
		{"A | B", "(A | B)"},
		{"A | B & C", "(A | (B & C))"},
		{"A & B | C", "((A & B) | C)"},
		{"~A & B", "(~A & B)"},
		{"~(A & B)", "~(A & B)"},
		{"~~A", "~~A"},
		{"A & B & C", "((A & B) & C)"},
		{"A | B | C", "((A | B) | C)"},
		{"(A | B) & C", "((A | B) & C)"},
		{"((A))", "A"},
		{"A&B|~C", "((A & B) | ~C)"},
		{"Is_Owner2 | x", "(Is_Owner2 | x)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			a, err := parseExpr(tt.src)
			if err != nil {
				t.Fatalf("error at %d: %s", err.Off, err.Msg)
			}
			if got := astString(a); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseExprErrors(t *testing.T) {
	tests := []struct {
		src     string
		off     int
		msgPart string
	}{
		{"", 0, "empty"},
		{"   ", 0, "empty"},
		{"A &", 3, "ends where a class name was expected"},
		{"A & | B", 4, "unexpected \"|\""},
		{"A || B", 2, "\"||\""},
		{"A && B", 2, "\"&&\""},
		{"!A", 0, "\"!\""},
		{"(A & B", 0, "unclosed \"(\""},
		{"A & B)", 5, "unmatched \")\""},
		{"A B", 2, "unexpected name \"B\""},
		{"A & 3", 4, "unexpected \"3\""},
		{"(A B)", 3, "expected \")\""},
		{"A & é", 4, "character 'é'"},
		{strings.Repeat("(", 100) + "A" + strings.Repeat(")", 100), 64, "nested too deeply"},
		{strings.Repeat("~", 100) + "A", 64, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := parseExpr(tt.src)
			if err == nil {
				t.Fatal("parsed without error")
			}
			if err.Off != tt.off || !strings.Contains(err.Msg, tt.msgPart) {
				t.Errorf("got offset %d %q, want offset %d containing %q", err.Off, err.Msg, tt.off, tt.msgPart)
			}
			if err.Hint == "" {
				t.Error("no hint")
			}
		})
	}
}

// TestExpressionColumns checks that a fault's column points into the
// scalar as written, whatever its quoting.
func TestExpressionColumns(t *testing.T) {
	const head = "version: 1\nservice: {name: s}\nauthentication: {default: [jwt]}\npermissions:\n  default: "
	tests := []struct {
		value string
		col   int // 1-based column of the fault "|" or "Nope" in the line
	}{
		{`A & | B`, 16},
		{`"A & | B"`, 17},
		{`'A & | B'`, 17},
		{`'it''s & | B'`, 15}, // the quote is the fault
		{`'A &  ~ ''B'''`, 20},
		{`"\"A & | B"`, 13},
		{`"A\t& | B"`, 18},
		{`Nope`, 12},
		{`"é & Nope"`, 13},
		{`"Ab & Nopé"`, 21},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			_, err := Load("x.yaml", []byte(head+tt.value+"\n"))
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("got %v, want an ErrorList", err)
			}
			e := list[0]
			if e.Line != 5 || e.Col != tt.col {
				t.Errorf("got %d:%d (%s), want 5:%d", e.Line, e.Col, e.Msg, tt.col)
			}
		})
	}
}

func TestScopeOf(t *testing.T) {
	owner := &plan.Class{Name: "IsOwner", Kind: plan.ClassRule, Scope: &plan.ReadScope{Kind: plan.RuleOwner, Field: "owner"}}
	team := &plan.Class{Name: "Team", Kind: plan.ClassGo, Scope: &plan.ReadScope{Kind: plan.RuleFunc, Func: "TeamScope"}}
	l := &loader{classes: map[string]*plan.Class{"IsOwner": owner, "Team": team}}
	tests := []struct {
		expr, want string
	}{
		{"AllowAny", "all"},
		{"IsAuthenticated & IsAdminUser", "all"},
		{"IsOwner", "IsOwner:owner(owner)"},
		{"IsAuthenticated & IsOwner", "IsOwner:owner(owner)"},
		{"IsOwner & IsAuthenticated", "IsOwner:owner(owner)"},
		{"IsOwner & Team", "(IsOwner:owner(owner) and Team:func(TeamScope))"},
		{"IsAdminUser | IsOwner", "(IsAdminUser? all or IsOwner*? IsOwner:owner(owner))"},
		{"~IsAdminUser & IsOwner", "IsOwner:owner(owner)"},
		{"~IsAdminUser", "all"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e := mustExpr(t, l, tt.expr)
			if got := ScopeString(scopeOf(e)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func mustExpr(t *testing.T, l *loader, src string) plan.Expr {
	t.Helper()
	a, perr := parseExpr(src)
	if perr != nil {
		t.Fatal(perr.Msg)
	}
	l.file = "t"
	e, ok := l.resolve(nil, src, a)
	if !ok {
		t.Fatalf("resolve %q: %v", src, l.errs)
	}
	return e
}

// TestSecurityChecks is the truth table of the two acknowledgement rules:
// which expressions protect objects (BOLA) and which let anonymous callers
// write.
func TestSecurityChecks(t *testing.T) {
	rule := &plan.Class{Name: "IsOwner", Kind: plan.ClassRule, Scope: &plan.ReadScope{Kind: plan.RuleOwner, Field: "owner"}}
	gocls := &plan.Class{Name: "Custom", Kind: plan.ClassGo, Scope: &plan.ReadScope{Kind: plan.RuleAll}}
	team := &plan.Class{Name: "Team", Kind: plan.ClassGo, Scope: &plan.ReadScope{Kind: plan.RuleFunc, Func: "TeamScope"}}
	active := &plan.Class{Name: "IsActive", Kind: plan.ClassRule, Scope: &plan.ReadScope{Kind: plan.RuleValue, Field: "active", Value: true}}
	activeGo := &plan.Class{Name: "ActiveGo", Kind: plan.ClassGo, Scope: &plan.ReadScope{Kind: plan.RuleValue, Field: "active", Value: true}}
	l := &loader{classes: map[string]*plan.Class{"IsOwner": rule, "Custom": gocls, "Team": team, "IsActive": active, "ActiveGo": activeGo}}
	tests := []struct {
		expr                     string
		protRead, protWrite      bool // BOLA: retrieve, and update/partial_update/destroy
		anonCreate, anonDetailWr bool
	}{
		{"AllowAny", false, false, true, true},
		{"IsAuthenticated", false, false, false, false},
		{"IsAdminUser", true, true, false, false},
		{"IsAuthenticatedOrReadOnly", false, false, false, false},
		{"DjangoModelPermissions", false, false, false, false},
		{"IsOwner", true, true, true, false},
		// read_scope: all lists every object, so it protects no read.
		{"Custom", false, true, true, true},
		{"Team", true, true, true, true},
		{"IsAuthenticated & IsOwner", true, true, false, false},
		{"IsAuthenticatedOrReadOnly & Custom", false, true, false, false},
		{"IsAuthenticated & Custom & IsOwner", true, true, false, false},
		{"IsAdminUser | Custom", false, true, true, true},
		{"IsAdminUser | IsOwner", true, true, true, false},
		{"IsAuthenticated | IsOwner", false, false, true, false},
		{"AllowAny | IsOwner", false, false, true, true},
		{"~IsAuthenticated", false, false, true, true},
		{"~IsAdminUser & IsOwner", true, true, true, false},
		{"~AllowAny | IsAuthenticated", false, false, false, false},
		// A constant ties no object to a caller, and anonymous callers
		// reach the objects that hold it.
		{"IsActive", false, false, true, true},
		{"IsAdminUser | IsActive", false, false, true, true},
		{"IsAuthenticated & IsActive", false, false, false, false},
		{"IsActive & IsOwner", true, true, true, false},
		{"ActiveGo", false, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e := mustExpr(t, l, tt.expr)
			if got := objectProtected(e, true); got != tt.protRead {
				t.Errorf("objectProtected(read) = %v, want %v", got, tt.protRead)
			}
			if got := objectProtected(e, false); got != tt.protWrite {
				t.Errorf("objectProtected(write) = %v, want %v", got, tt.protWrite)
			}
			if got := anonymousMayPass(e, false); got != tt.anonCreate {
				t.Errorf("anonymousMayPass(create) = %v, want %v", got, tt.anonCreate)
			}
			if got := anonymousMayPass(e, true); got != tt.anonDetailWr {
				t.Errorf("anonymousMayPass(detail) = %v, want %v", got, tt.anonDetailWr)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"posts": "Post", "categories": "Category", "boxes": "Box", "addresses": "Address", "glass": "Glass", "news": "New", "data": "Data", "branches": "Branch"} {
		if got := goName(singular(in)); got != want {
			t.Errorf("model of %s = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{"created_at": "CreatedAt", "owner_id": "OwnerID", "api_url": "APIURL", "title": "Title", "a__b": "AB"} {
		if got := goName(in); got != want {
			t.Errorf("goName(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNearest(t *testing.T) {
	keys := knownKeys["resources/*"]
	for in, want := range map[string]string{"permisions": "permissions", "pth": "path", "Actions": "actions", "zzzzzzzz": "", strings.Repeat("a", 100): ""} {
		if got := nearest(in, keys); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
	if d := levenshtein("kitten", "sitting"); d != 3 {
		t.Errorf("levenshtein = %d, want 3", d)
	}
}

func TestErrorListFormat(t *testing.T) {
	l := sortErrors(ErrorList{
		{File: "a.yaml", Line: 3, Col: 1, Msg: "b"},
		{File: "a.yaml", Line: 1, Col: 5, Msg: "a", Hint: "do x"},
		{File: "a.yaml", Line: 3, Col: 1, Msg: "b"},
		{File: "a.yaml", Msg: "no position"},
	})
	want := "a.yaml: no position\na.yaml:1:5: a; do x\na.yaml:3:1: b"
	if got := l.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLoadFile(t *testing.T) {
	if _, err := LoadFile("testdata/does-not-exist.yaml"); err == nil || err.Error() != "testdata/does-not-exist.yaml: cannot read spec: no such file" {
		t.Errorf("got %v", err)
	}
	s, err := LoadFile("testdata/valid/minimal/api.yaml")
	if err != nil || s.SpecFile != "api.yaml" {
		t.Fatalf("got %v, %v", s, err)
	}
}

// TestNoPanicOnOddInput feeds shapes the testdata does not cover.
func TestNoPanicOnOddInput(t *testing.T) {
	inputs := []string{
		"", "---", "[]", "null", "42", "---\n---\n", "a: 1\n---\nb: 2\n",
		"version: 1\nresources: ~\n", "version: 1\nservice: ~\nresources: {a: ~}\n",
		"version: 1\nservice: {name: s}\npermissions: {classes: {A: ~}}\n",
		"version: 1\nservice: {name: s}\nresources: {a: {fields: {x: ~}}}\n",
		"version: 1\nservice: {name: s}\nresources: {a: {fields: [x]}}\n",
		"version: 1\nservice: {name: s}\nauthentication: {jwt: [1], session: 1, token: x, basic: []}\n",
		"{? [a]: b}", "!!binary aGVsbG8=", "version: 1\n" + strings.Repeat("- ", 40) + "x\n",
		"version: 1\nservice: {name: s}\nresources: {a: {fields: {x: {type: int, default: 99999999999999999999}}}}\n",
		"version: 1\nservice: {name: s}\nresources: {a: {fields: {x: {type: float, default: .nan, max: .inf}}}}\n",
	}
	for i, in := range inputs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s, err := Load("x.yaml", []byte(in))
			if (s == nil) == (err == nil) {
				t.Fatalf("want exactly one of plan and error, got %v and %v", s, err)
			}
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("loader panicked: %v", err)
			}
		})
	}
}

func TestExpressionBounds(t *testing.T) {
	head := "version: 1\nservice: {name: s}\nauthentication: {default: [jwt]}\npermissions:\n  default: "
	long := strings.TrimSuffix(strings.Repeat("IsAuthenticated & ", 40), " & ")
	items := "[" + strings.TrimSuffix(strings.Repeat("IsAuthenticated, ", 17), ", ") + "]"
	for name, v := range map[string]string{"long": long, "items": items} {
		_, err := Load("x.yaml", []byte(head+v+"\n"))
		if err == nil || !strings.Contains(err.Error(), "more than") && !strings.Contains(err.Error(), "longer than") {
			t.Errorf("%s: got %v, want a bound error", name, err)
		}
	}
}

// TestExpressionColumnsMultiLine: a value folded over lines reports the
// scalar's position rather than a column on the wrong line.
func TestExpressionColumnsMultiLine(t *testing.T) {
	const head = "version: 1\nservice: {name: s}\nauthentication: {default: [jwt]}\npermissions:\n  default: "
	tests := []struct {
		value     string
		line, col int
	}{
		{"IsAuthenticated &\n    | B", 5, 12},
		{"\"IsAuthenticated &\n    | B\"", 5, 12},
		{"|\n    IsAuthenticated & | B", 5, 12},
	}
	for _, tt := range tests {
		_, err := Load("x.yaml", []byte(head+tt.value+"\n"))
		list, ok := err.(ErrorList)
		if !ok || len(list) != 1 {
			t.Fatalf("%q: got %v, want one error", tt.value, err)
		}
		if list[0].Line != tt.line || list[0].Col != tt.col {
			t.Errorf("%q: got %d:%d, want %d:%d", tt.value, list[0].Line, list[0].Col, tt.line, tt.col)
		}
	}
}

// TestDescriptionBlockScalars: a block scalar's final line break is not a
// control character of the description; a line break inside it is.
func TestDescriptionBlockScalars(t *testing.T) {
	head := "version: 1\nservice: {name: s}\nauthentication: {default: [jwt]}\npermissions:\n  classes:\n    C:\n      rule: {staff: true}\n      acknowledge: {unused: a test}\n      description: "
	for value, want := range map[string]string{
		"|\n        One line.\n":                   "One line.",
		">\n        Folded over\n        lines.\n": "Folded over lines.",
		"|\n        Two\n        lines.\n":         "",
		"\"tab\\there\"":                           "",
	} {
		s, err := Load("x.yaml", []byte(head+value+"\n"))
		if want == "" {
			if err == nil || !strings.Contains(err.Error(), "x.yaml:9:20: description holds the control character") {
				t.Errorf("%q: got %v, want a control character error at 9:20", value, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", value, err)
			continue
		}
		if got := s.Classes[0].Description; got != want {
			t.Errorf("%q: description %q, want %q", value, got, want)
		}
	}
}
