package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/storetest"
)

// baseURL is the test server: $WARD_TEST_POSTGRES_URL, else the local one.
func baseURL() string {
	if u := os.Getenv("WARD_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// admin connects to the test server, skipping the test when it is
// unreachable, except under CI=true where that is a failure.
func admin(t testing.TB) *sql.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := Open(ctx, baseURL())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable under CI: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// withSchema returns u with search_path set to schema.
func withSchema(t testing.TB, u, schema string) string {
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}

// freshSchema creates ward_test_<random>, dropped when the test ends, and
// returns a URL whose connections use it.
func freshSchema(t testing.TB) string {
	t.Helper()
	db := admin(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := fmt.Sprintf("ward_test_%x", b)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSchema(t, baseURL(), schema)
}

func openStore(t testing.TB, u string) *Store {
	t.Helper()
	db, err := Open(context.Background(), u)
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
		s := openStore(t, freshSchema(t))
		return storetest.Stores{Users: s, Tokens: s, Sessions: s, Families: s, Counters: s}
	})
}

// Several instances starting at once migrate the same schema without
// error, and then share users and throttle windows.
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
			db, err := Open(context.Background(), u)
			if err != nil {
				errs[i] = err
				return
			}
			t.Cleanup(func() { db.Close() })
			stores[i], errs[i] = New(db)
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

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"postgres://u:s3cret@host:notaport/db", "bad database URL"},
		{"mysql://u:s3cret@[::1", "bad database URL"},
		{"postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=1", "cannot reach"},
	} {
		_, err := Open(context.Background(), tc.url)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", tc.url)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") {
			t.Fatalf("Open(%q) = %q: want one line with %q and no password", tc.url, msg, tc.want)
		}
	}
}

// proxy forwards TCP to target until stopped; stopping cuts live links.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, addr, target string) *proxy {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// While the server is unreachable every call fails with ErrUnavailable
// (a throttle denies); once it is back the same pool works again.
func TestOutageAndRecovery(t *testing.T) {
	u := freshSchema(t)
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	target := pu.Host
	p := startProxy(t, "127.0.0.1:0", target)
	addr := p.ln.Addr().String()
	pu.Host = addr
	q := pu.Query()
	q.Set("connect_timeout", "2")
	pu.RawQuery = q.Encode()
	s := openStore(t, pu.String())
	ctx := context.Background()
	id, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice"}, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}

	p.stop()
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

	startProxy(t, addr, target)
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

func TestPrune(t *testing.T) {
	s := openStore(t, freshSchema(t))
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
}
