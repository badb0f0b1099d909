package perm

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
)

// post is the object type of the tests and benchmarks.
type post struct {
	ID      int64
	OwnerID *int64
}

func postOwner(p *post) *int64 { return p.OwnerID }

// benchExpr is IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner).
func benchExpr() Permission[post] {
	return And[post](IsAuthenticatedOrReadOnly[post]{},
		Or[post](IsAdminUser[post]{}, OwnerRule[post]("owner_id", postOwner)))
}

// handChain is the same decision written by hand: the baseline.
func handChain(req *Request, obj *post) Decision {
	if !(req.SafeMethod() || req.Authenticated()) {
		return deny(req, result{})
	}
	u := req.User
	admin := u != nil && u.IsActive && u.IsStaff
	if !(admin || Owns(u, obj.OwnerID)) {
		return deny(req, result{})
	}
	return Decision{}
}

// classChain is the same decision written by hand over the same classes,
// called through the Permission interface without composing them: a
// second baseline.
type classChain struct{ authRO, admin, owner Permission[post] }

func (c classChain) decide(req *Request, obj *post) Decision {
	ok, err := c.authRO.HasPermission(req)
	if err != nil {
		return unavailable
	}
	if !ok {
		return deny(req, result{})
	}
	adminPerm, err := c.admin.HasPermission(req)
	if err != nil {
		return unavailable
	}
	ownerPerm, err := c.owner.HasPermission(req)
	if err != nil {
		return unavailable
	}
	if !adminPerm && !ownerPerm {
		return deny(req, result{})
	}
	if ok, err = c.authRO.HasObjectPermission(req, obj); err != nil {
		return unavailable
	} else if !ok {
		return deny(req, result{})
	}
	if adminPerm {
		if ok, err = c.admin.HasObjectPermission(req, obj); err != nil {
			return unavailable
		} else if ok {
			return Decision{}
		}
	}
	if ownerPerm {
		if ok, err = c.owner.HasObjectPermission(req, obj); err != nil {
			return unavailable
		} else if ok {
			return Decision{}
		}
	}
	return deny(req, result{})
}

func composed(p Permission[post], req *Request, obj *post) Decision {
	if d := Check(p, req); !d.Allowed() {
		return d
	}
	return CheckObject(p, req, obj)
}

var sink Decision

func benchCases() []struct {
	name string
	req  *Request
	obj  *post
} {
	owner := int64(7)
	other := int64(8)
	user := &identity.User{ID: 7, Username: "alice", IsActive: true}
	put := httptest.NewRequest(http.MethodPut, "/api/posts/1", nil)
	return []struct {
		name string
		req  *Request
		obj  *post
	}{
		{"owner-allowed", &Request{HTTP: put, User: user, Action: ActionUpdate, Resource: "posts"}, &post{ID: 1, OwnerID: &owner}},
		{"other-denied", &Request{HTTP: put, User: user, Action: ActionUpdate, Resource: "posts"}, &post{ID: 2, OwnerID: &other}},
	}
}

// BenchmarkDecision compares one decision (request + object check) made by
// the composed permission with the hand-written if-chain, in the same run.
func BenchmarkDecision(b *testing.B) {
	p := benchExpr()
	chain := classChain{IsAuthenticatedOrReadOnly[post]{}, IsAdminUser[post]{}, OwnerRule[post]("owner_id", postOwner)}
	for _, c := range benchCases() {
		want := handChain(c.req, c.obj)
		if got := composed(p, c.req, c.obj); got != want {
			b.Fatalf("%s: composed %+v, if-chain %+v", c.name, got, want)
		}
		if got := chain.decide(c.req, c.obj); got != want {
			b.Fatalf("%s: class chain %+v, if-chain %+v", c.name, got, want)
		}
		b.Run(c.name+"/classchain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = chain.decide(c.req, c.obj)
			}
		})
		b.Run(c.name+"/ifchain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = handChain(c.req, c.obj)
			}
		})
		b.Run(c.name+"/composed", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = composed(p, c.req, c.obj)
			}
		})
	}
}

// The handler-shaped pair: what a generated handler runs, a request check
// and later an object check, each answering a bool and handing a denial
// on (here to sink, in runtime/rest to Decision.Write).

// handHandler is the if-chain written in a handler: the baseline.
func handHandler(req *Request, obj *post) bool {
	if !(req.SafeMethod() || req.Authenticated()) {
		sink = deny(req, result{})
		return false
	}
	u := req.User
	admin := u != nil && u.IsActive && u.IsStaff
	if !(admin || Owns(u, obj.OwnerID)) {
		sink = deny(req, result{})
		return false
	}
	return true
}

// restCheck and restCheckObject are runtime/rest's Check and CheckObject:
// the Decision, then Allowed.
func restCheck[T any](p Permission[T], req *Request) bool {
	d := Check(p, req)
	if !d.Allowed() {
		sink = d
		return false
	}
	return true
}

func restCheckObject[T any](p Permission[T], req *Request, obj *T) bool {
	d := CheckObject(p, req, obj)
	if !d.Allowed() {
		sink = d
		return false
	}
	return true
}

var sinkOK bool

// BenchmarkHandler compares the handler-shaped pair: the if-chain and the
// pair as runtime/rest calls it (Check, CheckObject), in the same run.
func BenchmarkHandler(b *testing.B) {
	p := benchExpr()
	for _, c := range benchCases() {
		want := handHandler(c.req, c.obj)
		if got := restCheck(p, c.req) && restCheckObject(p, c.req, c.obj); got != want {
			b.Fatalf("%s: rest-shaped %v, if-chain %v", c.name, got, want)
		}
		b.Run(c.name+"/ifchain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkOK = handHandler(c.req, c.obj)
			}
		})
		b.Run(c.name+"/check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkOK = restCheck(p, c.req) && restCheckObject(p, c.req, c.obj)
			}
		})
	}
}

// The if-chain split into its request half and its object half, each out
// of line as a library call is: the floor of any pair of calls, which
// shows what the call boundary alone costs next to the inlined if-chain.

//go:noinline
func handReq(req *Request) Decision {
	if !(req.SafeMethod() || req.Authenticated()) {
		return deny(req, result{})
	}
	return Decision{}
}

//go:noinline
func handObj(req *Request, obj *post) Decision {
	u := req.User
	admin := u != nil && u.IsActive && u.IsStaff
	if !(admin || Owns(u, obj.OwnerID)) {
		return deny(req, result{})
	}
	return Decision{}
}

//go:noinline
func handReqOK(req *Request) bool { return req.SafeMethod() || req.Authenticated() }

//go:noinline
func handObjOK(req *Request, obj *post) bool {
	u := req.User
	return u != nil && u.IsActive && u.IsStaff || Owns(u, obj.OwnerID)
}

func splitChain(req *Request, obj *post) Decision {
	if d := handReq(req); !d.Allowed() {
		return d
	}
	return handObj(req, obj)
}

func splitHandler(req *Request, obj *post) bool {
	if !handReqOK(req) {
		sink = deny(req, result{})
		return false
	}
	if !handObjOK(req, obj) {
		sink = deny(req, result{})
		return false
	}
	return true
}

// BenchmarkSplit measures the split if-chains; run it with Decision and
// Handler to read the floor of the call boundary.
func BenchmarkSplit(b *testing.B) {
	for _, c := range benchCases() {
		if got, want := splitChain(c.req, c.obj), handChain(c.req, c.obj); got != want {
			b.Fatalf("%s: split %+v, if-chain %+v", c.name, got, want)
		}
		if got, want := splitHandler(c.req, c.obj), handHandler(c.req, c.obj); got != want {
			b.Fatalf("%s: split handler %v, if-chain %v", c.name, got, want)
		}
		b.Run(c.name+"/decision", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = splitChain(c.req, c.obj)
			}
		})
		b.Run(c.name+"/handler", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkOK = splitHandler(c.req, c.obj)
			}
		})
	}
}
