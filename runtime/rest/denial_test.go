package rest

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/perm"
)

// perm decides; writeDenial is the one place a decision becomes HTTP.
func TestWriteDenial(t *testing.T) {
	const challenge = `Bearer realm="api"`
	cases := []struct {
		name       string
		d          perm.Decision
		status     int
		header     string
		retryAfter string
		detail     string
	}{
		{"401 with the challenge and DRF's detail", perm.Decision{Status: 401, Challenge: challenge}, 401, challenge, "", drf.NotAuthenticated},
		{"401 never carries a class message", perm.Decision{Status: 401, Detail: "not A", Challenge: challenge}, 401, challenge, "", drf.NotAuthenticated},
		{"403 with DRF's default", perm.Decision{Status: 403}, 403, "", "", drf.PermissionDenied},
		{"403 with the class message", perm.Decision{Status: 403, Detail: "nope"}, 403, "", "", "nope"},
		{"503 reveals nothing", perm.Decision{Status: 503, Detail: "dial tcp 10.0.0.7:5432"}, 503, "", "1", drf.ServiceUnavailable},
		{"an allow asked to be written fails closed", perm.Decision{}, 503, "", "1", drf.ServiceUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			writeDenial(w, c.d)
			var body struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if w.Code != c.status || body.Detail != c.detail {
				t.Errorf("wrote %d %q, want %d %q", w.Code, body.Detail, c.status, c.detail)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != c.header {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.header)
			}
			if got := w.Header().Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, c.retryAfter)
			}
		})
	}
}
