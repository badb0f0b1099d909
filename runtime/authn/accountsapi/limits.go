package accountsapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/throttle"
)

// Rate is one limit: N requests per Per.
type Rate struct {
	N   int
	Per time.Duration
}

// Rates are the endpoints' limits, per client address (IP), address given
// (Email) or user. A zero Rate takes its default: django-allauth's
// ACCOUNT_RATE_LIMITS where allauth has one.
type Rates struct {
	Signup      Rate // 20/m/ip (allauth signup)
	Verify      Rate // 20/m/ip
	Resend      Rate // 20/m/ip
	ResendEmail Rate // 1/3m/key (allauth confirm_email)
	Reset       Rate // 20/m/ip (allauth reset_password)
	ResetEmail  Rate // 5/m/key (allauth reset_password)
	Confirm     Rate // 20/m/ip (allauth reset_password_from_key)
	Change      Rate // 20/m/ip
	ChangeUser  Rate // 5/m/user (allauth change_password)
}

func (r Rates) withDefaults() Rates {
	def := func(x *Rate, n int, per time.Duration) {
		if x.N <= 0 || x.Per <= 0 {
			*x = Rate{n, per}
		}
	}
	def(&r.Signup, 20, time.Minute)
	def(&r.Verify, 20, time.Minute)
	def(&r.Resend, 20, time.Minute)
	def(&r.ResendEmail, 1, 3*time.Minute)
	def(&r.Reset, 20, time.Minute)
	def(&r.ResetEmail, 5, time.Minute)
	def(&r.Confirm, 20, time.Minute)
	def(&r.Change, 20, time.Minute)
	def(&r.ChangeUser, 5, time.Minute)
	return r
}

// limit counts the request in scope's window for key, answering 429 (or
// 503 when the counters are down) and returning false when it is over.
func (a *API) limit(w http.ResponseWriter, r *http.Request, scope, key string, rt Rate) bool {
	ok, wait, err := a.cfg.Counters.Hit(r.Context(), "accounts:"+scope+":"+key, rt.N, rt.Per)
	if err != nil {
		drf.Unavailable(w)
		return false
	}
	if !ok {
		drf.Throttled(w, wait)
		return false
	}
	return true
}

func (a *API) limitIP(w http.ResponseWriter, r *http.Request, scope string, rt Rate) bool {
	return a.limit(w, r, scope, "ip:"+throttle.ClientIP(r, a.cfg.TrustedProxies), rt)
}

// limitEmail keys by a hash of the address, so counters hold no address.
func (a *API) limitEmail(w http.ResponseWriter, r *http.Request, scope, email string, rt Rate) bool {
	h := sha256.Sum256([]byte(email))
	return a.limit(w, r, scope, "email:"+hex.EncodeToString(h[:16]), rt)
}

func (a *API) limitUser(w http.ResponseWriter, r *http.Request, scope string, id int64, rt Rate) bool {
	return a.limit(w, r, scope, "user:"+strconv.FormatInt(id, 10), rt)
}

// emailRequest reads the body {email} of a request that mails an address
// (resend the verification, reset the password), throttled per client
// address before the body is read and per address after: 400 for an
// address that is not one, 429 past either rate. It answers the request
// itself when ok is false.
func (a *API) emailRequest(w http.ResponseWriter, r *http.Request, scope string, perIP, perEmail Rate) (email string, ok bool) {
	if !a.limitIP(w, r, scope, perIP) {
		return "", false
	}
	in, ok := authhttp.ParseStrings(w, r, "email")
	if !ok {
		return "", false
	}
	email, err := accounts.NormalizeEmail(in["email"])
	if err != nil {
		drf.FieldErrors{"email": {accounts.InvalidEmail}}.Write(w)
		return "", false
	}
	if !a.limitEmail(w, r, scope, email, perEmail) {
		return "", false
	}
	return email, true
}
