package authhttp

import (
	"strings"
	"testing"
)

func FuzzDecodeStrings(f *testing.F) {
	f.Add(`{"uid":"MQ","token":"t","new_password1":"a","new_password2":"a"}`)
	f.Add(`{"uid":null,"token":1}`)
	f.Add(`[]`)
	f.Add("{\"uid\":\"\\u0000\"}")
	f.Fuzz(func(t *testing.T, body string) {
		vals, fe, err := DecodeStrings(strings.NewReader(body), "uid", "token")
		if err != nil {
			return
		}
		for _, n := range []string{"uid", "token"} {
			_, ok := vals[n]
			if ok == (len(fe[n]) > 0) {
				t.Fatalf("field %s: value %v and errors %v", n, ok, fe[n])
			}
			if ok && (strings.TrimSpace(vals[n]) == "" || strings.ContainsRune(vals[n], 0)) {
				t.Fatalf("field %s accepted %q", n, vals[n])
			}
		}
	})
}
