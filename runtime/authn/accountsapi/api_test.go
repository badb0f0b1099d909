package accountsapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/accountsapi"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/mail"
	"github.com/wardhq/ward/runtime/mail/mailtest"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/sqlite"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// env is a service with the accounts endpoints and the token class over
// SQLite, mailing a real SMTP server in-process.
type env struct {
	t    *testing.T
	url  string
	smtp *mailtest.Server
	api  *accountsapi.API
	st   *sqlstore.Store
	acc  *accounts.Accounts
	now  time.Time
}

func newEnv(t *testing.T, verification string, rates accountsapi.Rates) *env {
	t.Helper()
	return newEnvOpen(t, verification, rates, true)
}

func newEnvOpen(t *testing.T, verification string, rates accountsapi.Rates, open bool) *env {
	t.Helper()
	db, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mailtest.Start(mailtest.Plain)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sender, err := mail.NewSMTP("smtp://"+srv.Addr+"?tls=none", "noreply@blog.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mail.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(st, password.New(password.Cheap, 0))
	if verification == accountsapi.Mandatory {
		acc.RequireVerified = st
	}
	e := &env{t: t, smtp: srv, st: st, acc: acc, now: time.Now()}
	api, err := accountsapi.New(accountsapi.Config{
		Registration: open, Verification: verification, Accounts: acc, Emails: st, Counters: st,
		Mail: sender, Templates: tpl, Secret: []byte("test secret"), Site: "blog", Rates: rates,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.api = api
	tok := tokenauth.New(tokenauth.Config{}, acc, st, nil)
	r := chi.NewRouter()
	tok.Mount(r)
	api.Mount(r, authn.Chain{tok})
	hs := httptest.NewServer(r)
	t.Cleanup(hs.Close)
	e.url = hs.URL
	return e
}

// post sends body as JSON (with "Authorization: Token tok" when tok is
// set) and returns the status and the decoded answer.
func (e *env) post(path, tok string, body any) (int, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Token "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

func (e *env) login(username, pw string) string {
	e.t.Helper()
	code, out := e.post("/auth/token/login", "", map[string]string{"username": username, "password": pw})
	if code != 200 {
		return ""
	}
	return out["token"].(string)
}

// mail waits for the n-th mail (from 0).
func (e *env) mail(n int) mailtest.Message {
	e.t.Helper()
	e.api.Wait()
	m, err := e.smtp.Wait(n, 5*time.Second)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) register(username, email, pw string) (int, map[string]any) {
	return e.post("/auth/registration", "", map[string]string{"username": username, "email": email, "password1": pw, "password2": pw})
}

func detail(out map[string]any) string { s, _ := out["detail"].(string); return s }

var keyRe = regexp.MustCompile(`(?m)^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$`)

func TestRegistrationAndVerification(t *testing.T) {
	for _, tt := range []struct {
		mode           string
		status         int
		loginBeforeKey bool
	}{
		{accountsapi.Mandatory, 201, false},
		{accountsapi.Optional, 201, true},
		{accountsapi.None, 204, true},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			e := newEnv(t, tt.mode, accountsapi.Rates{})
			code, out := e.register("ann", "Ann@Example.com", "tulip-quarry-88")
			if code != tt.status || (code == 201 && detail(out) != "Verification e-mail sent.") {
				t.Fatalf("register: %d %v", code, out)
			}
			if got := e.login("ann", "tulip-quarry-88") != ""; got != tt.loginBeforeKey {
				t.Fatalf("login before verification: %v, want %v", got, tt.loginBeforeKey)
			}
			if tt.mode == accountsapi.None {
				e.api.Wait()
				if n := len(e.smtp.Messages()); n != 0 {
					t.Fatalf("%d mails with verification none", n)
				}
				return
			}
			m := e.mail(0)
			if m.To != "ann@example.com" || m.Subject != "[blog] Please Confirm Your Email Address" || !strings.Contains(m.HTML, "ann") {
				t.Fatalf("mail: %+v", m)
			}
			key := keyRe.FindString(m.Text)
			if key == "" {
				t.Fatalf("no key in %q", m.Text)
			}
			if code, out := e.post("/auth/registration/verify-email", "", map[string]string{"key": key + "x"}); code != 404 || detail(out) != "Not found." {
				t.Fatalf("bad key: %d %v", code, out)
			}
			if code, out := e.post("/auth/registration/verify-email", "", map[string]string{"key": key}); code != 200 || detail(out) != "ok" {
				t.Fatalf("verify: %d %v", code, out)
			}
			if e.login("ann", "tulip-quarry-88") == "" {
				t.Fatal("verified user cannot log in")
			}
		})
	}
}

func TestRegisterRefusals(t *testing.T) {
	e := newEnv(t, accountsapi.Optional, accountsapi.Rates{})
	if code, _ := e.register("ann", "ann@example.com", "tulip-quarry-88"); code != 201 {
		t.Fatal(code)
	}
	for _, tt := range []struct {
		name string
		body map[string]string
		want string // the JSON of the answer
	}{
		{"mismatch", map[string]string{"username": "bob", "email": "bob@example.com", "password1": "tulip-quarry-88", "password2": "tulip-quarry-89"},
			`{"non_field_errors":["The two password fields didn't match."]}`},
		{"common", map[string]string{"username": "bob", "email": "bob@example.com", "password1": "password123", "password2": "password123"},
			`{"password1":["This password is too common."]}`},
		{"short numeric", map[string]string{"username": "bob", "email": "bob@example.com", "password1": "8142", "password2": "8142"},
			`{"password1":["This password is too short. It must contain at least 8 characters.","This password is entirely numeric."]}`},
		{"like username", map[string]string{"username": "bobthebuilder", "email": "b@example.com", "password1": "bobthebuilder1", "password2": "bobthebuilder1"},
			`{"password1":["The password is too similar to the username."]}`},
		{"bad email and username", map[string]string{"username": "bob smith", "email": "bob", "password1": "tulip-quarry-88", "password2": "tulip-quarry-88"},
			`{"email":["Enter a valid email address."],"username":["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}`},
		{"missing", map[string]string{"username": "bob"},
			`{"email":["This field is required."],"password1":["This field is required."],"password2":["This field is required."]}`},
		{"taken username", map[string]string{"username": "ann", "email": "other@example.com", "password1": "tulip-quarry-88", "password2": "tulip-quarry-88"},
			`{"username":["A user with that username already exists."]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := e.post("/auth/registration", "", tt.body)
			got, _ := json.Marshal(out)
			if code != 400 || string(got) != tt.want {
				t.Fatalf("%d %s, want 400 %s", code, got, tt.want)
			}
		})
	}
	// A taken email is not told: the usual answer, and a mail to its owner.
	code, out := e.register("ann2", "ANN@example.com", "tulip-quarry-88")
	if code != 201 || detail(out) != "Verification e-mail sent." {
		t.Fatalf("taken email: %d %v", code, out)
	}
	if m := e.mail(1); m.Subject != "[blog] Account Already Exists" || m.To != "ann@example.com" {
		t.Fatalf("second mail: %+v", m)
	}
}

func TestResendEmail(t *testing.T) {
	e := newEnv(t, accountsapi.Mandatory, accountsapi.Rates{})
	e.register("ann", "ann@example.com", "tulip-quarry-88")
	e.mail(0)
	for _, email := range []string{"nobody@example.com", "ann@example.com"} {
		if code, out := e.post("/auth/registration/resend-email", "", map[string]string{"email": email}); code != 200 || detail(out) != "ok" {
			t.Fatalf("resend %s: %d %v", email, code, out)
		}
	}
	if m := e.mail(1); m.To != "ann@example.com" || keyRe.FindString(m.Text) == "" {
		t.Fatalf("resent: %+v", m)
	}
	if n := len(e.smtp.Messages()); n != 2 {
		t.Fatalf("%d mails, want 2 (none for the unknown address)", n)
	}
	// allauth's confirm_email: 1 per 3 minutes per address.
	if code, _ := e.post("/auth/registration/resend-email", "", map[string]string{"email": "ann@example.com"}); code != 429 {
		t.Fatalf("second resend: %d, want 429", code)
	}
}

func TestPasswordChange(t *testing.T) {
	e := newEnv(t, accountsapi.Optional, accountsapi.Rates{})
	e.register("ann", "ann@example.com", "tulip-quarry-88")
	tok := e.login("ann", "tulip-quarry-88")
	other := e.login("ann", "tulip-quarry-88")
	change := func(tok, old, p1, p2 string) (int, string) {
		code, out := e.post("/auth/password/change", tok, map[string]string{"old_password": old, "new_password1": p1, "new_password2": p2})
		b, _ := json.Marshal(out)
		return code, string(b)
	}
	for _, tt := range []struct {
		name, tok, old, p1, p2 string
		code                   int
		want                   string
	}{
		{"anonymous", "", "tulip-quarry-88", "x", "x", 401, `{"detail":"Authentication credentials were not provided."}`},
		{"wrong old", tok, "nope-nope-nope", "lantern-fig-42", "lantern-fig-42", 400, `{"old_password":["Your old password was entered incorrectly. Please enter it again."]}`},
		{"mismatch", tok, "tulip-quarry-88", "lantern-fig-42", "lantern-fig-43", 400, `{"new_password2":["The two password fields didn’t match."]}`},
		{"weak", tok, "tulip-quarry-88", "qwerty", "qwerty", 400, `{"new_password2":["This password is too short. It must contain at least 8 characters.","This password is too common."]}`},
		{"ok", tok, "tulip-quarry-88", "lantern-fig-42", "lantern-fig-42", 200, `{"detail":"New password has been saved."}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, got := change(tt.tok, tt.old, tt.p1, tt.p2); code != tt.code || got != tt.want {
				t.Fatalf("%d %s, want %d %s", code, got, tt.code, tt.want)
			}
		})
	}
	// Every token of the user is dead; the new password logs in.
	for _, old := range []string{tok, other} {
		if code, _ := change(old, "lantern-fig-42", "x", "x"); code != 401 {
			t.Fatalf("old token after the change: %d, want 401", code)
		}
	}
	if e.login("ann", "tulip-quarry-88") != "" || e.login("ann", "lantern-fig-42") == "" {
		t.Fatal("login after the change")
	}
	// allauth's change_password: 5 a minute per user (4 were counted).
	tok = e.login("ann", "lantern-fig-42")
	change(tok, "wrong-wrong-1", "a", "a")
	if code, _ := change(tok, "wrong-wrong-1", "a", "a"); code != 429 {
		t.Fatalf("6th change in a minute: %d, want 429", code)
	}
}

var resetRe = regexp.MustCompile(`uid: (\S+)\ntoken: (\S+)`)

func TestPasswordReset(t *testing.T) {
	e := newEnv(t, accountsapi.Optional, accountsapi.Rates{})
	e.register("ann", "ann@example.com", "tulip-quarry-88")
	e.mail(0)
	tok := e.login("ann", "tulip-quarry-88")
	start := time.Now()
	for _, email := range []string{"nobody@example.com", "Ann@Example.com"} {
		code, out := e.post("/auth/password/reset", "", map[string]string{"email": email})
		if code != 200 || detail(out) != "Password reset e-mail has been sent." {
			t.Fatalf("reset %s: %d %v", email, code, out)
		}
	}
	m := e.mail(1)
	if n := len(e.smtp.Messages()); n != 2 || m.To != "ann@example.com" || m.Subject != "[blog] Password Reset Email" {
		t.Fatalf("%d mails; reset mail %+v", n, m)
	}
	sub := resetRe.FindStringSubmatch(m.Text)
	if sub == nil || !strings.Contains(m.HTML, sub[2]) {
		t.Fatalf("no uid/token in %q", m.Text)
	}
	uid, token := sub[1], sub[2]
	confirm := func(uid, token, p1, p2 string) (int, string) {
		code, out := e.post("/auth/password/reset/confirm", "", map[string]string{"uid": uid, "token": token, "new_password1": p1, "new_password2": p2})
		b, _ := json.Marshal(out)
		return code, string(b)
	}
	for _, tt := range []struct {
		name, uid, token, p1, p2 string
		code                     int
		want                     string
	}{
		{"bad uid", "!!", token, "lantern-fig-42", "lantern-fig-42", 400, `{"uid":["Invalid value"]}`},
		{"unknown uid", accounts.EncodeUID(999), token, "lantern-fig-42", "lantern-fig-42", 400, `{"token":["Invalid value"]}`},
		{"bad token", uid, token + "x", "lantern-fig-42", "lantern-fig-42", 400, `{"token":["Invalid value"]}`},
		{"mismatch", uid, token, "lantern-fig-42", "lantern-fig-4", 400, `{"new_password2":["The two password fields didn’t match."]}`},
		{"weak", uid, token, "ann", "ann", 400, `{"new_password2":["The password is too similar to the username.","This password is too short. It must contain at least 8 characters."]}`},
		{"ok", uid, token, "lantern-fig-42", "lantern-fig-42", 200, `{"detail":"Password has been reset with the new password."}`},
		{"used twice", uid, token, "other-pass-77", "other-pass-77", 400, `{"token":["Invalid value"]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, got := confirm(tt.uid, tt.token, tt.p1, tt.p2); code != tt.code || got != tt.want {
				t.Fatalf("%d %s, want %d %s", code, got, tt.code, tt.want)
			}
		})
	}
	t.Logf("reset flow end to end (request, SMTP delivery, confirm): %v", time.Since(start))
	if code, _ := e.post("/auth/password/change", tok, map[string]string{"old_password": "x", "new_password1": "y", "new_password2": "y"}); code != 401 {
		t.Fatalf("token from before the reset: %d, want 401", code)
	}
	if e.login("ann", "tulip-quarry-88") != "" || e.login("ann", "lantern-fig-42") == "" {
		t.Fatal("login after the reset")
	}
	// Per address: allauth's 5 a minute (1 counted for ann above).
	for range 4 {
		e.post("/auth/password/reset", "", map[string]string{"email": "ann@example.com"})
	}
	if code, _ := e.post("/auth/password/reset", "", map[string]string{"email": "ann@example.com"}); code != 429 {
		t.Fatalf("6th reset of an address in a minute: %d, want 429", code)
	}
	if code, _ := e.post("/auth/password/reset", "", map[string]string{"email": "zed@example.com"}); code != 200 {
		t.Fatalf("another address: %d", code)
	}
}

// An expired token is refused, even unused.
func TestPasswordResetExpired(t *testing.T) {
	e := newEnv(t, accountsapi.Optional, accountsapi.Rates{})
	e.register("ann", "ann@example.com", "tulip-quarry-88")
	e.mail(0)
	e.post("/auth/password/reset", "", map[string]string{"email": "ann@example.com"})
	sub := resetRe.FindStringSubmatch(e.mail(1).Text)
	u, _ := e.st.UserByUsername(t.Context(), "ann")
	// Move the expiry to the past, as an hour passing would.
	if err := e.st.SetResetToken(t.Context(), u.ID, accounts.HashToken(sub[2]), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	code, out := e.post("/auth/password/reset/confirm", "", map[string]string{"uid": sub[1], "token": sub[2], "new_password1": "lantern-fig-42", "new_password2": "lantern-fig-42"})
	if code != 400 || out["token"] == nil {
		t.Fatalf("expired token: %d %v", code, out)
	}
}

// The client address limit holds across addresses.
func TestResetThrottledPerClient(t *testing.T) {
	e := newEnv(t, accountsapi.Optional, accountsapi.Rates{Reset: accountsapi.Rate{N: 3, Per: time.Minute}})
	for i := range 4 {
		code, _ := e.post("/auth/password/reset", "", map[string]string{"email": string(rune('a'+i)) + "@example.com"})
		if want := map[bool]int{true: 200, false: 429}[i < 3]; code != want {
			t.Fatalf("request %d: %d, want %d", i, code, want)
		}
	}
}

// Closed registration mounts no registration endpoint; the password ones
// stay, and other methods are 405.
func TestClosedRegistration(t *testing.T) {
	e := newEnvOpen(t, accountsapi.Optional, accountsapi.Rates{}, false)
	for _, p := range []string{"/auth/registration", "/auth/registration/verify-email", "/auth/registration/resend-email"} {
		if code, _ := e.post(p, "", map[string]string{}); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
	if code, out := e.post("/auth/password/reset", "", map[string]string{"email": "a@example.com"}); code != 200 {
		t.Fatalf("reset: %d %v", code, out)
	}
	res, err := http.Get(e.url + "/auth/password/reset")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 405 || res.Header.Get("Allow") != "POST, OPTIONS" {
		t.Fatalf("GET reset: %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}
