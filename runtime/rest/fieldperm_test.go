package rest

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

type order struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Cost   int64  `json:"cost"`
	Note   string `json:"note"`
}

// broken cannot decide: its backend is down.
type broken struct{}

func (broken) HasPermission(*perm.Request) (bool, error) { return false, errors.New("backend down") }
func (broken) HasObjectPermission(*perm.Request, *order) (bool, error) {
	return false, errors.New("backend down")
}

var orderFields = []FieldPerm[order]{
	{Name: "status", Write: perm.IsAdminUser[order]{}},
	{Name: "cost", Read: perm.IsAdminUser[order]{}, Write: perm.IsAdminUser[order]{}},
	{Name: "note", Read: perm.IsAuthenticated[order]{}},
}

// TestFieldPermMatrix: caller × field × action. A read hides the field the
// caller fails; a write that sends a field the caller fails is 403 with
// the field's name; a field not sent is never checked.
func TestFieldPermMatrix(t *testing.T) {
	callers := map[string]*identity.User{
		"anon":  nil,
		"user":  {ID: 2, IsActive: true},
		"staff": {ID: 1, IsActive: true, IsStaff: true},
	}
	tests := []struct {
		caller, field string
		read          bool // the field is in responses
		write         int  // status of a body sending only the field
	}{
		{"anon", "status", true, 403},
		{"anon", "cost", false, 403},
		{"anon", "note", false, 200},
		{"user", "status", true, 403},
		{"user", "cost", false, 403},
		{"user", "note", true, 200},
		{"staff", "status", true, 200},
		{"staff", "cost", true, 200},
		{"staff", "note", true, 200},
	}
	for _, tt := range tests {
		for _, mode := range []Mode{Create, Replace, Partial} {
			t.Run(tt.caller+"/"+tt.field, func(t *testing.T) {
				req := &perm.Request{HTTP: httptest.NewRequest("POST", "/orders", nil), User: callers[tt.caller], Action: perm.ActionCreate, Resource: "orders"}
				w := httptest.NewRecorder()
				hide, ok := Hidden(w, req, orderFields)
				if !ok {
					t.Fatalf("Hidden: %d", w.Code)
				}
				b, err := json.Marshal(Hide(&order{ID: 1, Status: "new", Cost: 5, Note: "n"}, hide))
				if err != nil {
					t.Fatal(err)
				}
				var got map[string]any
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				if _, in := got[tt.field]; in != tt.read {
					t.Errorf("%s in %s = %v, want %v", tt.field, b, in, tt.read)
				}
				in, msg := ParseInput([]byte(`{"`+tt.field+`": 1}`), mode)
				if msg != "" {
					t.Fatal(msg)
				}
				w = httptest.NewRecorder()
				CheckWrites(w, req, in, orderFields)
				if w.Code != tt.write {
					t.Fatalf("write %s: %d %s, want %d", tt.field, w.Code, w.Body, tt.write)
				}
				if tt.write == 403 && !strings.Contains(w.Body.String(), `{"detail":"You do not have permission to set the field `+tt.field+`."}`) {
					t.Errorf("403 body %s", w.Body)
				}
			})
		}
	}
	// A field not sent is not checked.
	in, _ := ParseInput([]byte(`{"note": "x"}`), Partial)
	w := httptest.NewRecorder()
	if !CheckWrites(w, &perm.Request{HTTP: httptest.NewRequest("PATCH", "/orders/1", nil)}, in, orderFields) {
		t.Fatalf("a body without guarded fields: %d", w.Code)
	}
}

// TestFieldPermFailsClosed: an expression that cannot be decided answers
// 503, on read and on write, rather than changing the shape or writing.
func TestFieldPermFailsClosed(t *testing.T) {
	fields := []FieldPerm[order]{{Name: "cost", Read: broken{}, Write: broken{}}}
	req := &perm.Request{HTTP: httptest.NewRequest("GET", "/orders", nil), User: &identity.User{ID: 1, IsActive: true, IsStaff: true}}
	w := httptest.NewRecorder()
	if _, ok := Hidden(w, req, fields); ok || w.Code != 503 {
		t.Fatalf("read: %v %d", ok, w.Code)
	}
	in, _ := ParseInput([]byte(`{"cost": 1}`), Create)
	w = httptest.NewRecorder()
	if CheckWrites(w, req, in, fields) || w.Code != 503 {
		t.Fatalf("write: %d", w.Code)
	}
}

// TestHideKeepsOrder: the members left keep their order and values.
func TestHideKeepsOrder(t *testing.T) {
	b, err := json.Marshal(HideAll([]*order{{ID: 1, Status: "<a>", Cost: 5, Note: "n"}}, []string{"cost"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"id":1,"status":"\u003ca\u003e","note":"n"}]`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	if got := Hide(&order{}, nil); got.(*order) == nil {
		t.Fatal("no hidden fields must give the object itself")
	}
}
