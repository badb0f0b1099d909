package rest

import (
	"net/http/httptest"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

type thing struct{ ID int64 }

// flaky denies on its first asking and allows afterwards, as a check over a
// backend that comes and goes might.
type flaky struct{ calls *int }

func (f flaky) HasPermission(*perm.Request) (bool, error) {
	*f.calls++
	return *f.calls > 1, nil
}

func (f flaky) HasObjectPermission(*perm.Request, *thing) (bool, error) {
	*f.calls++
	return *f.calls > 1, nil
}

// TestCheckAsksOnce: a decision asks each check once, and its answer is the
// one written: a check over a backend that comes and goes cannot deny on one
// asking and be asked again for the reason.
func TestCheckAsksOnce(t *testing.T) {
	req := &perm.Request{HTTP: httptest.NewRequest("GET", "/things/1", nil), User: &identity.User{ID: 1, IsActive: true}, Action: perm.ActionRetrieve, Resource: "things"}
	var n int
	w := httptest.NewRecorder()
	if Check[thing](w, flaky{&n}, req) || w.Code != 403 || n != 1 {
		t.Fatalf("request check: status %d after %d askings, want one 403", w.Code, n)
	}
	n = 0
	w = httptest.NewRecorder()
	if CheckObject[thing](w, flaky{&n}, req, &thing{ID: 1}) || w.Code != 403 || n != 1 {
		t.Fatalf("object check: status %d after %d askings, want one 403", w.Code, n)
	}
}

func TestCheckWritesTheDecision(t *testing.T) {
	anon := &perm.Request{HTTP: httptest.NewRequest("POST", "/things", nil), Action: perm.ActionCreate, Resource: "things", Challenge: `Bearer realm="api"`}
	w := httptest.NewRecorder()
	if Check[thing](w, perm.IsAuthenticated[thing]{}, anon) || w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
		t.Fatalf("anonymous: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	user := &perm.Request{HTTP: anon.HTTP, User: &identity.User{ID: 2, IsActive: true}, Action: perm.ActionCreate, Resource: "things", Challenge: anon.Challenge}
	w = httptest.NewRecorder()
	if Check[thing](w, perm.IsAdminUser[thing]{}, user) || w.Code != 403 {
		t.Fatalf("user: %d", w.Code)
	}
	w = httptest.NewRecorder()
	if !Check[thing](w, perm.IsAuthenticated[thing]{}, user) || w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("allowed request wrote %d %q", w.Code, w.Body.String())
	}
}
