package blogapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/service"
)

// benchService is the blog, in process, over a fresh SQLite database in a
// temporary folder, with alice's post 1 and note 1 and an access token of
// alice.
func benchService(b *testing.B) (http.Handler, string) {
	b.Helper()
	env := map[string]string{"BLOG_DATA": b.TempDir(), "BLOG_JWT_KEY": "bench-signing-key-0123456789abcdef!!"}
	opts := []service.Option{
		service.WithEnv(func(k string) string { return env[k] }),
		service.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	ctx := context.Background()
	if code := service.Run(ctx, Definition(), []string{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		strings.NewReader(""), io.Discard, io.Discard, opts...); code != 0 {
		b.Fatalf("createuser: exit %d", code)
	}
	svc, err := service.New(ctx, Definition(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	h := svc.Handler()
	do := func(method, path, auth, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	w := do("POST", "/auth/jwt/login", "", `{"username": "alice", "password": "alice-pass-1"}`)
	var login struct {
		Access string `json:"access_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &login); err != nil || w.Code != http.StatusOK {
		b.Fatalf("login: %d %s", w.Code, w.Body)
	}
	auth := "Bearer " + login.Access
	for _, p := range []string{"/api/posts", "/api/notes"} {
		if w := do("POST", p, auth, `{"title": "t", "body": "b", "text": "x"}`); w.Code != http.StatusCreated {
			b.Fatalf("POST %s: %d %s", p, w.Code, w.Body)
		}
	}
	return h, auth
}

// BenchmarkGet is an authenticated GET of one object through the blog's
// whole handler, in process: middleware, JWT, permission checks, one SQL
// read, JSON. docs/permissions.md weighs a permission decision against it.
func BenchmarkGet(b *testing.B) {
	h, auth := benchService(b)
	for _, p := range []string{"/api/posts/1", "/api/notes/1"} {
		b.Run(p, func(b *testing.B) {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Authorization", auth)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
