package files

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const gen = Generated + "\n\npackage x\n"
const scaf = Scaffolded + "\n\npackage x\n"

func TestPlan(t *testing.T) {
	fsys := fstest.MapFS{
		"x/same_gen.go":     {Data: []byte(gen)},
		"x/changed_gen.go":  {Data: []byte(gen + "// old\n")},
		"x/stale_gen.go":    {Data: []byte(gen)},
		"x/mine.go":         {Data: []byte("package x\n")},
		"x/kept.go":         {Data: []byte(scaf + "// filled in\n")},
		"x/orphan.go":       {Data: []byte(scaf)},
		"x/taken_gen.go":    {Data: []byte("package x\n")},
		"x/sub/deep_gen.go": {Data: []byte(gen)},
		"x/notes.txt":       {Data: []byte(Generated)},
		"other/gen.go":      {Data: []byte(gen)},
	}
	out := map[string][]byte{
		"x/same_gen.go":    []byte(gen),
		"x/changed_gen.go": []byte(gen),
		"x/new_gen.go":     []byte(gen),
		"x/kept.go":        []byte(scaf),
		"x/stub.go":        []byte(scaf),
		"x/taken_gen.go":   []byte(gen),
		"cmd/x/main.go":    []byte(scaf),
	}
	changes, err := Plan(fsys, out, []string{"x/kept.go", "x/stub.go", "cmd/x/main.go"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Op{}
	for _, c := range changes {
		got[c.Path] = c.Op
	}
	want := map[string]Op{
		"cmd/x/main.go":    Create,
		"x/changed_gen.go": Write,
		"x/kept.go":        Keep,
		"x/new_gen.go":     Write,
		"x/orphan.go":      Orphan,
		"x/same_gen.go":    Unchanged,
		"x/stale_gen.go":   Remove,
		"x/stub.go":        Create,
		"x/taken_gen.go":   Conflict,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	var stale []string
	for _, c := range Stale(changes) {
		stale = append(stale, c.Path)
	}
	if diff := cmp.Diff([]string{"cmd/x/main.go", "x/changed_gen.go", "x/new_gen.go", "x/stale_gen.go", "x/stub.go", "x/taken_gen.go"}, stale); diff != "" {
		t.Fatalf("stale (-want +got)\n%s", diff)
	}
}

func TestHasHeader(t *testing.T) {
	cases := map[string]bool{
		Generated + "\n":          true,
		Generated + "\r\nx":       true,
		Generated:                 true,
		" " + Generated + "\n":    false,
		"package x\n" + Generated: false,
		"":                        false,
	}
	for s, want := range cases {
		if got := HasHeader([]byte(s), Generated); got != want {
			t.Errorf("HasHeader(%q) = %v", s, got)
		}
	}
}

func TestDiff(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"change", "a\nb\nc\n", "a\nB\nc\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"add to empty", "", "x\n", "--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n"},
		{"remove all", "x\ny\n", "", "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-x\n-y\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n",
			"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Diff("f", []byte(c.old), []byte(c.new)); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	// Applying the diff's + and context lines reproduces the new text.
	old := strings.Repeat("line\n", 50) + "end\n"
	nw := strings.Replace(old, "line\n", "LINE\n", 3) + "more\n"
	d := Diff("f", []byte(old), []byte(nw))
	if !strings.Contains(d, "+LINE") || !strings.Contains(d, "+more") || strings.Count(d, "-line") != 3 {
		t.Fatalf("diff:\n%s", d)
	}
}
