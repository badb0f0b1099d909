package authhttp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeLogin(f *testing.F) {
	for _, s := range []string{`{"username":"a","password":"b"}`, `{}`, `[]`, `{"username":null}`, `{"username":1}`, `{"username":" "}`,
		`{"username":"a\u0000","password":"b"}`, "{\"username\":\"\xff\",\"password\":\"b\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var l Login
		fe, err := DecodeLogin(strings.NewReader(body), &l)
		if err != nil {
			return
		}
		if fe.Empty() && (strings.TrimSpace(l.Username) == "" || strings.TrimSpace(l.Password) == "") {
			t.Fatalf("blank field accepted: %+v", l)
		}
		if len(body) > MaxLoginBody {
			t.Fatal("oversized body accepted")
		}
		if !utf8.ValidString(body) {
			t.Fatalf("invalid UTF-8 accepted: %q", body)
		}
		if fe.Empty() && (strings.ContainsRune(l.Username, 0) || strings.ContainsRune(l.Password, 0)) {
			t.Fatalf("NUL accepted: %+v", l)
		}
	})
}
