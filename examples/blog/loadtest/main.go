// Command loadtest measures the blog service against hand-written
// baselines, in one run, with interleaved rounds and medians:
//
//   - bare: a chi handler serving the post's JSON from memory, the ceiling;
//   - lean: what a careful person writes by hand: chi and golang-jwt (HS256,
//     exp, iss and aud checked), no per-request user lookup, one prepared
//     statement per request on modernc SQLite (WAL, synchronous=NORMAL,
//     2×GOMAXPROCS connections): a JOIN for GET, an INSERT ... RETURNING for
//     POST; encoding/json;
//   - ward: the generated blog service, GET /api/posts/{id} with a Bearer
//     token, and POST /api/posts. With -before, a second blog binary (say,
//     built from an earlier commit) is measured in the same rounds.
//
// Usage (from the repository root):
//
//	go build -o /tmp/blog ./examples/blog/cmd/blog
//	go run ./examples/blog/loadtest -blog /tmp/blog -rounds 5 -duration 3s
//
// -cpuprofile FILE serves the blog from this binary (the tree it was built
// from) instead of -blog and writes its CPU profile over the measured
// rounds to FILE, and the profile of its allocations to FILE.allocs, for
// `go tool pprof`. Profiling lives here, not in the service.
//
// Each process gets its own loopback port; the load generator keeps
// connections alive and runs a fixed number of workers. Only loopback
// addresses are used, and every round stops by itself.
//
// By default (-pin) the servers run on CPU 0 and the load generator on the
// others, and the generator is wrk when it is on PATH (-load): on a small
// machine a generator sharing the server's cores takes the CPU a leaner
// server leaves, so req/s would measure both processes and dilute the
// ratios. Each ratio is printed three ways: of the medians, the median of
// the per-round ratios (two targets measured one after the other), and of
// the server's CPU time per request.
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
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	jwt "github.com/golang-jwt/jwt/v5"
	_ "modernc.org/sqlite"

	"github.com/wardhq/ward/examples/blog/blogapi"
	"github.com/wardhq/ward/runtime/service"
)

const key = "loadtest-signing-key-0123456789abcdef!"

func main() {
	mode := flag.String("mode", "drive", "drive | bare | lean (serve a baseline) | blog (serve the blog, profiled)")
	addr := flag.String("addr", "127.0.0.1:0", "baseline listen address")
	dbPath := flag.String("db", "", "lean: SQLite file")
	blog := flag.String("blog", "", "path of the built blog binary")
	before := flag.String("before", "", "optional: a second blog binary measured in the same rounds")
	shop := flag.String("shop", "", "optional: the built shop binary, whose product list and order create are measured beside the blog's list and create")
	rounds := flag.Int("rounds", 5, "interleaved rounds")
	dur := flag.Duration("duration", 3*time.Second, "length of one measurement")
	workers := flag.Int("workers", 16, "concurrent connections")
	pgURL := flag.String("pg", "", "also measure the blog on this PostgreSQL URL (use a scratch schema: search_path=...)")
	redisURL := flag.String("redis", "", "with -pg: and this Redis URL (use a scratch database index)")
	cpuProfile := flag.String("cpuprofile", "", "serve the blog from this binary and write its CPU profile to this file")
	only := flag.String("only", "", "measure only the targets whose name matches this regular expression")
	load := flag.String("load", "auto", "the load generator: wrk, go (net/http's client in this process) or auto (wrk when it is on PATH)")
	pin := flag.Bool("pin", true, "run the servers on CPU 0 and the load generator on the others (with taskset), so that a server's req/s measures its own CPU per request, not the load generator's share of the cores; needs 2 or more CPUs")
	flag.Parse()
	if *mode == "drive" && *pin {
		if err := pinDriver(); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest: -pin:", err)
			os.Exit(1)
		}
	}

	var err error
	switch *mode {
	case "bare":
		err = serveBare(*addr)
	case "lean":
		err = serveLean(*addr, *dbPath)
	case "blog":
		err = serveBlog(*cpuProfile, flag.Args())
	case "drive":
		if *blog == "" && *cpuProfile == "" {
			err = errors.New("-blog or -cpuprofile is required")
			break
		}
		err = drive(options{blog: *blog, before: *before, shop: *shop, rounds: *rounds, dur: *dur, workers: *workers,
			pgURL: *pgURL, redisURL: *redisURL, cpuProfile: *cpuProfile, only: *only, load: *load})
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

// serveBlog serves the blog in this process under a CPU profile written
// to profile when the driver interrupts it.
func serveBlog(profile string, args []string) error {
	f, err := os.Create(profile)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := service.Run(ctx, blogapi.Definition(), args, os.Stdin, os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	if code != 0 {
		return fmt.Errorf("blog exited with %d", code)
	}
	allocs, err := os.Create(profile + ".allocs")
	if err != nil {
		return err
	}
	defer allocs.Close()
	return pprof.Lookup("allocs").WriteTo(allocs, 0)
}

// lean is the hand-written baseline's state: a pool and two prepared
// statements.
type lean struct {
	parser     *jwt.Parser
	get, write *sql.Stmt
}

func serveLean(addr, path string) error {
	h, err := newLean(path)
	if err != nil {
		return err
	}
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return http.Serve(ln, h)
}

// newLean opens (creating it) the baseline's database at path, with alice
// (user 1) and her post 1, and returns its router.
func newLean(path string) (http.Handler, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, err
	}
	n := 2 * runtime.GOMAXPROCS(0)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, body TEXT NOT NULL, owner_id INTEGER NOT NULL REFERENCES users(id), created_at TEXT NOT NULL)`,
		`INSERT OR IGNORE INTO users (id, username) VALUES (1, 'alice')`,
		`INSERT OR IGNORE INTO posts (id, title, body, owner_id, created_at) VALUES (1, 'Hello', 'World', 1, '2026-01-01T00:00:00Z')`,
	} {
		if _, err := db.Exec(q); err != nil {
			return nil, err
		}
	}
	l := &lean{parser: jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(),
		jwt.WithIssuer("blog"), jwt.WithAudience("blog"), jwt.WithLeeway(30*time.Second))}
	if l.get, err = db.Prepare(`SELECT p.id, p.title, p.body, u.username, p.created_at FROM posts p JOIN users u ON u.id = p.owner_id WHERE p.id = ?`); err != nil {
		return nil, err
	}
	if l.write, err = db.Prepare(`INSERT INTO posts (title, body, owner_id, created_at) VALUES (?, ?, ?, ?) RETURNING id, (SELECT username FROM users WHERE users.id = owner_id)`); err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Get("/api/posts/{id}", l.retrieve)
	r.Post("/api/posts", l.create)
	return r, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func detail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// user returns the caller's id from a valid Bearer token, or answers 401.
func (l *lean) user(w http.ResponseWriter, r *http.Request) (int64, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		detail(w, http.StatusUnauthorized, "Authentication credentials were not provided.")
		return 0, false
	}
	var c jwt.RegisteredClaims
	if _, err := l.parser.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return []byte(key), nil }); err != nil {
		detail(w, http.StatusUnauthorized, "Given token not valid for any token type")
		return 0, false
	}
	uid, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		detail(w, http.StatusUnauthorized, "Given token not valid for any token type")
		return 0, false
	}
	return uid, true
}

func (l *lean) retrieve(w http.ResponseWriter, r *http.Request) {
	if _, ok := l.user(w, r); !ok {
		return
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		detail(w, http.StatusNotFound, "Not found.")
		return
	}
	var p post
	err = l.get.QueryRowContext(r.Context(), id).Scan(&p.ID, &p.Title, &p.Body, &p.Owner, &p.CreatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		detail(w, http.StatusNotFound, "Not found.")
	case err != nil:
		detail(w, http.StatusServiceUnavailable, "Service unavailable.")
	default:
		writeJSON(w, http.StatusOK, p)
	}
}

func (l *lean) create(w http.ResponseWriter, r *http.Request) {
	uid, ok := l.user(w, r)
	if !ok {
		return
	}
	var in struct {
		Title *string `json:"title"`
		Body  string  `json:"body"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		detail(w, http.StatusBadRequest, "JSON parse error")
		return
	}
	if in.Title == nil || len(*in.Title) == 0 || len(*in.Title) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"title": {"This field is required."}})
		return
	}
	p := post{Title: *in.Title, Body: in.Body, CreatedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	if err := l.write.QueryRowContext(r.Context(), p.Title, p.Body, uid, p.CreatedAt).Scan(&p.ID, &p.Owner); err != nil {
		detail(w, http.StatusServiceUnavailable, "Service unavailable.")
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func leanToken() string {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Subject: "1", Issuer: "blog", Audience: jwt.ClaimStrings{"blog"},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	})
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

// startProc starts a server with its stderr (the blog's request log) in
// the file logPath, as a service writing its log to a file: a pipe to this
// process would make the load generator pay for reading the log.
func startProc(name string, args []string, env []string, addrFromStdout bool, addr, logPath string) (*proc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child has its own descriptor
	cmd := exec.Command(name, args...)
	if serverCPUs != "" {
		cmd = exec.Command("taskset", append([]string{"-c", serverCPUs, name}, args...)...)
	}
	cmd.Env = env
	cmd.Stderr = log
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

// serverCPUs is the CPU list (taskset's -c) the servers run on, empty when
// they are not pinned.
var serverCPUs string

// pinDriver makes this driver run on CPUs 1 and up and its servers on CPU
// 0: it runs itself again under taskset, once. With the load generator on
// the same cores as the server, a server that needs less CPU per request
// leaves more to the generator, which then sends more requests: req/s
// would measure both processes, and a ratio between servers would be
// diluted by the generator's share.
func pinDriver() error {
	serverCPUs = "0"
	if os.Getenv("LOADTEST_PINNED") != "" {
		return nil
	}
	n := runtime.NumCPU()
	if n < 2 {
		return fmt.Errorf("%d CPU: run with -pin=false", n)
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return fmt.Errorf("%v (Debian's util-linux has it), or run with -pin=false", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := append([]string{"taskset", "-c", fmt.Sprintf("1-%d", n-1), self}, os.Args[1:]...)
	return syscall.Exec(taskset, args, append(os.Environ(), "LOADTEST_PINNED=1"))
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

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
	pid    int // the server's process, whose CPU time is read
}

type options struct {
	blog, before    string
	shop            string
	rounds, workers int
	dur             time.Duration
	pgURL, redisURL string
	cpuProfile      string
	only            string
	load            string
}

func drive(o options) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ward-loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	bare, err := startProc(self, []string{"-mode", "bare"}, os.Environ(), true, "", filepath.Join(tmp, "bare.log"))
	if err != nil {
		return err
	}
	defer bare.stop()
	lean, err := startProc(self, []string{"-mode", "lean", "-db", filepath.Join(tmp, "lean.db")}, os.Environ(), true, "", filepath.Join(tmp, "lean.log"))
	if err != nil {
		return err
	}
	defer lean.stop()
	leanAuth := "Bearer " + leanToken()
	targets := []target{
		{"bare GET (memory)", "GET", bare.base + "/api/posts/1", nil, nil, 200, bare.pid()},
		{"lean GET /api/posts/{id}", "GET", lean.base + "/api/posts/1", http.Header{"Authorization": {leanAuth}}, nil, 200, lean.pid()},
		{"lean POST /api/posts", "POST", lean.base + "/api/posts", http.Header{"Authorization": {leanAuth}, "Content-Type": {"application/json"}}, []byte(postBody), 201, lean.pid()},
	}

	blogEnv := func(name string) []string {
		return append(os.Environ(), "BLOG_DATA="+filepath.Join(tmp, name), "BLOG_JWT_KEY="+key, "BLOG_LOGIN_RATE=1000/minute")
	}
	ward := blogCmd{path: o.blog}
	if o.cpuProfile != "" {
		ward = blogCmd{path: self, args: []string{"-mode", "blog", "-cpuprofile", o.cpuProfile}}
	}
	more, stop, err := startBlog(ward, "ward", tmp, blogEnv("ward"))
	if err != nil {
		return err
	}
	defer stop()
	targets = append(targets, more...)
	if o.before != "" {
		more, stop, err := startBlog(blogCmd{path: o.before}, "before", tmp, blogEnv("before"))
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, more...)
	}
	if o.shop != "" {
		// Lists on instances that the POST targets do not grow: the blog's
		// 20 posts and the shop's 20 products, a page each.
		more, stop, err := startBlogList(blogCmd{path: o.blog}, tmp, blogEnv("list"))
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, more...)
		more, stop, err = startShop(o.shop, tmp)
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, more...)
	}
	if o.pgURL != "" {
		scaled := append(blogEnv("pg"), "BLOG_DATABASE_URL="+o.pgURL)
		if o.redisURL != "" {
			scaled = append(scaled, "BLOG_REDIS_URL="+o.redisURL)
		}
		more, stop, err := startBlog(ward, "ward pg+redis", tmp, scaled)
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, more...)
	}
	if o.only != "" {
		re, err := regexp.Compile(o.only)
		if err != nil {
			return fmt.Errorf("-only: %v", err)
		}
		targets = slices.DeleteFunc(targets, func(t target) bool { return !re.MatchString(t.name) })
	}
	load := o.load
	if load == "auto" {
		load = "go"
		if _, err := exec.LookPath("wrk"); err == nil {
			load = "wrk"
		}
	}
	if load != "go" && load != "wrk" {
		return fmt.Errorf("-load %q: want wrk, go or auto", o.load)
	}
	results := make([][]float64, len(targets))
	cpu := make([][]float64, len(targets))
	for round := 0; round < o.rounds; round++ {
		for i, tg := range targets {
			before := cpuTime(tg.pid)
			var rps float64
			var n int64
			if load == "wrk" {
				rps, n, err = measureWrk(tg, o.dur, o.workers, tmp)
			} else {
				rps, n, err = measure(tg, o.dur, o.workers)
			}
			if err != nil {
				return fmt.Errorf("%s: %v", tg.name, err)
			}
			results[i] = append(results[i], rps)
			if used := cpuTime(tg.pid) - before; before >= 0 && n > 0 {
				cpu[i] = append(cpu[i], float64(used.Microseconds())/float64(n))
			}
		}
	}
	med := map[string]float64{}
	fmt.Printf("%-34s %12s %9s   (rounds: %d × %s, %d connections, load generator: %s)\n", "target", "median req/s", "server µs", o.rounds, o.dur, o.workers, load)
	if serverCPUs != "" {
		fmt.Printf("servers pinned to CPU %s, the load generator to the others\n", serverCPUs)
	}
	for i, tg := range targets {
		med[tg.name] = median(results[i])
		perReq := "-"
		if len(cpu[i]) > 0 {
			perReq = fmt.Sprintf("%.1f", median(cpu[i]))
		}
		fmt.Printf("%-34s %12.0f %9s   %v\n", tg.name, med[tg.name], perReq, round0(results[i]))
	}
	fmt.Println("server µs: the median CPU time the server process spent per request (user + system)")
	fmt.Println()
	index := map[string]int{}
	for i, tg := range targets {
		index[tg.name] = i
	}
	// A ratio is given three ways: of the medians; the median of the
	// rounds' own ratios (a and b measured one after the other, so that a
	// machine slowing down for a while moves both); and of the median CPU
	// time per request (b's over a's: above 1 when a needs less).
	fmt.Printf("%-34s %5s %7s %5s\n", "", "req/s", "paired", "CPU")
	ratio := func(label, a, b, note string) {
		if med[a] == 0 || med[b] == 0 {
			return
		}
		ra, rb := results[index[a]], results[index[b]]
		paired := make([]float64, len(ra))
		for i := range ra {
			paired[i] = ra[i] / rb[i]
		}
		c := "-"
		if ca, cb := cpu[index[a]], cpu[index[b]]; len(ca) > 0 && len(cb) > 0 {
			c = fmt.Sprintf("%.2f", median(cb)/median(ca))
		}
		fmt.Printf("%-34s %5.2f %7.2f %5s%s\n", label, med[a]/med[b], median(paired), c, note)
	}
	ratio("lean GET / bare", "lean GET /api/posts/{id}", "bare GET (memory)", "")
	ratio("ward GET / lean GET", "ward GET /api/posts/{id}", "lean GET /api/posts/{id}", "  (target >= 1.10)")
	ratio("ward POST / lean POST", "ward POST /api/posts", "lean POST /api/posts", "")
	ratio("before GET / lean GET", "before GET /api/posts/{id}", "lean GET /api/posts/{id}", "")
	ratio("before POST / lean POST", "before POST /api/posts", "lean POST /api/posts", "")
	ratio("ward GET / before GET", "ward GET /api/posts/{id}", "before GET /api/posts/{id}", "")
	ratio("ward POST / before POST", "ward POST /api/posts", "before POST /api/posts", "")
	ratio("shop list / blog list", "shop GET /api/products", "ward GET /api/posts", "")
	ratio("shop create / blog create", "shop POST /api/orders", "ward POST /api/posts", "")
	ratio("pg+redis GET / sqlite GET", "ward pg+redis GET /api/posts/{id}", "ward GET /api/posts/{id}", "")
	ratio("pg+redis POST / sqlite POST", "ward pg+redis POST /api/posts", "ward POST /api/posts", "")
	return nil
}

// postBody is the body of every measured POST.
const postBody = `{"title":"load","body":"test"}`

// blogCmd runs the blog: path with args before the blog's own arguments.
type blogCmd struct {
	path string
	args []string
}

func (b blogCmd) with(args ...string) []string {
	return append(b.args[:len(b.args):len(b.args)], args...)
}

// startBlog creates a user in the blog on env, serves it, logs in, creates a
// post, and returns its GET and POST targets.
func startBlog(blog blogCmd, name, tmp string, env []string) ([]target, func(), error) {
	create := exec.Command(blog.path, blog.with("createuser", "--username", "alice", "--password", "alice-pass-1")...)
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("createuser: %v: %s", err, out)
	}
	addr := freeAddr()
	p, err := startProc(blog.path, blog.with("serve", "--addr", addr), env, false, addr, filepath.Join(tmp, strings.ReplaceAll(name, " ", "-")+".log"))
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
		{name + " GET /api/posts/{id}", "GET", fmt.Sprintf("%s/api/posts/%d", p.base, postID), bearer, nil, 200, p.pid()},
		{name + " POST /api/posts", "POST", p.base + "/api/posts", jsonBearer, []byte(postBody), 201, p.pid()},
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

// cpuTime returns the CPU time (user + system, all threads) process pid
// has used, from /proc; -1 where there is no /proc.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The fields after the command name, which is in parentheses; utime and
	// stime are fields 14 and 15 of the line, in clock ticks (USER_HZ, 100
	// on Linux).
	_, after, ok := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(after))
	if !ok || len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// measure runs workers keep-alive clients against tg for dur and returns
// the completed requests per second and their number. Any unexpected
// status is an error.
func measure(tg target, dur time.Duration, workers int) (float64, int64, error) {
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
		return 0, 0, firstErr
	}
	return float64(n.Load()) / time.Since(start).Seconds(), n.Load(), nil
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
