package schema

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func sqliteDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "s.db")+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE ward_users (id INTEGER PRIMARY KEY, username TEXT)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// postgresDB connects to the local server in a schema of its own, dropped
// at the end. Without a server the test skips, unless CI=true.
func postgresDB(t *testing.T) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	for _, user := range []string{"postgres", "root"} {
		db, err = sql.Open("pgx", "postgres://"+user+"@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			err = db.PingContext(ctx)
			cancel()
			if err == nil {
				break
			}
			db.Close()
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	db.SetMaxOpenConns(1) // search_path is per connection
	schemaName := fmt.Sprintf("ward_schema_test_%d", time.Now().UnixNano())
	for _, s := range []string{`CREATE SCHEMA ` + schemaName, `SET search_path TO ` + schemaName, `CREATE TABLE ward_users (id BIGSERIAL PRIMARY KEY, username TEXT)`} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schemaName + ` CASCADE`)
		db.Close()
	})
	return db
}

func posts(extra ...Column) []Table {
	cols := []Column{
		{Name: "title", Type: "string"},
		{Name: "body", Type: "text", Default: ""},
		{Name: "owner_id", Type: "user"},
		{Name: "score", Type: "float", Nullable: true},
		{Name: "stock", Type: "int", Default: int64(3)},
		{Name: "pinned", Type: "bool", Default: false},
		{Name: "created_at", Type: "datetime"},
	}
	return []Table{{Name: "posts", Columns: append(cols, extra...)}}
}

func TestMigrate(t *testing.T) {
	for _, d := range []struct {
		name string
		open func(*testing.T) *sql.DB
	}{{SQLite, sqliteDB}, {Postgres, postgresDB}} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			ctx := context.Background()
			if err := Migrate(ctx, db, d.name, posts()); err != nil {
				t.Fatal(err)
			}
			// Idempotent.
			if err := Migrate(ctx, db, d.name, posts()); err != nil {
				t.Fatalf("second run: %v", err)
			}
			ins := `INSERT INTO posts (title, owner_id, created_at) VALUES ('a', 1, CURRENT_TIMESTAMP)`
			if _, err := db.Exec(`INSERT INTO ward_users (username) VALUES ('alice')`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ins); err != nil {
				t.Fatal(err)
			}
			var body string
			var stock int64
			var pinned bool
			if err := db.QueryRow(`SELECT body, stock, pinned FROM posts`).Scan(&body, &stock, &pinned); err != nil || body != "" || stock != 3 || pinned {
				t.Fatalf("defaults: %q %d %v %v", body, stock, pinned, err)
			}
			// Adding a nullable column and a column with a default works.
			more := posts(Column{Name: "subtitle", Type: "string", Nullable: true}, Column{Name: "views", Type: "int", Default: int64(0)})
			if err := Migrate(ctx, db, d.name, more); err != nil {
				t.Fatalf("add columns: %v", err)
			}
			var views int64
			if err := db.QueryRow(`SELECT views FROM posts`).Scan(&views); err != nil || views != 0 {
				t.Fatalf("views: %d %v", views, err)
			}
			refused := []struct {
				name   string
				tables []Table
				want   []string
			}{
				{"dropped", posts(), []string{"posts", "subtitle", "no longer declares", "DROP COLUMN"}},
				{"retyped", func() []Table {
					tb := []Table{more[0]}
					tb[0].Columns = append([]Column(nil), tb[0].Columns...)
					tb[0].Columns[0].Type = "int"
					return tb
				}(), []string{"posts.title", "int", "by hand"}},
				{"required without default", posts(Column{Name: "subtitle", Type: "string", Nullable: true}, Column{Name: "views", Type: "int", Default: int64(0)}, Column{Name: "slug", Type: "string"}), []string{"posts.slug", "required", "default"}},
			}
			for _, c := range refused {
				err := Migrate(ctx, db, d.name, c.tables)
				if err == nil {
					t.Fatalf("%s: accepted", c.name)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: %q lacks %q", c.name, err, w)
					}
				}
			}
			// Nothing was changed by the refused runs.
			if err := Migrate(ctx, db, d.name, more); err != nil {
				t.Fatalf("after refusals: %v", err)
			}
		})
	}
}

func TestCreateTable(t *testing.T) {
	tb := Table{Name: "t", Columns: []Column{{Name: "o", Type: "user"}, {Name: "s", Type: "string", Default: "it's"}, {Name: "b", Type: "bool", Default: true}}}
	cases := map[string]string{
		SQLite:   `CREATE TABLE "t" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "o" INTEGER NOT NULL REFERENCES "ward_users" ("id"), "s" TEXT NOT NULL DEFAULT 'it''s', "b" BOOLEAN NOT NULL DEFAULT 1)`,
		Postgres: `CREATE TABLE "t" ("id" BIGSERIAL PRIMARY KEY, "o" BIGINT NOT NULL REFERENCES "ward_users" ("id"), "s" TEXT NOT NULL DEFAULT 'it''s', "b" BOOLEAN NOT NULL DEFAULT true)`,
	}
	for d, want := range cases {
		if got := CreateTable(d, tb); got != want {
			t.Errorf("%s:\n got %s\nwant %s", d, got, want)
		}
	}
	// The runtime's own tables: another key or none, bytes and instants,
	// unique columns, rows that go with their user.
	keyed := Table{Name: "k", Key: []string{"h"}, Columns: []Column{{Name: "h", Type: "bytes"}, {Name: "u", Type: "user", Cascade: true}, {Name: "n", Type: "string", Unique: true}, {Name: "at", Type: "instant", Nullable: true}}}
	keyless := Table{Name: "l", Keyless: true, Columns: []Column{{Name: "at", Type: "int"}}}
	for _, c := range []struct {
		dialect string
		t       Table
		want    string
	}{
		{SQLite, keyed, `CREATE TABLE "k" ("h" BLOB NOT NULL, "u" INTEGER NOT NULL REFERENCES "ward_users" ("id") ON DELETE CASCADE, "n" TEXT NOT NULL UNIQUE, "at" INTEGER, PRIMARY KEY ("h"))`},
		{Postgres, keyed, `CREATE TABLE "k" ("h" BYTEA NOT NULL, "u" BIGINT NOT NULL REFERENCES "ward_users" ("id") ON DELETE CASCADE, "n" TEXT NOT NULL UNIQUE, "at" TIMESTAMPTZ, PRIMARY KEY ("h"))`},
		{SQLite, keyless, `CREATE TABLE "l" ("at" INTEGER NOT NULL)`},
		{Postgres, keyless, `CREATE TABLE "l" ("at" BIGINT NOT NULL)`},
	} {
		if got := CreateTable(c.dialect, c.t); got != c.want {
			t.Errorf("%s %s:\n got %s\nwant %s", c.dialect, c.t.Name, got, c.want)
		}
	}
	if err := Migrate(context.Background(), nil, "mysql", nil); err == nil {
		t.Error("unknown dialect accepted")
	}
}

// TestMigrateUnique checks unique indexes: created with a new table and
// enforced, added to an existing table without duplicates, and refused,
// changing nothing, on a table that holds duplicates (rows with a NULL in
// the columns are not duplicates).
func TestMigrateUnique(t *testing.T) {
	for _, d := range []struct {
		name string
		open func(*testing.T) *sql.DB
	}{{SQLite, sqliteDB}, {Postgres, postgresDB}} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			ctx := context.Background()
			base := []Column{{Name: "sku", Type: "string"}, {Name: "shelf", Type: "int", Nullable: true}, {Name: "slot", Type: "int", Nullable: true}}
			table := func(ix ...Index) []Table { return []Table{{Name: "stock", Columns: base, Indexes: ix}} }
			sku := Index{Name: UniqueIndexName("stock", []string{"sku"}), Columns: []string{"sku"}, Unique: true}
			place := Index{Name: UniqueIndexName("stock", []string{"shelf", "slot"}), Columns: []string{"shelf", "slot"}, Unique: true}
			if err := Migrate(ctx, db, d.name, table(sku)); err != nil {
				t.Fatal(err)
			}
			ins := func(sku string, shelf, slot any) error {
				_, err := db.Exec(`INSERT INTO stock (sku, shelf, slot) VALUES (`+map[string]string{SQLite: "?, ?, ?", Postgres: "$1, $2, $3"}[d.name]+`)`, sku, shelf, slot)
				return err
			}
			for _, r := range []struct {
				sku         string
				shelf, slot any
			}{{"a", 1, 1}, {"b", 1, 1}, {"c", nil, 2}, {"d", nil, 2}} {
				if err := ins(r.sku, r.shelf, r.slot); err != nil {
					t.Fatal(err)
				}
			}
			if err := ins("a", 9, 9); err == nil {
				t.Fatal("a duplicate sku was stored")
			}
			err := Migrate(ctx, db, d.name, table(sku, place))
			if err == nil {
				t.Fatal("a unique index over duplicates was accepted")
			}
			for _, w := range []string{"stock", "(shelf, slot)", "1 sets", "delete the duplicate rows", "GROUP BY shelf, slot"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if err := ins("e", 1, 1); err != nil {
				t.Fatalf("the refused migration changed the table: %v", err)
			}
			if _, err := db.Exec(`DELETE FROM stock WHERE sku IN ('b', 'e')`); err != nil {
				t.Fatal(err)
			}
			if err := Migrate(ctx, db, d.name, table(sku, place)); err != nil {
				t.Fatalf("without duplicates: %v", err)
			}
			if err := ins("f", 1, 1); err == nil {
				t.Fatal("the new unique index is not enforced")
			}
			if err := ins("g", nil, 2); err != nil {
				t.Fatalf("NULLs are not duplicates: %v", err)
			}
			if err := Migrate(ctx, db, d.name, table(sku, place)); err != nil {
				t.Fatalf("again: %v", err)
			}
		})
	}
}

func TestUniqueIndexName(t *testing.T) {
	if got := UniqueIndexName("reviews", []string{"product", "author_id"}); got != "reviews_product_author_id_key" {
		t.Errorf("got %q", got)
	}
	long := UniqueIndexName(strings.Repeat("t", 40), []string{strings.Repeat("c", 30)})
	other := UniqueIndexName(strings.Repeat("t", 40), []string{strings.Repeat("c", 31)})
	if len(long) > 63 || long == other {
		t.Errorf("long names: %q %q", long, other)
	}
}

// TestMigrateDecimal: a decimal column is NUMERIC(p,s) on PostgreSQL and a
// scaled INTEGER on SQLite; it can be added when nullable, and a changed
// max_digits or decimal_places is a changed type, refused (on SQLite the
// stored integers would otherwise be read at the wrong scale).
func TestMigrateDecimal(t *testing.T) {
	price := func(p, s int) Column {
		return Column{Name: "price", Type: "decimal", Nullable: true, MaxDigits: p, DecimalPlaces: s}
	}
	for _, d := range []struct {
		name string
		open func(*testing.T) *sql.DB
		def  string
	}{{SQLite, sqliteDB, `"price" SCALED_INT(10,2)`}, {Postgres, postgresDB, `"price" NUMERIC(10,2)`}} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			ctx := context.Background()
			if got := CreateTable(d.name, posts(price(10, 2))[0]); !strings.Contains(got, d.def+",") && !strings.HasSuffix(got, d.def+")") {
				t.Fatalf("CREATE TABLE %s lacks %s", got, d.def)
			}
			if err := Migrate(ctx, db, d.name, posts()); err != nil {
				t.Fatal(err)
			}
			if err := Migrate(ctx, db, d.name, posts(price(10, 2))); err != nil {
				t.Fatalf("add a nullable decimal: %v", err)
			}
			if err := Migrate(ctx, db, d.name, posts(price(10, 2))); err != nil {
				t.Fatalf("second run: %v", err)
			}
			for _, c := range []Column{price(10, 3), price(12, 2), {Name: "price", Type: "int", Nullable: true}} {
				err := Migrate(ctx, db, d.name, posts(c))
				if err == nil || !strings.Contains(err.Error(), "posts.price") || !strings.Contains(err.Error(), "by hand") {
					t.Errorf("%+v: %v", c, err)
				}
			}
		})
	}
}

// A new nullable column with a unique index, on a table that has rows (as
// ward_users gained email): the duplicate check skips the column that does
// not exist yet, and the index is made after it.
func TestMigrateAddUniqueNullableColumn(t *testing.T) {
	for _, d := range []struct {
		name string
		open func(*testing.T) *sql.DB
	}{{SQLite, sqliteDB}, {Postgres, postgresDB}} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			ctx := context.Background()
			if err := Migrate(ctx, db, d.name, posts()); err != nil {
				t.Fatal(err)
			}
			ins := `INSERT INTO posts (title, owner_id, created_at) VALUES ('a', 1, CURRENT_TIMESTAMP)`
			if _, err := db.Exec(`INSERT INTO ward_users (username) VALUES ('alice')`); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := db.Exec(ins); err != nil {
					t.Fatal(err)
				}
			}
			tables := posts(Column{Name: "code", Type: "string", Nullable: true})
			tables[0].Indexes = []Index{{Name: "posts_code", Columns: []string{"code"}, Unique: true}}
			if err := Migrate(ctx, db, d.name, tables); err != nil {
				t.Fatalf("add a unique nullable column: %v", err)
			}
			if _, err := db.Exec(`UPDATE posts SET code = 'x' WHERE id = 1`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`UPDATE posts SET code = 'x' WHERE id = 2`); err == nil {
				t.Fatal("a duplicate code was stored: no unique index")
			}
		})
	}
}
