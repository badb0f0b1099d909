package service

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func testDef() *Definition {
	return &Definition{
		Name:       "demo",
		EnvPrefix:  "DEMO",
		APIVersion: APIVersion,
		Auth: Auth{
			Default: []string{"jwt", "basic"},
			JWT:     &JWT{Algorithm: "HS256", KeyEnv: "DEMO_JWT_KEY", AccessTTL: 5 * time.Minute, RefreshTTL: time.Hour, Issuer: "demo", Audience: "demo", Path: "/auth/jwt"},
			Basic:   &Basic{Realm: "api"},
			MePath:  "/auth/me",
		},
		Throttle: Throttle{Login: "10/minute"},
		Health:   "/health",
	}
}

func runCmd(t *testing.T, def *Definition, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), def, args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunRefusesAnotherAPIVersion(t *testing.T) {
	def := testDef()
	def.APIVersion = APIVersion + 1
	code, _, stderr := runCmd(t, def, "", "serve")
	if code != 1 || !strings.Contains(stderr, "ward generate") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Setenv("DEMO_DATA", t.TempDir())
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage: demo"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"createuser", "--password", "x"}, 2, "createuser needs --username"},
		{[]string{"createuser", "--username", "a", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve", "--port", "1"}, 2, "flag provided but not defined"},
		{[]string{"createuser", "--username", "nopw"}, 2, "give --password or the password on stdin"},
		{[]string{"createuser", "--username", "a", "--email", "not-an-address", "--password", "x"}, 2, "--email Enter a valid email address."},
	}
	for _, tt := range tests {
		code, _, stderr := runCmd(t, testDef(), "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

func TestUserCommands(t *testing.T) {
	t.Setenv("DEMO_DATA", t.TempDir())
	def := testDef()
	if code, out, stderr := runCmd(t, def, "pw-from-stdin-1\n", "createuser", "--username", "alice"); code != 0 || !strings.Contains(out, `created user "alice"`) {
		t.Fatalf("createuser: %d %q %q", code, out, stderr)
	}
	if code, _, stderr := runCmd(t, def, "", "createuser", "--username", "alice", "--password", "x-pass-12"); code != 1 || !strings.Contains(stderr, `user "alice" already exists`) {
		t.Fatalf("duplicate createuser: %d %q", code, stderr)
	}
	if code, out, _ := runCmd(t, def, "", "createuser", "--username", "root", "--password", "root-pass-1", "--staff"); code != 0 || !strings.Contains(out, "staff user") {
		t.Fatalf("staff createuser: %d %q", code, out)
	}
	if code, _, stderr := runCmd(t, def, "", "changepassword", "--username", "bob", "--password", "x-pass-12"); code != 1 || !strings.Contains(stderr, `no user "bob"`) {
		t.Fatalf("changepassword of a missing user: %d %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, def, "", "changepassword", "--username", "alice", "--password", "new-pass-12"); code != 0 {
		t.Fatalf("changepassword: %d %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, def, "", "deactivate", "--username", "alice"); code != 0 {
		t.Fatalf("deactivate: %d %q", code, stderr)
	}
}

func TestServeRefusesShortKeyInOneLine(t *testing.T) {
	t.Setenv("DEMO_DATA", t.TempDir())
	t.Setenv("DEMO_JWT_KEY", "too-short")
	code, _, stderr := runCmd(t, testDef(), "", "serve", "--addr", "127.0.0.1:0")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "DEMO_JWT_KEY") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestServeRefusesABadRedisURL(t *testing.T) {
	t.Setenv("DEMO_DATA", t.TempDir())
	t.Setenv("DEMO_REDIS_URL", "http://nope:secret@x")
	code, _, stderr := runCmd(t, testDef(), "", "serve", "--addr", "127.0.0.1:0")
	if code != 1 || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "secret") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestServeAnswersAndDrains(t *testing.T) {
	t.Setenv("DEMO_DATA", t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- Run(ctx, testDef(), []string{"serve", "--addr", addr}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	base := "http://" + addr
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(base + "/health"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("serve did not answer: %v; log %s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("health: %d %v", resp.StatusCode, resp.Header)
	}
	checks := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/nowhere", 404, ""},
		{"DELETE", "/health", 405, "GET, HEAD, OPTIONS"},
		{"GET", "/auth/jwt/login", 405, "POST, OPTIONS"},
		{"OPTIONS", "/auth/me", 200, "GET, HEAD, OPTIONS"},
		{"GET", "/auth/me", 401, ""},
	}
	for _, c := range checks {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.status, c.allow)
		}
	}
	// One log line per request, without credentials.
	req, _ := http.NewRequest("GET", base+"/auth/me", nil)
	req.SetBasicAuth("nobody", "hunter2-secret")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d after cancel; log %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not drain")
	}
	log := stderr.String()
	if strings.Contains(log, "hunter2") || strings.Contains(log, "Basic ") {
		t.Fatalf("the log holds credentials:\n%s", log)
	}
	if n := strings.Count(log, `"msg":"request"`); n != len(checks)+2 {
		t.Fatalf("%d request lines, want %d:\n%s", n, len(checks)+2, log)
	}
}

func TestLoadEnvDefaults(t *testing.T) {
	def := testDef()
	e, err := loadEnv(def, func(k string) string {
		return map[string]string{"DEMO_CORS_ORIGINS": " https://a.example , ,https://b.example", "DEMO_LOGIN_RATE": "5/second"}[k]
	})
	if err != nil || e.DataDir != "./demo-data" || e.LoginRate != "5/second" || len(e.CORSOrigins) != 2 || e.CORSOrigins[1] != "https://b.example" {
		t.Fatalf("%+v", e)
	}
}

// The environment's CORS origins are checked as the spec's are: a bad one
// stops every command with one line naming the variable, exit status 1.
func TestEnvCORSOriginsChecked(t *testing.T) {
	def := testDef()
	for _, c := range []struct {
		value string
		want  string // "" when accepted
	}{
		{"https://app.example.com,http://localhost:3000", ""},
		{"null", `DEMO_CORS_ORIGINS: cors_origins must not be "null"`},
		{"*", `DEMO_CORS_ORIGINS: cors_origins must not be "*"`},
		{"https://ok.example.com, null", `must not be "null"`},
		{"https://app.example.com/", `DEMO_CORS_ORIGINS: invalid CORS origin "https://app.example.com/"`},
		{"app.example.com", "invalid CORS origin"},
		{"https://a.example.com,https://a.example.com", "duplicate CORS origin"},
	} {
		_, err := loadEnv(def, func(k string) string {
			if k == "DEMO_CORS_ORIGINS" {
				return c.value
			}
			return ""
		})
		if c.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", c.value, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.value, err, c.want)
		}
		t.Setenv("DEMO_CORS_ORIGINS", c.value)
		var stderr strings.Builder
		code := Run(t.Context(), def, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, &stderr)
		if out := strings.TrimSpace(stderr.String()); code != 1 || strings.Count(out, "\n") != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%q: serve exit %d, output %q; want 1 and one line", c.value, code, out)
		}
	}
}
