package mfa

import (
	"strings"
	"testing"
)

// decode never panics, and what it accepts is non-blank NUL-free strings.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"ticket":"a","code":"123456"}`, `{"code":null}`, `[]`, `{"code":"\u0000"}`, "\xff", `{"code":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, fe, err := decode(strings.NewReader(s), "ticket", "code")
		if err != nil {
			return
		}
		for k, v := range out {
			if strings.TrimSpace(v) == "" || strings.ContainsRune(v, 0) {
				t.Fatalf("%s = %q accepted", k, v)
			}
			if fe[k] != nil {
				t.Fatalf("%s both accepted and refused", k)
			}
		}
	})
}

// NormalizeRecoveryCode is idempotent.
func FuzzNormalizeRecoveryCode(f *testing.F) {
	f.Add("ABCD-efgh-1234")
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeRecoveryCode(s)
		if NormalizeRecoveryCode(n) != n {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
