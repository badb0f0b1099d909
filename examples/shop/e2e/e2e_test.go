// Package e2e drives the shop example as a real process over real HTTP,
// exactly as the contract (shop-api.md) describes it.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/generator/openapi/oascheck"
)

// oas validates every request and response of the tests' clients against
// the generated openapi.json.
var oas *oascheck.Checker

var shopBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shop-e2e-bin")
	if err != nil {
		panic(err)
	}
	shopBin = filepath.Join(dir, "shop")
	cmd := exec.Command("go", "build", "-o", shopBin, "github.com/wardhq/ward/examples/shop/cmd/shop")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the shop:", err)
		os.Exit(1)
	}
	doc, err := os.ReadFile(filepath.Join("..", "shopapi", "openapi.json"))
	if err == nil {
		oas, err = oascheck.New(doc)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reading openapi.json:", err)
		os.Exit(1)
	}
	code := m.Run()
	// Every exchange of the clients went through oas: 0 mismatches.
	fmt.Println(oas.Report())
	if oas.Failed() && code == 0 {
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

const testKey = "e2e-test-signing-key-0123456789abcdef"

// server is one running shop process.
type server struct {
	t    *testing.T
	base string
	data string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	env  []string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func shopEnv(data string, extra ...string) []string {
	env := append(os.Environ(), "SHOP_DATA="+data, "SHOP_JWT_KEY="+testKey)
	return append(env, extra...)
}

func run(t *testing.T, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(shopBin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func startServer(t *testing.T, extraEnv ...string) *server {
	t.Helper()
	data := t.TempDir()
	s := &server{t: t, data: data, env: shopEnv(data, extraEnv...)}
	for _, u := range [][]string{
		{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		{"createuser", "--username", "bob", "--password", "bob-pass-1"},
		{"createuser", "--username", "root", "--password", "root-pass-1", "--staff"},
	} {
		if out, code := run(t, s.env, "", u...); code != 0 {
			t.Fatalf("%v: exit %d: %s", u, code, out)
		}
	}
	s.start()
	return s
}

func (s *server) start() {
	t := s.t
	addr := freeAddr(t)
	s.base = "http://" + addr
	s.log = new(bytes.Buffer)
	s.cmd = exec.Command(shopBin, "serve", "--addr", addr)
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy; log:\n%s", s.log.String())
}

// client is one user agent with its own cookies.
type client struct {
	t    *testing.T
	s    *server
	http *http.Client
	auth string // Authorization header to send, if any
}

func (s *server) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, s: s, http: &http.Client{Jar: jar, Transport: oas.Transport(nil), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

func (r response) detail(t *testing.T) string {
	t.Helper()
	d, _ := r.json(t)["detail"].(string)
	return d
}

func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
		ctype = "application/json"
	}
	req, err := http.NewRequest(method, c.s.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func expect(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
}

func (c *client) jwtLogin(user, pw string) string {
	c.t.Helper()
	r := c.do("POST", "/auth/jwt/login", map[string]string{"username": user, "password": pw})
	expect(c.t, "jwt login "+user, r, 200)
	tok, _ := r.json(c.t)["access_token"].(string)
	if tok == "" {
		c.t.Fatalf("no access_token in %s", r.body)
	}
	return tok
}

func (s *server) as(user, pw string) *client {
	c := s.client()
	c.auth = "Bearer " + c.jwtLogin(user, pw)
	return c
}
