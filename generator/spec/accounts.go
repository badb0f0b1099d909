package spec

import (
	"net/mail"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// MFAPath is where the MFA endpoints are served.
const MFAPath = "/auth/2fa"

// accounts reads the accounts section: the self-service keys
// (registration, email_verification, path, from, templates); sessions; and
// mfa, which turns on the second factor and needs a login class that can
// take a second step (jwt, session or token; Basic cannot).
func (l *loader) accounts(n *yaml.Node) {
	if n == nil {
		return
	}
	var d accountsDoc
	if !l.decode(n, "accounts", &d) {
		return
	}
	l.selfService(n, &d)
	l.sessionsMgmt(d.Sessions)
	if d.MFA == nil {
		return
	}
	on, ok := l.boolean(d.MFA, "accounts.mfa")
	if !ok || !on {
		return
	}
	a := &l.svc.Auth
	if a.JWT == nil && a.Session == nil && a.Token == nil {
		l.errAt(d.MFA, "configure jwt, session or token under authentication, or write mfa: false",
			"accounts.mfa needs a login that can take a second step (jwt, session or token); Basic cannot")
		return
	}
	a.MFA = &plan.MFA{Path: MFAPath}
	l.authRoutes(d.MFA, MFAPath, "accounts.mfa", "", "/totp", "/totp/confirm", "/authenticate", "/deactivate")
}

// LogoutAllPath is where "log out everywhere" is served; SessionsPath
// lists the caller's credentials, and SessionsPath/{kind}/{id} ends one.
const (
	LogoutAllPath = "/auth/sessions/logout-all"
	SessionsPath  = "/auth/sessions"
)

// sessionsMgmt reads accounts.sessions: a user may list their
// credentials and end one, or every one. It needs a class to identify the caller.
func (l *loader) sessionsMgmt(n *yaml.Node) {
	if n == nil {
		return
	}
	on, ok := l.boolean(n, "accounts.sessions")
	if !ok || !on {
		return
	}
	a := &l.svc.Auth
	if a.JWT == nil && a.Session == nil && a.Token == nil && a.Basic == nil {
		l.errAt(n, "list an authentication class under authentication.default, e.g. [jwt]",
			"accounts.sessions needs an authentication class to identify the caller")
		return
	}
	a.LogoutAllPath, a.SessionsPath = LogoutAllPath, SessionsPath
	l.route(n, LogoutAllPath, "accounts.sessions")
	l.route(n, SessionsPath, "accounts.sessions")
	l.route(n, SessionsPath+"/{kind}/{id}", "accounts.sessions")
}

// selfService reads the self-service keys: registration, email
// verification, password change and reset, as dj-rest-auth and allauth
// give them. They are on when the section names any of these keys (a
// section with only mfa or sessions turns none of them on).
func (l *loader) selfService(n *yaml.Node, d *accountsDoc) {
	if d.Registration == nil && d.EmailVerification == nil && d.Path == nil && d.From == nil && d.Templates == nil {
		return
	}
	a := &plan.Accounts{Registration: "open", EmailVerification: "optional", Path: "/auth", From: "webmaster@localhost"}
	if d.Registration != nil {
		l.enum(d.Registration, "accounts.registration", []string{"open", "closed"}, &a.Registration)
	}
	if d.EmailVerification != nil {
		l.enum(d.EmailVerification, "accounts.email_verification", []string{"mandatory", "optional", "none"}, &a.EmailVerification)
	}
	l.setPath(d.Path, "accounts.path", &a.Path)
	if d.From != nil {
		if s, ok := l.str(d.From, "accounts.from"); ok {
			if _, err := mail.ParseAddress(s); err != nil || strings.ContainsAny(s, "\r\n") {
				l.errAt(d.From, `write one address, e.g. "Blog <noreply@blog.example>"`, "accounts.from %q is not an email address", s)
			} else {
				a.From = s
			}
		}
	}
	if d.Templates != nil {
		if s, ok := l.str(d.Templates, "accounts.templates"); ok {
			if s == "" || strings.ContainsRune(s, 0) {
				l.errAt(d.Templates, "name a folder of mail templates, e.g. mail/", "accounts.templates is empty")
			} else {
				a.Templates = s
			}
		}
	}
	routes := []string{"/password/change", "/password/reset", "/password/reset/confirm"}
	if a.Registration == "open" {
		routes = append(routes, "/registration", "/registration/verify-email", "/registration/resend-email")
	}
	l.authRoutes(n, a.Path, "accounts", routes...)
	l.svc.Accounts = a
}
