package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/mail"
	"github.com/wardhq/ward/runtime/mail/mailtest"
)

func TestSMTP(t *testing.T) {
	tests := []struct {
		name    string
		mode    mailtest.Mode
		url     string // %s is the server's address
		wantTLS bool
		wantErr bool
	}{
		{"plain, tls=none", mailtest.Plain, "smtp://%s?tls=none", false, false},
		{"plain, opportunistic", mailtest.Plain, "smtp://%s", false, false},
		{"plain refused when tls required", mailtest.Plain, "smtp://%s?tls=required", false, true},
		{"starttls required", mailtest.StartTLS, "smtp://%s?tls=required", true, false},
		{"starttls opportunistic", mailtest.StartTLS, "smtp://%s", true, false},
		{"implicit tls", mailtest.ImplicitTLS, "smtps://%s", true, false},
		{"auth over starttls", mailtest.StartTLS, "smtp://u:p@%s?tls=required", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := mailtest.Start(tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			s, err := mail.NewSMTP(strings.Replace(tt.url, "%s", srv.Addr, 1), "Blog <noreply@example.com>",
				&tls.Config{RootCAs: srv.CertPool(), ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = s.Send(ctx, mail.Message{To: "ann@example.com", Subject: "Hi é", Text: "key: abc:123\n", HTML: "<p>key</p>"})
			if tt.wantErr {
				if err == nil {
					t.Fatal("sent, want an error")
				}
				if n := len(srv.Messages()); n != 0 {
					t.Fatalf("server got %d messages", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, err := srv.Wait(0, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "ann@example.com" || m.From != "noreply@example.com" || m.Subject != "Hi é" ||
				strings.TrimSpace(m.Text) != "key: abc:123" || !strings.Contains(m.HTML, "<p>key</p>") || m.TLS != tt.wantTLS ||
				(m.User == "u") != strings.Contains(tt.url, "u:p@") {
				t.Fatalf("received %+v", m)
			}
		})
	}
}

func TestNewSMTPURL(t *testing.T) {
	for _, u := range []string{"", "http://x", "smtp://", "smtp://h:0", "smtp://h:99999", "smtp://h:x", "smtp://h?tls=maybe", "smtp://h/path"} {
		if _, err := mail.NewSMTP(u, "a@b.c", nil); !errors.Is(err, mail.ErrURL) {
			t.Errorf("NewSMTP(%q) = %v, want ErrURL", u, err)
		}
	}
	for _, u := range []string{"smtp://127.0.0.1:2525", "smtps://mail.example.com", "smtp://u:p@h:587?tls=required"} {
		if _, err := mail.NewSMTP(u, "a@b.c", nil); err != nil {
			t.Errorf("NewSMTP(%q) = %v", u, err)
		}
	}
}

func TestConsole(t *testing.T) {
	var buf bytes.Buffer
	s, err := mail.FromURL("", "noreply@example.com", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "ann@example.com", Subject: "S", Text: "the key\n", HTML: "<b>html</b>"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{"From: noreply@example.com\n", "To: ann@example.com\n", "Subject: S\n", "\nthe key\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("console output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "<b>") {
		t.Errorf("console output has the HTML part:\n%s", out)
	}
}

func TestTemplates(t *testing.T) {
	data := map[string]any{"Site": "blog", "Username": "ann", "Key": "K<1>", "VerifyPath": "/auth/registration/verify-email",
		"UID": "MQ", "Token": "tok", "ConfirmPath": "/auth/password/reset/confirm", "TTL": "1h0m0s"}
	tp, err := mail.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := tp.Render("email_confirmation", "ann@example.com", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "[blog] Please Confirm Your Email Address" || !strings.Contains(m.Text, "K<1>") || !strings.Contains(m.HTML, "K&lt;1&gt;") {
		t.Fatalf("default confirmation: %+v", m)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "password_reset_subject.txt"), []byte("Reset for\n{{.Username}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tp, err = mail.LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err = tp.Render("password_reset", "ann@example.com", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Reset for ann" || !strings.Contains(m.Text, "token: tok") {
		t.Fatalf("overridden subject, default body: %+v", m)
	}
	if err := os.WriteFile(filepath.Join(dir, "password_reset_message.html"), []byte("{{.Nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := mail.LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "password_reset_message.html") {
		t.Fatalf("broken override: %v", err)
	}
}
