package golang

import (
	"fmt"
	"testing"

	. "github.com/dave/jennifer/jen"
)

// A written-out check never repeats an operand: staticcheck (SA4000) and a
// reviewer both flag "x && x", which kitchensink's secrets once had.
func TestFoldSameOperands(t *testing.T) {
	staff := cond{code: Qual(pkgPerm, "StaffCheck").Call(Id("req").Dot("User")), impliesAuth: true}
	other := cond{code: Id("req").Dot("SafeMethod").Call()}
	for _, tc := range []struct {
		name string
		got  cond
		want cond
	}{
		{"staff && staff", and(staff, staff), staff},
		{"staff || staff", or(staff, staff), staff},
		{"(a && b) && (a && b)", and(and(staff, other), and(staff, other)), and(staff, other)},
	} {
		if g, w := fmt.Sprintf("%#v", tc.got.code), fmt.Sprintf("%#v", tc.want.code); g != w {
			t.Errorf("%s: got %s, want %s", tc.name, g, w)
		}
	}
}
