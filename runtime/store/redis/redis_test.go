package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/storetest"
)

func addr() string {
	if a := os.Getenv("WARD_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// client connects to the test server, skipping when it is unreachable,
// except under CI=true where that is a failure.
func client(t testing.TB) *goredis.Client {
	t.Helper()
	c, err := Open(context.Background(), "redis://"+addr()+"/0")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis unreachable under CI: %v", err)
		}
		t.Skipf("Redis unreachable: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fresh returns a store under a random prefix whose keys are deleted
// (SCAN + DEL on the prefix) when the test ends.
func fresh(t testing.TB) (*Store, *goredis.Client) {
	t.Helper()
	c := client(t)
	b := make([]byte, 6)
	rand.Read(b)
	prefix := fmt.Sprintf("ward_test_%x:", b)
	t.Cleanup(func() {
		if n := cleanup(c, prefix); n < 0 {
			t.Errorf("cleanup of %s failed", prefix)
		}
	})
	return New(c, prefix), c
}

func cleanup(c *goredis.Client, prefix string) int {
	ctx := context.Background()
	n := 0
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			return -1
		}
		n++
	}
	if iter.Err() != nil {
		return -1
	}
	return n
}

func keys(t *testing.T, c *goredis.Client, prefix string) []string {
	ks, err := c.Keys(context.Background(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s, _ := fresh(t)
		return storetest.Stores{Sessions: s, Families: s, Counters: s}
	})
}

// Every key the store writes carries a TTL bounded by its purpose.
func TestTTLs(t *testing.T) {
	s, c := fresh(t)
	ctx := context.Background()
	s.SessionTTL = time.Hour
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateSession(ctx, &store.Session{Hash: storetest.Hash("s"), UserID: 1, CreatedAt: now, LastSeen: now}))
	must(s.CreateFamily(ctx, &store.Family{ID: "f1", UserID: 1, Current: []byte("a"), ExpiresAt: now.Add(10 * time.Minute)}))
	must(s.CreateFamily(ctx, &store.Family{ID: "f2", UserID: 1, Current: []byte("a")}))
	if _, _, err := s.Hit(ctx, "k", 5, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key      string
		min, max time.Duration
	}{
		{s.sessionKey(storetest.Hash("s")), 59 * time.Minute, time.Hour},
		{s.familyKey("f1"), 9 * time.Minute, 10 * time.Minute},
		{s.familyKey("f2"), DefaultFamilyTTL - time.Minute, DefaultFamilyTTL},
		{s.hitsKey("k"), 29 * time.Second, 31 * time.Second},
		// A user's index sets live as long as their longest entry.
		{s.userSessionsKey(1), 59 * time.Minute, time.Hour},
		{s.userFamiliesKey(1), DefaultFamilyTTL - time.Minute, DefaultFamilyTTL},
	} {
		ttl, err := c.PTTL(ctx, tc.key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl < tc.min || ttl > tc.max {
			t.Errorf("%s: TTL %v, want in [%v, %v]", tc.key, ttl, tc.min, tc.max)
		}
	}
	if n := len(keys(t, c, s.prefix)); n != 6 {
		t.Fatalf("%d keys under the prefix, want 6", n)
	}
}

// A flushed Redis forgets families: refresh is refused (allowlist), never
// allowed.
func TestFlushLogsOut(t *testing.T) {
	s, c := fresh(t)
	ctx := context.Background()
	if err := s.CreateFamily(ctx, &store.Family{ID: "f", UserID: 1, Current: []byte("a"), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cleanup(c, s.prefix)
	if _, err := s.FamilyByID(ctx, "f"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FamilyByID after flush: %v", err)
	}
	if err := s.RotateFamily(ctx, "f", []byte("a"), []byte("b"), time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RotateFamily after flush: %v", err)
	}
}

// Two stores (two instances) over the same prefix share one window.
func TestSharedWindow(t *testing.T) {
	a, c := fresh(t)
	b := New(c, a.prefix)
	ctx := context.Background()
	allowed := 0
	for i := range 10 {
		s := a
		if i%2 == 1 {
			s = b
		}
		ok, _, err := s.Hit(ctx, "login:1.2.3.4", 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != 3 {
		t.Fatalf("%d allowed across instances, want 3", allowed)
	}
}

func TestCorruptEntryDenies(t *testing.T) {
	s, c := fresh(t)
	ctx := context.Background()
	h := storetest.Hash("s")
	if err := c.HSet(ctx, s.sessionKey(h), "user", "x", "csrf", "", "created", "1", "seen", "1", "pv", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, h); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("corrupt session: %v, want ErrUnavailable", err)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://u:s3cret@host:6379", "bad URL"},
		{"redis://u:s3cret@host:6379/notadb", "bad URL"},
		{"redis://u:s3cret@127.0.0.1:1/0", "cannot reach"},
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

// While Redis is unreachable every call denies with ErrUnavailable; once
// it is back the same client works again.
func TestOutageAndRecovery(t *testing.T) {
	_, direct := fresh(t)
	p := storetest.StartProxy(t, "127.0.0.1:0", addr())
	via := p.Addr()
	c, err := Open(context.Background(), "redis://"+via+"/0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := make([]byte, 6)
	rand.Read(b)
	s := New(c, fmt.Sprintf("ward_test_%x:", b))
	t.Cleanup(func() { cleanup(direct, s.prefix) })
	ctx := context.Background()
	if ok, _, err := s.Hit(ctx, "k", 5, time.Minute); !ok || err != nil {
		t.Fatalf("before outage: ok=%v err=%v", ok, err)
	}
	p.Stop()
	checks := map[string]func() error{
		"Hit": func() error {
			ok, _, err := s.Hit(ctx, "k", 5, time.Minute)
			if ok {
				return errors.New("allowed during outage")
			}
			return err
		},
		"SessionByHash": func() error { _, err := s.SessionByHash(ctx, []byte("x")); return err },
		"RotateFamily":  func() error { return s.RotateFamily(ctx, "f", []byte("a"), []byte("b"), time.Now()) },
	}
	for name, f := range checks {
		if err := f(); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("%s during outage: %v, want ErrUnavailable", name, err)
		}
	}
	storetest.StartProxy(t, via, addr())
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, _, err := s.Hit(ctx, "k", 5, time.Minute)
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("client did not recover: ok=%v err=%v", ok, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
