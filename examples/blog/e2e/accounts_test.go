package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

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

func register(t *testing.T, c *client, username, email, pw string) {
	t.Helper()
	r := c.do("POST", "/auth/registration", map[string]string{"username": username, "email": email, "password1": pw, "password2": pw})
	expect(t, "register "+username, r, 201)
	if d := r.detail(t); d != "Verification e-mail sent." {
		t.Fatalf("register detail %q", d)
	}
}

// dies polls until f answers 401 or 403, failing after 1 s (every
// credential of a user dies within 1 s of a password change or reset).
func dies(t *testing.T, what string, f func() response) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		r := f()
		if r.status == 401 || r.status == 403 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still works 1 s later: %d %s", what, r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// loggedIn is one user logged in by JWT (with its refresh token), API
// token and session, to check that each dies.
type loggedIn struct {
	jwt, token, session *client
	refresh             string
}

func logIn(t *testing.T, s *server, user, pw string) loggedIn {
	t.Helper()
	var l loggedIn
	l.jwt = s.client()
	r := l.jwt.do("POST", "/auth/jwt/login", map[string]string{"username": user, "password": pw})
	expect(t, "jwt login", r, 200)
	l.jwt.auth = "Bearer " + r.json(t)["access_token"].(string)
	if c := cookie(r, "refresh_token"); c != nil {
		l.refresh = c.Value
	}
	l.token = s.client()
	r = l.token.do("POST", "/auth/token/login", map[string]string{"username": user, "password": pw})
	expect(t, "token login", r, 200)
	l.token.auth = "Token " + r.json(t)["token"].(string)
	l.session = s.client()
	expect(t, "session login", l.session.do("POST", "/auth/session/login", map[string]string{"username": user, "password": pw}), 200)
	for _, c := range []*client{l.jwt, l.token, l.session} {
		expect(t, "me", c.do("GET", "/auth/me", nil), 200)
	}
	return l
}

func (l loggedIn) allDie(t *testing.T, s *server) {
	t.Helper()
	dies(t, "the access token", func() response { return l.jwt.do("GET", "/auth/me", nil) })
	dies(t, "the API token", func() response { return l.token.do("GET", "/auth/me", nil) })
	dies(t, "the session", func() response { return l.session.do("GET", "/auth/me", nil) })
	if l.refresh != "" {
		dies(t, "the refresh family", func() response {
			return s.client().do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": l.refresh})
		})
	}
}

func TestAccountsRegistration(t *testing.T) {
	srv := smtpServer(t)
	s := startServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	c := s.client()
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
	s.as("carol", "tulip-quarry-88")
	expect(t, "forged key", c.do("POST", "/auth/registration/verify-email", map[string]string{"key": key + "A"}), 404)
	r := c.do("POST", "/auth/registration/verify-email", map[string]string{"key": key})
	expect(t, "verify", r, 200)
	if r.detail(t) != "ok" {
		t.Fatalf("verify body %s", r.body)
	}
	// Refusals in DRF's shape; a taken email is not told.
	r = c.do("POST", "/auth/registration", map[string]string{"username": "dave", "email": "dave@example.com", "password1": "12345678", "password2": "12345678"})
	expect(t, "weak password", r, 400)
	if !strings.Contains(string(r.body), "This password is too common.") || !strings.Contains(string(r.body), "This password is entirely numeric.") {
		t.Fatalf("weak password body %s", r.body)
	}
	register(t, c, "dave", "carol@example.com", "tulip-quarry-88")
	if m, err := srv.Wait(1, 5*time.Second); err != nil || m.To != "carol@example.com" || m.Subject != "[blog] Account Already Exists" {
		t.Fatalf("second mail %v %+v", err, m.Subject)
	}
	expect(t, "resend", c.do("POST", "/auth/registration/resend-email", map[string]string{"email": "nobody@example.com"}), 200)
	expect(t, "GET registration", c.do("GET", "/auth/registration", nil), 405)
}

func TestAccountsPasswordChange(t *testing.T) {
	srv := smtpServer(t)
	s := startServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	register(t, s.client(), "carol", "carol@example.com", "tulip-quarry-88")
	l := logIn(t, s, "carol", "tulip-quarry-88")
	changer := s.as("carol", "tulip-quarry-88")
	r := changer.do("POST", "/auth/password/change", map[string]string{"old_password": "wrong-wrong-1", "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"})
	expect(t, "wrong old password", r, 400)
	r = changer.do("POST", "/auth/password/change", map[string]string{"old_password": "tulip-quarry-88", "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"})
	expect(t, "change", r, 200)
	if r.detail(t) != "New password has been saved." {
		t.Fatalf("change body %s", r.body)
	}
	l.allDie(t, s)
	s.as("carol", "lantern-fig-42")
	expect(t, "old password", s.client().do("POST", "/auth/jwt/login", map[string]string{"username": "carol", "password": "tulip-quarry-88"}), 401)
}

func TestAccountsPasswordReset(t *testing.T) {
	srv := smtpServer(t)
	s := startServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	register(t, s.client(), "carol", "carol@example.com", "tulip-quarry-88")
	if _, err := srv.Wait(0, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	l := logIn(t, s, "carol", "tulip-quarry-88")
	c := s.client()
	start := time.Now()
	for _, email := range []string{"nobody@example.com", "carol@example.com"} {
		r := c.do("POST", "/auth/password/reset", map[string]string{"email": email})
		expect(t, "reset "+email, r, 200)
		if r.detail(t) != "Password reset e-mail has been sent." {
			t.Fatalf("reset body %s", r.body)
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
	r := c.do("POST", "/auth/password/reset/confirm", body)
	expect(t, "confirm", r, 200)
	if r.detail(t) != "Password has been reset with the new password." {
		t.Fatalf("confirm body %s", r.body)
	}
	t.Logf("reset flow end to end (request, SMTP delivery, confirm) over HTTP: %v", time.Since(start))
	expect(t, "token used twice", c.do("POST", "/auth/password/reset/confirm", body), 400)
	l.allDie(t, s)
	s.as("carol", "lantern-fig-42")
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d mails, want 2: none for the unknown address", n)
	}
}

// An operator's user made with --email (verified) can reset a forgotten
// password; a second user with the same email is refused.
func TestAccountsOperatorEmail(t *testing.T) {
	srv := smtpServer(t)
	s := startServer(t, "BLOG_SMTP_URL=smtp://"+srv.Addr)
	if out, code := run(t, s.env, "", "createuser", "--username", "erin", "--email", "Erin@Example.com", "--password", "erin-pass-1"); code != 0 {
		t.Fatalf("createuser --email: %d %s", code, out)
	}
	if out, code := run(t, s.env, "", "createuser", "--username", "erin2", "--email", "erin@example.com", "--password", "erin-pass-1"); code != 1 || !strings.Contains(out, "already exists") {
		t.Fatalf("same email twice: %d %s", code, out)
	}
	c := s.client()
	expect(t, "reset", c.do("POST", "/auth/password/reset", map[string]string{"email": "erin@example.com"}), 200)
	m, err := srv.Wait(0, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sub := resetRe.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("reset mail %q", m.Text)
	}
	expect(t, "confirm", c.do("POST", "/auth/password/reset/confirm", map[string]string{"uid": sub[1], "token": sub[2], "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"}), 200)
	s.as("erin", "lantern-fig-42")
}

// Without BLOG_SMTP_URL the mail's text goes to stderr.
func TestAccountsConsoleBackend(t *testing.T) {
	s := startServer(t)
	register(t, s.client(), "carol", "carol@example.com", "tulip-quarry-88")
	// Stopping waits for the queued mail; then the log can be read.
	s.stop(t)
	if !strings.Contains(s.log.String(), "Subject: [blog] Please Confirm Your Email Address") {
		t.Fatalf("no mail in the log:\n%s", s.log.String())
	}
	if !keyRe.MatchString(s.log.String()) {
		t.Fatal("no key in the logged mail")
	}
}
