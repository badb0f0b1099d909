package blog_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardhq/ward/examples/blog/blogapi"
	"github.com/wardhq/ward/runtime/service"
)

// TestEmbedded serves the blog from service.New inside a test's own
// server, with a middleware of the team's, as README's "Embed the service"
// shows: a user made by the createuser command logs in, writes a post and
// reads it back, and the middleware sees every request.
func TestEmbedded(t *testing.T) {
	env := map[string]string{"BLOG_DATA": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	if code := service.Run(t.Context(), blogapi.Definition(), []string{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		strings.NewReader(""), &out, &out, service.WithEnv(getenv)); code != 0 {
		t.Fatalf("createuser: %d %s", code, out.String())
	}

	var requests atomic.Int64
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			next.ServeHTTP(w, r)
		})
	}
	svc, err := service.New(t.Context(), blogapi.Definition(), service.WithEnv(getenv), service.WithMiddleware(count))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()

	call := func(method, path, bearer, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		return res.StatusCode, m
	}
	code, login := call("POST", "/auth/jwt/login", "", `{"username":"alice","password":"alice-pass-1"}`)
	access, _ := login["access_token"].(string)
	if code != 200 || access == "" {
		t.Fatalf("login: %d %v", code, login)
	}
	if code, _ := call("POST", "/api/posts", "", `{"title":"Hello"}`); code != 401 {
		t.Fatalf("anonymous create: %d, want 401", code)
	}
	code, post := call("POST", "/api/posts", access, `{"title":"Hello","body":"First post"}`)
	if code != 201 || post["owner"] != "alice" {
		t.Fatalf("create: %d %v", code, post)
	}
	code, got := call("GET", "/api/posts/"+jsonNumber(post["id"]), "", "")
	if code != 200 || got["title"] != "Hello" || got["body"] != "First post" {
		t.Fatalf("read: %d %v", code, got)
	}
	if n := requests.Load(); n != 4 {
		t.Fatalf("the middleware saw %d requests, want 4", n)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
