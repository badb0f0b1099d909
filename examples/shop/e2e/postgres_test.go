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

// redisDBs are the Redis database indexes this test process has handed out:
// two tests at once never share one (their throttle counters would meet).
var redisDBs struct {
	sync.Mutex
	used [16]bool
}

// redis gives the test a Redis database index of its own among 1..15 (the
// shop's keys there, "shop:*", are removed afterwards) and returns
// SHOP_REDIS_URL for it. Without the server the test skips, except under
// CI=true, where it fails.
func redis(t *testing.T) string {
	t.Helper()
	db := 0
	for db == 0 {
		redisDBs.Lock()
		for i := 1; i < len(redisDBs.used) && db == 0; i++ {
			if !redisDBs.used[i] {
				redisDBs.used[i], db = true, i
			}
		}
		redisDBs.Unlock()
		if db == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	rc := goredis.NewClient(&goredis.Options{Addr: redisAddr, DB: db})
	clean := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rc.Scan(ctx, 0, "shop:*", 500).Iterator()
		for iter.Next(ctx) {
			rc.Del(ctx, iter.Val())
		}
	}
	t.Cleanup(func() {
		clean()
		rc.Close()
		redisDBs.Lock()
		redisDBs.used[db] = false
		redisDBs.Unlock()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rc.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is unreachable under CI=true: %v", err)
		}
		t.Skipf("Redis is unreachable: %v", err)
	}
	clean() // what an earlier, killed run may have left
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
