package authhttp

import (
	"net/http"

	"github.com/wardhq/ward/runtime/authn"
)

// DRF's CSRF messages.
const (
	MsgCSRFMissing   = "CSRF Failed: CSRF token missing."
	MsgCSRFIncorrect = "CSRF Failed: CSRF token incorrect."
)

// UnsafeMethod reports whether m is a method CSRF protection covers: all
// but GET, HEAD, OPTIONS and TRACE (RFC 9110 §9.2.1, as Django).
func UnsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// CheckCSRF is the CSRF check of the classes whose credential a browser
// sends by itself (a cookie): on an unsafe method the header must be
// present and match reports whether its value is the CSRF secret bound to
// the credential (compare in constant time). Otherwise a 403 with DRF's
// message. Safe methods pass.
func CheckCSRF(r *http.Request, header string, match func(token string) bool) error {
	if !UnsafeMethod(r.Method) {
		return nil
	}
	got := r.Header.Get(header)
	if got == "" {
		return &authn.Error{Status: http.StatusForbidden, Detail: MsgCSRFMissing}
	}
	if !match(got) {
		return &authn.Error{Status: http.StatusForbidden, Detail: MsgCSRFIncorrect}
	}
	return nil
}
