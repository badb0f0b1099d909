package sessionauth

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// FuzzCookies feeds arbitrary Cookie and CSRF headers to the class: with
// no session in the store nothing may authenticate, and nothing may fail
// but as "anonymous".
func FuzzCookies(f *testing.F) {
	f.Add("sessionid="+strings.Repeat("a", 43), "x", "POST")
	f.Add("sessionid=; csrftoken=", "", "GET")
	f.Add(`sessionid="quoted"`, "", "DELETE")
	s := memstore.New()
	sess := New(Config{}, accounts.New(s, password.New(password.Cheap, 0)), s, nil)
	f.Fuzz(func(t *testing.T, cookie, csrf, method string) {
		r := httptest.NewRequest("GET", "/", nil)
		if method != "" && !strings.ContainsAny(method, " \t\r\n") {
			r.Method = method
		}
		r.Header.Set("Cookie", cookie)
		r.Header.Set("X-CSRFToken", csrf)
		u, err := sess.Authenticate(r)
		if u != nil || err != nil {
			t.Fatalf("user %v err %v", u, err)
		}
	})
}

func FuzzValidSecret(f *testing.F) {
	f.Add(strings.Repeat("a", 43))
	f.Fuzz(func(t *testing.T, v string) {
		if ValidSecret(v) && (len(v) != 43 || strings.ContainsAny(v, "=+/ ;\"")) {
			t.Fatalf("%q accepted", v)
		}
	})
}
