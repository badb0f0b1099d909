package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// tcpProxy forwards a loopback port to a backend, and can cut every
// connection and stop listening to simulate an outage, then come back on
// the same port.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.DialTimeout("tcp", p.target, 2*time.Second)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { io.Copy(b, c); b.Close() }()
			go func() { io.Copy(c, b); c.Close() }()
		}
	}()
}

// down stops listening and cuts every connection.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// up listens on the same address again.
func (p *tcpProxy) up() {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("proxy cannot listen on %s again: %v", p.addr, err)
}

// TestOutagesFailClosedAndRecover cuts PostgreSQL, then Redis, under a
// running service: requests that need the missing server get 503 (never
// 2xx), /api/health stays 200, and the service recovers by itself.
func TestOutagesFailClosedAndRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a service")
	}
	dbURL, redisURL := backends(t)
	pg := newProxy(t, "127.0.0.1:5432")
	rd := newProxy(t, redisAddr)
	dbURL = "postgres://root@" + pg.addr + dbURL[len("postgres://root@127.0.0.1:5432"):]
	redisURL = "redis://" + rd.addr + redisURL[len("redis://"+redisAddr):]
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL)
	if out, code := svc.Run(t, env, "", "createuser", "--username", "alice", "--password", "alice-pass-1"); code != 0 {
		t.Fatalf("createuser: %s", out)
	}
	s := startShared(t, env)
	c := s.As("alice", "alice-pass-1")
	r := c.Do("POST", "/api/notes", map[string]string{"text": "before"})
	e2ekit.Expect(t, "create before the outage", r, 201)

	eventually := func(what string, f func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !f() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 20s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for _, tc := range []struct {
		name  string
		proxy *tcpProxy
	}{{"PostgreSQL", pg}, {"Redis", rd}} {
		tc.proxy.down()
		// The user cache lives at most a second; after it, every request needs the servers.
		time.Sleep(1100 * time.Millisecond)
		for i := 0; i < 3; i++ {
			r := c.Do("GET", "/api/notes", nil)
			if r.Status != 503 {
				t.Fatalf("%s down: GET /api/notes = %d %s, want 503", tc.name, r.Status, r.Body)
			}
			r = c.Do("POST", "/api/notes", map[string]string{"text": "during"})
			if r.Status != 503 {
				t.Fatalf("%s down: POST /api/notes = %d %s, want 503", tc.name, r.Status, r.Body)
			}
		}
		e2ekit.Expect(t, tc.name+" down: health", s.Client().Do("GET", "/api/health", nil), 200)
		tc.proxy.up()
		eventually(tc.name+" back: GET /api/notes is 200", func() bool {
			return c.Do("GET", "/api/notes", nil).Status == 200
		})
	}
	r = c.Do("GET", "/api/notes", nil)
	e2ekit.Expect(t, "after both outages", r, 200)
	if n := r.JSON(t)["count"]; n != float64(1) {
		t.Fatalf("notes after outages: %v, want 1 (nothing written during them)", n)
	}
}
