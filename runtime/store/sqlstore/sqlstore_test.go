package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/postgres"
	"github.com/wardhq/ward/runtime/store/sqlite"
	"github.com/wardhq/ward/runtime/store/storetest"
)

// backend opens a fresh, empty database of one dialect for a test.
type backend struct {
	name string
	d    Dialect
	open func(t *testing.T) *sql.DB
}

var backends = []backend{
	{"sqlite", SQLite, func(t *testing.T) *sql.DB { return openSQLite(t, t.TempDir()) }},
	{"postgres", Postgres, func(t *testing.T) *sql.DB { return openPostgres(t, freshSchema(t)) }},
}

func openSQLite(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t testing.TB, u string) *sql.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newStore(t testing.TB, db *sql.DB, d Dialect) *Store {
	t.Helper()
	s, err := New(db, d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// baseURL is the test server: $WARD_TEST_POSTGRES_URL, else the local one.
func baseURL() string {
	if u := os.Getenv("WARD_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// freshSchema creates ward_test_<random>, dropped when the test ends, and
// returns a URL whose connections use it. It skips the test when the
// server is unreachable, except under CI=true where that is a failure.
func freshSchema(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := postgres.Open(ctx, baseURL())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable under CI: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := fmt.Sprintf("ward_test_%x", b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	p, err := url.Parse(baseURL())
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}

// storetest, the conformance suite, is the judge on both databases.
func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Stores {
				s := newStore(t, b.open(t), b.d)
				return storetest.Stores{Users: s, Tokens: s, Sessions: s, Families: s, Counters: s, MFA: s}
			})
		})
	}
}

// A token for a user that does not exist is refused (foreign keys are on).
func TestForeignKeys(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), b.d)
			err := s.CreateToken(context.Background(), &store.APIToken{Hash: []byte("h"), UserID: 12345})
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("token for unknown user: %v, want ErrNotFound", err)
			}
		})
	}
}

// A closed database answers ErrUnavailable, never a result.
func TestUnavailable(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), b.d)
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
		})
	}
}

// Prune deletes the hits of every key that left their window, and only
// those.
func TestPrune(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), b.d)
			ctx := context.Background()
			for _, k := range []string{"a", "b", "c"} {
				if _, _, err := s.Hit(ctx, k, 5, 50*time.Millisecond); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := s.Hit(ctx, "long", 5, time.Hour); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			if err := s.Prune(ctx); err != nil {
				t.Fatal(err)
			}
			var keys []string
			rows, err := s.db.Query(`SELECT key FROM ward_throttle_hits`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				rows.Scan(&k)
				keys = append(keys, k)
			}
			if len(keys) != 1 || keys[0] != "long" {
				t.Fatalf("after prune: %q, want [long]", keys)
			}
		})
	}
}

// Two handles on one SQLite file (as createuser and serve in two
// processes) see each other's writes, and migrating twice is harmless.
func TestSharedFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	a := newStore(t, openSQLite(t, dir), SQLite)
	b := newStore(t, openSQLite(t, dir), SQLite)
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

// Several PostgreSQL instances starting at once migrate the same schema
// without error, and then share users and throttle windows.
func TestConcurrentMigrate(t *testing.T) {
	u := freshSchema(t)
	const n = 6
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), u)
			if err != nil {
				errs[i] = err
				return
			}
			t.Cleanup(func() { db.Close() })
			stores[i], errs[i] = New(db, Postgres)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	ctx := context.Background()
	id, err := stores[0].CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice"}, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := stores[n-1].UserByUsername(ctx, "alice"); err != nil || u.ID != id {
		t.Fatalf("other instance: %v %+v", err, u)
	}
	allowed := 0
	for i := range 10 {
		ok, _, err := stores[i%n].Hit(ctx, "shared", 4, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != 4 {
		t.Fatalf("%d hits allowed across instances, want 4", allowed)
	}
}

// While the PostgreSQL server is unreachable every call fails with
// ErrUnavailable (a throttle denies); once it is back the same pool works
// again.
func TestOutageAndRecovery(t *testing.T) {
	u := freshSchema(t)
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	target := pu.Host
	p := storetest.StartProxy(t, "127.0.0.1:0", target)
	addr := p.Addr()
	pu.Host = addr
	q := pu.Query()
	q.Set("connect_timeout", "2")
	pu.RawQuery = q.Encode()
	s := newStore(t, openPostgres(t, pu.String()), Postgres)
	ctx := context.Background()
	id, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice"}, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}

	p.Stop()
	for i := range 3 {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		if _, err := s.UserByID(c, id); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("outage %d: UserByID err = %v, want ErrUnavailable", i, err)
		}
		if ok, _, err := s.Hit(c, "k", 100, time.Minute); ok || !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("outage %d: Hit ok=%v err=%v", i, ok, err)
		}
		cancel()
	}

	storetest.StartProxy(t, addr, target)
	deadline := time.Now().Add(10 * time.Second)
	for {
		u, err := s.UserByID(ctx, id)
		if err == nil && u.Username == "alice" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pool did not recover: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
