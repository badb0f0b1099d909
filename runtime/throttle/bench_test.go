package throttle

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/postgres"
	"github.com/wardhq/ward/runtime/store/redis"
	"github.com/wardhq/ward/runtime/store/sqlite"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// BenchmarkHit compares Counters.Hit (and store.Reserver's Reserve plus
// Release, "-reserve-release")
// across backends in one run: 1000
// client keys, 100 requests per minute each, so that windows fill and
// both the allowed and the refused path are measured. memory is the
// baseline. PostgreSQL and Redis are the local test servers (skipped when
// unreachable).
func BenchmarkHit(b *testing.B) {
	ctx := context.Background()
	backends := []struct {
		name string
		open func(b *testing.B) store.Counters
	}{
		{"memory", func(b *testing.B) store.Counters { return NewMemoryCounters() }},
		{"sqlite", func(b *testing.B) store.Counters {
			db, err := sqlite.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			s, err := sqlstore.New(db, sqlstore.SQLite)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"postgres", func(b *testing.B) store.Counters {
			u := "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
			admin, err := postgres.Open(ctx, u)
			if err != nil {
				b.Skip(err)
			}
			b.Cleanup(func() { admin.Close() })
			schema := "ward_bench_" + randHex()
			if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
			db, err := postgres.Open(ctx, u+"&search_path="+schema)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			s, err := sqlstore.New(db, sqlstore.Postgres)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"redis", func(b *testing.B) store.Counters {
			c, err := redis.Open(ctx, "redis://127.0.0.1:6379/0")
			if err != nil {
				if os.Getenv("CI") == "true" {
					b.Fatal(err)
				}
				b.Skip(err)
			}
			prefix := "ward_bench_" + randHex() + ":"
			b.Cleanup(func() {
				iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
				for iter.Next(ctx) {
					c.Del(ctx, iter.Val())
				}
				c.Close()
			})
			return redis.New(c, prefix)
		}},
	}
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "throttle:anon:ip:10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			c := be.open(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, _, err := c.Hit(ctx, keys[i%len(keys)], 100, time.Minute); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		// Reserve and Release are what every Basic and Token request
		// with a right credential pays around its check.
		b.Run(be.name+"-reserve-release", func(b *testing.B) {
			c := be.open(b)
			r := c.(store.Reserver)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := keys[i%len(keys)]
				hit, ok, _, err := r.Reserve(ctx, k, 100, time.Minute)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
				if err := r.Release(ctx, k, hit); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func randHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}
