package sqlite

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

// TestPoolKeepsConnections pins Open's pool: 2×GOMAXPROCS connections, all
// of them kept idle between requests. With database/sql's default of two
// idle connections, a burst of concurrent requests closes and reopens
// SQLite connections (open, pragmas, and every prepared statement again)
// on every request past the second.
func TestPoolKeepsConnections(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := 2 * runtime.GOMAXPROCS(0)
	if got := db.Stats().MaxOpenConnections; got != want {
		t.Fatalf("MaxOpenConnections = %d, want %d", got, want)
	}
	ctx := context.Background()
	for range 3 {
		// Hold every connection at once, then give them back.
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range want {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var n int
				if err := c.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
					t.Error(err)
				}
				c.Close()
			}()
		}
		close(start)
		wg.Wait()
	}
	st := db.Stats()
	if st.Idle != want || st.MaxIdleClosed != 0 || st.OpenConnections != want {
		t.Fatalf("after bursts: %d open, %d idle, %d closed for want of idle room; want %d open and idle, none closed",
			st.OpenConnections, st.Idle, st.MaxIdleClosed, want)
	}
}
