package main

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardhq/ward/generator/spec"
	"github.com/wardhq/ward/templates"
)

func TestStarterNames(t *testing.T) {
	for _, c := range []struct {
		folder string
		want   starter
	}{
		{"shop", starter{Name: "shop", Package: "shopapi", Main: "cmd/shop", Env: "SHOP", Folder: "shop"}},
		{"billing-api", starter{Name: "billing_api", Package: "billingapi", Main: "cmd/billing-api", Env: "BILLING_API", Folder: "billingapi"}},
		{"myapi", starter{Name: "myapi", Package: "myapi", Main: "cmd/myapi", Env: "MYAPI", Folder: "myapi"}},
		{"My Shop", starter{Name: "my_shop", Package: "myshopapi", Main: "cmd/my-shop", Env: "MY_SHOP", Folder: "myshop"}},
		{"2fa", starter{Name: "app_2fa", Package: "app2faapi", Main: "cmd/app-2fa", Env: "APP_2FA", Folder: "app2fa"}},
		{"---", starter{Name: "app", Package: "appapi", Main: "cmd/app", Env: "APP", Folder: "app"}},
		{"type", starter{Name: "type", Package: "typeapi", Main: "cmd/type", Env: "TYPE", Folder: "typeapi"}},
		{"main", starter{Name: "main", Package: "mainapi", Main: "cmd/main", Env: "MAIN", Folder: "mainapi"}},
	} {
		t.Run(c.folder, func(t *testing.T) {
			got := starterNames(c.folder)
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			// The starter spec these names make is valid and means them.
			b, err := templates.Render("api.yaml.tmpl", got)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "api.yaml")
			write(t, p, string(b))
			svc, err := spec.LoadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if svc.Name != c.want.Name || svc.Package != c.want.Package || svc.Output != c.want.Package || svc.Main != c.want.Main || svc.EnvPrefix != c.want.Env {
				t.Errorf("spec means %s %s %s %s %s", svc.Name, svc.Package, svc.Output, svc.Main, svc.EnvPrefix)
			}
			// generate.go is a Go file of an ordinary package.
			b, err = templates.Render("generate.go.tmpl", got)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), "generate.go", b, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name.Name != c.want.Folder || !strings.Contains(string(b), "\n//go:generate go tool ward generate\n") {
				t.Errorf("generate.go:\n%s", b)
			}
		})
	}
}

func TestToolArgs(t *testing.T) {
	mod := func(path string, require []string, tools ...string) goMod {
		var m goMod
		m.Module.Path = path
		for _, r := range require {
			m.Require = append(m.Require, struct{ Path, Version string }{r, "v0.3.0"})
		}
		for _, tool := range tools {
			m.Tool = append(m.Tool, struct{ Path string }{tool})
		}
		return m
	}
	for _, c := range []struct {
		name    string
		mod     goMod
		version string
		want    []string
	}{
		{"tool already named", mod("example.com/shop", []string{wardModule}, "example.com/x", wardTool), "v0.1.0", nil},
		{"ward's own module", mod(wardModule, nil), "", []string{"mod", "edit", "-tool=" + wardTool}},
		{"module requires ward: keep its version", mod("example.com/shop", []string{"example.com/y", wardModule}), "v0.1.0", []string{"mod", "edit", "-tool=" + wardTool}},
		{"fresh module, released ward: pin it", mod("example.com/shop", []string{"example.com/y"}), "v0.1.0", []string{"get", "-tool", wardTool + "@v0.1.0"}},
		{"fresh module, local build", mod("example.com/shop", nil), "", []string{"get", "-tool", wardTool}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := toolArgs(c.mod, c.version); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// userModule makes a fresh module example.com/shop in a folder shop, outside
// Ward's module, that takes Ward from this checkout through a replace
// directive, as a team's module would.
func userModule(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds in a fresh module")
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "shop")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	goRun(t, dir, "mod", "init", "example.com/shop")
	goRun(t, dir, "mod", "edit", "-require="+wardModule+"@v0.0.0-00010101000000-000000000000", "-replace="+wardModule+"="+checkout)
	return dir
}

// goRun runs the go command in dir and fails the test when it fails.
func goRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return string(b)
}

// readmeOwnModule returns the commands of the README's section "Use Ward in
// your own module".
func readmeOwnModule(t *testing.T) []string {
	t.Helper()
	_, sec, ok := strings.Cut(read(t, "../../README.md"), "\n## Use Ward in your own module\n")
	if !ok {
		t.Fatal(`README.md has no section "Use Ward in your own module"`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	var cmds []string
	for _, l := range strings.Split(sec, "\n") {
		if strings.HasPrefix(l, "    ") {
			cmds = append(cmds, strings.TrimSpace(l))
		}
	}
	return cmds
}

// TestOwnModule follows the README in a fresh module: init, go mod tidy,
// then go generate, build, vet, test and serve, and health answers 200.
func TestOwnModule(t *testing.T) {
	dir := userModule(t)
	cmds := readmeOwnModule(t)
	if want := []string{"go run github.com/wardhq/ward/cmd/ward@latest init", "go mod tidy", "go run ./cmd/shop serve"}; !reflect.DeepEqual(cmds, want) {
		t.Fatalf("README's commands are %q, this test runs %q", cmds, want)
	}

	// 1. ward init, in the folder as the README says.
	t.Chdir(dir)
	out, code := ward(t, "init")
	if code != 0 {
		t.Fatalf("init: %d %s", code, out)
	}
	for _, want := range []string{"added     tool " + wardTool, "created   generate.go", "created   cmd/shop/main.go", "wrote     shopapi/service_gen.go", "next:     go mod tidy, then " + cmds[2] + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	var m goMod
	if err := json.Unmarshal([]byte(goRun(t, dir, "mod", "edit", "-json")), &m); err != nil {
		t.Fatal(err)
	}
	if toolArgs(m, "") != nil {
		t.Fatalf("go.mod does not name %s as a tool: %+v", wardTool, m.Tool)
	}

	// 2. go mod tidy. A module on the first release of Ward's Go stays on
	// it: Ward's go.mod names no patch level a team must move to.
	goRun(t, dir, "mod", "edit", "-go="+firstRelease(t))
	goRun(t, dir, strings.Fields(cmds[1])[1:]...)
	var tidied struct{ Go string }
	if err := json.Unmarshal([]byte(goRun(t, dir, "mod", "edit", "-json")), &tidied); err != nil {
		t.Fatal(err)
	}
	if tidied.Go != firstRelease(t) {
		t.Errorf("go mod tidy moved the module from go %s to go %s", firstRelease(t), tidied.Go)
	}

	// 3. go generate runs ward as the module's tool: a deleted generated
	// file comes back, and the tree is then up to date.
	if err := os.Remove(filepath.Join(dir, "shopapi/service_gen.go")); err != nil {
		t.Fatal(err)
	}
	goRun(t, dir, "generate", "./...")
	if out, code := ward(t, "check"); code != 0 {
		t.Fatalf("check after go generate: %d %s", code, out)
	}

	// 4. The scaffolded main takes middleware of chi's shape where it says;
	// build, vet and test.
	mainGo := filepath.Join(dir, "cmd/shop/main.go")
	src := read(t, mainGo)
	if !strings.Contains(src, "service.WithMiddleware()") {
		t.Fatalf("cmd/shop/main.go shows no place for middleware:\n%s", src)
	}
	src = strings.Replace(src, "import (", "import (\n\t\"net/http\"\n", 1)
	src = strings.Replace(src, "service.WithMiddleware()", `service.WithMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Shop", "mine")
				next.ServeHTTP(w, r)
			})
		})`, 1)
	if err := os.WriteFile(mainGo, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "shop")
	goRun(t, dir, "build", "-o", bin, "./cmd/shop")
	goRun(t, dir, "vet", "./...")
	goRun(t, dir, "test", "-count=1", "./...")

	// 5. Serve; health answers 200.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := exec.Command(bin, "serve", "--addr", addr)
	srv.Dir = t.TempDir()
	var log strings.Builder
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() string {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
		return log.String()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				if got := res.Header.Get("X-Shop"); got != "mine" {
					t.Errorf("the middleware added in main did not run: X-Shop %q", got)
				}
				break
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /api/health: %v\n%s", err, stop())
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
}

func TestInitOutsideModule(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	out, code := ward(t, "init", dir)
	if code != 1 || !strings.Contains(out, "run `go mod init` first") {
		t.Fatalf("init outside a module: %d %s", code, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("init outside a module wrote %s: %v", dir, err)
	}
}

// TestGenerateAfterRemovingResource removes a resource from the spec: one
// `go generate ./...` exits 0 and leaves none of its generated files. The
// go command lists every package's files before it runs ward, and ward
// deletes one of them.
func TestGenerateAfterRemovingResource(t *testing.T) {
	dir := userModule(t)
	if out, code := ward(t, "init", dir); code != 0 {
		t.Fatalf("init: %d %s", code, out)
	}
	goRun(t, dir, "mod", "tidy")
	specPath := filepath.Join(dir, "api.yaml")
	base := read(t, specPath)
	write(t, specPath, base+"  tags:\n    fields: {label: string}\n    permissions: IsAuthenticated\n    public: true\n    reason: a test\n")
	goRun(t, dir, "generate", "./...")
	stale := []string{"shopapi/tags_gen.go"}
	for _, p := range stale {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatalf("tags not generated: %v", err)
		}
	}

	write(t, specPath, base)
	goRun(t, dir, "generate", "./...")
	for _, p := range stale {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s left behind: %v", p, err)
		}
	}
	if out, code := ward(t, "check", "-spec", specPath); code != 0 {
		t.Errorf("check after go generate: %d %s", code, out)
	}
	goRun(t, dir, "vet", "./...")
}

// firstRelease is the first release of the Go this test runs, e.g. 1.26.0.
func firstRelease(t *testing.T) string {
	t.Helper()
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		t.Skipf("Go version %q is not a release", v)
	}
	return parts[0] + "." + parts[1] + ".0"
}
