package throttle

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/storetest"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in     string
		count  int
		period time.Duration
		err    bool
	}{
		{"10/minute", 10, time.Minute, false},
		{"10/min", 10, time.Minute, false},
		{"10/m", 10, time.Minute, false},
		{"5/s", 5, time.Second, false},
		{"5/sec", 5, time.Second, false},
		{"5/second", 5, time.Second, false},
		{"5/seconds", 5, time.Second, false},
		{"100/h", 100, time.Hour, false},
		{"100/hour", 100, time.Hour, false},
		{"1000/d", 1000, 24 * time.Hour, false},
		{"1000/day", 1000, 24 * time.Hour, false},
		{" 3 / Minute ", 3, time.Minute, false},
		{"0/minute", 0, time.Minute, false},
		{"", 0, 0, true},
		{"10", 0, 0, true},
		{"10/", 0, 0, true},
		{"/minute", 0, 0, true},
		{"-1/minute", 0, 0, true},
		{"+1/minute", 0, 0, true},
		{"1.5/minute", 0, 0, true},
		{"10/fortnight", 0, 0, true},
		{"10/mfoo", 0, 0, true},
		{"10/minute/x", 0, 0, true},
		{"99999999999999999999/s", 0, 0, true},
	} {
		n, p, err := ParseRate(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("ParseRate(%q) = %d, %v; want error", tc.in, n, p)
			} else if !strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseRate(%q) error %q does not name the input", tc.in, err)
			}
			continue
		}
		if err != nil || n != tc.count || p != tc.period {
			t.Errorf("ParseRate(%q) = %d, %v, %v; want %d, %v", tc.in, n, p, err, tc.count, tc.period)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"10/minute", "5/s", "0/d", "1/", "/", "x/y", "99999999999/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, p, err := ParseRate(s)
		if err != nil {
			if n != 0 || p != 0 {
				t.Fatalf("error with values %d %v", n, p)
			}
			return
		}
		if n < 0 || n > MaxCount || (p != time.Second && p != time.Minute && p != time.Hour && p != 24*time.Hour) {
			t.Fatalf("ParseRate(%q) = %d, %v", s, n, p)
		}
	})
}

func req(remote string, xff ...string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	for _, v := range xff {
		r.Header.Add("X-Forwarded-For", v)
	}
	return r
}

func TestClientIP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		remote  string
		xff     []string
		proxies int
		want    string
	}{
		{"peer", "192.0.2.1:1234", nil, 0, "192.0.2.1"},
		{"xff ignored without proxies", "192.0.2.1:1234", []string{"203.0.113.9"}, 0, "192.0.2.1"},
		{"one proxy", "10.0.0.1:80", []string{"203.0.113.9"}, 1, "203.0.113.9"},
		{"one proxy, spoofed left entries", "10.0.0.1:80", []string{"6.6.6.6, 203.0.113.9"}, 1, "203.0.113.9"},
		{"two proxies", "10.0.0.2:80", []string{"6.6.6.6, 203.0.113.9, 10.0.0.1"}, 2, "203.0.113.9"},
		{"two headers joined", "10.0.0.2:80", []string{"6.6.6.6, 203.0.113.9", "10.0.0.1"}, 2, "203.0.113.9"},
		{"fewer entries than proxies", "10.0.0.1:80", []string{"203.0.113.9"}, 2, "10.0.0.1"},
		{"no header", "10.0.0.1:80", nil, 1, "10.0.0.1"},
		{"garbage entry", "10.0.0.1:80", []string{"not-an-ip"}, 1, "10.0.0.1"},
		{"empty entry", "10.0.0.1:80", []string{"1.2.3.4,"}, 1, "10.0.0.1"},
		{"entry with port", "10.0.0.1:80", []string{"203.0.113.9:5555"}, 1, "203.0.113.9"},
		{"ipv6 peer", "[2001:db8::1]:443", nil, 0, "2001:db8::1"},
		{"ipv6 entry", "10.0.0.1:80", []string{"2001:db8::5"}, 1, "2001:db8::5"},
		{"mapped ipv4 peer", "[::ffff:192.0.2.7]:1", nil, 0, "192.0.2.7"},
		{"peer without port", "192.0.2.1", nil, 0, "192.0.2.1"},
		{"zoned peer", "[fe80::1%eth0]:80", nil, 0, "fe80::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClientIP(req(tc.remote, tc.xff...), tc.proxies); got != tc.want {
				t.Fatalf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:80", "1.2.3.4, 5.6.7.8", 1)
	f.Add("[::1]:1", "", 0)
	f.Add("garbage", ",,,", 3)
	f.Fuzz(func(t *testing.T, remote, xff string, proxies int) {
		r := req(remote)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		got := ClientIP(r, proxies%8)
		peer := ClientIP(r, 0)
		if proxies%8 <= 0 && got != peer {
			t.Fatalf("without proxies got %q, peer %q", got, peer)
		}
		if got != peer && canonical(got) != got {
			t.Fatalf("ClientIP = %q: neither the peer nor a canonical IP", got)
		}
	})
}

func TestMemoryCountersConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		return storetest.Stores{Counters: NewMemoryCounters()}
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryCountersWindow(t *testing.T) {
	clk := &clock{t: time.Unix(1_000_000, 0)}
	m := NewMemoryCounters()
	m.now = clk.now
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		ok      bool
		retry   time.Duration
	}{
		{0, true, 0},                                // t=0
		{10 * time.Second, true, 0},                 // t=10
		{10 * time.Second, true, 0},                 // t=20
		{10 * time.Second, false, 30 * time.Second}, // t=30: full, first hit frees at 60
		{29 * time.Second, false, time.Second},      // t=59
		{time.Second, true, 0},                      // t=60: hit at 0 left
		{0, false, 10 * time.Second},                // t=60: hits at 10, 20, 60
	}
	for i, s := range steps {
		clk.add(s.advance)
		ok, retry, err := m.Hit(ctx, "k", 3, time.Minute)
		if err != nil || ok != s.ok || retry != s.retry {
			t.Fatalf("step %d: ok=%v retry=%v err=%v; want ok=%v retry=%v", i, ok, retry, err, s.ok, s.retry)
		}
	}
}

func TestMemoryCountersSweep(t *testing.T) {
	clk := &clock{t: time.Unix(1_000_000, 0)}
	m := NewMemoryCounters()
	m.now = clk.now
	ctx := context.Background()
	for i := range 100 {
		m.Hit(ctx, "old"+string(rune('a'+i%26))+string(rune('a'+i/26)), 5, time.Second)
	}
	clk.add(2 * time.Second)
	for range sweepEvery {
		m.Hit(ctx, "live", 1<<30, time.Minute)
	}
	if n := m.Len(); n != 1 {
		t.Fatalf("%d keys after a sweep, want 1 (idle keys dropped)", n)
	}
}

type failing struct{}

func (failing) Hit(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, errors.New("connection refused 10.1.2.3:6379")
}

func (failing) Reserve(context.Context, string, int, time.Duration) (string, bool, time.Duration, error) {
	return "x", true, 0, errors.New("connection refused 10.1.2.3:6379")
}

func (failing) Release(context.Context, string, string) error {
	return errors.New("connection refused 10.1.2.3:6379")
}

type recorder struct {
	keys []string
	store.Counters
}

func (r *recorder) Hit(ctx context.Context, key string, limit int, w time.Duration) (bool, time.Duration, error) {
	r.keys = append(r.keys, key)
	return r.Counters.Hit(ctx, key, limit, w)
}

func TestAllow(t *testing.T) {
	rec := &recorder{Counters: NewMemoryCounters()}
	th, err := New(Config{Anon: "2/minute", User: "3/minute", Scopes: map[string]string{"uploads": "1/hour"}}, rec)
	if err != nil {
		t.Fatal(err)
	}
	alice := &identity.User{ID: 7}
	bob := &identity.User{ID: 8}
	for i, tc := range []struct {
		r     *http.Request
		user  *identity.User
		scope string
		ok    bool
		key   string
	}{
		{req("192.0.2.1:1"), nil, Anon, true, "throttle:anon:ip:192.0.2.1"},
		{req("192.0.2.1:2"), nil, Anon, true, "throttle:anon:ip:192.0.2.1"},
		{req("192.0.2.1:3"), nil, Anon, false, "throttle:anon:ip:192.0.2.1"},
		{req("192.0.2.2:3"), nil, Anon, true, "throttle:anon:ip:192.0.2.2"},
		{req("192.0.2.1:3", "9.9.9.9"), nil, Anon, false, "throttle:anon:ip:192.0.2.1"}, // XFF not trusted
		{req("[2001:db8::1]:1"), nil, Anon, true, "throttle:anon:ip:2001:db8::/64"},
		{req("[2001:db8::2]:1"), nil, Anon, true, "throttle:anon:ip:2001:db8::/64"},
		{req("[2001:db8::3]:1"), nil, Anon, false, "throttle:anon:ip:2001:db8::/64"},
		{req("192.0.2.1:1"), alice, User, true, "throttle:user:user:7"},
		{req("192.0.2.9:1"), alice, User, true, "throttle:user:user:7"},
		{req("192.0.2.8:1"), alice, User, true, "throttle:user:user:7"},
		{req("192.0.2.1:1"), alice, User, false, "throttle:user:user:7"},
		{req("192.0.2.1:1"), bob, User, true, "throttle:user:user:8"},
		{req("192.0.2.1:1"), bob, "uploads", true, "throttle:uploads:user:8"},
		{req("192.0.2.1:1"), bob, "uploads", false, "throttle:uploads:user:8"},
		{req("192.0.2.1:1"), alice, "uploads", true, "throttle:uploads:user:7"},
	} {
		rec.keys = nil
		ok, retry, err := th.Allow(tc.r, tc.user, tc.scope)
		if err != nil || ok != tc.ok {
			t.Fatalf("case %d: ok=%v err=%v, want ok=%v", i, ok, err, tc.ok)
		}
		if !ok && retry <= 0 {
			t.Fatalf("case %d: refused with retry %v", i, retry)
		}
		if len(rec.keys) != 1 || rec.keys[0] != tc.key {
			t.Fatalf("case %d: keys %q, want %q", i, rec.keys, tc.key)
		}
	}
	if _, _, err := th.Allow(req("1.2.3.4:1"), nil, "nope"); err == nil {
		t.Fatal("unknown scope allowed")
	}
}

// login calls th.Login and ends the check at once, keeping the slot
// counted (a login attempt) or giving it back.
func login(th *Throttle, r *http.Request, giveBack bool) (bool, time.Duration, error) {
	done, ok, retry, err := th.Login(r)
	if ok {
		done(giveBack)
	}
	return ok, retry, err
}

func TestLogin(t *testing.T) {
	th, err := New(Config{Login: "10/minute", TrustedProxies: 1}, NewMemoryCounters())
	if err != nil {
		t.Fatal(err)
	}
	// The bucket is shared: every endpoint calls Login, keyed by address.
	for i := range 10 {
		ok, _, err := login(th, req("10.0.0.1:1", "203.0.113.5"), false)
		if err != nil || !ok {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
	}
	ok, retry, err := login(th, req("10.0.0.1:1", "203.0.113.5"), false)
	if err != nil || ok || retry <= 59*time.Second || retry > time.Minute {
		t.Fatalf("11th attempt: ok=%v retry=%v err=%v", ok, retry, err)
	}
	if ok, _, _ := login(th, req("10.0.0.1:1", "203.0.113.6"), false); !ok {
		t.Fatal("another client was throttled")
	}
	var lt authn.LoginThrottle = th.LoginThrottle()
	var te *authn.ThrottledError
	if _, err := lt.Admit(req("10.0.0.1:1", "203.0.113.5")); !errors.As(err, &te) || te.RetryAfter <= 0 {
		t.Fatalf("LoginThrottle.Admit of a throttled client: %v", err)
	}
	none, _ := New(Config{}, nil)
	if none.LoginThrottle() != nil {
		t.Fatal("LoginThrottle without a login rate is not nil")
	}
	if ok, _, err := login(none, req("1.1.1.1:1"), false); !ok || err != nil {
		t.Fatalf("no login rate: ok=%v err=%v", ok, err)
	}
}

func TestOverride(t *testing.T) {
	n, p, err := ParseRate("2/minute")
	if err != nil {
		t.Fatal(err)
	}
	th, err := New(Config{Login: "10/minute"}, NewMemoryCounters(), WithRate(Login, n, p))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, false} {
		ok, _, err := login(th, req("10.0.0.1:1"), false)
		if err != nil || ok != want {
			t.Fatalf("attempt %d: ok=%v err=%v, want %v", i+1, ok, err, want)
		}
	}
}

// A counter failure denies with an error wrapping ErrUnavailable, whatever
// the counter said about the request, and the error hides nothing the
// caller would show: callers answer 503 with a fixed message.
func TestFailClosed(t *testing.T) {
	th, err := New(Config{Anon: "100/s", User: "100/s", Login: "100/s"}, failing{})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func() (bool, time.Duration, error){
		"anon":  func() (bool, time.Duration, error) { return th.Allow(req("1.1.1.1:1"), nil, Anon) },
		"user":  func() (bool, time.Duration, error) { return th.Allow(req("1.1.1.1:1"), &identity.User{ID: 1}, User) },
		"login": func() (bool, time.Duration, error) { return login(th, req("1.1.1.1:1"), true) },
	}
	for name, f := range checks {
		ok, _, err := f()
		if ok || !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("%s: ok=%v err=%v; want denied with ErrUnavailable", name, ok, err)
		}
	}
}

func TestNewErrors(t *testing.T) {
	c := NewMemoryCounters()
	for _, tc := range []struct {
		name string
		cfg  Config
		ctr  store.Counters
		opts []Option
		want string
	}{
		{"bad anon", Config{Anon: "lots"}, c, nil, `"lots"`},
		{"bad scope", Config{Scopes: map[string]string{"up": "1/fortnight"}}, c, nil, `"up"`},
		{"reserved scope", Config{Scopes: map[string]string{"anon": "1/s"}}, c, nil, `"anon"`},
		{"required scope missing", Config{Scopes: map[string]string{"up": "1/s"}}, c, []Option{RequireScopes("up", "down")}, `"down"`},
		{"no counters", Config{User: "1/s"}, nil, nil, "counters"},
		{"negative proxies", Config{TrustedProxies: -1}, c, nil, "-1"},
		{"bad override", Config{}, c, []Option{WithRate(Login, 1, 0)}, `"login"`},
		{"login rate without reserve", Config{Login: "1/s"}, &recorder{Counters: c}, nil, "store.Reserver"},
		{"login override without reserve", Config{}, &recorder{Counters: c}, []Option{WithRate(Login, 1, time.Second)}, "store.Reserver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, tc.ctr, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %s", err, tc.want)
			}
		})
	}
	if _, err := New(Config{Scopes: map[string]string{"up": "1/s"}}, c, RequireScopes("up", Anon), WithRate(Anon, 5, time.Second)); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

// A slot given back no longer counts; one kept does. The bucket is keyed
// by client address behind trusted proxies, IPv6 by /64.
func TestLoginGiveBack(t *testing.T) {
	th, err := New(Config{Login: "3/minute", TrustedProxies: 1}, NewMemoryCounters())
	if err != nil {
		t.Fatal(err)
	}
	alice := func() *http.Request { return req("10.0.0.1:1", "203.0.113.5") }
	for i := range 100 {
		if ok, _, err := login(th, alice(), true); !ok || err != nil {
			t.Fatalf("check %d given back, then refused: %v", i+1, err)
		}
	}
	for i := range 3 {
		if ok, _, err := login(th, alice(), false); !ok || err != nil {
			t.Fatalf("failure %d of 3 refused: %v", i+1, err)
		}
	}
	if ok, retry, _ := login(th, alice(), true); ok || retry <= 59*time.Second {
		t.Fatalf("full bucket: ok=%v retry=%v", ok, retry)
	}
	for _, tc := range []struct {
		name string
		r    *http.Request
		want bool
	}{
		{"same client, other proxy hop", req("10.9.9.9:7", "203.0.113.5"), false},
		{"spoofed first hop", req("10.0.0.1:1", "198.51.100.1, 203.0.113.5"), false},
		{"other client", req("10.0.0.1:1", "203.0.113.6"), true},
		{"proxy itself", req("10.0.0.1:1"), true},
	} {
		if ok, _, _ := login(th, tc.r, true); ok != tc.want {
			t.Errorf("%s: admitted=%v, want %v", tc.name, ok, tc.want)
		}
	}
	v6, err := New(Config{Login: "1/minute"}, NewMemoryCounters())
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := login(v6, req("[2001:db8::1]:1"), false); !ok {
		t.Fatal("first v6 attempt refused")
	}
	if ok, _, _ := login(v6, req("[2001:db8::ffff]:1"), true); ok {
		t.Fatal("same /64 admitted")
	}
	if ok, _, _ := login(v6, req("[2001:db8:0:1::1]:1"), true); !ok {
		t.Fatal("other /64 refused")
	}
}

// A client has at most ChecksInFlight checks running in one process; the
// next waits for a turn, or for its request to end, and other clients
// are not held up. The waits run on synctest's clock.
func TestLoginChecksInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th, err := New(Config{Login: "100/minute"}, NewMemoryCounters())
		if err != nil {
			t.Fatal(err)
		}
		var dones []func(bool)
		for range ChecksInFlight {
			done, ok, _, err := th.Login(req("192.0.2.1:1"))
			if !ok || err != nil {
				t.Fatal(ok, err)
			}
			dones = append(dones, done)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, ok, _, err := th.Login(req("192.0.2.1:1").WithContext(ctx)); ok || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a third check in flight: ok=%v err=%v, want a wait until the request ended", ok, err)
		}
		if waited := time.Since(start); waited != 50*time.Millisecond {
			t.Fatalf("the third check waited %v, want the request's 50ms", waited)
		}
		if done, ok, _, err := th.Login(req("192.0.2.2:1")); !ok || err != nil {
			t.Fatalf("another client waited: %v", err)
		} else {
			done(true)
		}
		got := make(chan bool)
		go func() {
			done, ok, _, _ := th.Login(req("192.0.2.1:1"))
			if ok {
				done(true)
			}
			got <- ok
		}()
		synctest.Wait() // the check is waiting for a turn, or has run
		select {
		case <-got:
			t.Fatal("a third check ran while two were in flight")
		default:
		}
		dones[0](true)
		if !<-got {
			t.Fatal("the waiting check was refused after a turn freed")
		}
		dones[1](false)
		th.checks.mu.Lock()
		n := len(th.checks.m)
		th.checks.mu.Unlock()
		if n != 0 {
			t.Fatalf("%d clients still tracked after their checks ended", n)
		}
	})
}
