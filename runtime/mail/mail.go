// Package mail sends the account emails (verification, password reset):
// an SMTP backend (STARTTLS or implicit TLS, through
// github.com/wneessen/go-mail) chosen by a URL, a console backend that
// writes the text of each mail to a writer (stderr, for development), and
// the text and HTML templates the messages come from, which a team can
// override file by file. It imports nothing of Ward's.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail to one recipient.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string // optional alternative part
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Console writes each message's headers and text part to W, as Django's
// console email backend; it is the default when no SMTP URL is set.
type Console struct {
	From string
	mu   sync.Mutex
	W    io.Writer
}

// Send implements Sender.
func (c *Console) Send(_ context.Context, m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.W, "From: %s\nTo: %s\nSubject: %s\n\n%s\n%s\n", c.From, m.To, m.Subject, strings.TrimRight(m.Text, "\n"), strings.Repeat("-", 72))
	return err
}

// SMTP sends through an SMTP server.
type SMTP struct {
	From string
	opts []gomail.Option
	host string
}

// ErrURL: the SMTP URL is not one this package accepts.
var ErrURL = errors.New("mail: SMTP URL must be smtp://[user:password@]host[:port][?tls=required|none] or smtps://[user:password@]host[:port]")

// NewSMTP parses an SMTP URL:
//
//   - smtp://host:port: STARTTLS when the server offers it (opportunistic);
//     ?tls=required refuses a server without it, ?tls=none never asks;
//   - smtps://host:port: implicit TLS (port 465 by default).
//
// user:password in the URL turn on SMTP AUTH (PLAIN or the best the server
// offers); go-mail refuses to send credentials over plain text to a
// server other than localhost. tlsConfig may be nil (the system roots).
func NewSMTP(rawURL, from string, tlsConfig *tls.Config) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" {
		return nil, ErrURL
	}
	host, portText, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, portText = u.Host, ""
	}
	opts := []gomail.Option{gomail.WithTimeout(15 * time.Second)}
	port := 587
	switch u.Scheme {
	case "smtp":
		switch u.Query().Get("tls") {
		case "", "opportunistic":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		case "required":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "none":
			opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		default:
			return nil, ErrURL
		}
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, ErrURL
	}
	if portText != "" {
		if port, err = strconv.Atoi(portText); err != nil || port < 1 || port > 65535 {
			return nil, ErrURL
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	opts = append(opts, gomail.WithTLSConfig(tlsConfig))
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	return &SMTP{From: from, opts: opts, host: host}, nil
}

// Send implements Sender: one connection per message.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("mail: from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: to address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: sending: %w", err)
	}
	return nil
}

// FromURL returns the SMTP backend of rawURL, or the console backend
// writing to console when rawURL is empty.
func FromURL(rawURL, from string, console io.Writer) (Sender, error) {
	if rawURL == "" {
		return &Console{From: from, W: console}, nil
	}
	return NewSMTP(rawURL, from, nil)
}
