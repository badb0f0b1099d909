package ksapi

import (
	"net/http/httptest"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

// The decision of articles, IsAdminUser | (IsAuthenticated & IsOwner),
// request and object check as a handler makes them, in one run: a
// hand-written if-chain and the composed perm value the handlers ask.

var sink bool

func benchRequests() ([]*perm.Request, []*Article) {
	users := []*identity.User{{ID: 1, IsActive: true}, {ID: 2, IsActive: true}, {ID: 3, IsActive: true, IsStaff: true}}
	var reqs []*perm.Request
	for _, u := range users {
		reqs = append(reqs, &perm.Request{HTTP: httptest.NewRequest("GET", "/api/articles/1", nil), User: u, Action: perm.ActionRetrieve, Resource: "articles"})
	}
	return reqs, []*Article{{ID: 1, OwnerID: 1}, {ID: 2, OwnerID: 2}}
}

func handWritten(req *perm.Request, obj *Article) bool {
	u := req.User
	if u == nil || !u.IsActive {
		return false
	}
	return u.IsStaff || obj.OwnerID == u.ID
}

// handRequest and handObject are the same checks hand-written in the shape a
// handler needs: the request check before anything is read, the object
// check after the lookup, each safe on its own.
func handRequest(req *perm.Request) bool {
	u := req.User
	return u != nil && u.IsActive
}

func handObject(req *perm.Request, obj *Article) bool {
	u := req.User
	return u != nil && u.IsActive && (u.IsStaff || obj.OwnerID == u.ID)
}

func BenchmarkArticlesDecision(b *testing.B) {
	reqs, objs := benchRequests()
	b.Run("if-chain", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sink = handWritten(reqs[i%3], objs[i&1])
		}
	})
	b.Run("if-chain-two-checks", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			req := reqs[i%3]
			sink = handRequest(req) && handObject(req, objs[i&1])
		}
	})
	b.Run("composed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			req := reqs[i%3]
			sink = perm.Check(articlesPermission, req).Allowed() && perm.CheckObject(articlesPermission, req, objs[i&1]).Allowed()
		}
	})
}

// The if-chains and the composed value agree on the benchmark's inputs.
func TestBenchmarkBaselineAgrees(t *testing.T) {
	reqs, objs := benchRequests()
	for _, req := range reqs {
		for _, obj := range objs {
			want := perm.Check(articlesPermission, req).Allowed() && perm.CheckObject(articlesPermission, req, obj).Allowed()
			if got := handWritten(req, obj); got != want || handRequest(req) && handObject(req, obj) != want {
				t.Errorf("hand-written %v, composed %v for %+v on %+v", got, want, req.User, obj)
			}
		}
	}
}
