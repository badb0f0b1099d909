package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

var authClasses = []string{string(plan.AuthJWT), string(plan.AuthToken), string(plan.AuthSession), string(plan.AuthBasic)}

// authList parses a list of authentication class names.
func (l *loader) authList(n *yaml.Node, what string) ([]plan.AuthClass, bool) {
	names, nodes, ok := l.strList(n, what)
	if !ok {
		return nil, false
	}
	out := []plan.AuthClass{}
	seen := map[string]bool{}
	for i, s := range names {
		if !contains(authClasses, s) {
			hint := "expected one of: " + strings.Join(authClasses, ", ")
			if near := nearest(s, authClasses); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			l.errAt(nodes[i], hint, "unknown authentication class %q", s)
			ok = false
			continue
		}
		if seen[s] {
			l.errAt(nodes[i], "list each class once", "authentication class %q is listed twice", s)
			ok = false
			continue
		}
		seen[s] = true
		out = append(out, plan.AuthClass(s))
	}
	return out, ok
}

// authentication reads the default chain and the me path. The settings
// of each class are read by authSettings, once the resources have named
// the classes they use.
func (l *loader) authentication(n *yaml.Node) {
	a := &l.svc.Auth
	a.Default = []plan.AuthClass{}
	if n == nil {
		return
	}
	var d authenticationDoc
	if !l.decode(n, "authentication", &d) {
		return
	}
	if d.Default != nil {
		if list, ok := l.authList(d.Default, "authentication.default"); ok {
			a.Default = list
		}
	} else {
		// Without a default chain, every class configured below is used,
		// in Ward's canonical order.
		for _, c := range authClasses {
			if *docNode(&d, c) != nil {
				a.Default = append(a.Default, plan.AuthClass(c))
			}
		}
	}
	for _, c := range a.Default {
		l.authUsed[c] = true
	}
	if v := d.Me; v != nil {
		if p, ok := l.checkPath(v, "authentication.me"); ok {
			a.MePath = p
			l.meNode = v
			l.pending = append([]pendingRoute{{v, p, "authentication.me"}}, l.pending...)
		}
	}
}

// authSettings fills the settings of every class in use (listed in a chain
// or configured), after the resources have named theirs.
func (l *loader) authSettings(n *yaml.Node) {
	a := &l.svc.Auth
	// The section was decoded, with its errors reported, by authentication.
	m := map[string]*yaml.Node{}
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if _, dup := m[n.Content[i].Value]; !dup {
				m[n.Content[i].Value] = n.Content[i+1]
			}
		}
	}
	configured := len(l.authUsed) > 0
	for _, c := range authClasses {
		if _, ok := m[c]; ok {
			configured = true
		}
	}
	if a.MePath != "" && !configured {
		l.errAt(l.meNode, "list an authentication class under authentication.default, e.g. [jwt]", "authentication.me needs an authentication class to identify the caller")
	}
	used := func(c plan.AuthClass) (*yaml.Node, bool) {
		v, configured := m[string(c)]
		return v, configured || l.authUsed[c]
	}
	if v, ok := used(plan.AuthJWT); ok {
		a.JWT = l.jwt(v)
	}
	if v, ok := used(plan.AuthSession); ok {
		a.Session = l.session(v)
	}
	if v, ok := used(plan.AuthToken); ok {
		a.Token = l.token(v)
	}
	if v, ok := used(plan.AuthBasic); ok {
		a.Basic = l.basic(v)
	}
}

// authRoutes registers the routes a class serves under its path.
func (l *loader) authRoutes(n *yaml.Node, prefix, owner string, routes ...string) {
	for _, r := range routes {
		l.route(keyNode(n, "path"), prefix+r, owner)
	}
}

// ---- jwt ----

func (l *loader) jwt(n *yaml.Node) *plan.JWT {
	j := &plan.JWT{
		Algorithm: "HS256", KeyEnv: l.prefix + "_JWT_KEY",
		AccessTTL: 5 * timeMinute, RefreshTTL: 24 * timeHour, RefreshIn: "cookie",
		AccessIn: "body", AccessCookieName: "access_token",
		Issuer: l.svc.Name, Audience: l.svc.Name, Leeway: 30 * timeSecond, Path: "/auth/jwt",
		ReuseGrace: timeSecond,
	}
	if n != nil {
		n = l.jwtLiteralKeys(n)
		var d jwtDoc
		if l.decode(n, "authentication.jwt", &d) {
			l.jwtKey(&d, j)
			l.jwtLifetimes(n, &d, j)
			l.jwtAccessIn(&d, j)
			l.jwtClaims(&d, j)
		}
	}
	l.authRoutes(n, j.Path, "authentication.jwt", "/login", "/refresh", "/logout")
	return j
}

// jwtLiteralKeys refuses a key written in the spec, where it would end up
// in version control, and returns n without it.
func (l *loader) jwtLiteralKeys(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == "key" || k.Value == "secret" || k.Value == "signing_key" || k.Value == "private_key" {
			l.errAt(k, fmt.Sprintf("write \"key_env: %s_JWT_KEY\" and set the key in that environment variable", l.prefix), "the JWT key must not be written in the spec (%s)", k.Value)
			n = withoutKey(n, k.Value)
			i -= 2
		}
	}
	return n
}

// withoutKey returns a copy of mapping n without key k.
func withoutKey(n *yaml.Node, k string) *yaml.Node {
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != k {
			c.Content = append(c.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &c
}

func (l *loader) jwtKey(d *jwtDoc, j *plan.JWT) {
	if v := d.Algorithm; v != nil {
		l.enum(v, "jwt.algorithm", []string{"HS256", "ES256", "EdDSA", "RS256"}, &j.Algorithm)
	}
	if v := d.KeyEnv; v != nil {
		if s, ok := l.str(v, "jwt.key_env"); ok {
			if !reEnv.MatchString(s) {
				l.errAt(v, "use upper-case letters, digits and _, e.g. BLOG_JWT_KEY", "key_env %q is not a valid environment variable name", s)
			} else {
				j.KeyEnv = s
			}
		}
	}
}

func (l *loader) jwtLifetimes(n *yaml.Node, d *jwtDoc, j *plan.JWT) {
	l.setDuration(d.AccessTTL, "jwt.access_ttl", false, &j.AccessTTL)
	l.setDuration(d.RefreshTTL, "jwt.refresh_ttl", false, &j.RefreshTTL)
	if j.RefreshTTL < j.AccessTTL {
		l.errAt(keyNode(n, "refresh_ttl"), "make refresh_ttl at least access_ttl", "jwt.refresh_ttl (%s) is shorter than access_ttl (%s)", j.RefreshTTL, j.AccessTTL)
	}
	if v := d.RefreshTokenIn; v != nil {
		l.enum(v, "jwt.refresh_token_in", []string{"cookie", "body"}, &j.RefreshIn)
	}
	if v := d.ReuseGrace; v != nil {
		if g, ok := l.duration(v, "jwt.reuse_grace", true); ok {
			if g > timeMinute {
				l.errAt(v, "use at most 1m, or 0s to turn the grace off", "jwt.reuse_grace %s is too long: a stolen refresh token reused within it does not revoke its family", g)
			} else {
				j.ReuseGrace = g
			}
		}
	}
}

// jwtAccessIn reads where the access token travels. Cookie mode keeps
// every token out of JavaScript, so the refresh token must be in its
// cookie too.
func (l *loader) jwtAccessIn(d *jwtDoc, j *plan.JWT) {
	if v := d.AccessTokenIn; v != nil {
		l.enum(v, "jwt.access_token_in", []string{"body", "cookie"}, &j.AccessIn)
		if j.AccessIn == "cookie" && j.RefreshIn != "cookie" {
			l.errAt(v, "write refresh_token_in: cookie (the default), or access_token_in: body", "jwt.access_token_in: cookie keeps tokens out of JavaScript, but refresh_token_in: %s puts the refresh token in the body", j.RefreshIn)
		}
	}
	l.tokenName(d.AccessCookie, "jwt.access_cookie_name", &j.AccessCookieName)
	if v := d.AccessCookie; v != nil && j.AccessCookieName == "refresh_token" {
		l.errAt(v, "choose another name, e.g. access_token", "jwt.access_cookie_name %q is the name of another cookie of the JWT class", j.AccessCookieName)
	}
}

func (l *loader) jwtClaims(d *jwtDoc, j *plan.JWT) {
	if v := d.Issuer; v != nil {
		l.nonEmpty(v, "jwt.issuer", &j.Issuer)
	}
	if v := d.Audience; v != nil {
		l.nonEmpty(v, "jwt.audience", &j.Audience)
	}
	if v := d.Leeway; v != nil {
		if lw, ok := l.duration(v, "jwt.leeway", true); ok {
			if lw > 5*timeMinute {
				l.errAt(v, "use at most 5m", "jwt.leeway %s is too long", lw)
			} else {
				j.Leeway = lw
			}
		}
	}
	l.setPath(d.Path, "jwt.path", &j.Path)
}

// setDuration sets *dst to the duration in v, when v is present and valid.
func (l *loader) setDuration(v *yaml.Node, what string, allowZero bool, dst *dur) {
	if v == nil {
		return
	}
	if d, ok := l.duration(v, what, allowZero); ok {
		*dst = d
	}
}

// setPath sets *dst to the path prefix in v, when v is present and valid.
func (l *loader) setPath(v *yaml.Node, what string, dst *string) {
	if v == nil {
		return
	}
	if p, ok := l.checkPath(v, what); ok {
		*dst = p
	}
}

// ---- session, token and basic ----

func (l *loader) session(n *yaml.Node) *plan.Session {
	s := &plan.Session{
		CookieName: "sessionid", CSRFCookieName: "csrftoken", CSRFHeaderName: "X-CSRFToken",
		IdleTimeout: 2 * timeHour, AbsoluteTimeout: 336 * timeHour, Path: "/auth/session",
	}
	var d sessionDoc
	if n != nil && l.decode(n, "authentication.session", &d) {
		l.tokenName(d.CookieName, "session.cookie_name", &s.CookieName)
		l.tokenName(d.CSRFCookieName, "session.csrf_cookie_name", &s.CSRFCookieName)
		l.tokenName(d.CSRFHeaderName, "session.csrf_header_name", &s.CSRFHeaderName)
		l.setDuration(d.IdleTimeout, "session.idle_timeout", false, &s.IdleTimeout)
		l.setDuration(d.AbsoluteTimeout, "session.absolute_timeout", false, &s.AbsoluteTimeout)
		if s.AbsoluteTimeout < s.IdleTimeout {
			l.errAt(keyNode(n, "absolute_timeout"), "make absolute_timeout at least idle_timeout", "session.absolute_timeout (%s) is shorter than idle_timeout (%s)", s.AbsoluteTimeout, s.IdleTimeout)
		}
		l.setPath(d.Path, "session.path", &s.Path)
	}
	l.authRoutes(n, s.Path, "authentication.session", "/login", "/logout")
	return s
}

// tokenName sets *dst to the cookie or header name in v, an HTTP token.
func (l *loader) tokenName(v *yaml.Node, key string, dst *string) {
	if v == nil {
		return
	}
	if t, ok := l.str(v, key); ok {
		if !reToken.MatchString(t) {
			l.errAt(v, "use letters, digits, - and _", "%s %q is not a valid name", key, t)
		} else {
			*dst = t
		}
	}
}

func (l *loader) token(n *yaml.Node) *plan.Token {
	t := &plan.Token{Path: "/auth/token"}
	var d tokenDoc
	if n != nil && l.decode(n, "authentication.token", &d) {
		l.setDuration(d.TTL, "token.ttl", true, &t.TTL)
		l.setPath(d.Path, "token.path", &t.Path)
	}
	l.authRoutes(n, t.Path, "authentication.token", "/login", "/logout")
	return t
}

func (l *loader) basic(n *yaml.Node) *plan.Basic {
	b := &plan.Basic{Realm: "api"}
	var d basicDoc
	if n == nil || !l.decode(n, "authentication.basic", &d) || d.Realm == nil {
		return b
	}
	if s, ok := l.str(d.Realm, "basic.realm"); ok {
		if s == "" || strings.ContainsAny(s, "\"\\") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
			l.errAt(d.Realm, "use printable ASCII without quotes or backslashes", "basic.realm %q is not valid", s)
		} else {
			b.Realm = s
		}
	}
	return b
}
