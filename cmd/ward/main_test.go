package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const specV1 = `version: 1
service:
  name: regen
  package: regenapi
  output: regenapi
  main: cmd/regen
authentication:
  default: [jwt]
  jwt: {key_env: R_JWT_KEY}
permissions:
  classes:
    IsOwner:
      rule: {owner: owner}
    Keeper:
      check: go
      read_scope: all
    Extra:
      check: go
      read_scope: all
resources:
  things:
    fields:
      title: {type: string, required: true}
      owner: {type: user, owner: true}
    permissions: IsAuthenticated & IsOwner & Keeper & Extra
  old_items:
    fields: {title: string}
    permissions: IsAuthenticated
    public: true
    reason: a test
`

// specV2 adds Fresh, renames Keeper to Guardian, removes Extra and the
// old_items resource.
const specV2 = `version: 1
service:
  name: regen
  package: regenapi
  output: regenapi
  main: cmd/regen
authentication:
  default: [jwt]
  jwt: {key_env: R_JWT_KEY}
permissions:
  classes:
    IsOwner:
      rule: {owner: owner}
    Guardian:
      check: go
      read_scope: all
    Fresh:
      check: go
      read_scope: all
resources:
  things:
    fields:
      title: {type: string, required: true}
      owner: {type: user, owner: true}
    permissions: IsAuthenticated & IsOwner & Guardian & Fresh
`

func ward(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String() + errb.String(), code
}

// moduleDir makes a folder in a fresh module outside Ward's, under the
// test's temporary folder. The module requires Ward from this checkout
// through a replace directive and names it as a tool, with Ward's own
// requirements and go.sum, so the go tool builds generated code there
// without the network and without writing into the checkout.
func moduleDir(t *testing.T) string {
	t.Helper()
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	gomod := strings.Replace(read(t, filepath.Join(checkout, "go.mod")), "module "+wardModule+"\n", "module example.com/wardtest\n", 1)
	gomod += "\nrequire " + wardModule + " v0.0.0-00010101000000-000000000000\n\nreplace " + wardModule + " => " + checkout + "\n"
	write(t, filepath.Join(root, "go.mod"), gomod)
	write(t, filepath.Join(root, "go.sum"), read(t, filepath.Join(checkout, "go.sum")))
	dir := filepath.Join(root, "regen")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestModuleDirOutsideTheCheckout: the tests' modules live outside Ward's
// module root, so a test run never writes into the checkout (which may be
// read-only, or listed by a ./... running meanwhile).
func TestModuleDirOutsideTheCheckout(t *testing.T) {
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := moduleDir(t)
	if rel, err := filepath.Rel(checkout, dir); err != nil || !strings.HasPrefix(rel, "..") {
		t.Fatalf("moduleDir %s is inside the checkout %s", dir, checkout)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRegeneration(t *testing.T) {
	dir := moduleDir(t)
	specPath := filepath.Join(dir, "api.yaml")
	write(t, specPath, specV1)
	out, code := ward(t, "generate", "-spec", specPath)
	if code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	for _, want := range []string{"created   regenapi/keeper.go", "created   regenapi/extra.go", "created   cmd/regen/main.go", "wrote     regenapi/old_items_gen.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("generate output lacks %q:\n%s", want, out)
		}
	}
	// A person fills in the stubs and edits main.
	human := map[string]string{
		"regenapi/keeper.go": "// Scaffolded by ward; yours to edit.\n\npackage regenapi\n\nimport \"github.com/wardhq/ward/runtime/perm\"\n\n// Keeper keeps.\ntype Keeper struct{}\n\n// HasPermission allows.\nfunc (Keeper) HasPermission(*perm.Request) (bool, error) { return true, nil }\n\n// HasThingPermission allows.\nfunc (Keeper) HasThingPermission(*perm.Request, *Thing) (bool, error) { return true, nil }\n",
		"regenapi/extra.go":  "// Scaffolded by ward; yours to edit.\n\npackage regenapi\n\nimport \"github.com/wardhq/ward/runtime/perm\"\n\n// Extra is extra.\ntype Extra struct{}\n\n// HasPermission allows.\nfunc (Extra) HasPermission(*perm.Request) (bool, error) { return true, nil }\n\n// HasThingPermission allows.\nfunc (Extra) HasThingPermission(*perm.Request, *Thing) (bool, error) { return true, nil }\n",
		"regenapi/helper.go": "package regenapi\n\n// Helper is a person's file without any header.\nfunc Helper() int { return 1 }\n",
	}
	human["cmd/regen/main.go"] = strings.Replace(read(t, filepath.Join(dir, "cmd/regen/main.go")), "func main()", "// main is edited.\nfunc main()", 1)
	for p, s := range human {
		write(t, filepath.Join(dir, p), s)
	}
	if out, code := ward(t, "check", "-spec", specPath); code != 0 {
		t.Fatalf("check after generate: %d %s", code, out)
	}

	write(t, specPath, specV2)
	out, code = ward(t, "generate", "-spec", specPath)
	if code != 0 {
		t.Fatalf("regenerate: %d %s", code, out)
	}
	for _, want := range []string{"created   regenapi/guardian.go", "created   regenapi/fresh.go", "orphaned  regenapi/extra.go", "orphaned  regenapi/keeper.go", "removed   regenapi/old_items_gen.go", "wrote     regenapi/things_gen.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("regenerate output lacks %q:\n%s", want, out)
		}
	}
	for p, s := range human {
		if got := read(t, filepath.Join(dir, p)); got != s {
			t.Errorf("%s changed:\n%s", p, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "regenapi/old_items_gen.go")); !os.IsNotExist(err) {
		t.Errorf("stale generated file kept: %v", err)
	}
	// The new stubs deny, naming their file.
	if s := read(t, filepath.Join(dir, "regenapi/fresh.go")); !strings.Contains(s, `perm.Deny("Fresh.HasThingPermission is not written yet: edit fresh.go")`) {
		t.Errorf("fresh.go:\n%s", s)
	}
	// Running again changes nothing.
	if out, code := ward(t, "generate", "-spec", specPath); code != 0 || strings.Contains(out, "wrote") || strings.Contains(out, "created") {
		t.Errorf("third run: %d %s", code, out)
	}
	// The build is green: the generated package and the orphans compile,
	// and the new stubs deny over HTTP with a 403 naming their file.
	write(t, filepath.Join(dir, "regenapi/stub_test.go"), stubTest)
	pkg := "./" + filepath.Base(dir) + "/regenapi"
	cmd := exec.Command("go", "test", "-count=1", pkg)
	cmd.Dir = filepath.Dir(dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s", err, b)
	}
	// A class missing the object method its model needs fails to compile.
	guardian := filepath.Join(dir, "regenapi/guardian.go")
	src := read(t, guardian)
	i := strings.Index(src, "// HasThingPermission")
	if i < 0 {
		t.Fatalf("guardian.go:\n%s", src)
	}
	write(t, guardian, src[:i])
	cmd = exec.Command("go", "build", pkg)
	cmd.Dir = filepath.Dir(dir)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "HasThingPermission") {
		t.Fatalf("build without HasThingPermission: %v\n%s", err, b)
	}
}

// stubTest drives the regenerated package: the scaffolded Guardian stub
// must deny an authenticated create with its "not written yet" message.
const stubTest = `package regenapi

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	_ "modernc.org/sqlite"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
)

type userAuth struct{}

func (userAuth) Name() string      { return "jwt" }
func (userAuth) Challenge() string { return "Bearer" }
func (userAuth) Authenticate(r *http.Request) (*identity.User, error) {
	if r.Header.Get("Authorization") == "" {
		return nil, nil
	}
	return &identity.User{ID: 1, Username: "alice", IsActive: true}, nil
}

func TestStubDenies(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE ward_users (id INTEGER PRIMARY KEY, username TEXT)"); err != nil {
		t.Fatal(err)
	}
	if err := schema.Migrate(context.Background(), db, schema.SQLite, Definition().Tables); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	Mount(r, &rest.App{DB: db, Dialect: rest.SQLite, Authenticators: map[string]authn.Authenticator{"jwt": userAuth{}}})
	req := httptest.NewRequest("POST", "/things", strings.NewReader(` + "`" + `{"title":"x"}` + "`" + `))
	req.Header.Set("Authorization", "Bearer x")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "Guardian.HasPermission is not written yet: edit guardian.go") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
`

func TestCheckAndVet(t *testing.T) {
	dir := moduleDir(t)
	specPath := filepath.Join(dir, "api.yaml")
	write(t, specPath, specV1)
	out, code := ward(t, "check", "-spec", specPath)
	if code != 1 || !strings.Contains(out, "missing scaffold regenapi/keeper.go") || !strings.Contains(out, "+++ b/regenapi/things_gen.go") {
		t.Fatalf("check before generate: %d %s", code, out)
	}
	// The last line says what to run.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "run `ward generate -spec "+specPath+"` (or `go generate`)") {
		t.Fatalf("check's last line does not say to run ward generate: %q", last)
	}
	if out, code := ward(t, "generate", "-spec", specPath); code != 0 {
		t.Fatal(out)
	}
	gen := filepath.Join(dir, "regenapi/things_gen.go")
	orig := read(t, gen)
	write(t, gen, strings.Replace(orig, "package regenapi", "package regenapi\n\n// edited by hand", 1))
	out, code = ward(t, "check", "-spec", specPath)
	if code != 1 || !strings.Contains(out, "--- a/regenapi/things_gen.go") || !strings.Contains(out, "-// edited by hand") {
		t.Fatalf("check after an edit: %d %s", code, out)
	}
	// A generated-looking path held by a person's file is not overwritten.
	write(t, gen, "package regenapi\n")
	if out, code := ward(t, "generate", "-spec", specPath); code != 1 || !strings.Contains(out, "refusing to overwrite") {
		t.Fatalf("conflict: %d %s", code, out)
	}
	write(t, gen, orig)
	if out, code := ward(t, "vet", "-spec", specPath); code != 0 {
		t.Fatalf("vet valid: %d %s", code, out)
	}
	write(t, specPath, strings.Replace(specV1, "IsAuthenticated & IsOwner", "IsAuthenticated & IsOwnr", 1))
	if out, code := ward(t, "vet", "-spec", specPath); code != 1 || !strings.Contains(out, "IsOwnr") {
		t.Fatalf("vet invalid: %d %s", code, out)
	}
	if out, code := ward(t, "nope"); code != 2 || !strings.Contains(out, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, out)
	}
	if out, code := ward(t, "version"); code != 0 || !strings.HasPrefix(out, "ward ") {
		t.Fatalf("version: %d %s", code, out)
	}
}

func TestInit(t *testing.T) {
	dir := moduleDir(t)
	gomodPath := filepath.Join(filepath.Dir(dir), "go.mod")
	gomod := read(t, gomodPath)
	app := filepath.Join(dir, "shop")
	out, code := ward(t, "init", app)
	if code != 0 {
		t.Fatalf("init: %d %s", code, out)
	}
	for _, p := range []string{"api.yaml", "shopapi/items_gen.go", "shopapi/service_gen.go", "cmd/shop/main.go", "generate.go"} {
		if _, err := os.Stat(filepath.Join(app, p)); err != nil {
			t.Errorf("init did not write %s: %v", p, err)
		}
	}
	if !strings.Contains(read(t, filepath.Join(app, "generate.go")), "\n//go:generate go tool ward generate\n") {
		t.Errorf("generate.go does not run the module's ward tool:\n%s", read(t, filepath.Join(app, "generate.go")))
	}
	// The module names ward as a tool already: init leaves go.mod alone.
	if read(t, gomodPath) != gomod || strings.Contains(out, "added") {
		t.Errorf("init changed the module's go.mod:\n%s", out)
	}
	if out, code := ward(t, "init", app); code != 1 || !strings.Contains(out, "exists") {
		t.Fatalf("second init: %d %s", code, out)
	}
	// A folder whose name ends in "api" names the package once.
	billing := filepath.Join(dir, "services", "billing-api")
	if out, code := ward(t, "init", billing); code != 0 || !strings.Contains(out, "wrote     billingapi/service_gen.go") || !strings.Contains(out, "created   cmd/billing-api/main.go") {
		t.Fatalf("init billing-api: %d %s", code, out)
	}
	if s := read(t, filepath.Join(billing, "api.yaml")); !strings.Contains(s, "\n  package: billingapi\n") || !strings.Contains(s, "`go run ./cmd/billing-api serve`") {
		t.Errorf("billing-api's api.yaml:\n%s", s)
	}
	base := "./" + filepath.Base(dir)
	cmd := exec.Command("go", "vet", base+"/shop/shopapi", base+"/services/billing-api/billingapi", base+"/services/billing-api/cmd/billing-api")
	cmd.Dir = filepath.Dir(dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, b)
	}
}
