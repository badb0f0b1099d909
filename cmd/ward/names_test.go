package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// specNames uses the names the runtime's tables had before they took the
// ward_ prefix: a resource named sessions next to session authentication,
// and a resource whose table is users.
const specNames = `version: 1
service:
  name: names
  package: namesapi
  output: namesapi
  main: cmd/names
authentication:
  default: [session, basic]
  session: {}
  me: /auth/me
permissions:
  classes:
    IsOwner:
      rule: {owner: owner}
    IsSelf:
      rule: {field: username, equals: username}
resources:
  sessions:
    path: /api/sessions
    fields:
      title: {type: string, required: true}
      owner: {type: user, owner: true}
    permissions: IsAuthenticated & IsOwner
  profiles:
    path: /api/profiles
    table: users
    fields:
      # The columns of the runtime's users table before the ward_ prefix.
      username: {type: string, required: true}
      password_hash: {type: string, default: ""}
      is_active: {type: bool, default: true}
      is_staff: {type: bool, default: false}
      password_version: {type: int, default: 0}
      created_at: {type: int, default: 0}
    permissions: IsAuthenticated & IsSelf
`

// TestRuntimeTableNamesAreFree generates specNames and serves it (the test
// below, run inside the generated package): the service starts, session
// login works next to the sessions resource, and the users resource is a
// table of its own that neither shows the runtime's password hashes nor
// changes who is staff.
func TestRuntimeTableNamesAreFree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and serves a generated service")
	}
	dir := moduleDir(t)
	specPath := filepath.Join(dir, "api.yaml")
	write(t, specPath, specNames)
	if out, code := ward(t, "generate", "-spec", specPath); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	write(t, filepath.Join(dir, "namesapi/names_test.go"), namesTest)
	cmd := exec.Command("go", "test", "-count=1", "./"+filepath.Base(dir)+"/namesapi")
	cmd.Dir = filepath.Dir(dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s", err, b)
	}
}

const namesTest = `package namesapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/service"
)

func TestServe(t *testing.T) {
	t.Setenv("NAMES_DATA", t.TempDir())
	def := Definition()
	run := func(args ...string) {
		t.Helper()
		var out strings.Builder
		if code := service.Run(context.Background(), def, args, strings.NewReader(""), &out, &out); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, out.String())
		}
	}
	run("createuser", "--username", "alice", "--password", "alice-pass-1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var log strings.Builder
	var code int
	exited := make(chan struct{})
	go func() {
		code = service.Run(ctx, def, []string{"serve", "--addr", addr}, strings.NewReader(""), io.Discard, &log)
		close(exited)
	}()
	defer func() { cancel(); <-exited }()
	base := "http://" + addr
	for i := 0; ; i++ {
		select {
		case <-exited:
			t.Fatalf("serve exited %d: %s", code, log.String())
		default:
		}
		if r, err := http.Get(base + "/api/sessions"); err == nil {
			r.Body.Close()
			break
		}
		if i > 200 {
			t.Fatal("serve did not answer")
		}
		time.Sleep(25 * time.Millisecond)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	do := func(c *http.Client, method, path, body string, basic bool, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if basic {
			req.SetBasicAuth("alice", "alice-pass-1")
		}
		r, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, r.StatusCode, b, want)
		}
		if strings.Contains(string(b), "$argon2") {
			t.Fatalf("%s %s shows a password hash: %s", method, path, b)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	// The users resource is a table of its own.
	if l := do(http.DefaultClient, "GET", "/api/profiles", "", true, 200); l["count"] != float64(0) {
		t.Fatalf("profiles before any was made: %v", l)
	}
	p := do(http.DefaultClient, "POST", "/api/profiles", ` + "`" + `{"username":"alice","is_staff":true}` + "`" + `, true, 201)
	do(http.DefaultClient, "PATCH", fmt.Sprint("/api/profiles/", p["id"]), ` + "`" + `{"is_staff":true}` + "`" + `, true, 200)
	if me := do(http.DefaultClient, "GET", "/auth/me", "", true, 200); me["is_staff"] != false {
		t.Fatalf("a profile made alice staff: %v", me)
	}
	// Session authentication works next to the sessions resource.
	do(browser, "POST", "/auth/session/login", ` + "`" + `{"username":"alice","password":"alice-pass-1"}` + "`" + `, false, 200)
	if me := do(browser, "GET", "/auth/me", "", false, 200); me["username"] != "alice" {
		t.Fatalf("me by session: %v", me)
	}
	do(http.DefaultClient, "POST", "/api/sessions", ` + "`" + `{"title":"a talk"}` + "`" + `, true, 201)
	if l := do(browser, "GET", "/api/sessions", "", false, 200); l["count"] != float64(1) {
		t.Fatalf("sessions by session: %v", l)
	}
}
`
