package mfa

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/basicauth"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// env is the four classes with MFA over one memstore, and a clock for
// the TOTP codes.
type env struct {
	t     testing.TB
	st    *memstore.Store
	m     *MFA
	r     chi.Router
	clock time.Time
}

func newEnv(t testing.TB) *env { return newEnvHasher(t, password.New(password.Cheap, 0)) }

func newEnvHasher(t testing.TB, h *password.Hasher) *env {
	t.Helper()
	st := memstore.New()
	acc := accounts.New(st, h)
	key, err := jwtauth.HMACKey("", []byte("mfa-test-hs256-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := jwtauth.New(jwtauth.Config{Keys: []*jwtauth.Key{key}, Issuer: "blog", Audience: "blog", RefreshIn: "body"}, acc, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenauth.New(tokenauth.Config{}, acc, st, nil)
	ses := sessionauth.New(sessionauth.Config{InsecureCookies: true}, acc, st, nil)
	basic := basicauth.New("api", acc, nil)
	e := &env{t: t, st: st, clock: time.Now().Truncate(Period * time.Second)}
	e.m = New(Config{Issuer: "blog"}, acc, st, st)
	e.m.now = func() time.Time { return e.clock }
	acc.MFA = e.m
	r := chi.NewRouter()
	j.Mount(r)
	tok.Mount(r)
	ses.Mount(r)
	chain := authn.Chain{j, tok, ses, basic}
	r.Handle("/auth/me", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		w.Write([]byte(res.User.Username))
	}))
	e.m.Mount(r, chain, map[string]Issuer{"jwt": j, "token": tok, "session": ses})
	e.r = r
	if _, err := accounts.CreateUser(context.Background(), st, acc.Hasher, "alice", "pw-alice-1", false); err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends a JSON request with headers and returns status and body.
func (e *env) do(method, path, body string, header ...string) (int, map[string]any, *httptest.ResponseRecorder) {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = "192.0.2.1:1234"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.r.ServeHTTP(w, req)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out, w
}

const login = `{"username":"alice","password":"pw-alice-1"}`

// bearer logs in with JWT (no MFA yet) and returns the Authorization header.
func (e *env) bearer() string {
	e.t.Helper()
	code, b, _ := e.do("POST", "/auth/jwt/login", login)
	if code != 200 {
		e.t.Fatalf("jwt login: %d %v", code, b)
	}
	return "Bearer " + b["access_token"].(string)
}

// code is the TOTP code of the clock's step plus k.
func (e *env) code(secret string, k int) string {
	e.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, e.clock.Add(time.Duration(k)*Period*time.Second), totp.ValidateOpts{Period: Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// enrol enrols alice and returns the secret and the recovery codes.
func (e *env) enrol() (string, []string) {
	e.t.Helper()
	auth := e.bearer()
	code, b, _ := e.do("POST", "/auth/2fa/totp", "", "Authorization", auth)
	if code != 201 {
		e.t.Fatalf("enrol: %d %v", code, b)
	}
	secret := b["secret"].(string)
	if u := b["otpauth_url"].(string); !strings.HasPrefix(u, "otpauth://totp/blog:alice?") || !strings.Contains(u, "secret="+secret) {
		e.t.Fatalf("otpauth_url = %q", u)
	}
	if q := b["qr_png"].(string); !strings.HasPrefix(q, "data:image/png;base64,iVBORw0KGgo") {
		e.t.Fatalf("qr_png = %.40q", q)
	}
	if code, b, _ := e.do("POST", "/auth/2fa/totp/confirm", `{"code":"000000"}`, "Authorization", auth); code != 400 || b["code"] == nil {
		e.t.Fatalf("confirm with a wrong code: %d %v", code, b)
	}
	code, b, _ = e.do("POST", "/auth/2fa/totp/confirm", `{"code":"`+e.code(secret, 0)+`"}`, "Authorization", auth)
	if code != 200 {
		e.t.Fatalf("confirm: %d %v", code, b)
	}
	var rc []string
	for _, c := range b["recovery_codes"].([]any) {
		rc = append(rc, c.(string))
	}
	if len(rc) != RecoveryCodes {
		e.t.Fatalf("%d recovery codes, want %d", len(rc), RecoveryCodes)
	}
	return secret, rc
}

// ticket runs a login's first step of class and returns the ticket.
func (e *env) ticket(class string) string {
	e.t.Helper()
	code, b, _ := e.do("POST", "/auth/"+class+"/login", login)
	if code != 401 || b["code"] != "mfa_required" || b["ticket"] == "" {
		e.t.Fatalf("%s login of an enrolled user: %d %v, want 401 mfa_required with a ticket", class, code, b)
	}
	return b["ticket"].(string)
}

// Every login class takes a second step once the user is enrolled, and
// issues its credential only after a code; a code works once.
func TestSecondStepPerClass(t *testing.T) {
	for i, tc := range []struct {
		class  string
		issued func(b map[string]any, w *httptest.ResponseRecorder) bool
	}{
		{"jwt", func(b map[string]any, _ *httptest.ResponseRecorder) bool {
			return b["access_token"] != nil && b["refresh_token"] != nil
		}},
		{"token", func(b map[string]any, _ *httptest.ResponseRecorder) bool { return b["token"] != nil }},
		{"session", func(b map[string]any, w *httptest.ResponseRecorder) bool {
			return b["username"] == "alice" && strings.Contains(w.Header().Get("Set-Cookie"), "sessionid=")
		}},
	} {
		t.Run(tc.class, func(t *testing.T) {
			e := newEnv(t)
			secret, _ := e.enrol()
			tk := e.ticket(tc.class)
			// The confirmation used step 0: its code is a replay.
			if code, b, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+e.code(secret, 0)+`"}`); code != 400 || b["code"] == nil {
				t.Fatalf("replayed code: %d %v", code, b)
			}
			e.clock = e.clock.Add(time.Duration(i+1) * Period * time.Second)
			code, b, w := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+e.code(secret, 0)+`"}`)
			if code != 200 || !tc.issued(b, w) {
				t.Fatalf("second step: %d %v", code, b)
			}
			// The ticket is used up.
			e.clock = e.clock.Add(Period * time.Second)
			if code, b, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+e.code(secret, 0)+`"}`); code != 400 || b["ticket"] == nil {
				t.Fatalf("ticket reused: %d %v", code, b)
			}
		})
	}
}

// A recovery code logs in once, in any spelling; a ticket expires.
func TestRecoveryCodeAndExpiry(t *testing.T) {
	e := newEnv(t)
	_, rc := e.enrol()
	tk := e.ticket("token")
	spelled := strings.ToUpper(strings.ReplaceAll(rc[3], "-", ""))
	if code, b, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+spelled+`"}`); code != 200 || b["token"] == nil {
		t.Fatalf("recovery code: %d %v", code, b)
	}
	if code, _, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+e.ticket("token")+`","code":"`+rc[3]+`"}`); code != 400 {
		t.Fatalf("recovery code used twice: %d", code)
	}
	auth := "Token " + mustLogin(t, e, rc[4])
	if code, b, _ := e.do("GET", "/auth/2fa", "", "Authorization", auth); code != 200 || b["totp"] != true || b["recovery_codes_left"] != float64(8) {
		t.Fatalf("state: %d %v", code, b)
	}
	e.clock = time.Now().Add(-time.Hour) // tickets made now expired long ago
	old := e.ticket("jwt")
	if code, b, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+old+`","code":"`+rc[5]+`"}`); code != 400 || b["ticket"] == nil {
		t.Fatalf("expired ticket: %d %v", code, b)
	}
}

// mustLogin logs alice in for a token with a recovery code.
func mustLogin(t *testing.T, e *env, rc string) string {
	t.Helper()
	code, b, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+e.ticket("token")+`","code":"`+rc+`"}`)
	if code != 200 {
		t.Fatalf("login with recovery code: %d %v", code, b)
	}
	return b["token"].(string)
}

// Basic cannot ask for a second step: an enrolled user is refused.
func TestBasicRefusedWhenEnrolled(t *testing.T) {
	e := newEnv(t)
	basic := "Basic " + "YWxpY2U6cHctYWxpY2UtMQ==" // alice:pw-alice-1
	if code, _, w := e.do("GET", "/auth/me", "", "Authorization", basic); code != 200 || w.Body.String() != "alice" {
		t.Fatalf("basic before enrolment: %d %s", code, w.Body)
	}
	e.enrol()
	if code, b, _ := e.do("GET", "/auth/me", "", "Authorization", basic); code != 401 || b["detail"] != basicauth.MsgMFAEnrolled {
		t.Fatalf("basic after enrolment: %d %v", code, b)
	}
}

// Disabling needs the password and a code; then logins are one step.
func TestDeactivate(t *testing.T) {
	e := newEnv(t)
	secret, rc := e.enrol()
	auth := "Token " + mustLogin(t, e, rc[0])
	e.clock = e.clock.Add(Period * time.Second)
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"password":"wrong","code":"` + e.code(secret, 0) + `"}`, "password"},
		{`{"password":"pw-alice-1","code":"000000"}`, "code"},
		{`{"password":"pw-alice-1"}`, "code"},
	} {
		if code, b, _ := e.do("POST", "/auth/2fa/deactivate", tc.body, "Authorization", auth); code != 400 || b[tc.field] == nil {
			t.Fatalf("deactivate %s: %d %v, want 400 on %s", tc.body, code, b, tc.field)
		}
	}
	if code, b, _ := e.do("POST", "/auth/2fa/deactivate", `{"password":"pw-alice-1","code":"`+e.code(secret, 0)+`"}`, "Authorization", auth); code != 200 || b["detail"] != MsgDisabled {
		t.Fatalf("deactivate: %d %v", code, b)
	}
	if code, b, _ := e.do("POST", "/auth/token/login", login); code != 200 || b["token"] == nil {
		t.Fatalf("login after deactivation: %d %v", code, b)
	}
}

// Wrong codes are throttled per user: after five in the window even a
// right code is 429. Right codes are given back and do not count.
func TestCodesThrottled(t *testing.T) {
	e := newEnv(t)
	secret, rc := e.enrol() // its wrong confirmation counted
	for i := range 6 {
		mustLogin(t, e, rc[i])
	}
	tk := e.ticket("jwt")
	for i := range 4 {
		if code, _, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"000000"}`); code != 400 {
			t.Fatalf("wrong code %d: %d, want 400", i, code)
		}
	}
	e.clock = e.clock.Add(Period * time.Second)
	if code, _, w := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+e.code(secret, 0)+`"}`); code != 429 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("throttled right code: %d, want 429 with Retry-After", code)
	}
}

// The account endpoints need a caller; bodies are checked as DRF would.
func TestEndpointsRefuse(t *testing.T) {
	e := newEnv(t)
	auth := e.bearer()
	for _, tc := range []struct {
		method, path, body, auth string
		want                     int
	}{
		{"GET", "/auth/2fa", "", "", 401},
		{"POST", "/auth/2fa/totp", "", "", 401},
		{"POST", "/auth/2fa/totp/confirm", `{"code":"123456"}`, "", 401},
		{"POST", "/auth/2fa/totp/confirm", `{"code":"123456"}`, auth, 400}, // nothing to confirm
		{"POST", "/auth/2fa/totp/confirm", `{"code":null}`, auth, 400},
		{"POST", "/auth/2fa/deactivate", `{"password":"pw-alice-1","code":"123456"}`, auth, 400},
		{"POST", "/auth/2fa/authenticate", `{"ticket":"nope","code":"123456"}`, "", 400},
		{"POST", "/auth/2fa/authenticate", `{"ticket":"nope"`, "", 400},
		{"GET", "/auth/2fa/authenticate", "", "", 405},
	} {
		code, _, _ := e.do(tc.method, tc.path, tc.body, "Authorization", tc.auth)
		if code != tc.want {
			t.Errorf("%s %s %s: %d, want %d", tc.method, tc.path, tc.body, code, tc.want)
		}
	}
}

// A ticket dies with a password change or a deactivation between the two
// steps: the second step issues nothing.
func TestTicketVoided(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(e *env, id int64)
	}{
		{"password change", func(e *env, id int64) { e.st.SetPassword(context.Background(), id, "x", true) }},
		{"deactivation", func(e *env, id int64) { e.st.SetActive(context.Background(), id, false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, rc := e.enrol()
			tk := e.ticket("token")
			u, _ := e.st.UserByUsername(context.Background(), "alice")
			tc.change(e, u.ID)
			e.m.acc.Dir.Forget(u.ID)
			if code, b, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+rc[0]+`"}`); code != 400 || b["ticket"] == nil {
				t.Fatalf("second step after %s: %d %v", tc.name, code, b)
			}
		})
	}
}

// Of second steps sent at once with one ticket and different right
// codes, exactly one issues a login.
func TestTicketUsedOnce(t *testing.T) {
	e := newEnv(t)
	_, rc := e.enrol()
	for round := range 3 {
		tk := e.ticket("token")
		var wg sync.WaitGroup
		var won atomic.Int32
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, _, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+rc[round*3+i]+`"}`); code == 200 {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("round %d: %d second steps issued, want 1", round, won.Load())
		}
	}
}
