package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// openStore opens the database in dir with the store on it.
func openStore(t *testing.T, dir string) *sqlstore.Store {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPragmas(t *testing.T) {
	s := openStore(t, t.TempDir())
	s.DB().SetMaxOpenConns(3)
	ctx := context.Background()
	// Hold several connections at once so that each one is checked.
	var conns []interface{ Close() error }
	for i := range 3 {
		c, err := s.DB().Conn(ctx)
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
