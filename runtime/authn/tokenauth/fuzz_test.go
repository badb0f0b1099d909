package tokenauth

import (
	"strings"
	"testing"
)

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"", "Token " + strings.Repeat("a", 64), "Token", "token a b", "Basic x", "Token " + strings.Repeat("Z", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		key, ok, err := ParseHeader(h)
		if !ok && (key != "" || err != nil) {
			t.Fatal("passed with a value")
		}
		if ok && err == nil {
			if len(key) != KeyLen || strings.Trim(key, "0123456789abcdef") != "" {
				t.Fatalf("bad key %q accepted", key)
			}
		}
	})
}
