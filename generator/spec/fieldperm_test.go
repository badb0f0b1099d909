package spec

import (
	"testing"

	"github.com/wardhq/ward/generator/plan"
)

// TestWriteImpliesRead: the rule that keeps a field from being writable by
// callers who cannot read it: every conjunct of read is a conjunct of write.
func TestWriteImpliesRead(t *testing.T) {
	can := &plan.Class{Name: "CanPrice", Kind: plan.ClassGo, Scope: &plan.ReadScope{Kind: plan.RuleAll}}
	l := &loader{classes: map[string]*plan.Class{"CanPrice": can}}
	tests := []struct {
		write, read string
		want        bool
	}{
		{"IsAdminUser", "IsAdminUser", true},
		{"IsAdminUser & CanPrice", "IsAdminUser", true},
		{"CanPrice & IsAdminUser", "IsAdminUser", true},
		{"IsAuthenticated & CanPrice & IsAdminUser", "IsAdminUser & IsAuthenticated", true},
		{"(IsAdminUser | CanPrice) & IsAuthenticated", "IsAdminUser | CanPrice", true},
		{"IsAuthenticated", "IsAdminUser", false},
		{"IsAdminUser | CanPrice", "IsAdminUser", false},
		{"IsAdminUser", "IsAdminUser & CanPrice", false},
		{"~IsAdminUser", "IsAdminUser", false},
		{"IsAdminUser | CanPrice", "CanPrice | IsAdminUser", false}, // equivalent, but not by form: refused
	}
	for _, tt := range tests {
		if got := implies(mustExpr(t, l, tt.write), mustExpr(t, l, tt.read)); got != tt.want {
			t.Errorf("implies(write %q, read %q) = %v, want %v", tt.write, tt.read, got, tt.want)
		}
	}
}
