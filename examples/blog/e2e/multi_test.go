package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardhq/ward/examples/internal/e2ekit"
	"github.com/wardhq/ward/examples/internal/e2eredis"
)

const (
	pgBase    = "postgres://root@127.0.0.1:5432/test?sslmode=disable"
	redisAddr = e2eredis.Addr
)

// backends gives the test its own PostgreSQL schema and Redis database
// index, and removes both afterwards. Without the servers the test skips,
// except under CI=true, where it fails.
func backends(t *testing.T) (dbURL, redisURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgBase)
	if err != nil {
		unreachable(t, "PostgreSQL", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schemaName := "ward_e2e_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schemaName); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, pgBase); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schemaName+" CASCADE")
			conn.Close(ctx)
		}
	})

	return pgBase + "&search_path=" + schemaName, e2eredis.Hold(t, "blog:")
}

func unreachable(t *testing.T, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is unreachable under CI=true: %v", what, err)
	}
	t.Skipf("%s is unreachable: %v", what, err)
}

// startShared starts a server on env (users must exist already).
func startShared(t *testing.T, env []string) *e2ekit.Server {
	s := &e2ekit.Server{Service: svc, T: t, Data: t.TempDir(), Env: env}
	s.Start()
	return s
}

func TestTwoInstancesActAsOne(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	// A generous login rate: this test logs in often; the next one tests the limit.
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	for _, u := range [][]string{
		{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		{"createuser", "--username", "root", "--password", "root-pass-1", "--staff"},
	} {
		if out, code := svc.Run(t, env, "", u...); code != 0 {
			t.Fatalf("%v: exit %d: %s", u, code, out)
		}
	}
	a := startShared(t, env)
	// B has its own (empty) data folder: everything it knows comes from the shared backends.
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))

	t.Run("credentials from A work on B", func(t *testing.T) {
		ca := a.Client()
		access := ca.JWTLogin("alice", "alice-pass-1")
		cb := b.Client()
		cb.Auth = "Bearer " + access
		e2ekit.Expect(t, "jwt from A on B", cb.Do("GET", "/auth/me", nil), 200)

		r := a.Client().Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "token login on A", r, 200)
		cb.Auth = "Token " + r.JSON(t)["token"].(string)
		e2ekit.Expect(t, "token from A on B", cb.Do("GET", "/auth/me", nil), 200)

		r = a.Client().Do("POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "session login on A", r, 200)
		cb.Auth = ""
		cookies := "sessionid=" + e2ekit.Cookie(r, "sessionid").Value + "; csrftoken=" + e2ekit.Cookie(r, "csrftoken").Value
		e2ekit.Expect(t, "session from A on B", cb.Do("GET", "/auth/me", nil, "Cookie", cookies), 200)
		r = cb.Do("POST", "/api/notes", map[string]string{"text": "via B"}, "Cookie", cookies, "X-CSRFToken", e2ekit.Cookie(r, "csrftoken").Value)
		e2ekit.Expect(t, "session write on B", r, 201)
	})

	t.Run("logout on A is seen by B", func(t *testing.T) {
		ca := a.Client()
		r := ca.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
		e2ekit.Expect(t, "login", r, 200)
		refresh := e2ekit.Cookie(r, "refresh_token").Value
		ca.Auth = "Bearer " + r.JSON(t)["access_token"].(string)
		e2ekit.Expect(t, "logout on A", ca.Do("POST", "/auth/jwt/logout", nil), 204)
		r = b.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": refresh})
		e2ekit.Expect(t, "refresh on B after logout on A", r, 401)
	})

	t.Run("concurrent refreshes on A and B: at most one wins", func(t *testing.T) {
		for round := 0; round < 5; round++ {
			r := a.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
			e2ekit.Expect(t, "login", r, 200)
			refresh := e2ekit.Cookie(r, "refresh_token").Value
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, s := range []*e2ekit.Server{a, b} {
				wg.Add(1)
				go func(i int, s *e2ekit.Server) {
					defer wg.Done()
					statuses[i] = postJSON(s.Base+"/auth/jwt/refresh", fmt.Sprintf(`{"refresh_token":%q}`, refresh))
				}(i, s)
			}
			wg.Wait()
			wins := 0
			for _, st := range statuses {
				if st == 200 {
					wins++
				} else if st != 401 {
					t.Fatalf("refresh status %d", st)
				}
			}
			if wins > 1 {
				t.Fatalf("round %d: both refreshes of one token succeeded", round)
			}
		}
	})

	t.Run("1,000 concurrent creates over A and B", func(t *testing.T) {
		access := a.Client().JWTLogin("alice", "alice-pass-1")
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids := map[int64]bool{}
		errs := 0
		sem := make(chan struct{}, 32)
		for i := 0; i < 1000; i++ {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			sem <- struct{}{}
			go func(i int, s *e2ekit.Server) {
				defer wg.Done()
				defer func() { <-sem }()
				id, err := createPost(s.Base, access, fmt.Sprintf("post %d", i))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs++
					return
				}
				ids[id] = true
			}(i, s)
		}
		wg.Wait()
		if errs != 0 || len(ids) != 1000 {
			t.Fatalf("%d errors, %d distinct ids", errs, len(ids))
		}
		r := b.Client().Do("GET", "/api/posts", nil)
		e2ekit.Expect(t, "list", r, 200)
		if c := r.JSON(t)["count"]; c != float64(1000) {
			t.Fatalf("count %v, want 1000", c)
		}
	})

}

// Instances started together on an empty PostgreSQL schema all come up:
// the resource tables' migrations queue on the runtime's advisory lock and
// read the schema inside it, so none of them creates a table twice.
func TestConcurrentStartOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four services")
	}
	for round := range 3 {
		dbURL, _ := backends(t)
		env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL=")
		const n = 4
		cmds := make([]*exec.Cmd, n)
		logs := make([]*bytes.Buffer, n)
		addrs := make([]string, n)
		for i := range cmds {
			addrs[i] = e2ekit.FreeAddr(t)
			logs[i] = new(bytes.Buffer)
			cmds[i] = exec.Command(svc.Bin, "serve", "--addr", addrs[i])
			cmds[i].Env = append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir())
			cmds[i].Stdout, cmds[i].Stderr = logs[i], logs[i]
		}
		for _, c := range cmds {
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
		}
		exited := make([]chan struct{}, n)
		for i, c := range cmds {
			exited[i] = make(chan struct{})
			go func() { c.Wait(); close(exited[i]) }()
		}
		for i := range cmds {
			healthy := false
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !healthy; {
				select {
				case <-exited[i]:
					deadline = time.Time{}
					continue
				default:
				}
				if resp, err := http.Get("http://" + addrs[i] + "/api/health"); err == nil {
					resp.Body.Close()
					healthy = resp.StatusCode == 200
				}
				if !healthy {
					time.Sleep(50 * time.Millisecond)
				}
			}
			if !healthy {
				t.Errorf("round %d: instance %d of %d did not answer health: %s", round, i+1, n, strings.TrimSpace(logs[i].String()))
			}
		}
		for i, c := range cmds {
			c.Process.Signal(syscall.SIGTERM)
			<-exited[i]
		}
		if t.Failed() {
			return
		}
	}
}

func TestLoginThrottleSharedAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL)
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))
	for i := 0; i < 10; i++ {
		s := []*e2ekit.Server{a, b}[i%2]
		if st := postJSON(s.Base+"/auth/jwt/login", `{"username":"alice","password":"wrong"}`); st != 401 {
			t.Fatalf("attempt %d: status %d, want 401", i+1, st)
		}
	}
	for _, s := range []*e2ekit.Server{a, b} {
		if st := postJSON(s.Base+"/auth/token/login", `{"username":"alice","password":"wrong"}`); st != 429 {
			t.Fatalf("11th attempt: status %d, want 429", st)
		}
	}
}

func TestDeadRedisAnswers503(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a service")
	}
	dbURL, _ := backends(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL=redis://"+dead+"/0")
	if out, code := svc.Run(t, env, "", "createuser", "--username", "alice", "--password", "alice-pass-1"); code != 0 {
		t.Fatalf("createuser: %s", out)
	}
	s := startShared(t, env)
	c := s.Client()
	checks := []struct {
		method, path string
		body         any
		headers      []string
	}{
		{"POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, nil},
		{"POST", "/auth/session/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, nil},
		{"POST", "/auth/jwt/refresh", map[string]string{"refresh_token": "x.y.z"}, nil},
		{"GET", "/api/notes", nil, []string{"Cookie", "sessionid=abc"}},
		{"GET", "/auth/me", nil, []string{"Cookie", "sessionid=abc"}},
	}
	for _, ch := range checks {
		r := c.Do(ch.method, ch.path, ch.body, ch.headers...)
		if r.Status >= 200 && r.Status < 300 {
			t.Fatalf("%s %s with Redis down: %d %s", ch.method, ch.path, r.Status, r.Body)
		}
		if r.Status == 503 && !strings.Contains(string(r.Body), `"detail"`) {
			t.Fatalf("503 without detail: %s", r.Body)
		}
	}
	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	e2ekit.Expect(t, "login with Redis down", r, 503)
	e2ekit.Expect(t, "health stays liveness", c.Do("GET", "/api/health", nil), 200)
}

func postJSON(url, body string) int {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

func createPost(base, access, title string) (int64, error) {
	req, _ := http.NewRequest("POST", base+"/api/posts", strings.NewReader(fmt.Sprintf(`{"title":%q}`, title)))
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var p struct {
		ID int64 `json:"id"`
	}
	if resp.StatusCode != 201 {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return 0, err
	}
	return p.ID, nil
}
