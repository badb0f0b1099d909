package authn_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/classes"
	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
	"github.com/wardhq/ward/runtime/throttle"
)

// loginLimit is the login rate of the brute-force tests, the blog's.
const loginLimit = 10

// switchable counters fail like a dead backend while down is set.
type switchable struct {
	*throttle.MemoryCounters
	down atomic.Bool
}

var errCounters = errors.New("dial tcp 10.1.2.3:6379: connection refused")

func (s *switchable) Hit(ctx context.Context, key string, limit int, w time.Duration) (bool, time.Duration, error) {
	if s.down.Load() {
		return false, 0, errCounters
	}
	return s.MemoryCounters.Hit(ctx, key, limit, w)
}

func (s *switchable) Reserve(ctx context.Context, key string, limit int, w time.Duration) (string, bool, time.Duration, error) {
	if s.down.Load() {
		return "", false, 0, errCounters
	}
	return s.MemoryCounters.Reserve(ctx, key, limit, w)
}

// guarded is the production wiring (the classes over the real throttle, as
// runtime/service builds it) with a probe route behind the chain.
type guarded struct {
	store    *memstore.Store
	counters *switchable
	auth     *classes.Set
	router   chi.Router
	key      string // alice's API token
}

func newGuarded(t *testing.T) *guarded {
	t.Helper()
	g := &guarded{store: memstore.New(), counters: &switchable{MemoryCounters: throttle.NewMemoryCounters()}}
	th, err := throttle.New(throttle.Config{Login: strconv.Itoa(loginLimit) + "/minute"}, g.counters)
	if err != nil {
		t.Fatal(err)
	}
	h := password.New(password.Cheap, 0)
	g.auth, err = classes.New(classes.Config{
		Token:    &tokenauth.Config{},
		Basic:    &classes.BasicConfig{},
		Hasher:   h,
		Throttle: th.LoginThrottle(),
	}, classes.Stores{Users: g.store, Tokens: g.store})
	if err != nil {
		t.Fatal(err)
	}
	id, err := accounts.CreateUser(t.Context(), g.store, h, "alice", "alice-pass-1", false)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := g.store.UserByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	// A key made directly, so that no login attempt is counted.
	if g.key, err = g.auth.Tokens.NewKey(t.Context(), &rec.User); err != nil {
		t.Fatal(err)
	}
	chain, err := g.auth.Chain("token", "basic")
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	g.auth.Mount(r, chain)
	r.With(chain.Middleware).Get("/api/private", func(w http.ResponseWriter, r *http.Request) {
		if identity.FromContext(r.Context()).User == nil {
			chain.Unauthenticated(w)
			return
		}
		drf.JSON(w, 200, map[string]string{"ok": "yes"})
	})
	g.router = r
	return g
}

// get calls the probe route from client with the Authorization header.
func (g *guarded) get(client, authorization string) *httptest.ResponseRecorder {
	q := httptest.NewRequest("GET", "/api/private", nil)
	q.RemoteAddr = client + ":4321"
	q.Header.Set("Authorization", authorization)
	w := httptest.NewRecorder()
	g.router.ServeHTTP(w, q)
	return w
}

// login posts a token login from client.
func (g *guarded) login(client, pw string) *httptest.ResponseRecorder {
	q := httptest.NewRequest("POST", "/auth/token/login", strings.NewReader(`{"username":"alice","password":"`+pw+`"}`))
	q.RemoteAddr = client + ":4321"
	q.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	g.router.ServeHTTP(w, q)
	return w
}

// throttled checks that w is the login throttle's 429.
func throttled(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	ra, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if w.Code != http.StatusTooManyRequests || err != nil || ra < 59 || ra > 60 ||
		!strings.Contains(w.Body.String(), "Request was throttled.") {
		t.Fatalf("%s: %d Retry-After=%q %s; want 429 with Retry-After ~60", what, w.Code, w.Header().Get("Retry-After"), w.Body)
	}
}

// The Basic and Token classes see a credential on every request, so the
// login throttle guards them differently from the login endpoints: a
// blocked client is refused before its credential is checked (a right
// guess too), a failed credential counts, a good one counts nothing.
func TestBruteForceBasicToken(t *testing.T) {
	for _, tc := range []struct {
		class string
		good  func(g *guarded) string
		bad   func(i int) string
	}{
		{"basic",
			func(*guarded) string { return authtest.Basic("alice", "alice-pass-1") },
			func(i int) string { return authtest.Basic("alice", "guess-"+strconv.Itoa(i)) }},
		{"token",
			func(g *guarded) string { return "Token " + g.key },
			func(i int) string { return "Token " + strings.Repeat(strconv.Itoa(i%10), tokenauth.KeyLen) }},
	} {
		t.Run(tc.class+"/right guess refused once blocked", func(t *testing.T) {
			g := newGuarded(t)
			const attacker, bystander = "198.51.100.7", "198.51.100.8"
			for i := range loginLimit {
				if w := g.get(attacker, tc.bad(i)); w.Code != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d %s, want 401", i+1, w.Code, w.Body)
				}
			}
			throttled(t, "wrong guess past the limit", g.get(attacker, tc.bad(99)))
			throttled(t, "right guess past the limit", g.get(attacker, tc.good(g)))
			// Refused before the credential is checked: with the user
			// and token store down the answer is still 429, not 503.
			g.store.SetUnavailable(true)
			throttled(t, "right guess, store down", g.get(attacker, tc.good(g)))
			g.store.SetUnavailable(false)
			// The login endpoints share the bucket.
			throttled(t, "login endpoint", g.login(attacker, "alice-pass-1"))
			// Another client is not affected.
			if w := g.get(bystander, tc.good(g)); w.Code != http.StatusOK {
				t.Fatalf("bystander: %d %s", w.Code, w.Body)
			}
		})
		t.Run(tc.class+"/legitimate client never throttled", func(t *testing.T) {
			g := newGuarded(t)
			const client = "203.0.113.9"
			for i := range 100 {
				if w := g.get(client, tc.good(g)); w.Code != http.StatusOK {
					t.Fatalf("request %d: %d %s", i+1, w.Code, w.Body)
				}
			}
			// The successes left the bucket empty: the whole limit of
			// failures is still answered 401, and only then comes 429.
			for i := range loginLimit {
				if w := g.get(client, tc.bad(i)); w.Code != http.StatusUnauthorized {
					t.Fatalf("failure %d after 100 successes: %d, want 401", i+1, w.Code)
				}
			}
			throttled(t, "failure past the limit", g.get(client, tc.bad(99)))
		})
		t.Run(tc.class+"/counter backend down fails closed", func(t *testing.T) {
			g := newGuarded(t)
			g.counters.down.Store(true)
			for _, cred := range []string{tc.good(g), tc.bad(1)} {
				w := g.get("203.0.113.10", cred)
				if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "10.1.2.3") {
					t.Fatalf("counters down: %d %s, want 503 hiding the cause", w.Code, w.Body)
				}
			}
		})
	}
}

// The login endpoints behave as before: every attempt counts, right or
// wrong, and the bucket is checked before the password.
func TestBruteForceLoginEndpointUnchanged(t *testing.T) {
	g := newGuarded(t)
	const client = "192.0.2.44"
	for i := range loginLimit {
		pw := "alice-pass-1"
		if i%2 == 1 {
			pw = "wrong"
		}
		want := map[bool]int{true: 200, false: 401}[pw == "alice-pass-1"]
		if w := g.login(client, pw); w.Code != want {
			t.Fatalf("attempt %d: %d, want %d", i+1, w.Code, want)
		}
	}
	throttled(t, "login past the limit", g.login(client, "alice-pass-1"))
	// The endpoint's attempts filled the bucket Basic and Token consult.
	throttled(t, "basic from the same client", g.get(client, authtest.Basic("alice", "alice-pass-1")))
}
