package authn_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn/classes"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/redis"
	"github.com/wardhq/ward/runtime/store/sqlite"
	"github.com/wardhq/ward/runtime/store/sqlstore"
	"github.com/wardhq/ward/runtime/throttle"
)

// checkCost stands in for a password hash: long enough that, released
// together, the burst's checks overlap as they do against argon2id.
const checkCost = 20 * time.Millisecond

type attemptKey struct{}

// countingUsers counts credential checks: each one looks its user up
// by name exactly once. It records which attempts (numbered in the
// request context) were checked, in order.
type countingUsers struct {
	store.Users
	mu      sync.Mutex
	checked []int
}

func (c *countingUsers) UserByUsername(ctx context.Context, name string) (*store.UserRecord, error) {
	if n, ok := ctx.Value(attemptKey{}).(int); ok {
		c.mu.Lock()
		c.checked = append(c.checked, n)
		c.mu.Unlock()
	}
	time.Sleep(checkCost)
	return c.Users.UserByUsername(ctx, name)
}

// burstCounters returns the login counters of one backend.
func burstCounters(t *testing.T, backend string) store.Counters {
	t.Helper()
	switch backend {
	case "sqlite":
		db, err := sqlite.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := sqlstore.New(db, sqlstore.SQLite)
		if err != nil {
			t.Fatal(err)
		}
		return s
	case "redis":
		addr := os.Getenv("WARD_TEST_REDIS_ADDR")
		if addr == "" {
			addr = "127.0.0.1:6379"
		}
		c, err := redis.Open(context.Background(), "redis://"+addr+"/0")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("Redis unreachable under CI: %v", err)
			}
			t.Skipf("Redis unreachable: %v", err)
		}
		b := make([]byte, 6)
		rand.Read(b)
		prefix := fmt.Sprintf("ward_test_%x:", b)
		t.Cleanup(func() {
			ctx := context.Background()
			iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val())
			}
			c.Close()
		})
		return redis.New(c, prefix)
	}
	t.Fatalf("unknown backend %s", backend)
	return nil
}

// The attack of issue 10: 200 Basic requests from one address released
// together, the right password last. At the blog's login rate (10 a
// minute) no more than 10 wrong passwords are checked, and the right one
// succeeds only when its check held one of the 10 slots of the window,
// never as an 11th check. (A right password gives its slot back, so when
// it was among the first ten, one more wrong guess may follow it: 11
// checks, 10 of them wrong.)
func TestBasicBurstChecksAtMostTheRate(t *testing.T) {
	const burst = 200
	for _, backend := range []string{"sqlite", "redis"} {
		t.Run(backend, func(t *testing.T) {
			counters := burstCounters(t, backend)
			th, err := throttle.New(throttle.Config{Login: strconv.Itoa(loginLimit) + "/minute"}, counters)
			if err != nil {
				t.Fatal(err)
			}
			h := password.New(password.Cheap, 0)
			users := &countingUsers{Users: newGuarded(t).store} // holds alice
			k, err := classes.New(classes.Config{
				Basic:    &classes.BasicConfig{},
				Hasher:   h,
				Throttle: th.LoginThrottle(),
			}, classes.Stores{Users: users})
			if err != nil {
				t.Fatal(err)
			}
			chain, err := k.Chain("basic")
			if err != nil {
				t.Fatal(err)
			}
			r := chi.NewRouter()
			r.With(chain.Middleware).Get("/api/private", func(w http.ResponseWriter, r *http.Request) {
				if identity.FromContext(r.Context()).User == nil {
					chain.Unauthenticated(w)
					return
				}
				drf.JSON(w, 200, map[string]string{"ok": "yes"})
			})

			const right = burst - 1 // the last attempt carries the password
			status := make([]int, burst)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range burst {
				pw := "guess-" + strconv.Itoa(i)
				if i == right {
					pw = "alice-pass-1"
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					q := httptest.NewRequest("GET", "/api/private", nil)
					q = q.WithContext(context.WithValue(q.Context(), attemptKey{}, i))
					q.RemoteAddr = "198.51.100.66:4321"
					q.Header.Set("Authorization", authtest.Basic("alice", pw))
					w := httptest.NewRecorder()
					<-start
					r.ServeHTTP(w, q)
					status[i] = w.Code
				}()
			}
			close(start)
			wg.Wait()

			counts := map[int]int{}
			for _, s := range status {
				counts[s]++
			}
			users.mu.Lock()
			checked := append([]int(nil), users.checked...)
			users.mu.Unlock()
			wrong, rightAt := 0, -1
			for n, i := range checked {
				if i == right {
					rightAt = n
				} else {
					wrong++
				}
			}
			t.Logf("%s: statuses %v, %d credential checks (right password checked as #%d)", backend, counts, len(checked), rightAt+1)
			if wrong > loginLimit {
				t.Errorf("%d wrong passwords checked, want at most %d", wrong, loginLimit)
			}
			if rightAt >= loginLimit {
				t.Errorf("the right password was checked as check #%d, past the rate of %d", rightAt+1, loginLimit)
			}
			if got := status[right]; (got == http.StatusOK) != (rightAt >= 0) {
				t.Errorf("right password answered %d, checked=%v", got, rightAt >= 0)
			}
			for i, s := range status {
				if s != http.StatusOK && s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
					t.Errorf("attempt %d: %d", i, s)
				}
			}
			if n := counts[http.StatusUnauthorized]; n != wrong {
				t.Errorf("%d answered 401, but %d wrong passwords were checked", n, wrong)
			}
		})
	}
}
