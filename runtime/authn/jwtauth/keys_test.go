package jwtauth

import (
	"strings"
	"testing"
)

func TestHMACKeyRefusesWeakSecrets(t *testing.T) {
	for _, c := range []struct {
		name   string
		secret string
		want   string // "" when the key is accepted
	}{
		{"31 bytes", "abcdefghijklmnopqrstuvwxyz01234", "at least 32 bytes"},
		{"one repeated byte", strings.Repeat("k", 32), "1 distinct bytes"},
		{"one repeated byte, long", strings.Repeat("k", 100), "1 distinct bytes"},
		{"spaces", strings.Repeat(" ", 48), "only whitespace"},
		{"mixed whitespace", strings.Repeat(" \t\n\r", 12), "only whitespace"},
		{"two bytes alternating", strings.Repeat("ab", 24), "2 distinct bytes"},
		{"seven distinct bytes", strings.Repeat("abcdefg", 6), "7 distinct bytes"},
		{"zero bytes", string(make([]byte, 32)), "1 distinct bytes"},
		{"eight distinct bytes", strings.Repeat("abcdefgh", 4), ""},
		{"openssl rand -base64 48", "3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJico", ""},
		{"a passphrase with spaces", "correct horse battery staple again", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := HMACKey("", []byte(c.secret))
			if c.want == "" {
				if err != nil || k == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "openssl rand -base64 48") {
				t.Errorf("error %q: want %q and how to make a key", err, c.want)
			}
			if strings.Contains(err.Error(), c.secret) && strings.TrimSpace(c.secret) != "" {
				t.Errorf("the error repeats the key: %q", err)
			}
			// The environment variable gets the same check, and names itself.
			if strings.IndexByte(c.secret, 0) >= 0 {
				return // no environment variable holds NUL
			}
			t.Setenv("WARD_WEAK_KEY", c.secret)
			if _, err := KeyFromEnv("WARD_WEAK_KEY", t.TempDir()); err == nil || !strings.HasPrefix(err.Error(), "WARD_WEAK_KEY: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("KeyFromEnv: %v", err)
			}
		})
	}
}
