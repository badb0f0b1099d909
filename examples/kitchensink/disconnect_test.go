package kitchensink_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/rest"
)

// TestClientsThatGoAway cancels writes (create, update, delete) at random
// points, on SQLite and on PostgreSQL behind a proxy that slows the
// database's answers, so that cancellations land inside transactions and
// commits. Whatever a request was answered (and logged) is what happened:
// every 201, 200 and 204 is stored, and no write whose request was answered
// or logged as a failure is.
func TestClientsThatGoAway(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testClientsThatGoAway(t, setup(t)) })
	t.Run("postgres", func(t *testing.T) {
		testClientsThatGoAway(t, setupDB(t, openSlowPostgres(t, 2*time.Millisecond), rest.Postgres))
	})
}

// openSlowPostgres opens a schema of its own (dropped afterwards) through a
// proxy that delays every answer of the server by delay. The schema is in
// the connection string, so a connection that a cancellation breaks is
// replaced by one that sees it too.
func openSlowPostgres(t *testing.T, delay time.Duration) *sql.DB {
	admin := openPostgres(t) // skips without a server; its own schema is unused
	b := make([]byte, 6)
	rand.Read(b)
	schema := fmt.Sprintf("ward_ks_gone_%x", b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", "127.0.0.1:5432")
			if err != nil {
				c.Close()
				continue
			}
			conns.Add(2)
			go func() { defer conns.Done(); io.Copy(s, c); s.Close() }()
			go func() {
				defer conns.Done()
				defer c.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := s.Read(buf)
					if n > 0 {
						time.Sleep(delay)
						if _, werr := c.Write(buf[:n]); werr != nil {
							s.Close()
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	var db *sql.DB
	for _, user := range []string{"postgres", "root"} {
		dsn := "postgres://" + user + "@" + ln.Addr().String() + "/test?sslmode=disable&connect_timeout=3&search_path=" + schema
		if db, err = sql.Open("pgx", dsn); err == nil {
			if err = db.Ping(); err == nil {
				break
			}
			db.Close()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		ln.Close()
		conns.Wait()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	return db
}

// lockedBuffer is the log's output, written by concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// answered records the status each request was answered with, by its
// X-Request header, as the service's request log does.
type answered struct {
	mu     sync.Mutex
	status map[string]int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (a *answered) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		a.mu.Lock()
		a.status[r.Header.Get("X-Request")] = rec.status
		a.mu.Unlock()
	})
}

func testClientsThatGoAway(t *testing.T, e *env) {
	const perKind = 60
	// Rows for the updates and deletes to work on.
	ids := map[string]string{}
	for i := 0; i < perKind; i++ {
		for _, kind := range []string{"update", "delete"} {
			m := e.mustCreate(t, "/api/letters", "alice", map[string]any{"author": "alice", "text": fmt.Sprintf("%s-%d-before", kind, i)})
			ids[fmt.Sprintf("%s-%d", kind, i)] = fmt.Sprint(m["id"])
		}
	}
	var logs lockedBuffer
	e.app.Log = slog.New(slog.NewTextHandler(&logs, nil))
	ans := &answered{status: map[string]int{}}
	srv := httptest.NewServer(ans.wrap(e.handler))

	type req struct{ key, method, path, body string }
	var reqs []req
	for i := 0; i < perKind; i++ {
		reqs = append(reqs,
			req{fmt.Sprintf("create-%d", i), "POST", "/api/letters", fmt.Sprintf(`{"author":"alice","text":"create-%d-after"}`, i)},
			req{fmt.Sprintf("update-%d", i), "PATCH", "/api/letters/" + ids[fmt.Sprintf("update-%d", i)], fmt.Sprintf(`{"text":"update-%d-after"}`, i)},
			req{fmt.Sprintf("delete-%d", i), "DELETE", "/api/letters/" + ids[fmt.Sprintf("delete-%d", i)], ""},
		)
	}
	send := func(r req, ctx context.Context) (int, error) {
		hr, _ := http.NewRequestWithContext(ctx, r.method, srv.URL+r.path, strings.NewReader(r.body))
		hr.Header.Set("Authorization", "Bearer alice")
		hr.Header.Set("X-Request", r.key)
		if r.body != "" {
			hr.Header.Set("Content-Type", "application/json")
		}
		res, err := srv.Client().Do(hr)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		if _, err := io.ReadAll(res.Body); err != nil {
			return 0, err
		}
		return res.StatusCode, nil
	}
	// How long a write takes here: the cancellations spread over twice that.
	var took []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		if st, err := send(req{"probe-" + strconv.Itoa(i), "POST", "/api/letters", `{"author":"alice","text":"probe"}`}, context.Background()); err != nil || st != 201 {
			t.Fatalf("probe: %d %v", st, err)
		}
		took = append(took, time.Since(start))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	span := 2 * took[len(took)/2]

	mrand.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })
	client := map[string]int{} // what the client got, when it stayed
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan req)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				ctx, cancel := context.WithCancel(context.Background())
				timer := time.AfterFunc(time.Duration(mrand.Int64N(int64(span))), cancel)
				st, err := send(r, ctx)
				timer.Stop()
				cancel()
				if err == nil {
					mu.Lock()
					client[r.key] = st
					mu.Unlock()
				}
			}
		}()
	}
	for _, r := range reqs {
		work <- r
	}
	close(work)
	wg.Wait()
	srv.Close() // waits for the handlers of the clients that went away

	// The store now holds exactly what the answers say.
	texts := map[string]bool{}
	rows, err := e.db.Query(`SELECT text FROM letters`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		texts[s] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	success := map[string]int{"create": 201, "update": 200, "delete": 204}
	counts := map[string]int{}
	failed := 0
	for _, r := range reqs {
		kind, _, _ := strings.Cut(r.key, "-")
		st, reached := ans.status[r.key]
		if got, ok := client[r.key]; ok && got != st {
			t.Errorf("%s: the client got %d, the server answered %d", r.key, got, st)
		}
		ok := st == success[kind]
		// A client gone before the write began: 503 (or 400 when the body
		// could not be read), logged as a failure; nothing is written.
		if reached && !ok && st != http.StatusServiceUnavailable && st != http.StatusBadRequest {
			t.Errorf("%s: answered %d", r.key, st)
		}
		if st == http.StatusServiceUnavailable {
			failed++
		}
		counts[fmt.Sprint(kind, " ", st)]++
		before, after := texts[r.key+"-before"], texts[r.key+"-after"]
		var stored bool // whether the write happened
		switch kind {
		case "create":
			stored = after
		case "update":
			stored = after
			if before == after {
				t.Errorf("%s: before %v, after %v", r.key, before, after)
			}
		case "delete":
			stored = !before
		}
		if stored != ok {
			t.Errorf("%s: answered %d (client: %v), but written: %v", r.key, st, client[r.key], stored)
		}
	}
	// Each 503 was logged as a failure, and nothing else was.
	if n := strings.Count(logs.String(), `msg="request failed"`); n != failed {
		t.Errorf("%d failures logged, %d answered:\n%s", n, failed, logs.String())
	}
	t.Logf("answers by kind and status (0: never reached the server): %v; cancelled within %v", counts, span)
}
