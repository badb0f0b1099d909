package sqlexpr

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// dialects runs f on an SQLite file and on a PostgreSQL schema of its own
// (skipped without a server unless CI=true), each with a table "stock".
func dialects(t *testing.T, f func(t *testing.T, pool *sql.DB, postgres bool)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f(t, stockTable(t, db), false)
	})
	t.Run("postgres", func(t *testing.T) {
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
		schema := fmt.Sprintf("ward_sqlexpr_%x", b)
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
		f(t, stockTable(t, db), true)
	})
}

func stockTable(t *testing.T, db *sql.DB) *sql.DB {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE "stock" ("product" INTEGER NOT NULL, "left" INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestDBPlaceholders: the same ? query runs on both dialects through Exec,
// QueryRow and Query; a ? inside a string literal stays a character.
func TestDBPlaceholders(t *testing.T) {
	dialects(t, func(t *testing.T, pool *sql.DB, postgres bool) {
		ctx := context.Background()
		db := NewDB(pool, postgres)
		if db.Postgres() != postgres {
			t.Fatalf("Postgres() = %v", db.Postgres())
		}
		for _, p := range [][2]int{{1, 3}, {2, 0}} {
			if _, err := db.Exec(ctx, `INSERT INTO "stock" ("product", "left") VALUES (?, ?)`, p[0], p[1]); err != nil {
				t.Fatal(err)
			}
		}
		var left int
		var mark string
		if err := db.QueryRow(ctx, `SELECT "left", '?' FROM "stock" WHERE "product" = ? AND "left" > ?`, 1, 0).Scan(&left, &mark); err != nil || left != 3 || mark != "?" {
			t.Fatalf("QueryRow: %d %q %v", left, mark, err)
		}
		if err := db.QueryRow(ctx, `SELECT "left" FROM "stock" WHERE "product" = ?`, 9).Scan(&left); !errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("QueryRow of no row: %v", err)
		}
		rows, err := db.Query(ctx, `SELECT "product" FROM "stock" WHERE "left" >= ? ORDER BY "product"`, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []int
		for rows.Next() {
			var p int
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			got = append(got, p)
		}
		if rows.Err() != nil || len(got) != 2 || got[0] != 1 || got[1] != 2 {
			t.Fatalf("Query: %v %v", got, rows.Err())
		}
	})
}

// TestDBOverATransaction: a DB over a transaction reads what the
// transaction wrote before it commits, and the pool does not.
func TestDBOverATransaction(t *testing.T) {
	dialects(t, func(t *testing.T, pool *sql.DB, postgres bool) {
		ctx := context.Background()
		tx, err := pool.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		in := NewDB(tx, postgres)
		if _, err := in.Exec(ctx, `INSERT INTO "stock" ("product", "left") VALUES (?, ?)`, 7, 1); err != nil {
			t.Fatal(err)
		}
		count := func(db *DB) int {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM "stock" WHERE "product" = ?`, 7).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if in, out := count(in), count(NewDB(pool, postgres)); in != 1 || out != 0 {
			t.Fatalf("inside the transaction %d rows, outside %d", in, out)
		}
	})
}

// TestNilDB: a nil DB (a request built without a database) fails every
// call with ErrNoDB, so a check that reads it cannot allow.
func TestNilDB(t *testing.T) {
	ctx := context.Background()
	var db *DB
	if NewDB(nil, true) != nil {
		t.Fatal("NewDB(nil) is not nil")
	}
	if _, err := db.Exec(ctx, `DELETE FROM "stock"`); !errors.Is(err, ErrNoDB) {
		t.Fatalf("Exec: %v", err)
	}
	if _, err := db.Query(ctx, `SELECT 1`); !errors.Is(err, ErrNoDB) {
		t.Fatalf("Query: %v", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT 1`).Scan(&n); !errors.Is(err, ErrNoDB) {
		t.Fatalf("QueryRow: %v", err)
	}
	if db.Postgres() {
		t.Fatal("a nil DB is PostgreSQL")
	}
}
