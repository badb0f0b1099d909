package accounts

import (
	"strings"
	"testing"
)

func FuzzDecodeLogin(f *testing.F) {
	for _, s := range []string{`{"username":"a","password":"b"}`, `{}`, `[]`, `{"username":null}`, `{"username":1}`, `{"username":" "}`} {
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
	})
}
