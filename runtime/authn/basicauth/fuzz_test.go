package basicauth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func FuzzParseHeader(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("alice:pw")))
	for _, s := range []string{"", "Basic", "Basic a b", "basic !!!", "Bearer x", "Basic Og==", "Basic " + base64.StdEncoding.EncodeToString([]byte("a\x00:pw"))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		user, pass, ok, err := ParseHeader(h)
		if !ok && (user != "" || pass != "" || err != nil) {
			t.Fatal("passed with a value")
		}
		if ok && err == nil {
			_, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
			raw, derr := base64.StdEncoding.DecodeString(strings.Trim(rest, " "))
			if derr != nil || string(raw) != user+":"+pass {
				t.Fatalf("%q parsed as %q:%q", h, user, pass)
			}
			if strings.ContainsRune(user+pass, 0) {
				t.Fatalf("%q parsed with NUL: %q:%q", h, user, pass)
			}
		}
	})
}
