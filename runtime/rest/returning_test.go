package rest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// stamp is a row with a column the database fills (n, DEFAULT 7) and one it
// computes through a correlated subquery (text, the text of its note), as
// a user field's username is computed.
type stamp struct {
	ID, NoteID, N int64
	Text          string
}

// stampsColumns is the select list of stampTable's Select and what its
// writes return.
const stampsColumns = `"id", "note_id", (SELECT "text" FROM "notes" WHERE "notes"."id" = "stamps"."note_id"), "n"`

// stampTable is a Table of stamps beside the notes of db.
func stampTable(t *testing.T, dialect Dialect, db *sql.DB) *Table[stamp] {
	t.Helper()
	id := `"id" INTEGER PRIMARY KEY AUTOINCREMENT`
	if dialect == Postgres {
		id = `"id" BIGSERIAL PRIMARY KEY`
	}
	if _, err := db.Exec(`CREATE TABLE "stamps" (` + id + `, "note_id" BIGINT NOT NULL, "n" BIGINT NOT NULL DEFAULT 7)`); err != nil {
		t.Fatal(err)
	}
	return &Table[stamp]{
		DB: db, Dialect: dialect, Name: `"stamps"`,
		Select:    `SELECT ` + stampsColumns + ` FROM "stamps"`,
		InsertSQL: `INSERT INTO "stamps" ("note_id") VALUES (?) RETURNING ` + stampsColumns,
		UpdateSQL: `UPDATE "stamps" SET "note_id" = ? WHERE "id" = ? RETURNING ` + stampsColumns,
		Scan: func(r Scanner) (*stamp, error) {
			var s stamp
			return &s, r.Scan(&s.ID, &s.NoteID, &s.Text, &s.N)
		},
		InsertArgs: func(s *stamp) []any { return []any{s.NoteID} },
		UpdateArgs: func(s *stamp) []any { return []any{s.NoteID, s.ID} },
		ID:         func(s *stamp) int64 { return s.ID },
	}
}

// TestWritesReturnTheRowAsStored: Create and Update answer the row as the
// database stored it, its default and its computed column included, and
// Update of a missing row is ErrNotFound.
func TestWritesReturnTheRowAsStored(t *testing.T) {
	tables(t, func(t *testing.T, notes *Table[note]) {
		ctx := context.Background()
		hello, err := notes.Create(ctx, &note{Text: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		bye, err := notes.Create(ctx, &note{Text: "bye"})
		if err != nil {
			t.Fatal(err)
		}
		tb := stampTable(t, notes.Dialect, notes.DB)
		s, err := tb.Create(ctx, &stamp{NoteID: hello.ID, Text: "ignored"})
		if err != nil || *s != (stamp{ID: s.ID, NoteID: hello.ID, Text: "hello", N: 7}) || s.ID == 0 {
			t.Fatalf("created %+v %v", s, err)
		}
		u, err := tb.Update(ctx, &stamp{ID: s.ID, NoteID: bye.ID}, func(o *stamp) bool { return o.Text == "bye" })
		if err != nil || *u != (stamp{ID: s.ID, NoteID: bye.ID, Text: "bye", N: 7}) {
			t.Fatalf("updated %+v %v", u, err)
		}
		if _, err := tb.Update(ctx, &stamp{ID: s.ID + 100, NoteID: bye.ID}, nil); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update of a missing row: %v", err)
		}
	})
}

// TestWritesRunOneStatement: a Create or an Update (of a table without
// references or unique sets) runs its INSERT or UPDATE and nothing else;
// the row as stored comes back from its RETURNING, not a second SELECT.
func TestWritesRunOneStatement(t *testing.T) {
	plain, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	c := &countingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "t.db") + "?_txlock=immediate", d: plain.Driver()}
	db := sql.OpenDB(c)
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "text" TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO "notes" ("text") VALUES ('hello')`); err != nil {
		t.Fatal(err)
	}
	tb := stampTable(t, SQLite, db)
	ctx := context.Background()
	c.n.Store(0)
	s, err := tb.Create(ctx, &stamp{NoteID: 1})
	if n := c.n.Load(); err != nil || n != 1 || s.Text != "hello" {
		t.Fatalf("Create ran %d statements: %+v %v", n, s, err)
	}
	c.n.Store(0)
	s, err = tb.Update(ctx, &stamp{ID: s.ID, NoteID: 1}, nil)
	if n := c.n.Load(); err != nil || n != 1 || s.Text != "hello" {
		t.Fatalf("Update ran %d statements: %+v %v", n, s, err)
	}
}

// countingConnector opens connections of d that count the statements they
// run (queries and execs, prepared or not) in n.
type countingConnector struct {
	dsn string
	d   driver.Driver
	n   atomic.Int64
}

func (c *countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{conn, &c.n}, nil
}

func (c *countingConnector) Driver() driver.Driver { return c.d }

// countingConn implements neither QueryerContext nor ExecerContext, so
// database/sql runs every statement through a countingStmt.
type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{s, c.n}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

type countingStmt struct {
	driver.Stmt
	n *atomic.Int64
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
