package drf

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
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

// writes counts the Write calls a handler makes.
type writes struct {
	*httptest.ResponseRecorder
	n int
}

func (w *writes) Write(b []byte) (int, error) {
	w.n++
	return w.ResponseRecorder.Write(b)
}

// TestJSONWritesMarshalAndNewlineOnce: the body is json.Marshal's output and
// a newline, HTML escaped as Marshal escapes it, in a single Write; a value
// that cannot be encoded is a 500 in DRF's shape. Buffers are reused, so
// answers in a row must not leak into each other.
func TestJSONWritesMarshalAndNewlineOnce(t *testing.T) {
	tests := []any{
		map[string]string{"detail": "<a & b>"},
		[]int{1, 2, 3},
		struct {
			ID   int64  `json:"id"`
			Body string `json:"body"`
		}{7, strings.Repeat("x", 70<<10)}, // larger than a pooled buffer
		"short",
		appends("first"),
		appends(strings.Repeat("y", 70<<10)),
		appends("after a long one"),
	}
	for _, v := range tests {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		w := &writes{ResponseRecorder: httptest.NewRecorder()}
		JSON(w, http.StatusOK, v)
		if got := w.Body.String(); got != string(want)+"\n" || w.n != 1 || w.Code != 200 {
			t.Errorf("%.40s...: %d writes, status %d, body %.60q", want, w.n, w.Code, got)
		}
	}
	w := httptest.NewRecorder()
	JSON(w, http.StatusOK, map[string]any{"bad": make(chan int)})
	if w.Code != 500 || w.Body.String() != `{"detail":"A server error occurred."}`+"\n" {
		t.Errorf("unencodable: %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	JSON(w, http.StatusCreated, failing{})
	if w.Code != 500 || w.Body.String() != `{"detail":"A server error occurred."}`+"\n" {
		t.Errorf("an AppendJSON that fails: %d %s", w.Code, w.Body.String())
	}
}

// appends is a value with an AppendJSON (a jsonw.Appender), as a
// generated model, which JSON calls instead of encoding/json; its
// MarshalJSON gives the test what encoding/json would write.
type appends string

func (a appends) AppendJSON(b []byte) ([]byte, error) { return append(b, `{"a":"`+a+`"}`...), nil }
func (a appends) MarshalJSON() ([]byte, error)        { return []byte(`{"a": "` + a + `"}`), nil }

// failing is a value whose AppendJSON fails (a time out of RFC 3339's range).
type failing struct{}

func (failing) AppendJSON([]byte) ([]byte, error) { return nil, errors.New("year outside of range") }

// discard is a ResponseWriter that keeps nothing, reused across answers.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// TestJSONAllocations: answering with a generated model (an Appender)
// allocates nothing of its own: the buffer is pooled and the Content-Type
// value shared.
func TestJSONAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	w := &discard{h: http.Header{}}
	v := &struct{ appends }{"post"}
	if n := testing.AllocsPerRun(100, func() { JSON(w, http.StatusOK, v) }); n != 0 {
		t.Errorf("%v allocations per answer, want 0", n)
	}
	if got := w.h.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
}
