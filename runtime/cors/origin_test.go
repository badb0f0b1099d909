package cors

import (
	"strings"
	"testing"
)

func TestCheckOrigin(t *testing.T) {
	for _, c := range []struct {
		origin string
		want   string // "" when accepted, else a part of the reason
	}{
		{"https://app.example.com", ""},
		{"http://localhost:3000", ""},
		{"https://a.example.com:65535", ""},
		{"*", `must not be "*"`},
		{"null", `must not be "null"`},
		{"NULL", "invalid CORS origin"},
		{"", "invalid CORS origin"},
		{"https://app.example.com/", "invalid CORS origin"},
		{"https://app.example.com/path", "invalid CORS origin"},
		{"app.example.com", "invalid CORS origin"},
		{"ftp://app.example.com", "invalid CORS origin"},
		{"file://", "invalid CORS origin"},
		{"https://user@app.example.com", "invalid CORS origin"},
		{"https://*.example.com", "invalid CORS origin"},
		{"https://a.example.com:0", "invalid CORS origin"},
		{"https://a.example.com:65536", "invalid CORS origin"},
		{"https://a.example.com:", "invalid CORS origin"},
		{" https://a.example.com", "invalid CORS origin"},
		{"https://a.example.com\nhttps://b.example.com", "invalid CORS origin"},
	} {
		err := CheckOrigin(c.origin)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q refused: %v", c.origin, err)
		case c.want != "" && err == nil:
			t.Errorf("%q accepted", c.origin)
		case c.want != "" && (!strings.Contains(err.Reason, c.want) || err.Fix == "" || err.Origin != c.origin):
			t.Errorf("%q: %+v, want %q and a fix", c.origin, err, c.want)
		}
	}
}
