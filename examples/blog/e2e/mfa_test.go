package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
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
func enrolMFA(t *testing.T, c *client) (*authenticator, []string) {
	t.Helper()
	r := c.do("POST", "/auth/2fa/totp", nil)
	expect(t, "enrol", r, 201)
	b := r.json(t)
	if u, _ := b["otpauth_url"].(string); !strings.HasPrefix(u, "otpauth://totp/blog:") {
		t.Fatalf("otpauth_url %q", u)
	}
	if q, _ := b["qr_png"].(string); !strings.HasPrefix(q, "data:image/png;base64,") {
		t.Fatalf("qr_png %.40q", q)
	}
	a := &authenticator{t: t, secret: b["secret"].(string), last: time.Now().Unix()/30 - 1}
	r = c.do("POST", "/auth/2fa/totp/confirm", map[string]string{"code": a.next()})
	expect(t, "confirm", r, 200)
	var codes []string
	for _, x := range r.json(t)["recovery_codes"].([]any) {
		codes = append(codes, x.(string))
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	return a, codes
}

// firstStep logs in with class and returns the MFA ticket.
func firstStep(t *testing.T, s *server, class, user, pw string) string {
	t.Helper()
	r := s.client().do("POST", "/auth/"+class+"/login", map[string]string{"username": user, "password": pw})
	expect(t, class+" login of an enrolled user", r, 401)
	b := r.json(t)
	if b["code"] != "mfa_required" || b["ticket"] == nil {
		t.Fatalf("%s first step: %s", class, r.body)
	}
	return b["ticket"].(string)
}

// Enrol, then log in with each class in two steps, with TOTP and a
// recovery code; Basic is refused; a code is not accepted twice; disable.
func TestMFAFlow(t *testing.T) {
	s := startServer(t, "BLOG_LOGIN_RATE=1000/minute")
	alice := s.as("alice", "alice-pass-1")
	a, recovery := enrolMFA(t, alice)

	basic := s.client()
	basic.auth = "Basic " + b64("alice:alice-pass-1")
	expect(t, "basic of an enrolled user", basic.do("GET", "/auth/me", nil), 401)
	basic.auth = "Basic " + b64("bob:bob-pass-1")
	expect(t, "basic of another user", basic.do("GET", "/auth/me", nil), 200)

	// JWT: the second step answers the tokens.
	tk := firstStep(t, s, "jwt", "alice", "alice-pass-1")
	code := a.next()
	r := s.client().do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code})
	expect(t, "jwt second step", r, 200)
	c := s.client()
	c.auth = "Bearer " + r.json(t)["access_token"].(string)
	expect(t, "me with the jwt", c.do("GET", "/auth/me", nil), 200)

	// The same code again, with a fresh ticket: a replay.
	tk = firstStep(t, s, "token", "alice", "alice-pass-1")
	r = s.client().do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code})
	expect(t, "replayed code", r, 400)
	// Token: a later code, with the same ticket.
	r = s.client().do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": a.next()})
	expect(t, "token second step", r, 200)
	c.auth = "Token " + r.json(t)["token"].(string)
	expect(t, "me with the token", c.do("GET", "/auth/me", nil), 200)

	// Session, with a recovery code: the cookies come with the second step.
	tk = firstStep(t, s, "session", "alice", "alice-pass-1")
	sc := s.client()
	r = sc.do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": recovery[0]})
	expect(t, "session second step with a recovery code", r, 200)
	if cookie(r, "sessionid") == nil {
		t.Fatalf("no session cookie: %v", r.header)
	}
	expect(t, "me with the session", sc.do("GET", "/auth/me", nil), 200)
	tk = firstStep(t, s, "session", "alice", "alice-pass-1")
	expect(t, "recovery code used twice", s.client().do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": recovery[0]}), 400)

	r = c.do("GET", "/auth/2fa", nil)
	expect(t, "state", r, 200)
	if b := r.json(t); b["totp"] != true || b["recovery_codes_left"] != float64(9) {
		t.Fatalf("state %s", r.body)
	}

	// Disabling needs the password and a code.
	expect(t, "disable with a wrong password", c.do("POST", "/auth/2fa/deactivate", map[string]string{"password": "nope", "code": recovery[1]}), 400)
	expect(t, "disable without a code", c.do("POST", "/auth/2fa/deactivate", map[string]string{"password": "alice-pass-1"}), 400)
	expect(t, "disable", c.do("POST", "/auth/2fa/deactivate", map[string]string{"password": "alice-pass-1", "code": recovery[1]}), 200)
	r = s.client().do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"})
	expect(t, "one-step login after disabling", r, 200)
	basic.auth = "Basic " + b64("alice:alice-pass-1")
	expect(t, "basic after disabling", basic.do("GET", "/auth/me", nil), 200)
}

// Two instances on shared PostgreSQL and Redis: a ticket from A is good on
// B, and a code used on A is a replay on B.
func TestMFAAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := blogEnv(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	if out, code := run(t, env, "", "createuser", "--username", "carol", "--password", "carol-pass-1"); code != 0 {
		t.Fatalf("createuser: exit %d: %s", code, out)
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))
	auth, _ := enrolMFA(t, a.as("carol", "carol-pass-1"))

	tk := firstStep(t, a, "jwt", "carol", "carol-pass-1")
	code := auth.next()
	expect(t, "second step on B", b.client().do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code}), 200)
	tk = firstStep(t, b, "jwt", "carol", "carol-pass-1")
	expect(t, "the code again, on A", a.client().do("POST", "/auth/2fa/authenticate", map[string]string{"ticket": tk, "code": code}), 400)
}
