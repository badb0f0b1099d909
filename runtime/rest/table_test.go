package rest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"testing"
	"testing/synctest"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// postgresNotes is noteTable on PostgreSQL, in a schema of its own dropped
// afterwards; skipped without a server unless CI=true.
func postgresNotes(t testing.TB) *Table[note] {
	t.Helper()
	u := os.Getenv("WARD_TEST_POSTGRES_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3"
	}
	admin, err := sql.Open("pgx", u)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := fmt.Sprintf("ward_rest_%x", b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	db, err := sql.Open("pgx", u+"&search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE "notes" ("id" BIGSERIAL PRIMARY KEY, "text" TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	tb := noteTable(t)
	tb.DB, tb.Dialect = db, Postgres
	return tb
}

func tables(t *testing.T, f func(t *testing.T, tb *Table[note])) {
	t.Run("sqlite", func(t *testing.T) { f(t, noteTable(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, postgresNotes(t)) })
}

func stored(t *testing.T, tb *Table[note], id int64) string {
	t.Helper()
	n, err := tb.Get(context.Background(), sqlexpr.Where{}, id)
	if errors.Is(err, ErrNotFound) {
		return "<none>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return n.Text
}

// TestUpdateChecksTheRowAsWritten: Update's check sees the row as it will
// be committed; a denial writes nothing.
func TestUpdateChecksTheRowAsWritten(t *testing.T) {
	tables(t, func(t *testing.T, tb *Table[note]) {
		ctx := context.Background()
		n, err := tb.Create(ctx, &note{Text: "before"})
		if err != nil {
			t.Fatal(err)
		}
		var seen string
		out, err := tb.Update(ctx, &note{ID: n.ID, Text: "after"}, func(o *note) bool { seen = o.Text; return false })
		if !errors.Is(err, ErrDenied) || out != nil || seen != "after" {
			t.Fatalf("denied update: %v %v, check saw %q", out, err, seen)
		}
		if got := stored(t, tb, n.ID); got != "before" {
			t.Fatalf("a denied update wrote %q", got)
		}
		if out, err := tb.Update(ctx, &note{ID: n.ID, Text: "after"}, func(o *note) bool { return o.Text == "after" }); err != nil || out.Text != "after" {
			t.Fatalf("allowed update: %v %v", out, err)
		}
		if got := stored(t, tb, n.ID); got != "after" {
			t.Fatalf("stored %q", got)
		}
	})
}

// TestWriteOutlivesTheClient: a client that goes away once a write has
// begun does not cancel it; one gone before it began writes nothing. It
// runs in a synctest bubble, so that synctest.Wait lets every goroutine
// that watches the client's context (database/sql's, the driver's) act on
// its cancellation before the write goes on.
func TestWriteOutlivesTheClient(t *testing.T) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *Table[note]
	}{{"sqlite", noteTable}, {"postgres", postgresNotes}} {
		t.Run(backend.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { writeOutlivesTheClient(t, backend.open(t)) })
		})
	}
}

func writeOutlivesTheClient(t *testing.T, tb *Table[note]) {
	// Gone before: an error, nothing written.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tb.Create(gone, &note{Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("create after the client left: %v", err)
	}
	if err := tb.Delete(gone, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("delete after the client left: %v", err)
	}
	var count int
	if err := tb.DB.QueryRow(`SELECT COUNT(*) FROM "notes"`).Scan(&count); err != nil || count != 0 {
		t.Fatalf("rows: %d %v", count, err)
	}

	// Gone inside the transaction (the client's context is cancelled
	// while the row is written): the write commits and says so.
	ctx, cancel := context.WithCancel(context.Background())
	args := tb.InsertArgs
	tb.InsertArgs = func(n *note) []any { cancel(); synctest.Wait(); return args(n) }
	n, err := tb.Create(ctx, &note{Text: "created"})
	tb.InsertArgs = args
	if err != nil || stored(t, tb, n.ID) != "created" {
		t.Fatalf("create cancelled inside its transaction: %v %v", n, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	out, err := tb.Update(ctx, &note{ID: n.ID, Text: "updated"}, func(*note) bool { cancel(); synctest.Wait(); return true })
	if err != nil || out.Text != "updated" || stored(t, tb, n.ID) != "updated" {
		t.Fatalf("update cancelled before its commit: %v %v, stored %q", out, err, stored(t, tb, n.ID))
	}
}
