package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// withUmask runs f under umask m (process-wide: the tests of this package
// that call it do not run in parallel).
func withUmask(m int, f func()) {
	old := syscall.Umask(m)
	defer syscall.Umask(old)
	f()
}

// The database and its -wal and -shm files hold password hashes: they are
// created 0600 whatever the umask, also in an existing folder of mode 0755.
func TestDataFilesPrivate(t *testing.T) {
	for _, umask := range []int{0o022, 0o002, 0o000} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			withUmask(umask, func() {
				s := openStore(t, dir)
				// A write makes sure the -wal and -shm files exist.
				if _, err := s.CreateUser(context.Background(), &store.UserRecord{User: identity.User{Username: "alice"}, PasswordHash: "h"}); err != nil {
					t.Fatal(err)
				}
				for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
					st, err := os.Stat(filepath.Join(dir, name))
					if err != nil {
						t.Fatal(err)
					}
					if st.Mode().Perm() != 0o600 {
						t.Errorf("%s is %v, want -rw-------", name, st.Mode().Perm())
					}
				}
			})
		})
	}
}

// A database file that group or others can read is refused with one line
// naming the chmod to run, as jwt.key is.
func TestDataFileReadableByOthersRefused(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]os.FileMode // mode of each file after a first open
		want  []string               // the files the chmod names
	}{
		{"database 0644", map[string]os.FileMode{FileName: 0o644}, []string{FileName}},
		{"database 0640", map[string]os.FileMode{FileName: 0o640}, []string{FileName}},
		{"database 0604", map[string]os.FileMode{FileName: 0o604}, []string{FileName}},
		{"wal 0644", map[string]os.FileMode{FileName + "-wal": 0o644}, []string{FileName + "-wal"}},
		{"all 0644", map[string]os.FileMode{FileName: 0o644, FileName + "-wal": 0o644, FileName + "-shm": 0o644}, []string{FileName, FileName + "-wal", FileName + "-shm"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			// Make the files as an earlier version did: a first open,
			// kept open so that -wal and -shm stay.
			db, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := sqlstore.New(db, sqlstore.SQLite); err != nil {
				t.Fatal(err)
			}
			for name, mode := range c.files {
				if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
					t.Fatal(err)
				}
			}
			db2, err := Open(dir)
			if err == nil {
				db2.Close()
				t.Fatal("opened a database others can read")
			}
			msg := err.Error()
			var paths []string
			for _, name := range c.want {
				paths = append(paths, filepath.Join(dir, name))
			}
			if want := "chmod 600 " + strings.Join(paths, " "); !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line with %q", msg, want)
			}
		})
	}
}
