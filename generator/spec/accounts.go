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
	if !l.decode(n, "accounts", &d) || d.MFA == nil {
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
