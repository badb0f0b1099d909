package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/runtime/drf"
)

// uniqueNotes makes the text of tb's notes unique, reported under key
// ("" for non_field_errors); precheck false leaves the check before the
// write out, so that the index alone refuses a duplicate, as it does for
// a concurrent write that slipped past the check.
func uniqueNotes(t *testing.T, tb *Table[note], field string, precheck bool) {
	t.Helper()
	if _, err := tb.DB.Exec(`CREATE UNIQUE INDEX "notes_text_key" ON "notes" ("text")`); err != nil {
		t.Fatal(err)
	}
	u := Unique[note]{
		Index: "notes_text_key", Columns: []string{"text"}, Field: field, Message: "note with this text already exists.",
		Exists: `SELECT COUNT(*) FROM "notes" WHERE "text" = ? AND "id" <> ?`,
		Args:   func(n *note) []any { return []any{n.Text, n.ID} },
	}
	if !precheck {
		u.Exists, u.Args = `SELECT 0`, func(*note) []any { return nil }
	}
	tb.Uniques = []Unique[note]{u}
}

func invalid(err error) drf.FieldErrors {
	var inv *Invalid
	if errors.As(err, &inv) {
		return inv.Errors
	}
	return nil
}

func count(t *testing.T, tb *Table[note]) int {
	t.Helper()
	var n int
	if err := tb.DB.QueryRow(`SELECT COUNT(*) FROM "notes"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUniqueWrites: a create or an update that would duplicate a unique
// value is *Invalid with DRF's message under the field (or
// non_field_errors), whether the check before the write or the index
// refuses it, and writes nothing; an update keeping its own value is no
// duplicate.
func TestUniqueWrites(t *testing.T) {
	for _, c := range []struct {
		name, field, key string
		precheck         bool
	}{
		{"field, checked", "text", "text", true},
		{"field, index only", "text", "text", false},
		{"set, checked", "", "non_field_errors", true},
		{"set, index only", "", "non_field_errors", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tables(t, func(t *testing.T, tb *Table[note]) {
				ctx := context.Background()
				uniqueNotes(t, tb, c.field, c.precheck)
				a, err := tb.Create(ctx, &note{Text: "a"})
				if err != nil {
					t.Fatal(err)
				}
				b, err := tb.Create(ctx, &note{Text: "b"})
				if err != nil {
					t.Fatal(err)
				}
				want := drf.FieldErrors{c.key: {"note with this text already exists."}}
				_, err = tb.Create(ctx, &note{Text: "a"})
				if got := invalid(err); !reflect.DeepEqual(got, want) {
					t.Fatalf("duplicate create: %v (%v)", got, err)
				}
				if n := count(t, tb); n != 2 {
					t.Fatalf("%d rows after a refused create", n)
				}
				_, err = tb.Update(ctx, &note{ID: b.ID, Text: "a"}, nil)
				if got := invalid(err); !reflect.DeepEqual(got, want) {
					t.Fatalf("duplicate update: %v (%v)", got, err)
				}
				if got := stored(t, tb, b.ID); got != "b" {
					t.Fatalf("a refused update wrote %q", got)
				}
				if _, err := tb.Update(ctx, &note{ID: a.ID, Text: "a"}, nil); err != nil {
					t.Fatalf("an update keeping its own value: %v", err)
				}
			})
		})
	}
}

// TestUniqueRace: of N concurrent creates of one value exactly one is
// stored and every other is *Invalid, never another error.
func TestUniqueRace(t *testing.T) {
	const n = 8
	tables(t, func(t *testing.T, tb *Table[note]) {
		uniqueNotes(t, tb, "text", true)
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = tb.Create(context.Background(), &note{Text: "same"})
			}()
		}
		close(start)
		wg.Wait()
		created, refused := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case invalid(err) != nil:
				refused++
			default:
				t.Errorf("a concurrent duplicate failed otherwise: %v", err)
			}
		}
		if created != 1 || refused != n-1 || count(t, tb) != 1 {
			t.Fatalf("created %d, refused %d, rows %d", created, refused, count(t, tb))
		}
	})
}

func TestInvalidIsAnswered400(t *testing.T) {
	w := httptest.NewRecorder()
	var v View
	v.Fail(w, fmt.Errorf("wrapped: %w", &Invalid{Errors: drf.FieldErrors{"sku": {"product with this sku already exists."}}}))
	if w.Code != 400 || strings.TrimSpace(w.Body.String()) != `{"sku":["product with this sku already exists."]}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
