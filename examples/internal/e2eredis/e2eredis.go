// Package e2eredis gives end-to-end tests a Redis database index of their
// own, so that tests, and test runs on one machine, never meet in Redis.
package e2eredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Addr is the Redis server the tests use.
const Addr = "127.0.0.1:6379"

// Hold gives t a database index among 1..15 that no other test holds, in
// this process or another, and returns its URL. An index is held through
// the key prefix+"e2e:owner", set only if absent, with an expiry (a killed
// run frees it within 15 minutes). The service's keys there (prefix+"*",
// e.g. "blog:") are removed when t begins and when it ends. Without the
// server t skips, except under CI=true, where it fails.
func Hold(t testing.TB, prefix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
	defer cancel()
	ownerKey := prefix + "e2e:owner"
	b := make([]byte, 8)
	rand.Read(b)
	owner := hex.EncodeToString(b)
	var rc *goredis.Client
	db := 0
	for start := time.Now(); db == 0; {
		for i := 1; i <= 15 && db == 0; i++ {
			c := goredis.NewClient(&goredis.Options{Addr: Addr, DB: i})
			ok, err := c.SetNX(ctx, ownerKey, owner, 15*time.Minute).Result()
			switch {
			case err != nil:
				c.Close()
				if os.Getenv("CI") == "true" {
					t.Fatalf("Redis is unreachable under CI=true: %v", err)
				}
				t.Skipf("Redis is unreachable: %v", err)
			case ok:
				rc, db = c, i
			default:
				c.Close()
			}
		}
		if db == 0 {
			if time.Since(start) > time.Minute {
				t.Fatal("no free Redis database index among 1..15")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	clean := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rc.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			if iter.Val() != ownerKey {
				rc.Del(ctx, iter.Val())
			}
		}
	}
	clean() // what an earlier, killed run may have left
	t.Cleanup(func() {
		clean()
		rc.Del(context.Background(), ownerKey)
		rc.Close()
	})
	return fmt.Sprintf("redis://%s/%d", Addr, db)
}
