package policy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/spec"
)

var update = flag.Bool("update", false, "rewrite the error.txt files")

// TestInvalid: each case under testdata/invalid loads, and Vet reports
// exactly its error.txt.
func TestInvalid(t *testing.T) {
	dirs, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata/invalid", d.Name())
			data, err := os.ReadFile(filepath.Join(dir, "api.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			svc, err := spec.Load("api.yaml", data)
			if err != nil {
				t.Fatalf("the spec must load, the matrix refuse it: %v", err)
			}
			err = Vet("api.yaml", svc)
			if err == nil {
				t.Fatal("Vet accepted the spec")
			}
			got := err.Error() + "\n"
			path := filepath.Join(dir, "error.txt")
			if *update {
				os.WriteFile(path, []byte(got), 0o644)
				return
			}
			want, _ := os.ReadFile(path)
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestValidSpecsVet: every spec Ward ships (examples, golden cases, the
// loader's valid cases) passes the checks: what they need is acknowledged.
func TestValidSpecsVet(t *testing.T) {
	var paths []string
	for _, glob := range []string{"../../examples/*/api.yaml", "../testdata/*/api.yaml", "../spec/testdata/valid/*/api.yaml"} {
		m, _ := filepath.Glob(glob)
		paths = append(paths, m...)
	}
	if len(paths) < 20 {
		t.Fatalf("found only %d specs", len(paths))
	}
	for _, p := range paths {
		svc, err := spec.LoadFile(p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if err := Vet(p, svc); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestAcknowledged: acknowledging a check silences it, and only it.
func TestAcknowledged(t *testing.T) {
	src, err := os.ReadFile("testdata/invalid/never_passes/api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ack  string
		want string
	}{
		{"never_passes: \"locked until the launch\"", ""},
		{"always_passes: \"wrong check\"", "no caller passes"},
	} {
		s := string(src) + "    acknowledge: {" + tt.ack + "}\n"
		svc, err := spec.Load("api.yaml", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		err = Vet("api.yaml", svc)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.ack, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.ack, err, tt.want)
		}
	}
}
