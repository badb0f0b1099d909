package rest

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// storedText is a class whose object check reads the note's text from the
// database through req.DB, as hand-written checks do, and allows when it
// is want; it records what it read.
type storedText struct {
	want string
	read *string
}

func (storedText) HasPermission(*perm.Request) (bool, error) { return true, nil }

func (c storedText) HasObjectPermission(req *perm.Request, n *note) (bool, error) {
	err := req.DB.QueryRow(req.Context(), `SELECT "text" FROM "notes" WHERE "id" = ?`, n.ID).Scan(c.read)
	return err == nil && *c.read == c.want, err
}

// TestSaveCheckReadsInsideTheWrite: the object check on the object as it
// will be written reads through req.DB the write's transaction, so it sees
// the update not yet committed (the pool would see the old row, and on
// SQLite could wait on the write's lock); a denial still writes nothing.
func TestSaveCheckReadsInsideTheWrite(t *testing.T) {
	tables(t, func(t *testing.T, tb *Table[note]) {
		n, err := tb.Create(context.Background(), &note{Text: "before"})
		if err != nil {
			t.Fatal(err)
		}
		v := &View{App: &App{DB: tb.DB, Dialect: tb.Dialect}, Resource: "notes"}
		for _, c := range []struct {
			want, stored string
			code         int
		}{
			{"after", "after", 200},
			{"never", "after", 403},
		} {
			r := httptest.NewRequest("PATCH", "/notes/1", nil)
			req := &perm.Request{HTTP: r, User: &identity.User{ID: 1, IsActive: true}, Action: perm.ActionPartialUpdate, DB: v.pool()}
			var read string
			w := httptest.NewRecorder()
			obj := &note{ID: n.ID, Text: "after"}
			if c.want == "never" {
				obj.Text = "denied"
			}
			_, ok := Save[note](v, w, r, req, storedText{c.want, &read}, obj, tb.Update)
			if ok != (c.code == 200) || (!ok && w.Code != c.code) {
				t.Fatalf("want %q: ok %v, status %d %s", c.want, ok, w.Code, w.Body)
			}
			if read != obj.Text {
				t.Fatalf("the check read %q, not the row as written (%q)", read, obj.Text)
			}
			if got := stored(t, tb, n.ID); got != c.stored {
				t.Fatalf("stored %q, want %q", got, c.stored)
			}
		}
	})
}

// TestBeginHandsThePool: the request Begin builds carries the App's
// database; without one, req.DB fails every call, so a check that reads it
// cannot allow.
func TestBeginHandsThePool(t *testing.T) {
	tb := noteTable(t)
	for _, c := range []struct {
		name string
		app  *App
		err  error
	}{
		{"with a database", &App{DB: tb.DB, Dialect: SQLite}, nil},
		{"without", &App{}, sqlexpr.ErrNoDB},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := &View{App: c.app, Resource: "notes"}
			req, ok := v.Begin(httptest.NewRecorder(), httptest.NewRequest("GET", "/notes", nil), perm.ActionList)
			if !ok {
				t.Fatal("Begin refused an anonymous request with no chain")
			}
			var n int
			err := req.DB.QueryRow(req.Context(), `SELECT COUNT(*) FROM "notes" WHERE "id" > ?`, 0).Scan(&n)
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
		})
	}
}
