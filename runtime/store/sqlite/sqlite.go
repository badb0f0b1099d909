// Package sqlite opens the embedded default database: one SQLite file in
// the data folder, through the pure-Go driver modernc.org/sqlite (driver
// name "sqlite"). runtime/store/sqlstore keeps users, API tokens,
// sessions, refresh-token families and throttle counters in it
// (sqlstore.New(db, sqlstore.SQLite)), and resource tables live beside
// them.
//
// Open sets WAL, busy_timeout and foreign_keys on every connection and makes
// every transaction BEGIN IMMEDIATE, so that several processes (createuser
// while serve runs) can share the file.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// FileName is the database file Open creates inside its folder.
const FileName = "ward.db"

// BusyTimeout is how long a connection waits for another writer's lock.
const BusyTimeout = 5 * time.Second

// DSN returns the modernc.org/sqlite data source name for the database file
// at path: WAL journal, busy_timeout, foreign keys, immediate transactions.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating it when needed) the database <dir>/ward.db, creating
// dir with mode 0700 when it does not exist. The database file is created
// 0600 whatever the umask (its -wal and -shm files follow it), and a
// database file that group or others can read is refused with the chmod
// to run. It checks the folder and the file are usable before returning,
// with a one-line error naming the folder.
func Open(dir string) (*sql.DB, error) {
	if dir == "" {
		return nil, errors.New("sqlite: empty data folder")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data folder %s: %w", dir, unwrapPath(err))
	}
	// Probe writability: SQLite needs to create -wal and -shm files next to
	// the database.
	probe, err := os.CreateTemp(dir, ".ward-probe-*")
	if err != nil {
		return nil, fmt.Errorf("sqlite: data folder %s is not writable: %w", dir, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())

	path := filepath.Join(dir, FileName)
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	// SQLite runs a query on the calling goroutine: more connections than
	// twice the CPUs only add writers queueing for the one write lock.
	// Keep them all: database/sql keeps two idle by default, and a
	// connection closed after a burst is opened again (pragmas, and every
	// prepared statement prepared again) by the next request.
	conns := 2 * runtime.GOMAXPROCS(0)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	ctx, cancel := context.WithTimeout(context.Background(), 2*BusyTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: cannot open %s: %v", path, err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: cannot read %s: %v", path, err)
	}
	return db, nil
}

// createPrivate makes sure the database file exists with no access for
// group or others before SQLite opens it; SQLite then creates the -wal and
// -shm files with the database file's permissions. A new (empty) file is
// created 0600 whatever the umask. An existing database, -wal or -shm file
// that group or others can access is refused with the chmod to run, as
// jwt.key is: they hold password hashes and private data.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		err = f.Chmod(0o600)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sqlite: create %s: %w", path, unwrapPath(err))
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("sqlite: create %s: %w", path, unwrapPath(err))
	}
	var open []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %s: %w", p, unwrapPath(err))
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("sqlite: %s is not a regular file", p)
		}
		if st.Mode().Perm()&0o077 != 0 {
			open = append(open, p)
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("sqlite: %s can be read by group or others: run chmod 600 %s", strings.Join(open, ", "), strings.Join(open, " "))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
