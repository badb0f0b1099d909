package perm

import (
	"math/rand/v2"
	"net/http/httptest"
	"testing"
)

// pureLeaves are the classes compile sees through.
func pureLeaves() []struct {
	name string
	p    Permission[post]
} {
	return []struct {
		name string
		p    Permission[post]
	}{
		{"AllowAny", AllowAny[post]{}},
		{"IsAuthenticated", IsAuthenticated[post]{}},
		{"IsAdminUser", IsAdminUser[post]{}},
		{"IsAuthenticatedOrReadOnly", IsAuthenticatedOrReadOnly[post]{}},
		{"ReadOnly", ReadOnly[post]{}},
		{"DjangoModelPermissions", DjangoModelPermissions[post]{}},
		{"IsOwner", isOwner()},
		{"IdIsCaller", FieldRule[post]("id", AttrID, func(p *post) any { return p.ID })},
		{"IsOwnerMsg", isOwner().WithMessage("not yours")},
		{"Staff|Owner rule", StaffRule[post]().Or(isOwner())},
	}
}

type expr struct {
	name string
	p    Permission[post]
}

// expressions builds every Not/And/Or of depth <= 2 over the leaves, and
// a random sample of depth 3 and 4.
func expressions() []expr {
	var leaves []expr
	for _, l := range pureLeaves() {
		leaves = append(leaves, expr{l.name, l.p})
	}
	var d1 []expr
	d1 = append(d1, leaves...)
	for _, a := range leaves {
		d1 = append(d1, expr{"~" + a.name, Not(a.p)})
	}
	out := append([]expr{}, d1...)
	for _, a := range d1 {
		for _, b := range d1 {
			out = append(out, expr{"(" + a.name + " & " + b.name + ")", And(a.p, b.p)})
			out = append(out, expr{"(" + a.name + " | " + b.name + ")", Or(a.p, b.p)})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pool := out
	for range 600 {
		a, b := pool[rng.IntN(len(pool))], pool[rng.IntN(len(pool))]
		var e expr
		switch rng.IntN(3) {
		case 0:
			e = expr{"(" + a.name + " & " + b.name + ")", And(a.p, b.p)}
		case 1:
			e = expr{"(" + a.name + " | " + b.name + ")", Or(a.p, b.p)}
		default:
			e = expr{"~(" + a.name + " | " + b.name + ")", Not(Or(a.p, b.p))}
		}
		out = append(out, e)
	}
	return out
}

// TestCompiledMatchesTree: the compiled tables and the tree walk give the
// same decision (status and detail) for every expression, caller, method,
// challenge and object.
func TestCompiledMatchesTree(t *testing.T) {
	one, two := int64(1), int64(2)
	objs := []*post{{ID: 1, OwnerID: &one}, {ID: 2, OwnerID: &two}, {ID: 3}}
	compiled, checked := 0, 0
	for _, e := range expressions() {
		n, isNode := e.p.(*node[post])
		if isNode && n.prog != nil {
			compiled++
		}
		for who, u := range docCallers {
			for method, action := range methodAction {
				for _, challenge := range []string{"", jwtChallenge} {
					req := &Request{HTTP: httptest.NewRequest(method, "/", nil), User: u, Action: action, Resource: "posts", Challenge: challenge}
					noCompile = true
					want := Check(e.p, req)
					var wantObj []Decision
					for _, o := range objs {
						wantObj = append(wantObj, CheckObject(e.p, req, o))
					}
					if got := Allows(e.p, req); got != want.Allowed() {
						t.Fatalf("%s %s as %s: tree Allows %v, Check %+v", e.name, method, who, got, want)
					}
					for i, o := range objs {
						if got := AllowsObject(e.p, req, o); got != wantObj[i].Allowed() {
							t.Fatalf("%s %s as %s on %d: tree AllowsObject %v, CheckObject %+v", e.name, method, who, o.ID, got, wantObj[i])
						}
					}
					noCompile = false
					if got := Allows(e.p, req); got != want.Allowed() {
						t.Fatalf("%s %s as %s: compiled Allows %v, tree %+v", e.name, method, who, got, want)
					}
					for i, o := range objs {
						if got := AllowsObject(e.p, req, o); got != wantObj[i].Allowed() {
							t.Fatalf("%s %s as %s on %d: compiled AllowsObject %v, tree %+v", e.name, method, who, o.ID, got, wantObj[i])
						}
					}
					if got := Check(e.p, req); got != want {
						t.Fatalf("%s %s as %s: compiled %+v, tree %+v", e.name, method, who, got, want)
					}
					for i, o := range objs {
						if got := CheckObject(e.p, req, o); got != wantObj[i] {
							t.Fatalf("%s %s as %s on %d: compiled %+v, tree %+v", e.name, method, who, o.ID, got, wantObj[i])
						}
					}
					checked++
				}
			}
		}
	}
	noCompile = false
	if compiled < len(expressions())*9/10 {
		t.Fatalf("only %d of %d expressions compiled", compiled, len(expressions()))
	}
	t.Logf("%d expressions (%d compiled), %d requests", len(expressions()), compiled, checked)
}

// A tree with a class compile cannot see through, or too many rules, is
// evaluated as a tree, and still correct.
func TestUncompiled(t *testing.T) {
	foreign := And[post](IsAuthenticated[post]{}, answer{perm: true, obj: true})
	if foreign.(*node[post]).prog != nil {
		t.Fatal("composition with a foreign class compiled")
	}
	var many Permission[post] = isOwner()
	for i := range maxRules {
		many = Or(many, Permission[post](FieldRule[post]("id", AttrID, func(p *post) any { return p.ID + int64(i) })))
	}
	if many.(*node[post]).prog != nil {
		t.Fatalf("composition of %d rules compiled", maxRules+1)
	}
	one := int64(1)
	req := newReq("PUT", "owner", jwtChallenge)
	if d := CheckObject(many, req, &post{ID: 50, OwnerID: &one}); !d.Allowed() {
		t.Fatalf("owner denied by the uncompiled Or: %+v", d)
	}
	if d := CheckObject(many, newReq("PUT", "user", jwtChallenge), &post{ID: 50, OwnerID: &one}); d.Status != 403 {
		t.Fatalf("user allowed by the uncompiled Or: %+v", d)
	}
}
