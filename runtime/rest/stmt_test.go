package rest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/sqlexpr"
	_ "modernc.org/sqlite"
)

type note struct {
	ID   int64
	Text string
}

func noteTable(t testing.TB) *Table[note] {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "text" TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return &Table[note]{
		DB: db, Dialect: SQLite, Name: `"notes"`,
		Select:     `SELECT "id", "text" FROM "notes"`,
		InsertSQL:  `INSERT INTO "notes" ("text") VALUES (?) RETURNING "id", "text"`,
		UpdateSQL:  `UPDATE "notes" SET "text" = ? WHERE "id" = ? RETURNING "id", "text"`,
		Scan:       func(r Scanner) (*note, error) { var n note; return &n, r.Scan(&n.ID, &n.Text) },
		InsertArgs: func(n *note) []any { return []any{n.Text} },
		UpdateArgs: func(n *note) []any { return []any{n.Text, n.ID} },
		ID:         func(n *note) int64 { return n.ID },
	}
}

func TestStatementCacheIsReusedAndBounded(t *testing.T) {
	ctx := context.Background()
	tb := noteTable(t)
	for i := 0; i < 3; i++ {
		if _, err := tb.Create(ctx, &note{Text: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				n, err := tb.Get(ctx, sqlexpr.Where{}, 2)
				if err != nil || n.Text != "n1" {
					t.Errorf("Get: %v %v", n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := len(tb.stmts.m); got != 2 {
		t.Fatalf("%d cached statements after inserts and reads of one shape, want 2", got)
	}
	// Scopes of many shapes: the cache stops at its bound and answers stay right.
	for i := 0; i < maxStmts+20; i++ {
		w := sqlexpr.Where{SQL: fmt.Sprintf(`"id" > %d - %d`, i, i), Args: nil}
		n, err := tb.Get(ctx, w, 3)
		if err != nil || n.Text != "n2" {
			t.Fatalf("Get with scope %d: %v %v", i, n, err)
		}
	}
	if got := len(tb.stmts.m); got != maxStmts {
		t.Fatalf("%d cached statements, want the bound %d", got, maxStmts)
	}
	// A scope that hides the row is still a 404, through the cached statement.
	if _, err := tb.Get(ctx, sqlexpr.Nothing, 2); err != ErrNotFound {
		t.Fatalf("Get outside the scope: %v", err)
	}
	// Writes in transactions see the cached read statement too.
	if _, err := tb.Update(ctx, &note{ID: 2, Text: "changed"}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := tb.Get(ctx, sqlexpr.Where{}, 2); err != nil || n.Text != "changed" {
		t.Fatalf("after update: %v %v", n, err)
	}
}

func TestStatementCacheFailsLikeTheDatabase(t *testing.T) {
	tb := noteTable(t)
	tb.DB.Close()
	if _, err := tb.Get(context.Background(), sqlexpr.Where{}, 1); err == nil || err == ErrNotFound {
		t.Fatalf("Get on a closed database: %v, want a database error", err)
	}
}

// TestWritesUsePreparedStatements: on SQLite, parsing a statement costs
// about as much as running a small one, so Create, Update and Delete run
// prepared statements, prepared before their transaction begins: with a
// single connection, which the transaction holds, they still finish.
func TestWritesUsePreparedStatements(t *testing.T) {
	ctx := context.Background()
	tb := noteTable(t)
	tb.DB.SetMaxOpenConns(1)
	done := make(chan error, 1)
	go func() {
		n, err := tb.Create(ctx, &note{Text: "a"})
		if err == nil {
			_, err = tb.Update(ctx, &note{ID: n.ID, Text: "b"}, nil)
		}
		if err == nil {
			err = tb.Delete(ctx, n.ID)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the writes wait for a second connection")
	}
	for _, q := range []string{tb.InsertSQL, tb.UpdateSQL, `DELETE FROM "notes"` + byID} {
		if tb.stmts.get(q) == nil {
			t.Errorf("not prepared: %s", q)
		}
	}
	// The writes return the row (RETURNING) and notes has no references:
	// nothing reads a row by id, so nothing prepares that read.
	if tb.stmts.get(tb.Select+byID) != nil {
		t.Errorf("prepared without a use: %s", tb.Select+byID)
	}
	if got := len(tb.stmts.m); got != 3 {
		t.Errorf("%d cached statements, want 3", got)
	}
}

// TestGetDoesNotWatchCancellation: a read by id on SQLite runs without a
// cancellation watcher, so a context that ends mid-request does not turn
// the lookup into an error.
func TestGetDoesNotWatchCancellation(t *testing.T) {
	tb := noteTable(t)
	n, err := tb.Create(context.Background(), &note{Text: "a"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := tb.Get(ctx, sqlexpr.Where{}, n.ID)
	if err != nil || got.Text != "a" {
		t.Fatalf("Get on an ended context: %v, %v; want the row", got, err)
	}
}
