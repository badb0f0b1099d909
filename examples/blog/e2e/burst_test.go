package e2e

import (
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// cpuSeconds is the user+system CPU time the process pid has used so far,
// from /proc (Linux); ok is false elsewhere.
func cpuSeconds(pid int) (float64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the parenthesised command: state is field 3, utime 14, stime 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return (ut + st) / 100, true // USER_HZ is 100 on Linux
}

// backendServer starts the blog with alice on one backend: "sqlite" (the
// embedded default) or "redis" (PostgreSQL and Redis).
func backendServer(t *testing.T, backend string, extraEnv ...string) *e2ekit.Server {
	t.Helper()
	if backend == "sqlite" {
		return svc.StartServer(t, extraEnv...)
	}
	dbURL, redisURL := backends(t)
	env := svc.Env(t.TempDir(), append([]string{"BLOG_DATABASE_URL=" + dbURL, "BLOG_REDIS_URL=" + redisURL}, extraEnv...)...)
	if out, code := svc.Run(t, env, "", "createuser", "--username", "alice", "--password", "alice-pass-1"); code != 0 {
		t.Fatalf("createuser: exit %d: %s", code, out)
	}
	return startShared(t, env)
}

// basicBurst sends burst Basic requests for alice from 127.0.0.1, spread
// over the servers in turn and released together, the right password last:
// once every wrong one is on the wire and the rate's worth of them were
// checked (answered 401), so that however a loaded machine schedules the
// server, the budget is spent when the right one arrives. During
// the burst a bystander at 127.0.0.2 logs in by JWT on the first server.
// It returns the statuses, how long the burst and the bystander's login
// took, and the servers' CPU seconds ("n/a" off Linux).
func basicBurst(t *testing.T, servers []*e2ekit.Server, burst int) (status []int, took, bystander time.Duration, cpu string) {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: burst}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	cpu0 := 0.0
	cpuOK := true
	for _, s := range servers {
		c, ok := cpuSeconds(s.Cmd.Process.Pid)
		cpu0, cpuOK = cpu0+c, cpuOK && ok
	}
	status = make([]int, burst)
	start := make(chan struct{})
	var wg, wrote sync.WaitGroup
	wrote.Add(burst - 1)
	// spent is closed when loginRate wrong guesses were answered 401, or
	// when every wrong guess was answered, whatever the answers.
	spent := make(chan struct{})
	var spentOnce sync.Once
	var mu sync.Mutex
	answered, rejected := 0, 0
	answer := func(st int) {
		mu.Lock()
		defer mu.Unlock()
		answered++
		if st == http.StatusUnauthorized {
			rejected++
		}
		if rejected >= loginRate || answered == burst-1 {
			spentOnce.Do(func() { close(spent) })
		}
	}
	for i := range burst {
		pw := "guess-" + strconv.Itoa(i)
		if i == burst-1 {
			pw = "alice-pass-1"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", servers[i%len(servers)].Base+"/auth/me", nil)
			req.Header.Set("Authorization", "Basic "+b64("alice:"+pw))
			var once sync.Once
			if i < burst-1 {
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
					WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(wrote.Done) },
				}))
			}
			<-start
			if i == burst-1 {
				wrote.Wait()
				<-spent
			}
			resp, err := hc.Do(req)
			if err != nil {
				if i < burst-1 {
					once.Do(wrote.Done)
					answer(0)
				}
				t.Errorf("attempt %d: %v", i, err)
				return
			}
			resp.Body.Close()
			status[i] = resp.StatusCode
			if i < burst-1 {
				answer(resp.StatusCode)
			}
		}()
	}
	began := time.Now()
	close(start)
	time.Sleep(20 * time.Millisecond)
	other := fromAddr(servers[0], "127.0.0.2")
	t0 := time.Now()
	e2ekit.Expect(t, "bystander login during the burst", other.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}), 200)
	bystander = time.Since(t0)
	wg.Wait()
	took = time.Since(began)
	cpu = "n/a"
	if cpuOK {
		cpu1 := 0.0
		for _, s := range servers {
			c, _ := cpuSeconds(s.Cmd.Process.Pid)
			cpu1 += c
		}
		cpu = strconv.FormatFloat(cpu1-cpu0, 'f', 2, 64) + " s"
	}
	return status, took, bystander, cpu
}

// checkBurst asserts what the login throttle promises of a burst: at most
// the rate's worth of credentials checked (401, or 200), everything else
// 429, and the right password, sent last, refused.
func checkBurst(t *testing.T, status []int) map[int]int {
	t.Helper()
	counts := map[int]int{}
	for _, st := range status {
		counts[st]++
	}
	if n := counts[http.StatusUnauthorized] + counts[http.StatusOK]; n > loginRate {
		t.Errorf("%d credentials were checked (answered 401 or 200), want at most %d", n, loginRate)
	}
	if counts[http.StatusUnauthorized]+counts[http.StatusOK]+counts[http.StatusTooManyRequests] != len(status) {
		t.Errorf("statuses %v: want only 401, 429 (and 200)", counts)
	}
	if st := status[len(status)-1]; st != http.StatusTooManyRequests {
		t.Errorf("the right password, sent last: %d, want 429", st)
	}
	return counts
}

// Issue 10, item 1, over HTTP: 200 Basic requests from one address
// released together, the right password last. At the default login rate
// (10 a minute) at most 10 are checked (answered 401), the rest are
// refused (429) before any password is hashed, and the right password,
// sent last, is refused too. A JWT login from another address meanwhile
// stays quick. The figures (statuses, server CPU seconds, the bystander's
// wait) are logged for the note.
func TestBasicBurstOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("a burst of 200 requests")
	}
	for _, backend := range []string{"sqlite", "redis"} {
		t.Run(backend, func(t *testing.T) {
			s := backendServer(t, backend)
			status, took, bystander, cpu := basicBurst(t, []*e2ekit.Server{s}, 200)
			counts := checkBurst(t, status)
			t.Logf("%s: statuses %v; burst took %v; server CPU %s; bystander login took %v", backend, counts, took.Round(time.Millisecond), cpu, bystander.Round(time.Millisecond))
		})
	}
}

// The same burst spread over two instances sharing PostgreSQL and Redis:
// the slots are taken in the shared bucket, so the two together check no
// more than the rate allows.
func TestBasicBurstAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	a := backendServer(t, "redis")
	b := startShared(t, append(a.Env[:len(a.Env):len(a.Env)], "BLOG_DATA="+t.TempDir()))
	status, took, _, cpu := basicBurst(t, []*e2ekit.Server{a, b}, 200)
	counts := checkBurst(t, status)
	t.Logf("two instances: statuses %v; burst took %v; servers' CPU %s", counts, took.Round(time.Millisecond), cpu)
}

// loginRate is the blog's default login rate per minute.
const loginRate = 10
