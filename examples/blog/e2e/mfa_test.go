package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// authenticator is the user's TOTP app: it makes the code of a step.
type authenticator struct {
	t      *testing.T
	secret string
	last   int64 // the last step whose code was sent
}

// next returns a code of a step after the last one sent, waiting (at most
// one period) until the server accepts it: the server takes the current
// step and one either side.
func (a *authenticator) next() string {
	a.t.Helper()
	step := a.last + 1
	for time.Now().Unix()/30+1 < step {
		time.Sleep(200 * time.Millisecond)
	}
	if now := time.Now().Unix() / 30; step < now {
		step = now
	}
	a.last = step
	c, err := totp.GenerateCodeCustom(a.secret, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// enrolMFA enrols the user c is logged in as and returns the
// authenticator and the recovery codes.
func enrolMFA(t *testing.T, c *e2ekit.Client) (*authenticator, []string) {
	t.Helper()
	r := c.Do("POST", "/auth/2fa/totp", nil)
	e2ekit.Expect(t, "enrol", r, 201)
	b := r.JSON(t)
	if u, _ := b["otpauth_url"].(string); !strings.HasPrefix(u, "otpauth://totp/blog:") {
		t.Fatalf("otpauth_url %q", u)
	}
	if q, _ := b["qr_png"].(string); !strings.HasPrefix(q, "data:image/png;base64,") {
		t.Fatalf("qr_png %.40q", q)
	}
	a := &authenticator{t: t, secret: b["secret"].(string), last: time.Now().Unix()/30 - 1}
	r = c.Do("POST", "/auth/2fa/totp/confirm", map[string]string{"code": a.next()})
	e2ekit.Expect(t, "confirm", r, 200)
	var codes []string
	for _, x := range r.JSON(t)["recovery_codes"].([]any) {
		codes = append(codes, x.(string))
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	return a, codes
}

// firstStep logs in with class and returns the MFA ticket.
func firstStep(t *testing.T, s *e2ekit.Server, class, user, pw string) string {
	t.Helper()
	r := s.Client().Do("POST", "/auth/"+class+"/login", map[string]string{"username": user, "password": pw})
	e2ekit.Expect(t, class+" login of an enrolled user", r, 401)
	b := r.JSON(t)
	if b["code"] != "mfa_required" || b["ticket"] == nil {
		t.Fatalf("%s first step: %s", class, r.Body)
	}
	return b["ticket"].(string)
}

// Enrol, then log in with each class in two steps, with TOTP and a
// recovery code; Basic is refused; a code is not accepted twice; disable.
func TestMFAFlow(t *testing.T) {
	s := svc.StartServer(t, "BLOG_LOGIN_RATE=1000/minute")
	alice := s.As("alice", "alice-pass-1")
	a, recovery := enrolMFA(t, alice)

	basic := s.Client()
	basic.Auth = "Basic " + b64("alice:alice-pass-1")
	e2ekit.Expect(t, "basic of an enrolled user", basic.Do("GET", "/auth/me", nil), 401)
	basic.Auth = "Basic " + b64("bob:bob-pass-1")
	e2ekit.Expect(t, "basic of another user", basic.Do("GET", "/auth/me", nil), 200)

	// JWT: the second step answers the tokens.
	tk := firstStep(t, s, "jwt", "alice", "alice-pass-1")
	code := a.next()
	r := s.Client().Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code})
	e2ekit.Expect(t, "jwt second step", r, 200)
	c := s.Client()
	c.Auth = "Bearer " + r.JSON(t)["access_token"].(string)
	e2ekit.Expect(t, "me with the jwt", c.Do("GET", "/auth/me", nil), 200)

	// The same code again, with a fresh ticket: a replay.
	tk = firstStep(t, s, "token", "alice", "alice-pass-1")
	r = s.Client().Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code})
	e2ekit.Expect(t, "replayed code", r, 400)
	// Token: a later code, with the same ticket.
	r = s.Client().Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": a.next()})
	e2ekit.Expect(t, "token second step", r, 200)
	c.Auth = "Token " + r.JSON(t)["token"].(string)
	e2ekit.Expect(t, "me with the token", c.Do("GET", "/auth/me", nil), 200)

	// Session, with a recovery code: the cookies come with the second step.
	tk = firstStep(t, s, "session", "alice", "alice-pass-1")
	sc := s.Client()
	r = sc.Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": recovery[0]})
	e2ekit.Expect(t, "session second step with a recovery code", r, 200)
	if e2ekit.Cookie(r, "sessionid") == nil {
		t.Fatalf("no session cookie: %v", r.Header)
	}
	e2ekit.Expect(t, "me with the session", sc.Do("GET", "/auth/me", nil), 200)
	tk = firstStep(t, s, "session", "alice", "alice-pass-1")
	e2ekit.Expect(t, "recovery code used twice", s.Client().Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": recovery[0]}), 400)

	r = c.Do("GET", "/auth/2fa", nil)
	e2ekit.Expect(t, "state", r, 200)
	if b := r.JSON(t); b["totp"] != true || b["recovery_codes_left"] != float64(9) {
		t.Fatalf("state %s", r.Body)
	}

	// Disabling needs the password and a code.
	e2ekit.Expect(t, "disable with a wrong password", c.Do("POST", "/auth/2fa/deactivate", map[string]string{"password": "nope", "code": recovery[1]}), 400)
	e2ekit.Expect(t, "disable without a code", c.Do("POST", "/auth/2fa/deactivate", map[string]string{"password": "alice-pass-1"}), 400)
	e2ekit.Expect(t, "disable", c.Do("POST", "/auth/2fa/deactivate", map[string]string{"password": "alice-pass-1", "code": recovery[1]}), 200)
	r = s.Client().Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	e2ekit.Expect(t, "one-step login after disabling", r, 200)
	basic.Auth = "Basic " + b64("alice:alice-pass-1")
	e2ekit.Expect(t, "basic after disabling", basic.Do("GET", "/auth/me", nil), 200)
}

// Two instances on shared PostgreSQL and Redis: a ticket from A is good on
// B, and a code used on A is a replay on B.
func TestMFAAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	if out, code := svc.Run(t, env, "", "createuser", "--username", "carol", "--password", "carol-pass-1"); code != 0 {
		t.Fatalf("createuser: exit %d: %s", code, out)
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))
	auth, _ := enrolMFA(t, a.As("carol", "carol-pass-1"))

	tk := firstStep(t, a, "jwt", "carol", "carol-pass-1")
	code := auth.next()
	e2ekit.Expect(t, "second step on B", b.Client().Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code}), 200)
	tk = firstStep(t, b, "jwt", "carol", "carol-pass-1")
	e2ekit.Expect(t, "the code again, on A", a.Client().Do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code}), 400)
}
