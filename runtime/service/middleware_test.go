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

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/identity"
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
		allowOrigins(tt.origins)(ok).ServeHTTP(w, r)
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
	h := limitBodies(10)(read)
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

// TestLimitBodiesLeavesNoBody: a request without a body (net/http's
// server gives it http.NoBody) reaches the handler as it came, without a
// reader wrapped around nothing.
func TestLimitBodiesLeavesNoBody(t *testing.T) {
	var body io.ReadCloser
	h := limitBodies(10)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { body = r.Body }))
	r := httptest.NewRequest("GET", "/api/posts/1", nil)
	r.Body = http.NoBody
	h.ServeHTTP(httptest.NewRecorder(), r)
	if body != http.NoBody {
		t.Errorf("the handler's body is %T, want http.NoBody", body)
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
		logRequests(log)(created).ServeHTTP(httptest.NewRecorder(), r)
		cancel()
		line := buf.String()
		if !strings.Contains(line, "status=201") || strings.Contains(line, "client_gone=true") != gone {
			t.Errorf("client gone %v: %s", gone, line)
		}
	}
}

// TestRecoverPanics: a panic before the answer is a 500 in DRF's shape, one
// after it began leaves the status as it was, and each logs one error line
// without the request's headers; http.ErrAbortHandler goes on.
func TestRecoverPanics(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		body    string
	}{
		{"before the answer", func(w http.ResponseWriter, r *http.Request) { panic("boom") }, 500, `{"detail":"A server error occurred."}`},
		{"after the answer began", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte("{"))
			panic("boom")
		}, 201, "{"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/api/posts", nil)
		r.Header.Set("Authorization", "Bearer secret-token")
		recoverPanics(log)(tt.handler).ServeHTTP(w, r)
		if w.Code != tt.status || strings.TrimSpace(w.Body.String()) != tt.body {
			t.Errorf("%s: %d %q, want %d %q", tt.name, w.Code, w.Body.String(), tt.status, tt.body)
		}
		line := buf.String()
		if strings.Count(line, "\n") != 1 || !strings.Contains(line, "level=ERROR msg=panic") || !strings.Contains(line, "panic=boom") || strings.Contains(line, "secret-token") {
			t.Errorf("%s: log %q", tt.name, line)
		}
	}

	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("ErrAbortHandler: recovered %v, want it to go on", p)
		}
	}()
	abort := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	recoverPanics(slog.New(slog.DiscardHandler))(abort).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

// TestLogAndRecoveryAreSeparate: the request log does not recover (a panic
// goes through it, logged with the status so far), recovery does not log
// requests, and chained as the service chains them, the log has the 500
// that recovery answered.
func TestLogAndRecoveryAreSeparate(t *testing.T) {
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))

	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("logRequests recovered the panic: %v", p)
			}
		}()
		logRequests(log)(boom).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	}()
	if line := buf.String(); !strings.Contains(line, "msg=request") || !strings.Contains(line, "path=/a status=0") || strings.Contains(line, "panic") {
		t.Errorf("log alone: %q", line)
	}

	buf.Reset()
	recoverPanics(log)(boom).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/b", nil))
	if line := buf.String(); strings.Contains(line, "msg=request") || !strings.Contains(line, "msg=panic") {
		t.Errorf("recovery alone: %q", line)
	}

	buf.Reset()
	w := httptest.NewRecorder()
	chi.Chain(logRequests(log), recoverPanics(log)).Handler(boom).ServeHTTP(w, httptest.NewRequest("GET", "/c", nil))
	if line := buf.String(); w.Code != 500 || !strings.Contains(line, "msg=panic") || !strings.Contains(line, "path=/c status=500") {
		t.Errorf("chained: %d %q", w.Code, line)
	}
}

// TestLogRequestsAllocations: the request log runs on every request, so
// its attributes cost no allocation. What is left: the status writer, the
// slot the caller's identity is recorded in and the request carrying it
// (four), and the handler's own identity.WithResult (two). Attributes
// passed as ...any took three more.
func TestLogRequestsAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	user := &identity.User{ID: 7}
	h := logRequests(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identity.WithResult(r.Context(), identity.Result{User: user})
		w.WriteHeader(http.StatusNoContent)
	}))
	r := httptest.NewRequest("GET", "/api/posts/1", nil)
	w := httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n > 6 {
		t.Fatalf("%v allocations per logged request, want at most 6", n)
	}
}

// TestRecoverPanicsSharesTheStatusWriter: inside logRequests, recovery
// keeps the log's status writer instead of wrapping the response again,
// and still answers a panic with 500 that the log records.
func TestRecoverPanicsSharesTheStatusWriter(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	r := httptest.NewRequest("GET", "/api/posts/1", nil)
	w := httptest.NewRecorder()
	logged := logRequests(log)(ok)
	alone := testing.AllocsPerRun(100, func() { logged.ServeHTTP(w, r) })
	h := chi.Chain(logRequests(log), recoverPanics(log)).Handler(ok)
	if both := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); both > alone {
		t.Errorf("recovery inside the log: %v allocations, the log alone %v", both, alone)
	}
}
