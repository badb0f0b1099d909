package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/storetest"
)

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := openStore(t, t.TempDir())
		return storetest.Stores{Users: s, Tokens: s, Sessions: s, Families: s, Counters: s}
	})
}

// Two handles on one file (as createuser and serve in two processes) see
// each other's writes, and migrating twice is harmless.
func TestSharedFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	a := openStore(t, dir)
	b := openStore(t, dir)
	ctx := context.Background()
	id, err := a.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice"}, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := b.UserByUsername(ctx, "alice")
	if err != nil || u.ID != id {
		t.Fatalf("other handle: %v %+v", err, u)
	}
	if _, err := b.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice"}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate through other handle: %v", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v, want 0700", st.Mode().Perm())
	}
}

func TestPragmas(t *testing.T) {
	s := openStore(t, t.TempDir())
	s.db.SetMaxOpenConns(3)
	ctx := context.Background()
	// Hold several connections at once so that each one is checked.
	var conns []interface{ Close() error }
	for i := range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for _, p := range []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"busy_timeout", "5000"},
			{"foreign_keys", "1"},
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != p.want {
				t.Fatalf("conn %d: %s = %s, want %s", i, p.pragma, got, p.want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// A token for a user that does not exist is refused (foreign keys are on).
func TestForeignKeys(t *testing.T) {
	s := openStore(t, t.TempDir())
	err := s.CreateToken(context.Background(), &store.APIToken{Hash: []byte("h"), UserID: 12345})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token for unknown user: %v, want ErrNotFound", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if os.Getuid() == 0 {
		t.Log("running as root: permission checks are bypassed, only the file-as-folder case is checked")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []string{filepath.Join(file, "sub"), ""}
	if os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, ro)
	}
	for _, d := range cases {
		_, err := Open(d)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", d)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "sqlite: ") {
			t.Fatalf("Open(%q) error %q: want one line starting sqlite:", d, msg)
		}
	}
}

// A closed database answers ErrUnavailable, never a result.
func TestUnavailable(t *testing.T) {
	s := openStore(t, t.TempDir())
	s.db.Close()
	ctx := context.Background()
	if _, err := s.UserByID(ctx, 1); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("UserByID on closed db: %v", err)
	}
	if ok, _, err := s.Hit(ctx, "k", 10, 1e9); ok || !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Hit on closed db: ok=%v err=%v", ok, err)
	}
	if err := s.RotateFamily(ctx, "f", []byte("a"), []byte("b"), time.Now()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("RotateFamily on closed db: %v", err)
	}
}

// A database made before refresh families recorded their last rotation
// gains the columns at New, and its families keep working.
func TestMigratesFamiliesOfOlderDatabase(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
			is_active BOOLEAN NOT NULL DEFAULT 1, is_staff BOOLEAN NOT NULL DEFAULT 0, password_version INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`,
		`CREATE TABLE refresh_families (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			current BLOB NOT NULL, expires_at INTEGER NOT NULL, password_version INTEGER NOT NULL)`,
		`INSERT INTO users (username, password_hash, created_at) VALUES ('alice', 'h', 1)`,
		`INSERT INTO refresh_families (id, user_id, current, expires_at, password_version) VALUES ('f', 1, x'01', 0, 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.FamilyByID(ctx, "f")
	if err != nil || f.Previous != nil || !f.RotatedAt.IsZero() {
		t.Fatalf("family of the older database: %+v, %v", f, err)
	}
	at := time.Now()
	if err := s.RotateFamily(ctx, "f", []byte{1}, []byte{2}, at); err != nil {
		t.Fatal(err)
	}
	if f, err = s.FamilyByID(ctx, "f"); err != nil || string(f.Previous) != "\x01" || !f.RotatedAt.Equal(time.Unix(0, at.UnixNano())) {
		t.Fatalf("after a rotation: %+v, %v", f, err)
	}
	if _, err := New(db); err != nil {
		t.Fatalf("migrating twice: %v", err)
	}
}
