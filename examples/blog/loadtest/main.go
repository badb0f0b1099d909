// Command loadtest measures the blog service against two hand-written
// baselines, in one run, with interleaved rounds and medians:
//
//   - bare:    a chi handler serving the post's JSON from memory;
//   - handjwt: chi + golang-jwt doing the same checks (HS256, exp, iss, aud,
//     an active user looked up by id) and reading the same row through the
//     same SQLite driver;
//   - ward:    the generated blog service, GET /api/posts/{id} with a Bearer
//     token, and POST /api/posts.
//
// Usage (from the repository root):
//
//	go build -o /tmp/blog ./examples/blog/cmd/blog
//	go run ./examples/blog/loadtest -blog /tmp/blog -rounds 5 -duration 3s
//
// Each process gets its own loopback port; the load generator keeps
// connections alive and runs a fixed number of workers. Only loopback
// addresses are used, and every round stops by itself.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	jwt "github.com/golang-jwt/jwt/v5"
	_ "modernc.org/sqlite"
)

const key = "loadtest-signing-key-0123456789abcdef!"

func main() {
	mode := flag.String("mode", "drive", "drive | bare | handjwt (the last two serve a baseline)")
	addr := flag.String("addr", "127.0.0.1:0", "baseline listen address")
	dbPath := flag.String("db", "", "baseline SQLite file")
	blog := flag.String("blog", "", "path of the built blog binary")
	rounds := flag.Int("rounds", 5, "interleaved rounds")
	dur := flag.Duration("duration", 3*time.Second, "length of one measurement")
	workers := flag.Int("workers", 16, "concurrent connections")
	pgURL := flag.String("pg", "", "also measure the blog on this PostgreSQL URL (use a scratch schema: search_path=...)")
	redisURL := flag.String("redis", "", "with -pg: and this Redis URL (use a scratch database index)")
	flag.Parse()

	var err error
	switch *mode {
	case "bare":
		err = serveBare(*addr)
	case "handjwt":
		err = serveHandJWT(*addr, *dbPath)
	case "drive":
		if *blog == "" {
			err = errors.New("-blog is required")
			break
		}
		err = drive(*blog, *rounds, *dur, *workers, *pgURL, *redisURL)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type post struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	Owner     string `json:"owner"`
	CreatedAt string `json:"created_at"`
}

var samplePost = post{ID: 1, Title: "Hello", Body: "World", Owner: "alice", CreatedAt: "2026-01-01T00:00:00Z"}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Println(ln.Addr().String()) // the driver reads the address from stdout
	return ln, nil
}

func serveBare(addr string) error {
	r := chi.NewRouter()
	r.Get("/api/posts/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(samplePost)
	})
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return http.Serve(ln, r)
}

type claims struct {
	TokenType string `json:"token_type"`
	jwt.RegisteredClaims
}

func serveHandJWT(addr, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return err
	}
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, is_active INTEGER NOT NULL, is_staff INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, body TEXT NOT NULL, owner_id INTEGER NOT NULL REFERENCES users(id), created_at TEXT NOT NULL)`,
		`INSERT OR IGNORE INTO users (id, username, is_active, is_staff) VALUES (1, 'alice', 1, 0)`,
		`INSERT OR IGNORE INTO posts (id, title, body, owner_id, created_at) VALUES (1, 'Hello', 'World', 1, '2026-01-01T00:00:00Z')`,
	} {
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(),
		jwt.WithIssuer("blog"), jwt.WithAudience("blog"), jwt.WithLeeway(30*time.Second))
	keyFunc := func(*jwt.Token) (any, error) { return []byte(key), nil }
	r := chi.NewRouter()
	r.Get("/api/posts/{id}", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if !strings.HasPrefix(h, "Bearer ") {
			http.Error(w, `{"detail":"Authentication credentials were not provided."}`, http.StatusUnauthorized)
			return
		}
		var c claims
		if _, err := parser.ParseWithClaims(h[7:], &c, keyFunc); err != nil || c.TokenType != "access" {
			http.Error(w, `{"detail":"Given token not valid for any token type"}`, http.StatusUnauthorized)
			return
		}
		uid, _ := strconv.ParseInt(c.Subject, 10, 64)
		var active bool
		if err := db.QueryRow(`SELECT is_active FROM users WHERE id = ?`, uid).Scan(&active); err != nil || !active {
			http.Error(w, `{"detail":"User not found"}`, http.StatusUnauthorized)
			return
		}
		id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
		if err != nil {
			http.Error(w, `{"detail":"Not found."}`, 404)
			return
		}
		var p post
		err = db.QueryRow(`SELECT p.id, p.title, p.body, u.username, p.created_at FROM posts p JOIN users u ON u.id = p.owner_id WHERE p.id = ?`, id).
			Scan(&p.ID, &p.Title, &p.Body, &p.Owner, &p.CreatedAt)
		if err != nil {
			http.Error(w, `{"detail":"Not found."}`, 404)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p)
	})
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return http.Serve(ln, r)
}

func handToken() string {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{TokenType: "access", RegisteredClaims: jwt.RegisteredClaims{
		Subject: "1", Issuer: "blog", Audience: jwt.ClaimStrings{"blog"},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}})
	s, err := t.SignedString([]byte(key))
	if err != nil {
		panic(err)
	}
	return s
}

// proc is a server process the driver started.
type proc struct {
	cmd  *exec.Cmd
	base string
}

func startProc(name string, args []string, env []string, addrFromStdout bool, addr string) (*proc, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stderr = io.Discard
	p := &proc{cmd: cmd}
	if addrFromStdout {
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		buf := make([]byte, 64)
		n, err := out.Read(buf)
		if err != nil {
			return nil, err
		}
		p.base = "http://" + strings.TrimSpace(string(buf[:n]))
		go io.Copy(io.Discard, out)
		return p, nil
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.base = "http://" + addr
	for i := 0; i < 300; i++ {
		if resp, err := http.Get(p.base + "/api/health"); err == nil {
			resp.Body.Close()
			return p, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, fmt.Errorf("%s did not start", name)
}

func (p *proc) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
	}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// target is one thing to measure.
type target struct {
	name   string
	method string
	url    string
	header http.Header
	body   []byte
	want   int
}

func drive(blog string, rounds int, dur time.Duration, workers int, pgURL, redisURL string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ward-loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	bare, err := startProc(self, []string{"-mode", "bare"}, os.Environ(), true, "")
	if err != nil {
		return err
	}
	defer bare.stop()
	hand, err := startProc(self, []string{"-mode", "handjwt", "-db", filepath.Join(tmp, "hand.db")}, os.Environ(), true, "")
	if err != nil {
		return err
	}
	defer hand.stop()

	env := append(os.Environ(), "BLOG_DATA="+filepath.Join(tmp, "blog"), "BLOG_JWT_KEY="+key, "BLOG_LOGIN_RATE=1000/minute")
	wardTargets, stop, err := startBlog(blog, "ward", env)
	if err != nil {
		return err
	}
	defer stop()
	targets := []target{
		{"bare GET (memory)", "GET", bare.base + "/api/posts/1", nil, nil, 200},
		{"hand chi+jwt+sqlite GET", "GET", hand.base + "/api/posts/1", http.Header{"Authorization": {"Bearer " + handToken()}}, nil, 200},
	}
	targets = append(targets, wardTargets...)
	if pgURL != "" {
		scaled := append(env[:len(env):len(env)], "BLOG_DATABASE_URL="+pgURL)
		if redisURL != "" {
			scaled = append(scaled, "BLOG_REDIS_URL="+redisURL)
		}
		more, stop, err := startBlog(blog, "ward pg+redis", scaled)
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, more...)
	}
	results := make([][]float64, len(targets))
	for round := 0; round < rounds; round++ {
		for i, tg := range targets {
			rps, err := measure(tg, dur, workers)
			if err != nil {
				return fmt.Errorf("%s: %v", tg.name, err)
			}
			results[i] = append(results[i], rps)
		}
	}
	med := make([]float64, len(targets))
	fmt.Printf("%-30s %12s   (rounds: %d × %s, %d workers)\n", "target", "median req/s", rounds, dur, workers)
	for i, tg := range targets {
		med[i] = median(results[i])
		fmt.Printf("%-30s %12.0f   %v\n", tg.name, med[i], round0(results[i]))
	}
	fmt.Printf("\nhand baseline / bare:             %.2f\n", med[1]/med[0])
	fmt.Printf("ward GET / hand baseline:         %.2f  (target >= 1.1)\n", med[2]/med[1])
	fmt.Printf("ward GET / bare:                  %.2f\n", med[2]/med[0])
	fmt.Printf("ward POST / ward GET:             %.2f\n", med[3]/med[2])
	if len(targets) > 4 {
		fmt.Printf("pg+redis GET / sqlite GET:        %.2f\n", med[4]/med[2])
		fmt.Printf("pg+redis POST / sqlite POST:      %.2f\n", med[5]/med[3])
	}
	return nil
}

// startBlog creates a user in the blog on env, serves it, logs in, creates a
// post, and returns its GET and POST targets.
func startBlog(blog, name string, env []string) ([]target, func(), error) {
	create := exec.Command(blog, "createuser", "--username", "alice", "--password", "alice-pass-1")
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("createuser: %v: %s", err, out)
	}
	addr := freeAddr()
	p, err := startProc(blog, []string{"serve", "--addr", addr}, env, false, addr)
	if err != nil {
		return nil, nil, err
	}
	access, postID, err := prepareBlog(p.base)
	if err != nil {
		p.stop()
		return nil, nil, err
	}
	bearer := http.Header{"Authorization": {"Bearer " + access}}
	jsonBearer := http.Header{"Authorization": {"Bearer " + access}, "Content-Type": {"application/json"}}
	return []target{
		{name + " GET /api/posts/{id}", "GET", fmt.Sprintf("%s/api/posts/%d", p.base, postID), bearer, nil, 200},
		{name + " POST /api/posts", "POST", p.base + "/api/posts", jsonBearer, []byte(`{"title":"load","body":"test"}`), 201},
	}, p.stop, nil
}

func prepareBlog(base string) (string, int64, error) {
	body, _ := json.Marshal(map[string]string{"username": "alice", "password": "alice-pass-1"})
	resp, err := http.Post(base+"/auth/jwt/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	var login struct {
		Access string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if err != nil || login.Access == "" {
		return "", 0, fmt.Errorf("login failed: %d %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest("POST", base+"/api/posts", strings.NewReader(`{"title":"Hello","body":"World"}`))
	req.Header.Set("Authorization", "Bearer "+login.Access)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, err
	}
	var p post
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 201 {
		return "", 0, fmt.Errorf("create failed: %d %v", resp.StatusCode, err)
	}
	return login.Access, p.ID, nil
}

// measure runs workers keep-alive clients against tg for dur and returns
// the completed requests per second. Any unexpected status is an error.
func measure(tg target, dur time.Duration, workers int) (float64, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequest(tg.method, tg.url, bytes.NewReader(tg.body))
				for k, v := range tg.header {
					req.Header[k] = v
				}
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						once.Do(func() { firstErr = err })
					}
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tg.want {
					once.Do(func() { firstErr = fmt.Errorf("status %d, want %d", resp.StatusCode, tg.want) })
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func round0(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}
