// Package e2ekit is the harness of the examples' end-to-end tests: it
// builds an example's service, runs it as a real process on a data folder
// of its own and drives it over real HTTP, checking every exchange of its
// clients against the service's generated openapi.json.
//
// An e2e package declares its Service once and hands TestMain to it:
//
//	var svc = &e2ekit.Service{Name: "blog", Package: "github.com/wardhq/ward/examples/blog/cmd/blog", OpenAPI: "../blogapi/openapi.json"}
//
//	func TestMain(m *testing.M) { os.Exit(svc.Main(m)) }
package e2ekit

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

// TestKey is the JWT signing key the tests give the service (<PREFIX>_JWT_KEY).
const TestKey = "e2e-test-signing-key-0123456789abcdef"

// Service is one example's service under test.
type Service struct {
	// Name is the service's name ("blog"): the binary's name, and in
	// upper case the prefix of its environment variables (BLOG_DATA).
	Name string
	// Package is the import path of the service's main package.
	Package string
	// OpenAPI is the path of the service's openapi.json, relative to the
	// test's folder.
	OpenAPI string
	// Bin is the built binary, set by Main.
	Bin string

	oas *oascheck.Checker // validates the exchanges of the clients
}

// Main builds the service into a temporary folder and reads its
// openapi.json, runs the tests, prints the report of the OpenAPI check of
// every exchange of the clients, and returns the exit code for os.Exit: 1
// when the build, the document or the check failed, else m.Run's.
func (svc *Service) Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", svc.Name+"-e2e-bin")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	svc.Bin = filepath.Join(dir, svc.Name)
	cmd := exec.Command("go", "build", "-o", svc.Bin, svc.Package)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building the %s: %v\n", svc.Name, err)
		return 1
	}
	doc, err := os.ReadFile(svc.OpenAPI)
	if err == nil {
		svc.oas, err = oascheck.New(doc)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reading openapi.json:", err)
		return 1
	}
	code := m.Run()
	// Every exchange of the clients went through oas: 0 mismatches.
	fmt.Println(svc.oas.Report())
	if svc.oas.Failed() && code == 0 {
		code = 1
	}
	return code
}

// Env is the process environment plus the service's data folder
// (<PREFIX>_DATA), TestKey (<PREFIX>_JWT_KEY) and extra.
func (svc *Service) Env(data string, extra ...string) []string {
	p := strings.ToUpper(svc.Name) + "_"
	env := append(os.Environ(), p+"DATA="+data, p+"JWT_KEY="+TestKey)
	return append(env, extra...)
}

// Run runs the service's binary with args, env and stdin, and returns its
// combined output and exit code.
func (svc *Service) Run(t *testing.T, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(svc.Bin, args...)
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

// StartServer is NewServer, started.
func (svc *Service) StartServer(t *testing.T, extraEnv ...string) *Server {
	t.Helper()
	s := svc.NewServer(t, extraEnv...)
	s.Start()
	return s
}

// NewServer makes a data folder with the users alice, bob and root (staff),
// and a server on it, with Env(folder, extraEnv...), that is not started yet.
func (svc *Service) NewServer(t *testing.T, extraEnv ...string) *Server {
	t.Helper()
	data := t.TempDir()
	s := &Server{Service: svc, T: t, Data: data, Env: svc.Env(data, extraEnv...)}
	for _, u := range [][]string{
		{"createuser", "--username", "alice", "--password", "alice-pass-1"},
		{"createuser", "--username", "bob", "--password", "bob-pass-1"},
		{"createuser", "--username", "root", "--password", "root-pass-1", "--staff"},
	} {
		if out, code := svc.Run(t, s.Env, "", u...); code != 0 {
			t.Fatalf("%v: exit %d: %s", u, code, out)
		}
	}
	return s
}

// Server is one process of a service.
type Server struct {
	Service *Service
	T       *testing.T
	Base    string        // "http://" and the address it listens on, set by Start
	Data    string        // its data folder
	Cmd     *exec.Cmd     // the process, set by Start
	Log     *bytes.Buffer // its output, set by Start
	Env     []string      // its environment
	Bin     string        // the binary that serves; "" for the service's own
}

// FreeAddr is a loopback address with a port that was free a moment ago.
func FreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Start starts the server on a free address and waits up to 15 s for
// /api/health to answer 200. The process is killed when the test ends, and
// its log is printed if the test failed.
func (s *Server) Start() {
	t := s.T
	addr := FreeAddr(t)
	s.Base = "http://" + addr
	s.Log = new(bytes.Buffer)
	bin := s.Service.Bin
	if s.Bin != "" {
		bin = s.Bin
	}
	s.Cmd = exec.Command(bin, "serve", "--addr", addr)
	s.Cmd.Env = s.Env
	s.Cmd.Stdout, s.Cmd.Stderr = s.Log, s.Log
	if err := s.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.Cmd.ProcessState == nil {
			s.Cmd.Process.Kill()
			s.Cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.Log.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.Base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy; log:\n%s", s.Log.String())
}

// Client is one user agent with its own cookies.
type Client struct {
	T      *testing.T
	Server *Server
	HTTP   *http.Client
	Auth   string // Authorization header to send, if any
}

// Client is a new user agent of s, with a cookie jar, that does not follow
// redirects. Its exchanges are checked against the service's openapi.json,
// unless s runs another binary (Server.Bin): another service, with another
// document.
func (s *Server) Client() *Client {
	jar, _ := cookiejar.New(nil)
	tr := s.Service.oas.Transport(nil)
	if s.Bin != "" {
		tr = http.DefaultTransport
	}
	return &Client{T: s.T, Server: s, HTTP: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a response, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON is the body as a JSON object; the test fails if it is not one.
func (r Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// Detail is the body's "detail" string, "" without one.
func (r Response) Detail(t *testing.T) string {
	t.Helper()
	d, _ := r.JSON(t)["detail"].(string)
	return d
}

// Do sends method path with body: nothing for nil, a string as it is, and
// anything else as JSON with its Content-Type. It sends c.Auth as
// Authorization if set, then headers, given as name, value pairs.
func (c *Client) Do(method, path string, body any, headers ...string) Response {
	c.T.Helper()
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
	req, err := http.NewRequest(method, c.Server.Base+path, rd)
	if err != nil {
		c.T.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.Auth != "" {
		req.Header.Set("Authorization", c.Auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Expect fails the test, saying what, unless r has the status.
func Expect(t *testing.T, what string, r Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.Status, status, r.Body)
	}
}

// Cookie is the cookie name that r sets, nil without one.
func Cookie(r Response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// JWTLogin logs user in at /auth/jwt/login and returns the access token.
func (c *Client) JWTLogin(user, pw string) string {
	c.T.Helper()
	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": user, "password": pw})
	Expect(c.T, "jwt login "+user, r, 200)
	tok, _ := r.JSON(c.T)["access_token"].(string)
	if tok == "" {
		c.T.Fatalf("no access_token in %s", r.Body)
	}
	return tok
}

// As is a new client of s logged in as user by JWT (a Bearer Auth).
func (s *Server) As(user, pw string) *Client {
	c := s.Client()
	c.Auth = "Bearer " + c.JWTLogin(user, pw)
	return c
}
