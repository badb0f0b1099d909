package schema

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// sqliteFKDB is sqliteDB with foreign keys enforced, as store/sqlite opens
// every connection.
func sqliteFKDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "s.db")+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func refTables(extra ...Column) []Table {
	return []Table{
		{Name: "categories", Columns: []Column{{Name: "name", Type: "string"}}},
		{Name: "products", Columns: append([]Column{
			{Name: "category_id", Type: "ref", References: "categories"},
			{Name: "spare_id", Type: "ref", References: "categories", Nullable: true, OnDelete: OnDeleteSetNull},
		}, extra...)},
		{Name: "tags", Columns: []Column{{Name: "product_id", Type: "ref", References: "products", OnDelete: OnDeleteCascade}}},
	}
}

// TestMigrateRef: ref columns are foreign keys with their ON DELETE on
// both dialects, and a nullable one is added to an existing table.
func TestMigrateRef(t *testing.T) {
	for _, d := range []struct {
		name string
		open func(*testing.T) *sql.DB
	}{{SQLite, sqliteFKDB}, {Postgres, postgresDB}} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			ctx := context.Background()
			exec := func(q string, args ...any) error {
				if d.name == Postgres {
					for i := 1; strings.Contains(q, "?"); i++ {
						q = strings.Replace(q, "?", "$"+string(rune('0'+i)), 1)
					}
				}
				_, err := db.ExecContext(ctx, q, args...)
				return err
			}
			must := func(q string, args ...any) {
				t.Helper()
				if err := exec(q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			count := func(table string) (n int) {
				t.Helper()
				if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+table+`"`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if err := Migrate(ctx, db, d.name, refTables()); err != nil {
				t.Fatal(err)
			}
			must(`INSERT INTO "categories" ("id", "name") VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
			if err := exec(`INSERT INTO "products" ("id", "category_id") VALUES (10, 99)`); err == nil {
				t.Fatal("a product in a missing category was stored")
			}
			must(`INSERT INTO "products" ("id", "category_id", "spare_id") VALUES (10, 1, 2), (11, 3, NULL)`)
			must(`INSERT INTO "tags" ("id", "product_id") VALUES (20, 10), (21, 10)`)
			// protect: the delete fails and nothing is deleted.
			if err := exec(`DELETE FROM "categories" WHERE "id" = 1`); err == nil {
				t.Fatal("deleting a referenced category succeeded")
			}
			if count("categories") != 3 {
				t.Fatal("a refused delete deleted")
			}
			// set_null
			must(`DELETE FROM "categories" WHERE "id" = 2`)
			var spare sql.NullInt64
			if err := db.QueryRowContext(ctx, `SELECT "spare_id" FROM "products" WHERE "id" = 10`).Scan(&spare); err != nil || spare.Valid {
				t.Fatalf("spare_id after its category went: %v %v", spare, err)
			}
			// cascade
			must(`DELETE FROM "products" WHERE "id" = 10`)
			if n := count("tags"); n != 0 {
				t.Fatalf("%d tags outlived their product", n)
			}
			// A nullable ref column is added to the existing table, as a
			// foreign key.
			if err := Migrate(ctx, db, d.name, refTables(Column{Name: "alt_id", Type: "ref", References: "categories", Nullable: true})); err != nil {
				t.Fatalf("add a nullable ref: %v", err)
			}
			if err := exec(`UPDATE "products" SET "alt_id" = 98 WHERE "id" = 11`); err == nil {
				t.Fatal("the added ref column is no foreign key")
			}
			must(`UPDATE "products" SET "alt_id" = 3 WHERE "id" = 11`)
			// A required ref without a default cannot be added to rows.
			err := Migrate(ctx, db, d.name, refTables(Column{Name: "alt_id", Type: "ref", References: "categories", Nullable: true}, Column{Name: "must_id", Type: "ref", References: "categories"}))
			if err == nil || !strings.Contains(err.Error(), "products.must_id") {
				t.Fatalf("a required ref column was added: %v", err)
			}
			// A changed target or on_delete, or an integer turned into a
			// reference, is refused: the constraint changes by hand.
			changed := func(c Column) []Table {
				ts := refTables(Column{Name: "alt_id", Type: "ref", References: "categories", Nullable: true})
				ts = append(ts, Table{Name: "plain", Columns: []Column{{Name: "n_id", Type: "int", Nullable: true}}})
				for i, col := range ts[1].Columns {
					if col.Name == c.Name {
						ts[1].Columns[i] = c
					}
				}
				return ts
			}
			if err := Migrate(ctx, db, d.name, changed(Column{Name: "spare_id", Type: "ref", References: "categories", Nullable: true, OnDelete: OnDeleteSetNull})); err != nil {
				t.Fatalf("the same keys, and a new table: %v", err)
			}
			for _, c := range []struct {
				col  Column
				want string
			}{
				{Column{Name: "spare_id", Type: "ref", References: "categories", Nullable: true, OnDelete: OnDeleteCascade}, "products.spare_id references categories ON DELETE SET NULL in the database, but categories ON DELETE CASCADE"},
				{Column{Name: "spare_id", Type: "ref", References: "tags", Nullable: true, OnDelete: OnDeleteSetNull}, "but tags ON DELETE SET NULL in the spec"},
				{Column{Name: "category_id", Type: "ref", References: "categories", OnDelete: OnDeleteProtect}, ""},
			} {
				err := Migrate(ctx, db, d.name, changed(c.col))
				if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
					t.Errorf("%+v: %v", c.col, err)
				}
			}
			plain := changed(Column{})
			plain[3].Columns[0] = Column{Name: "n_id", Type: "ref", References: "categories", Nullable: true}
			if err := Migrate(ctx, db, d.name, plain); err == nil || !strings.Contains(err.Error(), "plain.n_id has no foreign key") {
				t.Fatalf("an int turned into a reference: %v", err)
			}
		})
	}
}

func TestRefColumnDef(t *testing.T) {
	for _, c := range []struct {
		on, want string
	}{{"", "ON DELETE RESTRICT"}, {OnDeleteProtect, "ON DELETE RESTRICT"}, {OnDeleteCascade, "ON DELETE CASCADE"}, {OnDeleteSetNull, "ON DELETE SET NULL"}} {
		got := columnDef(Postgres, "dogs", Column{Name: "c_id", Type: "ref", References: "cats", OnDelete: c.on})
		if want := `"c_id" BIGINT NOT NULL CONSTRAINT "dogs_c_id_fkey" REFERENCES "cats" ("id") ` + c.want; got != want {
			t.Errorf("on_delete %q: %s, want %s", c.on, got, want)
		}
	}
	long := ForeignKeyName(strings.Repeat("t", 40), strings.Repeat("c", 40))
	if len(long) > 63 || !strings.HasSuffix(long, "_fkey") || long == ForeignKeyName(strings.Repeat("t", 40), strings.Repeat("c", 41)) {
		t.Errorf("long foreign key name %q", long)
	}
}
