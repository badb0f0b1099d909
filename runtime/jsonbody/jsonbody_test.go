package jsonbody

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIsJSON(t *testing.T) {
	cases := map[string]bool{
		"application/json":                     true,
		"Application/JSON":                     true,
		"application/json; charset=utf-8":      true,
		"application/json; charset=UTF-8":      true,
		`application/json; charset="utf-8"`:    true,
		"application/json;charset=utf8":        true,
		"application/json; charset=latin-1":    false,
		"application/json; charset=iso-8859-1": false,
		"application/json; charset=utf-16":     false,
		"application/json; charset=":           false,
		"application/json; charset=utf-8; x=1": true,
		"text/plain":                           false,
		"application/x-www-form-urlencoded":    false,
		"application/json; charset":            false, // malformed
		"":                                     false,
	}
	for ct, want := range cases {
		if got := IsJSON(ct); got != want {
			t.Errorf("IsJSON(%q) = %v, want %v", ct, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	cases := map[string]string{
		`{"a":"é"}`:            "",
		`{"a":"\u00e9"}`:       "",
		"{\"a\":\"\xff\"}":     InvalidUTF8,
		"{\"a\":\"\xc3\"}":     InvalidUTF8, // a truncated sequence
		"{\"\xed\xa0\x80\":1}": InvalidUTF8, // an encoded surrogate
		`{"a":`:                InvalidJSON,
		``:                     InvalidJSON,
	}
	for body, want := range cases {
		if got := Check([]byte(body)); got != want {
			t.Errorf("Check(%q) = %q, want %q", body, got, want)
		}
	}
}

func TestSurrogate(t *testing.T) {
	cases := []struct {
		raw  string
		want rune // 0: none
	}{
		{`"abc"`, 0},
		{`"\ud83d\ude00"`, 0}, // a pair: 😀
		{`"\uD83D\uDE00"`, 0},
		{`"\ud800"`, 0xD800},
		{`"a\ud800b"`, 0xD800},
		{`"\ude00"`, 0xDE00},
		{`"\ud800\u0041"`, 0xD800},
		{`"\ud800\ud800"`, 0xD800},
		{`"\\ud800"`, 0},       // an escaped backslash, then text
		{`"\\\ud800"`, 0xD800}, // an escaped backslash, then an escape
		{`"\u00e9\udfff"`, 0xDFFF},
	}
	for _, c := range cases {
		r, ok := Surrogate([]byte(c.raw))
		if ok != (c.want != 0) || r != c.want {
			t.Errorf("Surrogate(%s) = %X %v, want %X", c.raw, r, ok, c.want)
		}
	}
	if got := SurrogateMessage(0xD800); got != "Surrogate characters are not allowed: U+D800." {
		t.Errorf("message %q", got)
	}
}

// FuzzSurrogate checks Surrogate against encoding/json: a string token
// that holds no U+FFFD, neither as such nor escaped, decodes to one exactly
// when Surrogate finds a lone surrogate.
func FuzzSurrogate(f *testing.F) {
	for _, s := range []string{`"\ud800"`, `"\ud83d\ude00"`, `"\\ud800"`, `"x"`, `"\ufffd"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var s string
		if !utf8.ValidString(raw) || strings.ContainsRune(raw, utf8.RuneError) || strings.Contains(strings.ToLower(raw), "fffd") ||
			!strings.HasPrefix(strings.TrimSpace(raw), `"`) || json.Unmarshal([]byte(raw), &s) != nil {
			return
		}
		_, lone := Surrogate([]byte(raw))
		replaced := strings.ContainsRune(s, utf8.RuneError)
		if lone != replaced {
			t.Fatalf("Surrogate(%s) = %v, but decoding replaced characters: %v (%q)", raw, lone, replaced, s)
		}
	})
}
