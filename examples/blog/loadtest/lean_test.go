package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// discard is a ResponseWriter that keeps only the status.
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

// TestLean: the baseline answers as the blog does where the load test
// looks (status and body shape), and refuses a token it must refuse.
func TestLean(t *testing.T) {
	h, err := newLean(filepath.Join(t.TempDir(), "lean.db"))
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, auth, body string) (int, post) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(w, r)
		var p post
		json.Unmarshal(w.Body.Bytes(), &p)
		return w.Code, p
	}
	tok := "Bearer " + leanToken()
	if code, p := call("GET", "/api/posts/1", tok, ""); code != 200 || p.Owner != "alice" || p.Title != "Hello" {
		t.Errorf("GET: %d %+v", code, p)
	}
	if code, p := call("POST", "/api/posts", tok, postBody); code != 201 || p.Owner != "alice" || p.Title != "load" || p.ID < 2 {
		t.Errorf("POST: %d %+v", code, p)
	}
	for _, auth := range []string{"", "Bearer " + leanToken()[1:], "Basic YTpi"} {
		if code, _ := call("GET", "/api/posts/1", auth, ""); code != 401 {
			t.Errorf("GET with %q: %d, want 401", auth, code)
		}
	}
	if code, _ := call("GET", "/api/posts/99", tok, ""); code != 404 {
		t.Errorf("GET of a missing post: %d, want 404", code)
	}
}

// BenchmarkLeanRetrieve and BenchmarkLeanCreate are the baseline's
// handlers in-process, to set beside examples/blog's BenchmarkRetrieve and
// BenchmarkCreate (no network, no load generator).
func BenchmarkLeanRetrieve(b *testing.B) {
	benchLean(b, "GET", "/api/posts/1", "", http.StatusOK)
}

func BenchmarkLeanCreate(b *testing.B) {
	benchLean(b, "POST", "/api/posts", postBody, http.StatusCreated)
}

func benchLean(b *testing.B, method, path, body string, want int) {
	h, err := newLean(filepath.Join(b.TempDir(), "lean.db"))
	if err != nil {
		b.Fatal(err)
	}
	auth := "Bearer " + leanToken()
	w := &discard{h: http.Header{}}
	// As examples/blog's benchmarks: a GET is cloned, a POST made anew.
	get := httptest.NewRequest(method, path, nil)
	get.Header.Set("Authorization", auth)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		r := get.Clone(get.Context())
		if body != "" {
			r = httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
			r.Header.Set("Authorization", auth)
			r.Header.Set("Content-Type", "application/json")
		}
		h.ServeHTTP(w, r)
		if w.code != want {
			b.Fatalf("status %d", w.code)
		}
	}
}
