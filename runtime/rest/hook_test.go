package rest

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// withStock adds a table "stock" with one row (id 1) holding left units.
func withStock(t *testing.T, tb *Table[note], left int) {
	t.Helper()
	if _, err := tb.DB.Exec(`CREATE TABLE "stock" ("id" INTEGER PRIMARY KEY, "left" INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.DB.Exec(tb.q(`INSERT INTO "stock" ("id", "left") VALUES (1, ?)`), left); err != nil {
		t.Fatal(err)
	}
}

func stockLeft(t *testing.T, tb *Table[note]) int {
	t.Helper()
	var n int
	if err := tb.DB.QueryRow(`SELECT "left" FROM "stock" WHERE "id" = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// takeOne is the hook of the examples: it takes a unit of stock with a
// conditional update through tx, and refuses with 400 when none is left.
func takeOne(ctx context.Context, _ *perm.Request, tx *sqlexpr.DB, _, _ *note) error {
	res, err := tx.Exec(ctx, `UPDATE "stock" SET "left" = "left" - 1 WHERE "id" = ? AND "left" >= ?`, 1, 1)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return FieldError("text", "Not enough stock.")
	}
	return nil
}

// textIs is a class whose object check allows the notes whose text is want.
type textIs string

func (textIs) HasPermission(*perm.Request) (bool, error) { return true, nil }
func (c textIs) HasObjectPermission(_ *perm.Request, n *note) (bool, error) {
	return n.Text == string(c), nil
}

func hookRequest(tb *Table[note], action string) (*View, *perm.Request) {
	v := &View{App: &App{DB: tb.DB, Dialect: tb.Dialect}, Resource: "notes"}
	r := httptest.NewRequest("POST", "/notes", nil)
	return v, &perm.Request{HTTP: r, User: &identity.User{ID: 1, IsActive: true}, Action: action, DB: v.pool()}
}

// TestHookOnCreate: the hook runs inside the write, before the object
// check, which sees what the hook set; its 400, 409, an error (503) and
// the check's denial each write nothing, neither the row nor what the
// hook wrote to another table.
func TestHookOnCreate(t *testing.T) {
	boom := errors.New("the hook's backend is down")
	cases := []struct {
		name   string
		hook   Hook[note]
		check  textIs
		code   int
		body   string
		stored int
	}{
		{"does nothing", func(context.Context, *perm.Request, *sqlexpr.DB, *note, *note) error { return nil }, "typed", 201, "", 1},
		{"sets a field the check sees", func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, n *note) error {
			n.Text = "set by the hook"
			return takeOne(ctx, req, tx, old, n)
		}, "set by the hook", 201, "", 1},
		{"field error", func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, n *note) error {
			takeOne(ctx, req, tx, old, n)
			return FieldError("text", "Not enough stock.")
		}, "typed", 400, `{"text":["Not enough stock."]}`, 0},
		{"conflict", func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, n *note) error {
			takeOne(ctx, req, tx, old, n)
			return Conflict("Only a pending order can be cancelled.")
		}, "typed", 409, `{"detail":"Only a pending order can be cancelled."}`, 0},
		{"other error", func(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, n *note) error {
			takeOne(ctx, req, tx, old, n)
			return boom
		}, "typed", 503, `{"detail":"Service temporarily unavailable, try again later."}`, 0},
		{"the check denies after the hook", takeOne, "other", 403, "", 0},
		{"old is nil on create", func(_ context.Context, req *perm.Request, tx *sqlexpr.DB, old, _ *note) error {
			if old != nil || req.DB != tx || tx == nil {
				return boom
			}
			return nil
		}, "typed", 201, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tables(t, func(t *testing.T, tb *Table[note]) {
				withStock(t, tb, 5)
				v, req := hookRequest(tb, perm.ActionCreate)
				w := httptest.NewRecorder()
				out, ok := Insert[note](v, w, req.HTTP, req, c.check, &note{Text: "typed"}, tb.CreateWith, c.hook)
				code := w.Code
				if ok {
					code = 201
				}
				if code != c.code || (c.body != "" && strings.TrimSpace(w.Body.String()) != c.body) {
					t.Fatalf("%d %s, want %d %s", code, w.Body, c.code, c.body)
				}
				if n := count(t, tb); n != c.stored {
					t.Fatalf("%d rows, want %d", n, c.stored)
				}
				if ok && stored(t, tb, out.ID) != string(c.check) {
					t.Fatalf("stored %q", stored(t, tb, out.ID))
				}
				if c.stored == 0 && stockLeft(t, tb) != 5 {
					t.Fatalf("a refused write kept the hook's write: %d left", stockLeft(t, tb))
				}
			})
		})
	}
}

// TestHookOnUpdate: the hook sees the object as stored and as it will be
// written, may change it, and its refusal writes nothing.
func TestHookOnUpdate(t *testing.T) {
	tables(t, func(t *testing.T, tb *Table[note]) {
		n, err := tb.Create(context.Background(), &note{Text: "before"})
		if err != nil {
			t.Fatal(err)
		}
		v, req := hookRequest(tb, perm.ActionPartialUpdate)
		var saw [2]string
		hook := func(_ context.Context, _ *perm.Request, _ *sqlexpr.DB, old, obj *note) error {
			saw = [2]string{old.Text, obj.Text}
			if obj.Text == "refused" {
				return FieldError("text", "No.")
			}
			obj.Text += "!"
			return nil
		}
		w := httptest.NewRecorder()
		if _, ok := SaveWith[note](v, w, req.HTTP, req, textIs("refused!"), &note{ID: n.ID, Text: "before"}, &note{ID: n.ID, Text: "refused"}, tb.UpdateWith, hook); ok || w.Code != 400 {
			t.Fatalf("refused: %d %s", w.Code, w.Body)
		}
		if got := stored(t, tb, n.ID); got != "before" || saw != [2]string{"before", "refused"} {
			t.Fatalf("stored %q, the hook saw %q", got, saw)
		}
		w = httptest.NewRecorder()
		out, ok := SaveWith[note](v, w, req.HTTP, req, textIs("after!"), &note{ID: n.ID, Text: "before"}, &note{ID: n.ID, Text: "after"}, tb.UpdateWith, hook)
		if !ok || out.Text != "after!" || stored(t, tb, n.ID) != "after!" {
			t.Fatalf("allowed: %d %s %v", w.Code, w.Body, out)
		}
	})
}

// TestHookTakesTheLastUnit: of N concurrent creates whose hook takes the
// one unit of stock left, exactly one is written and every other is the
// hook's 400, never another answer; the stock ends at 0.
func TestHookTakesTheLastUnit(t *testing.T) {
	const n = 8
	tables(t, func(t *testing.T, tb *Table[note]) {
		withStock(t, tb, 1)
		v, req := hookRequest(tb, perm.ActionCreate)
		codes := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				w := httptest.NewRecorder()
				if _, ok := Insert[note](v, w, req.HTTP, req, textIs("typed"), &note{Text: "typed"}, tb.CreateWith, takeOne); ok {
					codes[i] = 201
				} else {
					codes[i] = w.Code
				}
			}()
		}
		close(start)
		wg.Wait()
		created, refused := 0, 0
		for _, c := range codes {
			switch c {
			case 201:
				created++
			case 400:
				refused++
			default:
				t.Errorf("a concurrent order was answered %d", c)
			}
		}
		if created != 1 || refused != n-1 || count(t, tb) != 1 || stockLeft(t, tb) != 0 {
			t.Fatalf("created %d, refused %d, rows %d, stock %d", created, refused, count(t, tb), stockLeft(t, tb))
		}
	})
}
