package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A scripted history of one spec. v1 -> v2 adds a class (NotArchived),
// removes one (Moderator) and narrows a rule (staff no longer see every
// post); v2 -> v3 widens two endpoints: notes gain destroy (their author
// may delete them) and any user may create a category.
const histHead = `version: 1
service: {name: hist}
authentication:
  default: [jwt]
  jwt: {key_env: H_JWT_KEY}
`

const histV1 = histHead + `permissions:
  classes:
    IsAuthor: {rule: {owner: author}}
    Moderator: {rule: {staff: true}}
resources:
  categories:
    path: /api/categories
    fields: {name: string}
    permissions: IsAdminUser | ReadOnly
    public: true
    reason: a test
  posts:
    path: /api/posts
    fields:
      title: string
      archived: {type: bool, default: false}
      author: {type: user, owner: true}
    permissions: IsAuthenticated & (IsAuthor | Moderator)
  notes:
    path: /api/notes
    fields:
      text: string
      author: {type: user, owner: true}
    actions: [list, create, retrieve]
    permissions: IsAuthenticated & IsAuthor
`

const histV2 = histHead + `permissions:
  classes:
    IsAuthor: {rule: {owner: author}}
    NotArchived: {rule: {field: archived, value: false}}
resources:
  categories:
    path: /api/categories
    fields: {name: string}
    permissions: IsAdminUser | ReadOnly
    public: true
    reason: a test
  posts:
    path: /api/posts
    fields:
      title: string
      archived: {type: bool, default: false}
      author: {type: user, owner: true}
    permissions: IsAuthenticated & IsAuthor & NotArchived
  notes:
    path: /api/notes
    fields:
      text: string
      author: {type: user, owner: true}
    actions: [list, create, retrieve]
    permissions: IsAuthenticated & IsAuthor
`

var histV3 = strings.NewReplacer(
	"    actions: [list, create, retrieve]\n", "    actions: [list, create, retrieve, destroy]\n",
	"    permissions: IsAdminUser | ReadOnly\n", "    permissions: IsAdminUser | ReadOnly\n    action_permissions: {create: IsAuthenticated}\n",
).Replace(histV2)

func writeSpec(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type diffJSON struct {
	Widened bool `json:"widened"`
	Changes []struct {
		Kind, Resource, Endpoint, Caller, Object, What, Old, New string
	} `json:"changes"`
}

func diffOf(t *testing.T, args ...string) (diffJSON, int) {
	t.Helper()
	out, code := ward(t, append([]string{"diff", "-json"}, args...)...)
	var d diffJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("ward diff -json: %v\n%s", err, out)
	}
	return d, code
}

func pairs(d diffJSON, kind string) []string {
	var out []string
	for _, c := range d.Changes {
		if c.Kind == kind {
			p := c.Endpoint + " as " + c.Caller
			if c.Object != "" {
				p += " on " + c.Object
			}
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func TestDiffHistory(t *testing.T) {
	dir := t.TempDir()
	v1 := writeSpec(t, dir, "v1.yaml", histV1)
	v2 := writeSpec(t, dir, "v2.yaml", histV2)
	v3 := writeSpec(t, dir, "v3.yaml", histV3)

	// v1 -> v2 narrows only: exit 0, the narrowing listed.
	d, code := diffOf(t, v1, v2)
	if code != 0 || d.Widened {
		t.Fatalf("v1 -> v2: exit %d, widened %v: %+v", code, d.Widened, d)
	}
	narrowed := strings.Join(pairs(d, "narrowed"), "\n")
	for _, want := range []string{
		"GET /api/posts/{id} as staff",                             // Moderator is gone
		"GET /api/posts/{id} as owner(author) on archived ≠ false", // NotArchived
		"DELETE /api/posts/{id} as staff",
	} {
		if !strings.Contains(narrowed, want) {
			t.Errorf("v1 -> v2: %q not narrowed; narrowed:\n%s", want, narrowed)
		}
	}
	if w := pairs(d, "widened"); len(w) > 0 {
		t.Errorf("v1 -> v2 widened %v", w)
	}

	// v2 -> v3 widens exactly two endpoint-caller pairs: exit 1.
	d, code = diffOf(t, v2, v3)
	if code != 1 || !d.Widened {
		t.Fatalf("v2 -> v3: exit %d, widened %v", code, d.Widened)
	}
	got := pairs(d, "widened")
	want := []string{"DELETE /api/notes/{id} as owner(author)", "POST /api/categories as authenticated"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("v2 -> v3 widened:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.Changes) == 0 || d.Changes[0].Kind != "widened" {
		t.Errorf("widened changes are not listed first: %+v", d.Changes)
	}
	// Text output: the summary, then the widened pairs first.
	out, code := ward(t, "diff", v2, v3)
	if code != 1 || !strings.HasPrefix(out, "access: 2 widened,") || !strings.Contains(strings.SplitN(out, "\n", 3)[1], "widened: ") {
		t.Errorf("ward diff v2 v3: exit %d\n%s", code, out)
	}
	// The other way: no widening, exit 0.
	if _, code := ward(t, "diff", v3, v2); code != 0 {
		t.Errorf("v3 -> v2: exit %d", code)
	}
	// Equal specs: no change at all.
	if d, code := diffOf(t, v3, v3); code != 0 || len(d.Changes) != 0 {
		t.Errorf("v3 -> v3: exit %d, %d changes", code, len(d.Changes))
	}
}

// TestDiffBase compares the spec at a git revision with the working copy.
func TestDiffBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	spec := writeSpec(t, dir, "api.yaml", histV2)
	git("add", "api.yaml")
	git("commit", "-qm", "v2")
	if d, code := diffOf(t, "-base", "HEAD", "-spec", spec); code != 0 || len(d.Changes) != 0 {
		t.Fatalf("unchanged working copy: exit %d, %+v", code, d)
	}
	writeSpec(t, dir, "api.yaml", histV3)
	d, code := diffOf(t, "-base", "HEAD", "-spec", spec)
	if code != 1 || len(pairs(d, "widened")) != 2 {
		t.Fatalf("-base HEAD: exit %d, widened %v", code, pairs(d, "widened"))
	}
	if out, code := ward(t, "diff", "-base", "nosuchrev", "-spec", spec); code != 1 || !strings.Contains(out, "git show nosuchrev") {
		t.Errorf("unknown revision: exit %d\n%s", code, out)
	}
}

func TestMatrixAndExplainCommands(t *testing.T) {
	dir := t.TempDir()
	spec := writeSpec(t, dir, "api.yaml", histV3)
	for _, format := range []string{"md", "json", "html"} {
		out, code := ward(t, "matrix", "-spec", spec, "-format", format)
		if code != 0 || !strings.Contains(out, "DELETE /api/notes/{id}") && !strings.Contains(out, `"route": "/api/notes/{id}"`) {
			t.Errorf("matrix -format %s: exit %d\n%.300s", format, code, out)
		}
	}
	// ward matrix prints PERMISSIONS.md as generate writes it.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hist\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := ward(t, "generate", "-spec", spec); code != 0 {
		t.Fatalf("generate: %s", out)
	}
	file, err := os.ReadFile(filepath.Join(dir, "PERMISSIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := ward(t, "matrix", "-spec", spec); out != string(file) {
		t.Errorf("ward matrix differs from PERMISSIONS.md:\n%s", out)
	}
	if !strings.HasPrefix(string(file), "<!-- Code generated by ward from api.yaml. DO NOT EDIT. -->\n") {
		t.Errorf("PERMISSIONS.md header: %.80s", file)
	}
	// check: fresh, then stale once the spec widens.
	if out, code := ward(t, "check", "-spec", spec); code != 0 {
		t.Fatalf("check after generate: %d\n%s", code, out)
	}
	writeSpec(t, dir, "api.yaml", strings.Replace(histV3, "permissions: IsAuthenticated & IsAuthor\n", "permissions: IsAuthenticated\n    public: true\n    reason: a test\n", 1))
	if out, code := ward(t, "check", "-spec", spec); code != 1 || !strings.Contains(out, "+++ b/PERMISSIONS.md") {
		t.Errorf("check after widening notes: %d\n%s", code, out)
	}
	if out, code := ward(t, "matrix", "-spec", spec, "-format", "pdf"); code != 1 || !strings.Contains(out, "md, json or html") {
		t.Errorf("matrix -format pdf: exit %d\n%s", code, out)
	}
	out, code := ward(t, "explain", "GET /api/posts/{id}", "--as", "owner", "-spec", spec)
	for _, want := range []string{
		"as owner(author)",
		"request check of `IsAuthenticated & IsAuthor & NotArchived`",
		`SQL: SELECT ... FROM "posts" WHERE "id" = ? AND (("author_id" = ?) AND ("archived" = ?))`,
		"object check",
		"outcome: archived = false: 200; archived ≠ false: 404",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("explain: exit %d, no %q in\n%s", code, want, out)
		}
	}
	if out, code := ward(t, "explain", "GET /api/nowhere", "-spec", spec); code != 1 || !strings.Contains(out, "no endpoint") {
		t.Errorf("explain unknown endpoint: exit %d\n%s", code, out)
	}
	if out, code := ward(t, "explain", "GET /api/posts", "--as", "perm:posts.view", "-spec", spec); code != 1 || !strings.Contains(out, "use one of anonymous, authenticated") {
		t.Errorf("explain unknown caller: exit %d\n%s", code, out)
	}
}
