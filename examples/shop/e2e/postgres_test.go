package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardhq/ward/examples/internal/e2eredis"
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

// redis gives the test a Redis database index of its own (e2eredis.Hold)
// and returns SHOP_REDIS_URL for it.
func redis(t *testing.T) string {
	t.Helper()
	return "SHOP_REDIS_URL=" + e2eredis.Hold(t, "shop:")
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
