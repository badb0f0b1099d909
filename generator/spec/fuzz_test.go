package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/plan"
)

// FuzzLoad checks that Load never panics, always returns exactly one of a
// plan and an ErrorList with positions, that loading is deterministic, and
// that no string of a plan holds a control character.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/api.yaml")
	files = append(files, "../../examples/blog/api.yaml", "../../examples/shop/api.yaml")
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
		if bad := badString(reflect.ValueOf(s), map[uintptr]bool{}); bad != "" {
			t.Fatalf("the plan holds %q, with a character the loader refuses", bad)
		}
		s2, _ := Load("f.yaml", data)
		if s2 == nil || Dump(s2) != Dump(s) {
			t.Fatal("non-deterministic load")
		}
	})
}

// badString returns the first string reachable from v that holds a
// character badRune refuses, or "".
func badString(v reflect.Value, seen map[uintptr]bool) string {
	switch v.Kind() {
	case reflect.String:
		if strings.ContainsFunc(v.String(), badRune) {
			return v.String()
		}
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return ""
		}
		seen[v.Pointer()] = true
		return badString(v.Elem(), seen)
	case reflect.Interface:
		if !v.IsNil() {
			return badString(v.Elem(), seen)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if s := badString(v.Field(i), seen); s != "" {
				return s
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if s := badString(v.Index(i), seen); s != "" {
				return s
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if s := badString(it.Key(), seen); s != "" {
				return s
			}
			if s := badString(it.Value(), seen); s != "" {
				return s
			}
		}
	}
	return ""
}

// TestBadStringFindsIssueInjection: the check FuzzLoad makes on plans sees
// the issue's injection where it would have been stored.
func TestBadStringFindsIssueInjection(t *testing.T) {
	s, err := Load("f.yaml", []byte("version: 1\nservice: {name: s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if bad := badString(reflect.ValueOf(s), map[uintptr]bool{}); bad != "" {
		t.Fatalf("a clean plan holds %q", bad)
	}
	s.Classes = append(s.Classes, &plan.Class{Name: "C", Description: "x\nfunc init() { panic(1) }\n//"})
	if bad := badString(reflect.ValueOf(s), map[uintptr]bool{}); bad != s.Classes[0].Description {
		t.Fatalf("got %q, want the description", bad)
	}
}
