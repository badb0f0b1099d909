package rest

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// shelf is a referenced resource: staff see every shelf, everyone else the
// active ones and their own (IsAdminUser | IsActive | IsOwner).
type shelf struct {
	ID     int64
	Active bool
	Owner  int64
}

var (
	shelfActive = perm.ValueRule[shelf]("active", true, func(o *shelf) any { return o.Active })
	shelfOwner  = perm.OwnerRule[shelf]("owner_id", func(o *shelf) *int64 { return &o.Owner })
	// shelfRead is the Go read check of shelves.
	shelfRead = perm.Or[shelf](perm.IsAdminUser[shelf]{}, perm.Or[shelf](shelfActive, perm.And[shelf](perm.IsAuthenticated[shelf]{}, shelfOwner)))
)

// shelfScope is shelves' read scope, as generated code writes it.
func shelfScope(req *perm.Request) (sqlexpr.Where, error) {
	admin, err := Guard(perm.IsAdminUser[shelf]{}, req)
	if err != nil {
		return sqlexpr.Nothing, err
	}
	authed, err := Guard(perm.IsAuthenticated[shelf]{}, req)
	if err != nil {
		return sqlexpr.Nothing, err
	}
	return perm.Guard(admin, sqlexpr.Where{}).
		Or(shelfActive.Scope(req.User)).
		Or(perm.Guard(authed, shelfOwner.Scope(req.User))), nil
}

// book refers to a shelf (protect) and maybe to a spare one (set_null).
type book struct {
	ID    int64
	Shelf int64
	Spare *int64
}

func refSchema(dialect Dialect, db *sql.DB) error {
	return schema.Migrate(context.Background(), db, string(dialect), []schema.Table{
		{Name: "shelves", Columns: []schema.Column{{Name: "active", Type: "bool"}, {Name: "owner_id", Type: "int"}}},
		{Name: "books", Columns: []schema.Column{
			{Name: "shelf_id", Type: "ref", References: "shelves"},
			{Name: "spare_id", Type: "ref", References: "shelves", Nullable: true, OnDelete: schema.OnDeleteSetNull},
		}},
	})
}

func bookTable(dialect Dialect, db *sql.DB) *Table[book] {
	args := func(o *book) []any { return []any{o.Shelf, o.Spare} }
	return &Table[book]{
		DB: db, Dialect: dialect, Name: `"books"`,
		Select:     `SELECT "id", "shelf_id", "spare_id" FROM "books"`,
		InsertSQL:  `INSERT INTO "books" ("shelf_id", "spare_id") VALUES (?, ?) RETURNING "id", "shelf_id", "spare_id"`,
		UpdateSQL:  `UPDATE "books" SET "shelf_id" = ?, "spare_id" = ? WHERE "id" = ? RETURNING "id", "shelf_id", "spare_id"`,
		InsertArgs: args,
		UpdateArgs: func(o *book) []any { return append(args(o), o.ID) },
		ID:         func(o *book) int64 { return o.ID },
		Scan: func(r Scanner) (*book, error) {
			var o book
			return &o, r.Scan(&o.ID, &o.Shelf, &o.Spare)
		},
		Refs: []Ref[book]{
			{Field: "shelf", Constraint: "books_shelf_id_fkey", Resource: "shelves", Table: `"shelves"`, Scope: shelfScope,
				ID: func(o *book) *int64 { return &o.Shelf }},
			{Field: "spare", Constraint: "books_spare_id_fkey", Resource: "shelves", Table: `"shelves"`, Scope: shelfScope,
				ID: func(o *book) *int64 { return o.Spare }},
		},
	}
}

func shelfTable(dialect Dialect, db *sql.DB) *Table[shelf] {
	return &Table[shelf]{
		DB: db, Dialect: dialect, Name: `"shelves"`,
		Select:     `SELECT "id", "active", "owner_id" FROM "shelves"`,
		InsertSQL:  `INSERT INTO "shelves" ("active", "owner_id") VALUES (?, ?) RETURNING "id", "active", "owner_id"`,
		InsertArgs: func(o *shelf) []any { return []any{o.Active, o.Owner} },
		ID:         func(o *shelf) int64 { return o.ID },
		Scan: func(r Scanner) (*shelf, error) {
			var o shelf
			return &o, r.Scan(&o.ID, &o.Active, &o.Owner)
		},
	}
}

// refTables runs f with books and shelves on SQLite (foreign keys on, as
// store/sqlite opens it) and on PostgreSQL.
func refTables(t *testing.T, f func(t *testing.T, books *Table[book], shelves *Table[shelf])) {
	open := map[string]func(t *testing.T) (Dialect, *sql.DB){
		"sqlite": func(t *testing.T) (Dialect, *sql.DB) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return SQLite, db
		},
		"postgres": func(t *testing.T) (Dialect, *sql.DB) { return Postgres, postgresNotes(t).DB },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			d, db := open[name](t)
			if err := refSchema(d, db); err != nil {
				t.Fatal(err)
			}
			f(t, bookTable(d, db), shelfTable(d, db))
		})
	}
}

func asCaller(u *identity.User) context.Context {
	return WithRequest(context.Background(), &perm.Request{User: u, Action: perm.ActionCreate, Resource: "books"})
}

// TestRefVisibilityDifferential: a write may name exactly the shelves the
// shelves' Go read check allows the caller, on SQLite and PostgreSQL; any
// other id, existing or not, is the same 400.
func TestRefVisibilityDifferential(t *testing.T) {
	refTables(t, func(t *testing.T, books *Table[book], shelves *Table[shelf]) {
		ctx := context.Background()
		var all []*shelf
		for _, s := range []shelf{{Active: true, Owner: 1}, {Active: false, Owner: 1}, {Active: false, Owner: 2}, {Active: true, Owner: 2}} {
			out, err := shelves.Create(ctx, &s)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, out)
		}
		users := []*identity.User{nil, {ID: 1, IsActive: true}, {ID: 2, IsActive: true}, {ID: 3, IsActive: true, IsStaff: true}}
		for _, u := range users {
			for _, s := range append(all, &shelf{ID: 999}) {
				req := &perm.Request{User: u, Action: perm.ActionRetrieve, Resource: "shelves"}
				want := s.ID != 999 && perm.CheckObject(shelfRead, req, s).Allowed()
				_, err := books.Create(asCaller(u), &book{Shelf: s.ID})
				got := err == nil
				if !got {
					if e := invalid(err); !reflect.DeepEqual(e["shelf"], []string{InvalidPK(s.ID)}) {
						t.Fatalf("user %v shelf %d: %v", u, s.ID, err)
					}
				}
				if got != want {
					t.Errorf("user %v shelf %+v: accepted %v, the Go check allows %v", u, s, got, want)
				}
			}
		}
	})
}

// TestRefWrites: updates check a changed reference only; a nullable one
// may be null; without the caller in the context a write fails closed;
// the foreign key alone refuses a missing row with the same 400.
func TestRefWrites(t *testing.T) {
	refTables(t, func(t *testing.T, books *Table[book], shelves *Table[shelf]) {
		ctx := context.Background()
		staff := asCaller(&identity.User{ID: 9, IsActive: true, IsStaff: true})
		anon := asCaller(nil)
		hidden, _ := shelves.Create(ctx, &shelf{Active: false, Owner: 5})
		open, _ := shelves.Create(ctx, &shelf{Active: true, Owner: 5})
		b, err := books.Create(staff, &book{Shelf: hidden.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Unchanged, the hidden shelf does not stop another change.
		b.Spare = &open.ID
		if b, err = books.Update(anon, b, nil); err != nil {
			t.Fatalf("an update keeping the reference: %v", err)
		}
		b.Spare = &hidden.ID
		if _, err := books.Update(anon, b, nil); !reflect.DeepEqual(invalid(err)["spare"], []string{InvalidPK(hidden.ID)}) {
			t.Fatalf("a changed reference to a hidden shelf: %v", err)
		}
		// A hidden reference and a duplicate unique field are reported
		// together, as DRF's field validation does.
		books.Uniques = []Unique[book]{{Field: "spare", Message: "book with this spare already exists.",
			Exists: `SELECT COUNT(*) FROM "books" WHERE "spare_id" = ? AND "id" <> ?`,
			Args:   func(o *book) []any { return []any{o.Spare, o.ID} }}}
		want := map[string][]string{"shelf": {InvalidPK(hidden.ID)}, "spare": {"book with this spare already exists."}}
		if _, err := books.Create(anon, &book{Shelf: hidden.ID, Spare: &open.ID}); !reflect.DeepEqual(map[string][]string(invalid(err)), want) {
			t.Fatalf("a hidden reference and a duplicate: %v", invalid(err))
		}
		books.Uniques = nil
		if _, err := books.Create(ctx, &book{Shelf: open.ID}); !errors.Is(err, errNoRequest) {
			t.Fatalf("a write without the caller: %v", err)
		}
		// The backstop: no check (a race that slipped past it), the key refuses.
		books.Refs[0].Scope = func(*perm.Request) (sqlexpr.Where, error) { return sqlexpr.Where{}, nil }
		if _, err := books.DB.Exec(`CREATE TABLE "ghosts" ("id" BIGINT)`); err != nil {
			t.Fatal(err)
		}
		if _, err := books.DB.Exec(`INSERT INTO "ghosts" VALUES (4242)`); err != nil {
			t.Fatal(err)
		}
		books.Refs[0].Table = `"ghosts"`
		if _, err := books.Create(staff, &book{Shelf: 4242}); !reflect.DeepEqual(invalid(err)["shelf"], []string{InvalidPK(4242)}) {
			t.Fatalf("a foreign key violation: %v", err)
		}
	})
}

// TestRefDelete: deleting a shelf a book names under protect is
// ErrProtected and deletes nothing; under set_null the book's spare is
// cleared.
func TestRefDelete(t *testing.T) {
	refTables(t, func(t *testing.T, books *Table[book], shelves *Table[shelf]) {
		ctx := context.Background()
		staff := asCaller(&identity.User{ID: 9, IsActive: true, IsStaff: true})
		a, _ := shelves.Create(ctx, &shelf{Active: true})
		s, _ := shelves.Create(ctx, &shelf{Active: true})
		b, err := books.Create(staff, &book{Shelf: a.ID, Spare: &s.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := shelves.Delete(ctx, a.ID); !errors.Is(err, ErrProtected) {
			t.Fatalf("delete of a referenced shelf: %v", err)
		}
		if _, err := shelves.Get(ctx, sqlexpr.Where{}, a.ID); err != nil {
			t.Fatalf("the refused delete deleted: %v", err)
		}
		if err := shelves.Delete(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := books.Get(ctx, sqlexpr.Where{}, b.ID); got == nil || got.Spare != nil {
			t.Fatalf("spare after its shelf went: %+v", got)
		}
	})
}

// BenchmarkCreateRef is the cost of the reference-visibility check per
// write: a create without a ref field (notes), with a ref field whose
// check is left out (the foreign key alone) and with the check, in one
// run, on SQLite and PostgreSQL.
func BenchmarkCreateRef(b *testing.B) {
	for _, dialect := range []Dialect{SQLite, Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			notes := noteTable(b)
			if dialect == Postgres {
				notes = postgresNotes(b)
			}
			benchmarkCreateRef(b, notes)
		})
	}
}

func benchmarkCreateRef(b *testing.B, notes *Table[note]) {
	db, dialect := notes.DB, notes.Dialect
	if dialect == SQLite {
		if _, err := db.Exec(`PRAGMA foreign_keys = ON`); err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1) // the pragma holds on its connection
	}
	if err := refSchema(dialect, db); err != nil {
		b.Fatal(err)
	}
	shelves := shelfTable(dialect, db)
	ctx := asCaller(&identity.User{ID: 1, IsActive: true})
	s, err := shelves.Create(ctx, &shelf{Active: true, Owner: 2})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("no-ref", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := notes.Create(ctx, &note{Text: "x"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name  string
		check bool
	}{{"ref-fk-only", false}, {"ref-checked", true}} {
		books := bookTable(dialect, db)
		if !c.check {
			books.Refs = nil
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := books.Create(ctx, &book{Shelf: s.ID}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzRefInput: a reference is accepted only from a JSON integer, as the
// id it spells; anything else gets one of DRF's messages.
func FuzzRefInput(f *testing.F) {
	for _, s := range []string{`1`, `-3`, `"5"`, `true`, `1.5`, `1e2`, `{}`, `[1]`, `null`, `99999999999999999999`, `-0`, ` 7 `} {
		f.Add([]byte(`{"r":` + s + `}`))
	}
	pk := regexp.MustCompile(`^-?[0-9]+$`)
	msg := regexp.MustCompile(`^(Incorrect type\. Expected pk value, received (str|bool|float|dict|list)\.|This field may not be null\.|Invalid pk "-?[0-9]+" - object does not exist\.|This field is required\.)$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		in, _ := ParseInput(body, Create)
		if in == nil {
			return
		}
		id := int64(-1 << 62)
		in.Ref("r", Rules{Required: true}, &id)
		if errs := in.Errs["r"]; errs != nil {
			if len(errs) != 1 || !msg.MatchString(errs[0]) {
				t.Fatalf("%q: %q", body, errs)
			}
			return
		}
		raw := strings.TrimSpace(string(in.raw["r"]))
		if n, err := strconv.ParseInt(raw, 10, 64); !pk.MatchString(raw) || err != nil || n != id {
			t.Fatalf("%q accepted as %d", body, id)
		}
	})
}

// TestRefInputMessages: DRF's PrimaryKeyRelatedField messages, by JSON type.
func TestRefInputMessages(t *testing.T) {
	for raw, want := range map[string]string{
		`"5"`: "Incorrect type. Expected pk value, received str.", `true`: "Incorrect type. Expected pk value, received bool.",
		`1.0`: "Incorrect type. Expected pk value, received float.", `1e2`: "Incorrect type. Expected pk value, received float.",
		`{}`: "Incorrect type. Expected pk value, received dict.", `[]`: "Incorrect type. Expected pk value, received list.",
		`null`: "This field may not be null.", `99999999999999999999`: `Invalid pk "99999999999999999999" - object does not exist.`,
		`-99999999999999999999`: `Invalid pk "-99999999999999999999" - object does not exist.`,
	} {
		in, _ := ParseInput([]byte(`{"r": `+raw+`}`), Create)
		var id int64
		in.Ref("r", Rules{Required: true}, &id)
		if got := in.Errs["r"]; !reflect.DeepEqual(got, []string{want}) {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
}

// TestRefScopeReadsThroughTheWrite: a func read scope of the target that
// reads the database (req.DB) gets the write's transaction while the
// reference is checked, so it sees the write's own rows and never waits
// for a second connection; without a handle it would fail closed.
func TestRefScopeReadsThroughTheWrite(t *testing.T) {
	refTables(t, func(t *testing.T, books *Table[book], shelves *Table[shelf]) {
		ctx := context.Background()
		open, err := shelves.Create(ctx, &shelf{Active: true, Owner: 5})
		if err != nil {
			t.Fatal(err)
		}
		books.Refs[0].Scope = func(req *perm.Request) (sqlexpr.Where, error) {
			// "A shelf is visible while some shelf is active", read through
			// the handle the check hands over.
			var n int
			if err := req.DB.QueryRow(req.Context(), `SELECT COUNT(*) FROM "shelves" WHERE "active" = ?`, true).Scan(&n); err != nil {
				return sqlexpr.Where{}, err
			}
			if n == 0 {
				return sqlexpr.Nothing, nil
			}
			return sqlexpr.Where{}, nil
		}
		staff := asCaller(&identity.User{ID: 9, IsActive: true, IsStaff: true})
		if _, err := books.Create(staff, &book{Shelf: open.ID}); err != nil {
			t.Fatalf("a scope reading the database during the check: %v", err)
		}
	})
}
