package perm

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
)

func TestWhereCombinators(t *testing.T) {
	a := Where{SQL: `"a" = ?`, Args: []any{int64(1)}}
	b := Where{SQL: `"b" = ? OR "c" = ?`, Args: []any{"x", true}}
	all := Where{}
	cases := []struct {
		name string
		got  Where
		want Where
	}{
		{"and", a.And(b), Where{SQL: `("a" = ?) AND ("b" = ? OR "c" = ?)`, Args: []any{int64(1), "x", true}}},
		{"or", a.Or(b), Where{SQL: `("a" = ?) OR ("b" = ? OR "c" = ?)`, Args: []any{int64(1), "x", true}}},
		{"and all", a.And(all), a},
		{"all and", all.And(a), a},
		{"or all", a.Or(all), all},
		{"all or", all.Or(a), all},
		{"and nothing", a.And(Nothing), Nothing},
		{"nothing and", Nothing.And(a), Nothing},
		{"or nothing", a.Or(Nothing), a},
		{"nothing or", Nothing.Or(b), b},
		{"nothing or all", Nothing.Or(all), all},
		{"all and nothing", all.And(Nothing), Nothing},
		{"guard true", Guard(true, a), a},
		{"guard false", Guard(false, a), Nothing},
	}
	for _, c := range cases {
		if c.got.SQL != c.want.SQL || !reflect.DeepEqual(c.got.Args, c.want.Args) {
			t.Errorf("%s: got %+v, want %+v", c.name, c.got, c.want)
		}
	}
	// Combining never aliases the operands' argument slices.
	x := Where{SQL: "x = ?", Args: make([]any, 1, 4)}
	y := Where{SQL: "y = ?", Args: []any{2}}
	z := Where{SQL: "z = ?", Args: []any{3}}
	xy, xz := x.And(y), x.And(z)
	if xy.Args[1] != 2 || xz.Args[1] != 3 {
		t.Fatalf("args aliased: %v %v", xy.Args, xz.Args)
	}
}

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"owner_id":       `"owner_id"`,
		"posts.owner_id": `"posts"."owner_id"`,
		`we"ird`:         `"we""ird"`,
		"order":          `"order"`,
	} {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestRebind(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"a = ?", "a = $1"},
		{"(a = ?) AND (b = ? OR c = ?)", "(a = $1) AND (b = $2 OR c = $3)"},
		{"a = '?' AND b = ?", "a = '?' AND b = $1"},
		{"a = 'it''s ?' AND b = ?", "a = 'it''s ?' AND b = $1"},
		{`"we?ird" = ?`, `"we?ird" = $1`},
		{"a = ? -- why?\nAND b = ?", "a = $1 -- why?\nAND b = $2"},
		{"a = ? /* ? */ AND b = ?", "a = $1 /* ? */ AND b = $2"},
		{"a = 'unterminated ?", "a = 'unterminated ?"},
		{"a = ? -- trailing ?", "a = $1 -- trailing ?"},
		{"a = ? /* open ?", "a = $1 /* open ?"},
		{strings.Repeat("? ", 11), "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11 "},
	}
	for _, c := range cases {
		if got := Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// blankQuoted blanks the quoted and commented spans of s (independently of
// Rebind), so the ? left are the placeholders.
func blankQuoted(s string) string {
	b := []byte(s)
	blank := func(from, to int) {
		for k := from; k < to && k < len(b); k++ {
			b[k] = ' '
		}
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' || s[i] == '"':
			j := strings.IndexByte(s[i+1:], s[i])
			if j < 0 {
				blank(i, len(s))
				return string(b)
			}
			blank(i, i+j+2)
			i += j + 1
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				blank(i, len(s))
				return string(b)
			}
			blank(i, i+j)
			i += j
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				blank(i, len(s))
				return string(b)
			}
			blank(i, i+j+4)
			i += j + 3
		}
	}
	return string(b)
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{"a = ?", "'?' ?", `"?" = ?`, "? -- ?\n?", "/* ? */ ?", "'it''s' ?", "?\x00?", "-/*?*/-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The expected output: each ? left after blanking quotes and
		// comments becomes $n, everything else is copied.
		blanked := blankQuoted(s)
		var want strings.Builder
		n := 0
		for i := 0; i < len(s); i++ {
			if blanked[i] == '?' {
				n++
				want.WriteString("$" + strconv.Itoa(n))
				continue
			}
			want.WriteByte(s[i])
		}
		if got := Rebind(s); got != want.String() {
			t.Fatalf("Rebind(%q) = %q, want %q", s, got, want.String())
		}
	})
}

func TestOwnsAndFieldEquals(t *testing.T) {
	alice := &identity.User{ID: 1, Username: "alice", IsActive: true}
	zero := &identity.User{ID: 0, Username: "", IsActive: true}
	staff := &identity.User{ID: 3, Username: "root", IsActive: true, IsStaff: true}
	inactive := &identity.User{ID: 1, Username: "alice", IsActive: false, IsStaff: true}
	one, two := int64(1), int64(2)
	name, empty := "alice", ""
	yes := true
	var nilInt *int64
	var nilStr *string
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"owner", Owns(alice, &one), true},
		{"other", Owns(alice, &two), false},
		{"NULL owner", Owns(alice, nil), false},
		{"id 0 does not own NULL", Owns(zero, nil), false},
		{"anonymous", Owns(nil, &one), false},
		{"inactive owner", Owns(inactive, &one), false},
		{"field id int64", FieldEquals(alice, AttrID, int64(1)), true},
		{"field id *int64", FieldEquals(alice, AttrID, &one), true},
		{"field id int", FieldEquals(alice, AttrID, 1), true},
		{"field id nil pointer", FieldEquals(zero, AttrID, nilInt), false},
		{"field id nil", FieldEquals(zero, AttrID, nil), false},
		{"field id wrong type", FieldEquals(alice, AttrID, "1"), false},
		{"field username", FieldEquals(alice, AttrUsername, "alice"), true},
		{"field username pointer", FieldEquals(alice, AttrUsername, &name), true},
		{"field username case", FieldEquals(alice, AttrUsername, "Alice"), false},
		{"field empty username vs empty", FieldEquals(zero, AttrUsername, &empty), true},
		{"field empty username vs NULL", FieldEquals(zero, AttrUsername, nilStr), false},
		{"field is_staff", FieldEquals(staff, AttrIsStaff, &yes), true},
		{"field is_staff false", FieldEquals(alice, AttrIsStaff, false), true},
		{"field is_staff NULL", FieldEquals(alice, AttrIsStaff, (*bool)(nil)), false},
		{"field unknown attr", FieldEquals(alice, "email", "alice"), false},
		{"field anonymous", FieldEquals(nil, AttrUsername, ""), false},
		{"field inactive", FieldEquals(inactive, AttrID, int64(1)), false},
		{"staff", StaffCheck(staff), true},
		{"staff inactive", StaffCheck(inactive), false},
		{"staff anonymous", StaffCheck(nil), false},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, s := range []Where{OwnerScope(nil, "owner_id"), OwnerScope(inactive, "owner_id"), FieldEqualsScope(alice, "x", "email"),
		FieldEqualsScope(nil, "x", AttrID), StaffScope(alice), StaffScope(inactive)} {
		if s.SQL != Nothing.SQL || len(s.Args) != 0 {
			t.Errorf("scope %+v, want Nothing", s)
		}
	}
	if s := OwnerScope(alice, "owner_id"); s.SQL != `"owner_id" = ?` || !reflect.DeepEqual(s.Args, []any{int64(1)}) {
		t.Errorf("OwnerScope = %+v", s)
	}
	if s := StaffScope(staff); s.SQL != "" {
		t.Errorf("StaffScope(staff) = %+v", s)
	}
}

func TestZeroRuleDenies(t *testing.T) {
	var r Rule[post]
	if r.Allows(docCallers["staff"], &post{}) || r.Scope(docCallers["staff"]).SQL != Nothing.SQL {
		t.Fatal("zero Rule allows")
	}
	if OwnerRule[post]("owner_id", postOwner).Allows(docCallers["owner"], nil) {
		t.Fatal("nil object allowed")
	}
	d := CheckObject[post](isOwner().WithMessage("not yours"), newReq("PUT", "user", jwtChallenge), &post{})
	if d.Status != 403 || d.Detail != "not yours" {
		t.Fatalf("rule message: %+v", d)
	}
}
