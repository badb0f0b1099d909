package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// TestMain lets the test binary act as a second process writing to a
// shared data folder (as createuser does while serve runs).
func TestMain(m *testing.M) {
	if dir := os.Getenv("WARD_SQLITE_CHILD_DIR"); dir != "" {
		os.Exit(child(dir, os.Getenv("WARD_SQLITE_CHILD_NAME")))
	}
	os.Exit(m.Run())
}

func child(dir, name string) int {
	db, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	s, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	for i := range 20 {
		if _, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: fmt.Sprintf("%s%d", name, i)}, PasswordHash: "h"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, _, err := s.Hit(ctx, "shared", 1000, time.Minute); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// Two child processes and this one write the same file at once: no write
// is lost and none fails with "database is locked".
func TestTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "WARD_SQLITE_CHILD_DIR="+dir, "WARD_SQLITE_CHILD_NAME="+name)
			out, err := cmd.CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("child %s: %v: %s", name, err, out)
			}
		}()
	}
	for i := range 20 {
		if _, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: fmt.Sprintf("p%d", i)}, PasswordHash: "h"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Hit(ctx, "shared", 1000, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, total, err := s.ListUsers(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 60 {
		t.Fatalf("%d users, want 60", total)
	}
	var hits int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM ward_throttle_hits WHERE key = 'shared'`).Scan(&hits); err != nil {
		t.Fatal(err)
	}
	if hits != 60 {
		t.Fatalf("%d hits, want 60", hits)
	}
}

// Transactions from Open's DSN are BEGIN IMMEDIATE: an open one holds the
// write lock from its start, so another writer that will not wait
// (busy_timeout 0) is refused at BEGIN, not later at its first write.
func TestImmediateTransactions(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	tx, err := s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	path := filepath.Join(dir, FileName)
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx2, err := other.Begin()
	if err == nil {
		tx2.Rollback()
		t.Fatal("a second immediate transaction began while the first is open: the first is not BEGIN IMMEDIATE")
	}
	if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
		t.Fatalf("unexpected error: %v", err)
	}
	tx.Rollback()
	tx2, err = other.Begin()
	if err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
	tx2.Rollback()
}
