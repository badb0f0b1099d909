package drf

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestThrottledRoundsUpAndSetsRetryAfter(t *testing.T) {
	tests := []struct {
		wait       time.Duration
		retryAfter string
		body       string
	}{
		{1500 * time.Millisecond, "2", `{"detail":"Request was throttled. Expected available in 2 seconds."}` + "\n"},
		{time.Second, "1", `{"detail":"Request was throttled. Expected available in 1 second."}` + "\n"},
		{0, "1", `{"detail":"Request was throttled. Expected available in 1 second."}` + "\n"},
		{59 * time.Second, "59", `{"detail":"Request was throttled. Expected available in 59 seconds."}` + "\n"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		Throttled(w, tt.wait)
		if w.Code != 429 {
			t.Errorf("wait %v: status %d, want 429", tt.wait, w.Code)
		}
		if got := w.Header().Get("Retry-After"); got != tt.retryAfter {
			t.Errorf("wait %v: Retry-After %q, want %q", tt.wait, got, tt.retryAfter)
		}
		if got := w.Body.String(); got != tt.body {
			t.Errorf("wait %v: body %q, want %q", tt.wait, got, tt.body)
		}
	}
}

func TestUnauthorizedCarriesChallenge(t *testing.T) {
	w := httptest.NewRecorder()
	Unauthorized(w, `Bearer realm="api"`, NotAuthenticated)
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("content type %q", w.Header().Get("Content-Type"))
	}
}

func TestMethodNotAllowedListsAllow(t *testing.T) {
	w := httptest.NewRecorder()
	MethodNotAllowed(w, "POST", []string{"GET", "HEAD", "OPTIONS"})
	if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("Allow"))
	}
	if got := w.Body.String(); got != `{"detail":"Method \"POST\" not allowed."}`+"\n" {
		t.Fatalf("body %q", got)
	}
}

func TestFieldErrorsShape(t *testing.T) {
	fe := FieldErrors{}
	if !fe.Empty() {
		t.Fatal("new FieldErrors not empty")
	}
	fe.Add("title", FieldRequired)
	fe.Add("body", "Not a valid string.")
	w := httptest.NewRecorder()
	fe.Write(w)
	if w.Code != 400 {
		t.Fatalf("status %d", w.Code)
	}
	if got := w.Body.String(); got != `{"body":["Not a valid string."],"title":["This field is required."]}`+"\n" {
		t.Fatalf("body %q", got)
	}
}
