package accounts

import (
	"slices"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, pw, username, email string
		want                      []string
	}{
		{"good", "correct-horse-battery", "alice", "alice@example.com", nil},
		{"short", "x7#kQ", "alice", "", []string{"This password is too short. It must contain at least 8 characters."}},
		{"common", "password123", "alice", "", []string{"This password is too common."}},
		{"common any case", "PassWord", "alice", "", []string{"This password is too common."}},
		{"numeric", "90817263544", "alice", "", []string{"This password is entirely numeric."}},
		{"short common numeric", "1234", "bob", "", []string{
			"This password is too short. It must contain at least 8 characters.",
			"This password is too common.",
			"This password is entirely numeric.",
		}},
		{"like username", "alicealice1", "alicealice", "", []string{"The password is too similar to the username."}},
		{"like email part", "margaretha9", "x", "margaretha@example.com", []string{"The password is too similar to the email address."}},
		{"tiny attribute ignored", "zq8#mwr-ptl-vbn-kkx-eey", "z", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PasswordRules{}.ValidatePassword(tt.pw, tt.username, tt.email)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ValidatePassword(%q) = %q, want %q", tt.pw, got, tt.want)
			}
		})
	}
}

func TestValidatePasswordRules(t *testing.T) {
	r := PasswordRules{MinLength: 12, Common: map[string]bool{"hunter2hunter2": true}}
	if got := r.ValidatePassword("abcdefghijk", "", ""); len(got) != 1 || got[0] != "This password is too short. It must contain at least 12 characters." {
		t.Fatalf("min length 12: %q", got)
	}
	if got := r.ValidatePassword("Hunter2Hunter2", "", ""); !slices.Equal(got, []string{"This password is too common."}) {
		t.Fatalf("own list: %q", got)
	}
	if got := r.ValidatePassword("password1234", "", ""); got != nil {
		t.Fatalf("own list replaces the embedded one: %q", got)
	}
}

func TestQuickRatio(t *testing.T) {
	// Values from Python's difflib.SequenceMatcher(a=, b=).quick_ratio().
	for _, c := range []struct {
		a, b string
		want float64
	}{{"abcd", "bcde", 0.75}, {"abc", "abc", 1}, {"abc", "xyz", 0}, {"aab", "ab", 0.8}} {
		if got := quickRatio(c.a, c.b); got != c.want {
			t.Errorf("quickRatio(%q,%q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
