package spec

import (
	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// MFAPath is where the MFA endpoints are served.
const MFAPath = "/auth/2fa"

// accounts reads the accounts section: mfa turns on the second factor,
// which needs a login class that can take a second step (jwt, session or
// token; Basic cannot).
func (l *loader) accounts(n *yaml.Node) {
	if n == nil {
		return
	}
	var d accountsDoc
	if !l.decode(n, "accounts", &d) {
		return
	}
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

// LogoutAllPath is where "log out everywhere" is served.
const LogoutAllPath = "/auth/sessions/logout-all"

// sessionsMgmt reads accounts.sessions: a user may end every credential
// of theirs. It needs a class to identify the caller.
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
	a.LogoutAllPath = LogoutAllPath
	l.route(n, LogoutAllPath, "accounts.sessions")
}
