package rest

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// TestParentFoundBeforeTheChecks: on a nested route Begin finds the parent
// through its own read scope: an id that is not a positive integer,
// unknown, or outside the scope is 404 before any permission check, a
// scope that fails is 503, and a visible parent is req.Parent.
func TestParentFoundBeforeTheChecks(t *testing.T) {
	tables(t, func(t *testing.T, tb *Table[note]) {
		ctx := context.Background()
		shown, err := tb.Create(ctx, &note{Text: "shown"})
		if err != nil {
			t.Fatal(err)
		}
		hidden, err := tb.Create(ctx, &note{Text: "hidden"})
		if err != nil {
			t.Fatal(err)
		}
		visible := func(req *perm.Request) (sqlexpr.Where, error) {
			if req.Resource != "notes" || req.Action != perm.ActionRetrieve {
				return sqlexpr.Nothing, nil // the parent's scope sees a retrieve of the parent
			}
			return sqlexpr.Where{SQL: `"text" <> ?`, Args: []any{"hidden"}}, nil
		}
		failing := func(*perm.Request) (sqlexpr.Where, error) { return sqlexpr.Nothing, errors.New("down") }
		for _, c := range []struct {
			name  string
			param string
			scope func(*perm.Request) (sqlexpr.Where, error)
			code  int
		}{
			{"visible", itoa(shown.ID), visible, 0},
			{"outside the scope", itoa(hidden.ID), visible, 404},
			{"unknown", "9999", visible, 404},
			{"not an integer", "1x", visible, 404},
			{"zero", "0", visible, 404},
			{"leading zero", "0" + itoa(shown.ID), visible, 404},
			{"empty", "", visible, 404},
			{"scope fails", itoa(shown.ID), failing, 503},
		} {
			t.Run(c.name, func(t *testing.T) {
				v := &View{App: &App{DB: tb.DB, Dialect: tb.Dialect}, Resource: "comments",
					Parent: &Parent{Param: "note_id", Resource: "notes", Table: `"notes"`, Scope: c.scope}}
				rc := chi.NewRouteContext()
				rc.URLParams.Add("note_id", c.param)
				r := httptest.NewRequest("OPTIONS", "/notes/x/comments", nil)
				r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
				w := httptest.NewRecorder()
				req, ok := v.Begin(w, r, perm.ActionList)
				if c.code == 0 {
					if !ok || req.Parent != shown.ID || req.Resource != "comments" || req.Action != perm.ActionList {
						t.Fatalf("Begin: %v %+v %d %s", ok, req, w.Code, w.Body)
					}
					return
				}
				if ok || w.Code != c.code {
					t.Fatalf("Begin: %v, answer %d %s; want %d", ok, w.Code, w.Body, c.code)
				}
				if c.code == 404 && !strings.Contains(w.Body.String(), "Not found.") {
					t.Errorf("body %s", w.Body)
				}
			})
		}
	})
}

// TestInParent: a nested resource's lists and lookups see only the rows of
// the request's parent, within its own scope; without a parent, none.
func TestInParent(t *testing.T) {
	scope := func(*perm.Request) (sqlexpr.Where, error) {
		return sqlexpr.Where{SQL: `"text" <> ?`, Args: []any{"hidden"}}, nil
	}
	in := InParent(scope, `"note_id"`)
	w, err := in(&perm.Request{Parent: 7})
	if err != nil || w.SQL != `("text" <> ?) AND ("note_id" = ?)` || len(w.Args) != 2 || w.Args[1] != int64(7) {
		t.Fatalf("%+v %v", w, err)
	}
	if w, err := in(&perm.Request{}); err != nil || w.SQL != sqlexpr.Nothing.SQL {
		t.Fatalf("without a parent: %+v %v", w, err)
	}
	failing := InParent(func(*perm.Request) (sqlexpr.Where, error) { return sqlexpr.Where{}, errors.New("down") }, `"note_id"`)
	if w, err := failing(&perm.Request{Parent: 7}); err == nil || w.SQL != sqlexpr.Nothing.SQL {
		t.Fatalf("a failing scope: %+v %v", w, err)
	}
}

// FuzzPathID: a URL id (the {id} of a detail route, the {product_id} of a
// nested one) is accepted exactly when it is a positive decimal int64
// without sign, leading zeros or anything else, and then read as written.
func FuzzPathID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "01", "-1", "+1", "1x", " 1", "9223372036854775807", "9223372036854775808", "", "١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := pathID(s)
		want, err := strconv.ParseInt(s, 10, 64)
		valid := err == nil && want > 0 && s[0] != '0' && s[0] != '+' && s[0] != '-'
		if ok != valid || (ok && id != want) {
			t.Fatalf("pathID(%q) = %d, %v; want %d, %v", s, id, ok, want, valid)
		}
	})
}
