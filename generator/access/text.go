package access

import (
	"strings"

	"github.com/wardhq/ward/generator/plan"
)

// builtinText says what each built-in class lets through.
var builtinText = map[string]string{
	plan.AllowAny:                  "anyone, anonymous included",
	plan.IsAuthenticated:           "an authenticated (active) user",
	plan.IsAdminUser:               "a staff user",
	plan.IsAuthenticatedOrReadOnly: "anyone on GET, HEAD and OPTIONS; an authenticated user on other methods",
	plan.ReadOnly:                  "GET, HEAD and OPTIONS only",
	plan.DjangoModelPermissions:    "a user holding the action's model permission <resource>.view (list, retrieve), .add (create), .change (update, partial_update) or .delete (destroy)",
}

// BuiltinText says what a built-in class lets through, "" for another name.
func BuiltinText(name string) string { return builtinText[name] }

// RuleText says a rule or read scope in words.
func RuleText(s *plan.ReadScope) string {
	if s == nil {
		return "nothing"
	}
	switch s.Kind {
	case plan.RuleAll:
		return "every object"
	case plan.RuleOwner:
		return "the objects whose " + s.Field + " is the caller"
	case plan.RuleStaff:
		return "every object for a staff user, none for anyone else"
	case plan.RuleField:
		return "the objects whose " + s.Field + " equals the caller's " + s.UserAttr
	case plan.RuleValue:
		return "the objects whose " + s.Field + " is " + constText(s.Value) + ", for every caller (anonymous included)"
	case plan.RuleFunc:
		return "the rows " + s.Func + "(req) selects (Go, review by hand)"
	}
	return "?"
}

// ClassText says a custom class in words.
func ClassText(c *plan.Class) string {
	var b strings.Builder
	b.WriteString(c.Name + ": ")
	if c.Kind == plan.ClassGo {
		b.WriteString("check: go, written by hand (review by hand); its read scope is " + RuleText(c.Scope))
	} else {
		b.WriteString("rule: its request check passes; its object check and its read scope allow " + RuleText(c.Scope))
	}
	if c.Description != "" {
		b.WriteString(". " + c.Description)
	}
	return b.String()
}

// ScopeText writes a read scope: each class's scope, Or branches guarded
// by their request check.
func ScopeText(s plan.ScopeExpr) string {
	switch s := s.(type) {
	case plan.ScopeAll:
		return "every object"
	case *plan.ScopeClass:
		return s.Ref.Name + ": " + RuleText(s.Scope)
	case *plan.ScopeAnd:
		return "(" + ScopeText(s.L) + ") and (" + ScopeText(s.R) + ")"
	case *plan.ScopeOr:
		return "(if " + plan.ExprText(s.LGuard) + " passes: " + ScopeText(s.L) + ") or (if " + plan.ExprText(s.RGuard) + " passes: " + ScopeText(s.R) + ")"
	}
	return "every object"
}
