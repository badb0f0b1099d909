package perm

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/sqlexpr"
	_ "modernc.org/sqlite"
)

// row is one sample object of the differential tests. The column "order"
// is a reserved word, so the rules that use it only work quoted.
type row struct {
	ID      int64
	OwnerID *int64
	Author  *string
	Flag    *bool
	Order   *int64
}

func i64(v int64) *int64   { return &v }
func str(v string) *string { return &v }
func boolp(v bool) *bool   { return &v }

// sampleRows: owners alice (1), bob (2), staff (3), NULL, a missing user
// and 0; authors that differ only in case or a trailing space; NULL flags.
var sampleRows = []row{
	{1, i64(1), str("alice"), boolp(true), i64(2)},
	{2, i64(2), str("bob"), boolp(false), i64(1)},
	{3, nil, nil, nil, nil},
	{4, i64(1), str("Alice"), boolp(false), i64(3)},
	{5, i64(3), str("root"), boolp(true), i64(3)},
	{6, i64(99), str(""), nil, i64(0)},
	{7, i64(0), str("alice "), boolp(true), i64(1)},
	{8, nil, str("bob"), boolp(false), nil},
}

// scopeCallers: the five callers of the brief, and a user with the zero id
// and an empty username, who must not match NULLs.
var scopeCallers = []struct {
	name string
	u    *identity.User
}{
	{"anonymous", nil},
	{"alice", &identity.User{ID: 1, Username: "alice", IsActive: true}},
	{"bob", &identity.User{ID: 2, Username: "bob", IsActive: true}},
	{"staff", &identity.User{ID: 3, Username: "root", IsActive: true, IsStaff: true}},
	{"inactive", &identity.User{ID: 1, Username: "alice", IsActive: false, IsStaff: true}},
	{"zero", &identity.User{ID: 0, Username: "", IsActive: true}},
}

// scopedRule is a rule's two sides.
type scopedRule interface {
	Allows(u *identity.User, obj *row) bool
	Scope(u *identity.User) sqlexpr.Where
}

// funcRule is a scopedRule written in the test: a guarded Or of scopes.
type funcRule struct {
	allows func(*identity.User, *row) bool
	scope  func(*identity.User) sqlexpr.Where
}

func (f funcRule) Allows(u *identity.User, r *row) bool { return f.allows(u, r) }
func (f funcRule) Scope(u *identity.User) sqlexpr.Where { return f.scope(u) }

func scopeRules() []struct {
	name string
	rule scopedRule
} {
	owner := OwnerRule[row]("owner_id", func(r *row) *int64 { return r.OwnerID })
	author := FieldRule[row]("author", AttrUsername, func(r *row) any { return r.Author })
	flag := FieldRule[row]("flag", AttrIsStaff, func(r *row) any { return r.Flag })
	order := FieldRule[row]("order", AttrID, func(r *row) any { return r.Order })
	ownerByID := FieldRule[row]("owner_id", AttrID, func(r *row) any { return r.OwnerID })
	unknown := FieldRule[row]("author", "email", func(r *row) any { return r.Author })
	staff := StaffRule[row]()
	flagOn := ValueRule[row]("flag", true, func(r *row) any { return r.Flag })
	flagOff := ValueRule[row]("flag", false, func(r *row) any { return r.Flag })
	authorBob := ValueRule[row]("author", "bob", func(r *row) any { return r.Author })
	orderThree := ValueRule[row]("order", int64(3), func(r *row) any { return r.Order })
	// (IsAuthenticated && author) || (IsAdminUser && all): an Or of
	// scopes guarded by the branches' request checks.
	guarded := funcRule{
		allows: func(u *identity.User, r *row) bool {
			return (active(u) && author.Allows(u, r)) || (StaffCheck(u) && true)
		},
		scope: func(u *identity.User) sqlexpr.Where {
			return Guard(active(u), author.Scope(u)).Or(Guard(StaffCheck(u), sqlexpr.Where{}))
		},
	}
	return []struct {
		name string
		rule scopedRule
	}{
		{"all", AllRule[row]()},
		{"owner", owner},
		{"staff", staff},
		{"author=username", author},
		{"flag=is_staff", flag},
		{"order=id", order},
		{"owner_id=id", ownerByID},
		{"unknown attr", unknown},
		{"owner|staff", owner.Or(staff)},
		{"owner&author", owner.And(author)},
		{"owner|author", owner.Or(author)},
		{"(owner|flag)&order", owner.Or(flag).And(order)},
		{"staff&owner", staff.And(owner)},
		{"guarded", guarded},
		{"flag=true", flagOn},
		{"flag=false", flagOff},
		{"author=bob", authorBob},
		{"order=3", orderThree},
		{"flag=true|staff", staff.Or(flagOn)},
		{"owner&flag=true", owner.And(flagOn)},
		{"wrong constant type", ValueRule[row]("flag", 1.5, func(r *row) any { return r.Flag })},
		{"zero rule", Rule[row]{}},
	}
}

// conn is the little of a database the differential test needs.
type conn interface {
	exec(q string, args ...any) error
	ids(q string, args ...any) ([]int64, error)
}

type sqlConn struct{ db *sql.DB }

func (c sqlConn) exec(q string, args ...any) error {
	_, err := c.db.Exec(q, args...)
	return err
}

func (c sqlConn) ids(q string, args ...any) ([]int64, error) {
	rows, err := c.db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

type pgConn struct{ c *pgx.Conn }

func (c pgConn) exec(q string, args ...any) error {
	_, err := c.c.Exec(context.Background(), q, args...)
	return err
}

func (c pgConn) ids(q string, args ...any) ([]int64, error) {
	rows, err := c.c.Query(context.Background(), q, args...)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}

// dialect runs the differential test on one database.
type dialect struct {
	db     conn
	table  string // quoted, possibly schema-qualified
	rebind func(string) string
}

func (d dialect) create(t *testing.T, boolType string) {
	t.Helper()
	stmt := fmt.Sprintf(`CREATE TABLE %s (id BIGINT PRIMARY KEY, owner_id BIGINT, author TEXT, flag %s, "order" BIGINT)`, d.table, boolType)
	if err := d.db.exec(stmt); err != nil {
		t.Fatalf("create: %v", err)
	}
	ins := d.rebind(fmt.Sprintf(`INSERT INTO %s (id, owner_id, author, flag, "order") VALUES (?, ?, ?, ?, ?)`, d.table))
	for _, r := range sampleRows {
		if err := d.db.exec(ins, r.ID, r.OwnerID, r.Author, r.Flag, r.Order); err != nil {
			t.Fatalf("insert %d: %v", r.ID, err)
		}
	}
}

func (d dialect) selectIDs(t *testing.T, w sqlexpr.Where) []int64 {
	t.Helper()
	q := "SELECT id FROM " + d.table
	if w.SQL != "" {
		q += " WHERE " + w.SQL
	}
	q = d.rebind(q + " ORDER BY id")
	ids, err := d.db.ids(q, w.Args...)
	if err != nil {
		t.Fatalf("%s %v: %v", q, w.Args, err)
	}
	return ids
}

// differential checks, for every rule × caller, that the rows the SQL scope
// selects are exactly the rows the Go check allows.
func differential(t *testing.T, d dialect) {
	rules := scopeRules()
	nonEmpty := map[string]bool{}
	for _, r := range rules {
		for _, c := range scopeCallers {
			t.Run(r.name+"/"+c.name, func(t *testing.T) {
				want := []int64{}
				for i := range sampleRows {
					if r.rule.Allows(c.u, &sampleRows[i]) {
						want = append(want, sampleRows[i].ID)
					}
				}
				got := d.selectIDs(t, r.rule.Scope(c.u))
				if !slices.Equal(got, want) {
					t.Fatalf("SQL selects %v, Go allows %v (scope %+v)", got, want, r.rule.Scope(c.u))
				}
				if len(want) > 0 {
					nonEmpty[r.name] = true
				}
			})
		}
	}
	// The sample data must exercise every rule that can allow anything.
	for _, r := range rules {
		if r.name != "unknown attr" && r.name != "zero rule" && r.name != "wrong constant type" && !nonEmpty[r.name] {
			t.Errorf("rule %s allows no row to any caller: the sample proves nothing", r.name)
		}
	}
}

func TestScopeDifferentialSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "perm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := dialect{db: sqlConn{db}, table: sqlexpr.Ident("perm_rows"), rebind: func(s string) string { return s }}
	d.create(t, "BOOLEAN")
	differential(t, d)
}

func TestScopeDifferentialPostgres(t *testing.T) {
	c := openPostgres(t)
	ctx := context.Background()
	schema := fmt.Sprintf("perm_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+sqlexpr.Ident(schema)); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := c.Exec(ctx, "DROP SCHEMA "+sqlexpr.Ident(schema)+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		c.Close(ctx)
	})
	d := dialect{db: pgConn{c}, table: sqlexpr.Ident(schema + ".perm_rows"), rebind: sqlexpr.Rebind}
	d.create(t, "BOOLEAN")
	differential(t, d)
}

// openPostgres connects to the test server as root or postgres. When the
// server is unreachable the test fails under CI=true and skips otherwise.
func openPostgres(t *testing.T) *pgx.Conn {
	t.Helper()
	var errs []string
	for _, user := range []string{"root", "postgres"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, "postgres://"+user+"@127.0.0.1:5432/test?sslmode=disable")
		cancel()
		if err == nil {
			return c
		}
		errs = append(errs, user+": "+err.Error())
	}
	msg := "PostgreSQL at 127.0.0.1:5432 unreachable: " + strings.Join(errs, "; ")
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return nil
}
