package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"
)

const pgBase = "postgres://root@127.0.0.1:5432/test?sslmode=disable"

// postgres gives the test its own PostgreSQL schema, removed afterwards,
// and returns SHOP_DATABASE_URL for it. Without the server the test skips,
// except under CI=true, where it fails.
func postgres(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgBase)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is unreachable under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL is unreachable: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "shop_e2e_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, pgBase); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	})
	return "SHOP_DATABASE_URL=" + pgBase + "&search_path=" + schema
}

const redisAddr = "127.0.0.1:6379"

// redisDBs are the Redis database indexes this test process holds.
var redisDBs struct {
	sync.Mutex
	used [16]bool
}

// redis gives the test a Redis database index of its own among 1..15 and
// returns SHOP_REDIS_URL for it; the shop's keys there ("shop:*") are
// removed afterwards. An index is held through a key ("shop:e2e:owner",
// set only if absent, with an expiry) so that two test processes at once,
// two e2e runs on one machine, never share one: their throttle counters
// and cleanups would meet. Without the server the test skips, except
// under CI=true, where it fails.
func redis(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	owner := make([]byte, 8)
	rand.Read(owner)
	var rc *goredis.Client
	db := 0
	for db == 0 {
		for i := 1; i < len(redisDBs.used) && db == 0; i++ {
			redisDBs.Lock()
			free := !redisDBs.used[i]
			redisDBs.used[i] = true
			redisDBs.Unlock()
			if !free {
				continue
			}
			c := goredis.NewClient(&goredis.Options{Addr: redisAddr, DB: i})
			ok, err := c.SetNX(ctx, "shop:e2e:owner", hex.EncodeToString(owner), 15*time.Minute).Result()
			if err != nil {
				c.Close()
				if os.Getenv("CI") == "true" {
					t.Fatalf("Redis is unreachable under CI=true: %v", err)
				}
				t.Skipf("Redis is unreachable: %v", err)
			}
			if ok {
				rc, db = c, i
				break
			}
			c.Close()
			redisDBs.Lock()
			redisDBs.used[i] = false
			redisDBs.Unlock()
		}
		if db == 0 {
			if ctx.Err() != nil {
				t.Fatal("no free Redis database index among 1..15")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	clean := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rc.Scan(ctx, 0, "shop:*", 500).Iterator()
		for iter.Next(ctx) {
			if iter.Val() != "shop:e2e:owner" {
				rc.Del(ctx, iter.Val())
			}
		}
	}
	clean() // what an earlier, killed run may have left
	t.Cleanup(func() {
		clean()
		rc.Del(context.Background(), "shop:e2e:owner")
		rc.Close()
		redisDBs.Lock()
		redisDBs.used[db] = false
		redisDBs.Unlock()
	})
	return fmt.Sprintf("SHOP_REDIS_URL=redis://%s/%d", redisAddr, db)
}

// onEachBackend runs test against a shop on the embedded SQLite default
// and on PostgreSQL with Redis.
func onEachBackend(t *testing.T, test func(t *testing.T, sh *shop)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, startShop(t, "SHOP_DATABASE_URL=", "SHOP_REDIS_URL="))
	})
	t.Run("postgres+redis", func(t *testing.T) {
		test(t, startShop(t, postgres(t), redis(t)))
	})
}
