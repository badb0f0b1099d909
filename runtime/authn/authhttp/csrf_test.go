package authhttp

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/wardhq/ward/runtime/authn"
)

func TestCheckCSRF(t *testing.T) {
	match := func(got string) bool { return got == "secret" }
	for _, tt := range []struct {
		method, header string
		detail         string // "" for no error
	}{
		{"GET", "", ""},
		{"HEAD", "", ""},
		{"OPTIONS", "", ""},
		{"TRACE", "", ""},
		{"POST", "secret", ""},
		{"POST", "", MsgCSRFMissing},
		{"PUT", "", MsgCSRFMissing},
		{"PATCH", "wrong", MsgCSRFIncorrect},
		{"DELETE", "secret", ""},
		{"PROPFIND", "", MsgCSRFMissing}, // an unknown method is unsafe
	} {
		r := httptest.NewRequest(tt.method, "/", nil)
		if tt.header != "" {
			r.Header.Set("X-CSRFToken", tt.header)
		}
		err := CheckCSRF(r, "X-CSRFToken", match)
		var ae *authn.Error
		switch {
		case tt.detail == "" && err != nil:
			t.Errorf("%s %q: %v", tt.method, tt.header, err)
		case tt.detail != "" && (!errors.As(err, &ae) || ae.Status != 403 || ae.Detail != tt.detail):
			t.Errorf("%s %q: %v, want 403 %q", tt.method, tt.header, err, tt.detail)
		}
	}
}
