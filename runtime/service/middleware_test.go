package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	tests := []struct {
		name        string
		origins     []string
		method      string
		origin      string
		preflight   bool
		status      int
		allowOrigin string
	}{
		{"off by default", nil, "GET", "https://app.example", false, 204, ""},
		{"allowed origin", []string{"https://app.example/"}, "GET", "https://app.example", false, 204, "https://app.example"},
		{"other origin", []string{"https://app.example"}, "GET", "https://evil.example", false, 204, ""},
		{"preflight", []string{"https://app.example"}, "OPTIONS", "https://app.example", true, 204, "https://app.example"},
		{"preflight from another origin reaches the handler", []string{"https://app.example"}, "OPTIONS", "https://evil.example", true, 204, ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/api/posts", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if tt.preflight {
			r.Header.Set("Access-Control-Request-Method", "POST")
		}
		w := httptest.NewRecorder()
		allowOrigins(tt.origins, ok).ServeHTTP(w, r)
		h := w.Header()
		if w.Code != tt.status || h.Get("Access-Control-Allow-Origin") != tt.allowOrigin {
			t.Errorf("%s: %d %q", tt.name, w.Code, h.Get("Access-Control-Allow-Origin"))
		}
		if tt.allowOrigin != "" {
			if h.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "Authorization") {
				t.Errorf("%s: credentials %q expose %q", tt.name, h.Get("Access-Control-Allow-Credentials"), h.Get("Access-Control-Expose-Headers"))
			}
		}
	}
}

func TestLimitBodies(t *testing.T) {
	read := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		w.WriteHeader(200)
	})
	h := limitBodies(10, read)
	for _, tt := range []struct {
		body   string
		known  bool
		status int
	}{
		{"0123456789", true, 200},
		{"0123456789a", true, 413},  // announced too large: refused before the handler
		{"0123456789a", false, 413}, // chunked: cut while reading
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		if !tt.known {
			r.ContentLength = -1
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.status {
			t.Errorf("%q (length known %v): %d, want %d", tt.body, tt.known, w.Code, tt.status)
		}
	}
}

func TestSecureHeaders(t *testing.T) {
	h := secureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for path, noStore := range map[string]bool{"/auth/jwt/login": true, "/api/posts": false} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || (w.Header().Get("Cache-Control") == "no-store") != noStore {
			t.Errorf("%s: %v", path, w.Header())
		}
	}
}

// TestLogRequestsTellsTheTruth: the request log has the status the handler
// answered, also when the client went away meanwhile, and says that it did.
func TestLogRequestsTellsTheTruth(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	created := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })
	for _, gone := range []bool{false, true} {
		buf.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		if gone {
			cancel()
		}
		r := httptest.NewRequest("POST", "/api/posts", nil).WithContext(ctx)
		logRequests(log, created).ServeHTTP(httptest.NewRecorder(), r)
		cancel()
		line := buf.String()
		if !strings.Contains(line, "status=201") || strings.Contains(line, "client_gone=true") != gone {
			t.Errorf("client gone %v: %s", gone, line)
		}
	}
}
