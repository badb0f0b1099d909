package postgres

import (
	"context"
	"strings"
	"testing"
)

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"postgres://u:s3cret@host:notaport/db", "bad database URL"},
		{"mysql://u:s3cret@[::1", "bad database URL"},
		{"postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=1", "cannot reach"},
	} {
		_, err := Open(context.Background(), tc.url)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", tc.url)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") {
			t.Fatalf("Open(%q) = %q: want one line with %q and no password", tc.url, msg, tc.want)
		}
	}
}
