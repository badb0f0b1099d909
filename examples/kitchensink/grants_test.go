package kitchensink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/examples/kitchensink/ksapi"
	"github.com/wardhq/ward/runtime/service"
)

// tickets is DjangoModelPermissions & IsOwner; its permissions are given
// only by the CLI's grant, revoke and group commands, which this test runs
// on the service's own database while it serves.
func TestGrantsThroughTheCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := func(k string) string {
		if k == "KS_DATA" {
			return data
		}
		return ""
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := service.Run(ctx, ksapi.Definition(), args, strings.NewReader(""), &out, &errOut, service.WithEnv(env)); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	for _, u := range []string{"ann", "bob", "cid"} {
		cli("createuser", "--username", u, "--password", u+"-pass-1")
	}
	if out := cli("grant", "--username", "ann", "tickets.view", "tickets.add"); !strings.Contains(out, "granted tickets.view tickets.add to \"ann\"") {
		t.Fatalf("grant said %q", out)
	}
	cli("group", "create", "support")
	cli("grant", "--group", "support", "tickets.view")
	cli("group", "add", "--group", "support", "--username", "bob")

	svc, err := service.New(ctx, ksapi.Definition(), service.WithEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	do := func(method, path, tok string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Token "+tok)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	login := func(u string) string {
		code, out := do("POST", "/auth/token/login", "", map[string]string{"username": u, "password": u + "-pass-1"})
		tok, _ := out["token"].(string)
		if code != 200 || tok == "" {
			t.Fatalf("login %s: %d %v", u, code, out)
		}
		return tok
	}
	ann, bob, cid := login("ann"), login("bob"), login("cid")
	for _, tt := range []struct {
		who, tok, method string
		want             int
	}{
		{"ann (own grant)", ann, "GET", 200},
		{"ann (own grant)", ann, "POST", 201},
		{"bob (group's view)", bob, "GET", 200},
		{"bob (no add)", bob, "POST", 403},
		{"cid (nothing)", cid, "GET", 403},
		{"cid (nothing)", cid, "POST", 403},
	} {
		if got, _ := do(tt.method, "/api/tickets", tt.tok, map[string]string{"subject": "s"}); got != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.who, tt.method, got, tt.want)
		}
	}
	// Changes reach the running service within 1 s (the user cache).
	cli("revoke", "--username", "ann", "tickets.add")
	cli("grant", "--group", "support", "tickets.add")
	within := func(what, tok string, want int) {
		t.Helper()
		deadline := time.Now().Add(1100 * time.Millisecond)
		for {
			got, _ := do("POST", "/api/tickets", tok, map[string]string{"subject": "s"})
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %d after 1 s, want %d", what, got, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	within("ann after revoke", ann, 403)
	within("bob after his group's grant", bob, 201)
}

func TestGrantCommandErrors(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := func(k string) string {
		if k == "KS_DATA" {
			return data
		}
		return ""
	}
	var out, errOut bytes.Buffer
	service.Run(ctx, ksapi.Definition(), []string{"createuser", "--username", "ann", "--password", "x-pass-1"}, nil, &out, &errOut, service.WithEnv(env))
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"grant", "tickets.view"}, 2, "needs --username or --group"},
		{[]string{"grant", "--username", "ann", "--group", "g", "tickets.view"}, 2, "one of them"},
		{[]string{"grant", "--username", "ann"}, 2, "needs permissions"},
		{[]string{"grant", "--username", "ann", "tickets.read"}, 2, `"tickets.read" is not a model permission`},
		{[]string{"grant", "--username", "nobody", "tickets.view"}, 1, `no user "nobody"`},
		{[]string{"grant", "--group", "nogroup", "tickets.view"}, 1, "group create nogroup"},
		{[]string{"group", "add", "--group", "nogroup", "--username", "ann"}, 1, "group create nogroup"},
		{[]string{"group"}, 2, "needs a subcommand"},
		{[]string{"group", "rename", "x"}, 2, "unknown group subcommand"},
	} {
		var out, errOut bytes.Buffer
		code := service.Run(ctx, ksapi.Definition(), tt.args, strings.NewReader(""), &out, &errOut, service.WithEnv(env))
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d %q, want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
	service.Run(ctx, ksapi.Definition(), []string{"group", "create", "g"}, nil, &out, &errOut, service.WithEnv(env))
	errOut.Reset()
	if code := service.Run(ctx, ksapi.Definition(), []string{"group", "create", "g"}, nil, &out, &errOut, service.WithEnv(env)); code != 1 || !strings.Contains(errOut.String(), "already exists") {
		t.Errorf("group create twice: %d %q", code, errOut.String())
	}
}
