package docsui

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func serve(t *testing.T, c Config, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	r := chi.NewRouter()
	Mount(r, c)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

// TestMount: the document, the page under its CSP, and the page's assets,
// each with its content type; a page without inline script or style.
func TestMount(t *testing.T) {
	c := Config{Title: "blog API", Document: []byte(`{"openapi":"3.1.0"}`), Schema: "/api/schema", UI: "/api/docs", JWTLogin: "/auth/jwt/login"}
	for _, tc := range []struct {
		target, ctype, body string
		status              int
		csp                 bool
	}{
		{"/api/schema", "application/json", `{"openapi":"3.1.0"}`, 200, false},
		{"/api/docs", "text/html; charset=utf-8", `data-jwt-login="/auth/jwt/login"`, 200, true},
		{"/api/docs/assets/ward-docs.js", "text/javascript; charset=utf-8", "SwaggerUIBundle", 200, true},
		{"/api/docs/assets/swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle", 200, true},
		{"/api/docs/assets/swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui", 200, true},
		{"/api/docs/assets/ward-docs.css", "text/css; charset=utf-8", "#ward-login", 200, true},
		{"/api/docs/assets/docsui.go", "", "", 404, false},
	} {
		w := serve(t, c, "GET", tc.target)
		if w.Code != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.target, w.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if got := w.Header().Get("Content-Type"); got != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.target, got, tc.ctype)
		}
		if !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("GET %s: body lacks %q", tc.target, tc.body)
		}
		if got := w.Header().Get("Content-Security-Policy"); tc.csp && got != CSP {
			t.Errorf("GET %s: CSP %q, want %q", tc.target, got, CSP)
		}
	}
	page := serve(t, c, "GET", "/api/docs").Body.String()
	if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]+</script>|<style|\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Errorf("the page holds inline script or style, which its CSP refuses:\n%s", page)
	}
	for _, src := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(src[1], "/api/docs/assets/") && src[1] != "data:," {
			t.Errorf("the page loads %s, not one of its own assets", src[1])
		}
	}
	if !strings.Contains(CSP, "script-src 'self';") || strings.Contains(CSP, "unsafe") {
		t.Errorf("CSP %q allows more than the service's own scripts", CSP)
	}
}

// TestSessionLogin: without JWT the page logs in with a session and names
// the CSRF cookie and header; without UI only the document is served.
func TestSessionLogin(t *testing.T) {
	c := Config{Title: "x", Document: []byte(`{}`), Schema: "/s", UI: "/d", SessionLogin: "/auth/session/login", CSRFCookie: "csrftoken", CSRFHeader: "X-CSRFToken"}
	page := serve(t, c, "GET", "/d").Body.String()
	for _, want := range []string{`data-session-login="/auth/session/login"`, `data-csrf-cookie="csrftoken"`, `data-csrf-header="X-CSRFToken"`, `data-jwt-login=""`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	c.UI = ""
	if w := serve(t, c, "GET", "/d"); w.Code != http.StatusNotFound {
		t.Errorf("GET /d without UI: %d, want 404", w.Code)
	}
	if w := serve(t, c, "GET", "/s"); w.Code != http.StatusOK {
		t.Errorf("GET /s: %d, want 200", w.Code)
	}
}
