// Package mailtest runs a real SMTP server in-process
// (github.com/emersion/go-smtp) that keeps every message it receives, so
// tests can read the mail the service sent: plain, STARTTLS or implicit
// TLS, with a throwaway certificate that CertPool trusts.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mode is how clients reach the server.
type Mode int

const (
	Plain       Mode = iota // no TLS offered
	StartTLS                // STARTTLS offered
	ImplicitTLS             // TLS from the first byte (smtps)
)

// Message is one received mail, decoded (line ends in Text and HTML are
// "\n").
type Message struct {
	From, To   string
	Subject    string
	Text, HTML string
	TLS        bool   // the session was encrypted
	User       string // the SMTP AUTH user, "" without AUTH
	Raw        []byte
}

// Server is a running capture server.
type Server struct {
	Addr string
	srv  *smtp.Server
	pool *x509.CertPool

	mu   sync.Mutex
	msgs []Message
	cond chan struct{}
}

// Start listens on 127.0.0.1 in mode; Close stops it.
func Start(mode Mode) (*Server, error) {
	s := &Server{cond: make(chan struct{})}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.AllowInsecureAuth = true
	var l net.Listener
	var err error
	if mode != Plain {
		cfg, pool, err := selfSigned()
		if err != nil {
			return nil, err
		}
		s.pool = pool
		s.srv.TLSConfig = cfg
		if mode == ImplicitTLS {
			l, err = tls.Listen("tcp", "127.0.0.1:0", cfg)
			if err != nil {
				return nil, err
			}
		}
	}
	if l == nil {
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
	}
	s.Addr = l.Addr().String()
	go s.srv.Serve(l)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// CertPool trusts the server's certificate (nil in Plain mode).
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Messages returns a copy of what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the n-th message (from 0) once it arrives, or an error
// after timeout.
func (s *Server) Wait(n int, timeout time.Duration) (Message, error) {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		if len(s.msgs) > n {
			m := s.msgs[n]
			s.mu.Unlock()
			return m, nil
		}
		c := s.cond
		s.mu.Unlock()
		select {
		case <-c:
		case <-deadline:
			return Message{}, errors.New("mailtest: no message in time")
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	close(s.cond)
	s.cond = make(chan struct{})
	s.mu.Unlock()
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, tls: isTLS, conn: c}, nil
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	tls      bool
	from, to string
	user     string
}

// AuthMechanisms and Auth accept SMTP AUTH PLAIN with any password,
// recording the user.
func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, _ string) error {
		x.user = user
		return nil
	}), nil
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	m := Message{From: x.from, To: x.to, Raw: raw, TLS: isTLS || x.tls, User: x.user}
	decode(&m)
	x.s.add(m)
	return nil
}

// decode fills Subject, Text and HTML from Raw (best effort).
func decode(m *Message) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return
	}
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = s
	}
	part(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func part(m *Message, ctype, enc string, body io.Reader) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return
			}
			// multipart.Reader decodes quoted-printable itself.
			part(m, p.Header.Get("Content-Type"), "", p)
		}
	}
	b, _ := io.ReadAll(decoder(enc, body))
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
}

func selfSigned() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool, nil
}
