package blog_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/wardhq/ward/examples/blog/blogapi"
	"github.com/wardhq/ward/runtime/service"
)

// discard is a ResponseWriter that keeps only the status, so that the
// benchmarks measure the service, not a recorder.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) Write(b []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	return len(b), nil
}
func (d *discard) WriteHeader(c int) {
	if d.code == 0 {
		d.code = c
	}
}

// benchBlog serves the blog in-process, as Main does (serve's request log,
// here to io.Discard), with alice logged in and one post of hers; it
// returns the handler, her access token and the post's path.
func benchBlog(b *testing.B) (http.Handler, string, string) {
	env := map[string]string{"BLOG_DATA": b.TempDir(), "BLOG_JWT_KEY": "bench-signing-key-0123456789abcdef!!"}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	if code := service.Run(b.Context(), blogapi.Definition(), []string{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		strings.NewReader(""), &out, &out, service.WithEnv(getenv)); code != 0 {
		b.Fatalf("createuser: %d %s", code, out.String())
	}
	log, closeLog := service.NewLogger(io.Discard)
	b.Cleanup(func() { closeLog() })
	svc, err := service.New(b.Context(), blogapi.Definition(), service.WithEnv(getenv), service.WithLogger(log))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	h := svc.Handler()
	call := func(method, path, bearer, body string) (int, map[string]any) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		h.ServeHTTP(w, r)
		var m map[string]any
		json.Unmarshal(w.Body.Bytes(), &m)
		return w.Code, m
	}
	code, login := call("POST", "/auth/jwt/login", "", `{"username":"alice","password":"alice-pass-1"}`)
	access, _ := login["access_token"].(string)
	if code != 200 || access == "" {
		b.Fatalf("login: %d %v", code, login)
	}
	code, post := call("POST", "/api/posts", access, `{"title":"Hello","body":"World"}`)
	id, _ := post["id"].(float64)
	if code != 201 || id == 0 {
		b.Fatalf("create: %d %v", code, post)
	}
	return h, access, "/api/posts/" + strconv.Itoa(int(id))
}

// BenchmarkRetrieve is the authenticated GET /api/posts/{id} the load test
// measures over HTTP, through the whole handler: request log, middleware,
// JWT, permission, SQLite and JSON. Profile it with -cpuprofile.
func BenchmarkRetrieve(b *testing.B) {
	h, access, path := benchBlog(b)
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Authorization", "Bearer "+access)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		h.ServeHTTP(w, r.Clone(r.Context()))
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// BenchmarkCreate is the authenticated POST /api/posts.
func BenchmarkCreate(b *testing.B) {
	h, access, _ := benchBlog(b)
	body := []byte(`{"title":"load","body":"test"}`)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		r := httptest.NewRequest("POST", "/api/posts", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+access)
		r.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(w, r)
		if w.code != http.StatusCreated {
			b.Fatalf("status %d", w.code)
		}
	}
}
