package perm

import (
	"reflect"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

func TestGuard(t *testing.T) {
	a := sqlexpr.Where{SQL: `"a" = ?`, Args: []any{int64(1)}}
	if got := Guard(true, a); got.SQL != a.SQL || !reflect.DeepEqual(got.Args, a.Args) {
		t.Errorf("Guard(true, a) = %+v, want a", got)
	}
	if got := Guard(false, a); got.SQL != sqlexpr.Nothing.SQL || got.Args != nil {
		t.Errorf("Guard(false, a) = %+v, want Nothing", got)
	}
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
	for _, s := range []sqlexpr.Where{OwnerScope(nil, "owner_id"), OwnerScope(inactive, "owner_id"), FieldEqualsScope(alice, "x", "email"),
		FieldEqualsScope(nil, "x", AttrID), StaffScope(alice), StaffScope(inactive)} {
		if s.SQL != sqlexpr.Nothing.SQL || len(s.Args) != 0 {
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
	if r.Allows(docCallers["staff"], &post{}) || r.Scope(docCallers["staff"]).SQL != sqlexpr.Nothing.SQL {
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
