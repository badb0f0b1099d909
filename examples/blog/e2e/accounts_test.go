package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/examples/internal/e2ekit"
	"github.com/wardhq/ward/runtime/mail/mailtest"
)

// The blog's accounts over real HTTP, mailing a real SMTP server
// in-process (BLOG_SMTP_URL): registration and verification, password
// change, password reset; and the console backend without BLOG_SMTP_URL.

var (
	keyRe   = regexp.MustCompile(`(?m)^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$`)
	resetRe = regexp.MustCompile(`uid: (\S+)\ntoken: (\S+)`)
)

func smtpServer(t *testing.T) *mailtest.Server {
	t.Helper()
	srv, err := mailtest.Start(mailtest.Plain)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func register(t *testing.T, c *e2ekit.Client, username, email, pw string) {
	t.Helper()
	r := c.Do("POST", "/auth/registration", map[string]string{"username": username, "email": email, "password1": pw, "password2": pw})
	e2ekit.Expect(t, "register "+username, r, 201)
	if d := r.Detail(t); d != "Verification e-mail sent." {
		t.Fatalf("register detail %q", d)
	}
}

// dies polls until f answers 401 or 403, failing after 1 s (every
// credential of a user dies within 1 s of a password change or reset).
func dies(t *testing.T, what string, f func() e2ekit.Response) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		r := f()
		if r.Status == 401 || r.Status == 403 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still works 1 s later: %d %s", what, r.Status, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// loggedIn is one user logged in by JWT (with its refresh token), API
// token and session, to check that each dies.
type loggedIn struct {
	jwt, token, session *e2ekit.Client
	refresh             string
}

func logIn(t *testing.T, s *e2ekit.Server, user, pw string) loggedIn {
	t.Helper()
	var l loggedIn
	l.jwt = s.Client()
	r := l.jwt.Do("POST", "/auth/jwt/login", map[string]string{"username": user, "password": pw})
	e2ekit.Expect(t, "jwt login", r, 200)
	l.jwt.Auth = "Bearer " + r.JSON(t)["access_token"].(string)
	if c := e2ekit.Cookie(r, "refresh_token"); c != nil {
		l.refresh = c.Value
	}
	l.token = s.Client()
	r = l.token.Do("POST", "/auth/token/login", map[string]string{"username": user, "password": pw})
	e2ekit.Expect(t, "token login", r, 200)
	l.token.Auth = "Token " + r.JSON(t)["token"].(string)
	l.session = s.Client()
	e2ekit.Expect(t, "session login", l.session.Do("POST", "/auth/session/login", map[string]string{"username": user, "password": pw}), 200)
	for _, c := range []*e2ekit.Client{l.jwt, l.token, l.session} {
		e2ekit.Expect(t, "me", c.Do("GET", "/auth/me", nil), 200)
	}
	return l
}

func (l loggedIn) allDie(t *testing.T, s *e2ekit.Server) {
	t.Helper()
	dies(t, "the access token", func() e2ekit.Response { return l.jwt.Do("GET", "/auth/me", nil) })
	dies(t, "the API token", func() e2ekit.Response { return l.token.Do("GET", "/auth/me", nil) })
	dies(t, "the session", func() e2ekit.Response { return l.session.Do("GET", "/auth/me", nil) })
	if l.refresh != "" {
		dies(t, "the refresh family", func() e2ekit.Response {
			return s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": l.refresh})
		})
	}
}

func TestAccountsRegistration(t *testing.T) {
	srv := smtpServer(t)
	s := svc.StartServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	c := s.Client()
	register(t, c, "carol", "Carol@Example.com", "tulip-quarry-88")
	m, err := srv.Wait(0, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "carol@example.com" || m.From != "noreply@blog.example" || m.Subject != "[blog] Please Confirm Your Email Address" || m.HTML == "" {
		t.Fatalf("mail %+v", m.Subject)
	}
	key := keyRe.FindString(m.Text)
	// Optional verification: carol logs in before verifying.
	s.As("carol", "tulip-quarry-88")
	e2ekit.Expect(t, "forged key", c.Do("POST", "/auth/registration/verify-email", map[string]string{"key": key + "A"}), 404)
	r := c.Do("POST", "/auth/registration/verify-email", map[string]string{"key": key})
	e2ekit.Expect(t, "verify", r, 200)
	if r.Detail(t) != "ok" {
		t.Fatalf("verify body %s", r.Body)
	}
	// Refusals in DRF's shape; a taken email is not told.
	r = c.Do("POST", "/auth/registration", map[string]string{"username": "dave", "email": "dave@example.com", "password1": "12345678", "password2": "12345678"})
	e2ekit.Expect(t, "weak password", r, 400)
	if !strings.Contains(string(r.Body), "This password is too common.") || !strings.Contains(string(r.Body), "This password is entirely numeric.") {
		t.Fatalf("weak password body %s", r.Body)
	}
	register(t, c, "dave", "carol@example.com", "tulip-quarry-88")
	if m, err := srv.Wait(1, 5*time.Second); err != nil || m.To != "carol@example.com" || m.Subject != "[blog] Account Already Exists" {
		t.Fatalf("second mail %v %+v", err, m.Subject)
	}
	e2ekit.Expect(t, "resend", c.Do("POST", "/auth/registration/resend-email", map[string]string{"email": "nobody@example.com"}), 200)
	e2ekit.Expect(t, "GET registration", c.Do("GET", "/auth/registration", nil), 405)
}

func TestAccountsPasswordChange(t *testing.T) {
	srv := smtpServer(t)
	s := svc.StartServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	register(t, s.Client(), "carol", "carol@example.com", "tulip-quarry-88")
	l := logIn(t, s, "carol", "tulip-quarry-88")
	changer := s.As("carol", "tulip-quarry-88")
	r := changer.Do("POST", "/auth/password/change", map[string]string{"old_password": "wrong-wrong-1", "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"})
	e2ekit.Expect(t, "wrong old password", r, 400)
	r = changer.Do("POST", "/auth/password/change", map[string]string{"old_password": "tulip-quarry-88", "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"})
	e2ekit.Expect(t, "change", r, 200)
	if r.Detail(t) != "New password has been saved." {
		t.Fatalf("change body %s", r.Body)
	}
	l.allDie(t, s)
	s.As("carol", "lantern-fig-42")
	e2ekit.Expect(t, "old password", s.Client().Do("POST", "/auth/jwt/login", map[string]string{"username": "carol", "password": "tulip-quarry-88"}), 401)
}

func TestAccountsPasswordReset(t *testing.T) {
	srv := smtpServer(t)
	s := svc.StartServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	register(t, s.Client(), "carol", "carol@example.com", "tulip-quarry-88")
	if _, err := srv.Wait(0, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	l := logIn(t, s, "carol", "tulip-quarry-88")
	c := s.Client()
	start := time.Now()
	for _, email := range []string{"nobody@example.com", "carol@example.com"} {
		r := c.Do("POST", "/auth/password/reset", map[string]string{"email": email})
		e2ekit.Expect(t, "reset "+email, r, 200)
		if r.Detail(t) != "Password reset e-mail has been sent." {
			t.Fatalf("reset body %s", r.Body)
		}
	}
	m, err := srv.Wait(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sub := resetRe.FindStringSubmatch(m.Text)
	if sub == nil || m.To != "carol@example.com" {
		t.Fatalf("reset mail to %s: %q", m.To, m.Text)
	}
	body := map[string]string{"uid": sub[1], "token": sub[2], "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"}
	r := c.Do("POST", "/auth/password/reset/confirm", body)
	e2ekit.Expect(t, "confirm", r, 200)
	if r.Detail(t) != "Password has been reset with the new password." {
		t.Fatalf("confirm body %s", r.Body)
	}
	t.Logf("reset flow end to end (request, SMTP delivery, confirm) over HTTP: %v", time.Since(start))
	e2ekit.Expect(t, "token used twice", c.Do("POST", "/auth/password/reset/confirm", body), 400)
	l.allDie(t, s)
	s.As("carol", "lantern-fig-42")
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d mails, want 2: none for the unknown address", n)
	}
}

// An operator's user made with --email (verified) can reset a forgotten
// password; a second user with the same email is refused.
func TestAccountsOperatorEmail(t *testing.T) {
	srv := smtpServer(t)
	s := svc.StartServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	if out, code := svc.Run(t, s.Env, "", "createuser", "--username", "erin", "--email", "Erin@Example.com", "--password", "erin-pass-1"); code != 0 {
		t.Fatalf("createuser --email: %d %s", code, out)
	}
	if out, code := svc.Run(t, s.Env, "", "createuser", "--username", "erin2", "--email", "erin@example.com", "--password", "erin-pass-1"); code != 1 || !strings.Contains(out, "already exists") {
		t.Fatalf("same email twice: %d %s", code, out)
	}
	c := s.Client()
	e2ekit.Expect(t, "reset", c.Do("POST", "/auth/password/reset", map[string]string{"email": "erin@example.com"}), 200)
	m, err := srv.Wait(0, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sub := resetRe.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("reset mail %q", m.Text)
	}
	e2ekit.Expect(t, "confirm", c.Do("POST", "/auth/password/reset/confirm", map[string]string{"uid": sub[1], "token": sub[2], "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"}), 200)
	s.As("erin", "lantern-fig-42")
}

// Without BLOG_SMTP_URL the mail's text goes to stderr.
func TestAccountsConsoleBackend(t *testing.T) {
	s := svc.StartServer(t)
	register(t, s.Client(), "carol", "carol@example.com", "tulip-quarry-88")
	// Stopping waits for the queued mail; then the log can be read.
	stop(t, s)
	if !strings.Contains(s.Log.String(), "Subject: [blog] Please Confirm Your Email Address") {
		t.Fatalf("no mail in the log:\n%s", s.Log.String())
	}
	if !keyRe.MatchString(s.Log.String()) {
		t.Fatal("no key in the logged mail")
	}
}
