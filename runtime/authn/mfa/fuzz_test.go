package mfa

import "testing"

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
