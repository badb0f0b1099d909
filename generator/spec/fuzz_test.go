package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad checks that Load never panics, always returns exactly one of a
// plan and an ErrorList with positions, and that loading is deterministic.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/api.yaml")
	files = append(files, "../../examples/blog/api.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("f.yaml", data)
		if (s == nil) == (err == nil) {
			t.Fatalf("want exactly one of plan and error, got %v and %v", s, err)
		}
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error %T is not a non-empty ErrorList", err)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("loader panicked on %q", data)
			}
			return
		}
		if Dump(s) == "" {
			t.Fatal("empty dump")
		}
		s2, _ := Load("f.yaml", data)
		if s2 == nil || Dump(s2) != Dump(s) {
			t.Fatal("non-deterministic load")
		}
	})
}
