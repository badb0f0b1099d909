package kit

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// A login throttle without its peek would let Basic and Token guesses go
// on (a right guess passes while wrong ones get 429): New refuses it.
func TestThrottleNeedsPeek(t *testing.T) {
	s := memstore.New()
	var hit authn.LoginThrottle = func(*http.Request) (bool, time.Duration, error) { return true, 0, nil }
	var peek authn.LoginPeek = func(*http.Request) (bool, time.Duration, error) { return false, 0, nil }
	st := Stores{Users: s, Tokens: s}
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"basic, throttle without peek", Config{Basic: &BasicConfig{}, Throttle: hit}, false},
		{"token, throttle without peek", Config{Token: &tokenauth.Config{}, Throttle: hit}, false},
		{"basic, throttle and peek", Config{Basic: &BasicConfig{}, Throttle: hit, LoginPeek: peek}, true},
		{"token, throttle and peek", Config{Token: &tokenauth.Config{}, Throttle: hit, LoginPeek: peek}, true},
		{"basic, no throttle", Config{Basic: &BasicConfig{}}, true},
	} {
		_, err := New(tc.cfg, st)
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), "peek")) {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
