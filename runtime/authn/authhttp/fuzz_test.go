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

// FuzzParseCredentialPath: whatever the path, an accepted one is a known
// kind and 24 lowercase hex digits, and its opaque id round-trips.
func FuzzParseCredentialPath(f *testing.F) {
	for _, s := range []string{"token/0123456789abcdef01234567", "session/", "refresh/x", "/", "", "token/0123456789abcdef01234567/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		kind, id, ok := ParseCredentialPath(p)
		if !ok {
			return
		}
		if kind+"/"+id != p || len(id) != 24 || (kind != KindSession && kind != KindToken && kind != KindRefresh) {
			t.Fatalf("ParseCredentialPath(%q) = %q, %q", p, kind, id)
		}
		if _, _, ok := ParseCredentialPath(kind + "/" + OpaqueID(kind, []byte(p))); !ok {
			t.Fatal("an opaque id does not parse")
		}
	})
}
