package spec

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wardhq/ward/generator/plan"
)

func rateString(r *plan.Rate) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%d per %s (%q)", r.Count, r.Period, r.Text)
}

func ruleString(k plan.RuleKind, field, attr, fn string) string {
	switch k {
	case plan.RuleValue:
		return "value(" + field + " == " + attr + ")"
	case plan.RuleOwner:
		return "owner(" + field + ")"
	case plan.RuleField:
		return "field(" + field + " == user." + attr + ")"
	case plan.RuleFunc:
		return "func(" + fn + ")"
	}
	return string(k)
}

func scopeString(s *plan.ReadScope) string {
	if s.Kind == plan.RuleValue {
		return ruleString(s.Kind, s.Field, valueString(s.Value), "")
	}
	return ruleString(s.Kind, s.Field, s.UserAttr, s.Func)
}

func fieldString(f *plan.Field) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s go=%s column=%s", f.Name, f.Type, f.GoName, f.Column)
	for _, x := range []struct {
		on   bool
		name string
	}{{f.Required, "required"}, {f.ReadOnly, "read_only"}, {f.Nullable, "nullable"}, {f.Owner, "owner"}, {f.Unique, "unique"}, {f.CreateOnly, "create_only"}} {
		if x.on {
			b.WriteString(" " + x.name)
		}
	}
	if f.Auto != "" {
		b.WriteString(" auto=" + f.Auto)
	}
	if f.MinLength != nil {
		fmt.Fprintf(&b, " min_length=%d", *f.MinLength)
	}
	if f.MaxLength != nil {
		fmt.Fprintf(&b, " max_length=%d", *f.MaxLength)
	}
	if f.Min != nil {
		fmt.Fprintf(&b, " min=%v", *f.Min)
	}
	if f.Max != nil {
		fmt.Fprintf(&b, " max=%v", *f.Max)
	}
	if f.Type == plan.Decimal {
		dumpDecimal(&b, f)
	}
	if f.Type == plan.Reference {
		fmt.Fprintf(&b, " to=%s on_delete=%s", f.To, f.OnDelete)
	}
	if f.Read != nil {
		fmt.Fprintf(&b, " read=%s", ExprString(f.Read))
	}
	if f.Write != nil {
		fmt.Fprintf(&b, " write=%s", ExprString(f.Write))
	}
	if f.Choices != nil {
		b.WriteString(" choices=[")
		for i, c := range f.Choices {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(valueString(c))
		}
		b.WriteString("]")
	}
	if f.Default != nil {
		b.WriteString(" default=" + valueString(f.Default))
	}
	return b.String()
}

func valueString(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// ExprString renders a permission expression with explicit parentheses
// around every composition, e.g. "(IsAuthenticated & IsOwner)".
func ExprString(e plan.Expr) string {
	switch e := e.(type) {
	case *plan.Ref:
		if e.Builtin {
			return e.Name
		}
		return e.Name + "*"
	case *plan.And:
		return "(" + ExprString(e.L) + " & " + ExprString(e.R) + ")"
	case *plan.Or:
		return "(" + ExprString(e.L) + " | " + ExprString(e.R) + ")"
	case *plan.Not:
		return "~" + ExprString(e.X)
	}
	return "<nil>"
}

// ScopeString renders a read scope expression.
func ScopeString(s plan.ScopeExpr) string {
	switch s := s.(type) {
	case plan.ScopeAll:
		return "all"
	case *plan.ScopeClass:
		return s.Ref.Name + ":" + scopeString(s.Scope)
	case *plan.ScopeAnd:
		return "(" + ScopeString(s.L) + " and " + ScopeString(s.R) + ")"
	case *plan.ScopeOr:
		return "(" + ExprString(s.LGuard) + "? " + ScopeString(s.L) + " or " + ExprString(s.RGuard) + "? " + ScopeString(s.R) + ")"
	}
	return "<nil>"
}

// Dump renders a resolved plan as stable, line-oriented text: one setting
// per line, nested by indentation. Tests compare it with golden files and
// "ward" can print it to show what a spec resolves to.
func Dump(s *plan.Service) string {
	if s == nil {
		return "<nil>\n"
	}
	var d dumper
	d.service(s)
	d.auth(&s.Auth)
	d.permissions(s)
	d.throttles(&s.Throttle)
	for _, r := range s.Resources {
		d.resource(r)
	}
	d.tests(s.Tests)
	return d.b.String()
}

type dumper struct{ b strings.Builder }

// w writes one line at the given indentation.
func (d *dumper) w(indent int, format string, args ...any) {
	d.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *dumper) service(s *plan.Service) {
	d.w(0, "service %s", s.Name)
	d.w(1, "package: %s", s.Package)
	d.w(1, "env_prefix: %s", s.EnvPrefix)
	d.w(1, "spec_file: %s", s.SpecFile)
	d.w(1, "output: %s", s.Output)
	d.w(1, "main: %q", s.Main)
	d.w(1, "health: %q", s.Health)
	d.w(1, "cors_origins: %q", s.CORSOrigins)
	if a := s.Accounts; a != nil {
		d.w(1, "accounts: registration=%s email_verification=%s path=%s from=%q templates=%q", a.Registration, a.EmailVerification, a.Path, a.From, a.Templates)
	}
}

func (d *dumper) auth(a *plan.Auth) {
	d.w(0, "auth")
	d.w(1, "default: %v", a.Default)
	d.w(1, "me: %q", a.MePath)
	if a.MFA != nil {
		d.w(1, "mfa: path=%s", a.MFA.Path)
	}
	if a.LogoutAllPath != "" {
		d.w(1, "logout_all: %s", a.LogoutAllPath)
	}
	if a.SessionsPath != "" {
		d.w(1, "sessions: %s", a.SessionsPath)
	}
	if j := a.JWT; j != nil {
		d.w(1, "jwt: algorithm=%s key_env=%s access_ttl=%s refresh_ttl=%s refresh_in=%s access_in=%s access_cookie=%s issuer=%q audience=%q leeway=%s path=%s reuse_grace=%s",
			j.Algorithm, j.KeyEnv, j.AccessTTL, j.RefreshTTL, j.RefreshIn, j.AccessIn, j.AccessCookieName, j.Issuer, j.Audience, j.Leeway, j.Path, j.ReuseGrace)
	}
	if x := a.Session; x != nil {
		d.w(1, "session: cookie=%s csrf_cookie=%s csrf_header=%s idle=%s absolute=%s path=%s",
			x.CookieName, x.CSRFCookieName, x.CSRFHeaderName, x.IdleTimeout, x.AbsoluteTimeout, x.Path)
	}
	if x := a.Token; x != nil {
		d.w(1, "token: ttl=%s path=%s", x.TTL, x.Path)
	}
	if x := a.Basic; x != nil {
		d.w(1, "basic: realm=%q", x.Realm)
	}
}

func (d *dumper) permissions(s *plan.Service) {
	d.w(0, "permissions")
	d.w(1, "default: %s", ExprString(s.Default))
	for _, c := range s.Classes {
		d.w(1, "class %s kind=%s", c.Name, c.Kind)
		d.w(2, "description: %q", c.Description)
		if c.Rule != nil {
			attr := c.Rule.UserAttr
			if c.Rule.Kind == plan.RuleValue {
				attr = valueString(c.Rule.Value)
			}
			d.w(2, "rule: %s", ruleString(c.Rule.Kind, c.Rule.Field, attr, ""))
		}
		if c.Scope != nil {
			d.w(2, "scope: %s", scopeString(c.Scope))
		}
		d.acknowledge(2, c.Acknowledge)
	}
}

// acknowledge writes the acknowledged checks, in order, when any.
func (d *dumper) acknowledge(indent int, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d.w(indent, "acknowledge %s: %q", k, m[k])
	}
}

// tests writes the policy tests, when any.
func (d *dumper) tests(ts []*plan.Test) {
	for _, t := range ts {
		d.w(0, "test %q at %d:%d", t.Name, t.Pos.Line, t.Pos.Col)
		d.w(1, "%s %s %s (resource %s, detail %v) object=%q expect=%d", t.As, t.Method, t.Route, t.Resource, t.Detail, t.Object, t.Expect)
		for _, v := range t.With {
			d.w(1, "with %s=%s", v.Field, valueString(v.Value))
		}
		if t.Body != "" {
			d.w(1, "body %s", t.Body)
		}
	}
}

func (d *dumper) throttles(t *plan.Throttle) {
	d.w(0, "throttles")
	d.w(1, "trusted_proxies: %d", t.TrustedProxies)
	d.w(1, "anon: %s", rateString(t.Anon))
	d.w(1, "user: %s", rateString(t.User))
	d.w(1, "login: %s", rateString(t.Login))
	d.w(1, "login_rate_env: %s", t.LoginRateEnv)
	for _, sc := range t.Scopes {
		d.w(1, "scope %s: %s", sc.Name, rateString(&sc.Rate))
	}
}

func (d *dumper) resource(r *plan.Resource) {
	d.w(0, "resource %s", r.Name)
	d.w(1, "path: %s", r.Path)
	d.w(1, "model: %s", r.Model)
	d.w(1, "table: %q", r.Table)
	d.w(1, "source: %q", r.Source)
	for _, f := range r.Fields {
		d.w(1, "field %s", fieldString(f))
	}
	if r.Owner != nil {
		d.w(1, "owner: %s", r.Owner.Name)
	} else {
		d.w(1, "owner: -")
	}
	d.w(1, "page_size: %d", r.PageSize)
	var ord []string
	for _, o := range r.Ordering {
		if o.Desc {
			ord = append(ord, "-"+o.Field)
		} else {
			ord = append(ord, o.Field)
		}
	}
	d.w(1, "ordering: %v", ord)
	if len(r.OrderingFields) > 0 {
		d.w(1, "ordering_fields: %v", r.OrderingFields)
	}
	if r.Pagination != plan.PageNumber {
		d.w(1, "pagination: %s max_limit=%d", r.Pagination, r.MaxLimit)
	}
	d.w(1, "auth: %v", r.Auth)
	d.w(1, "permission: %s", ExprString(r.Permission))
	d.w(1, "read_scope: %s", ScopeString(r.ReadScope))
	d.w(1, "public: %v", r.Public)
	if r.Reason != "" {
		d.w(1, "reason: %q", r.Reason)
	}
	d.acknowledge(1, r.Acknowledge)
	d.w(1, "throttles: %v", r.Throttles)
	for _, set := range r.UniqueTogether {
		d.w(1, "unique_together: %v", set)
	}
	if len(r.Hooks) > 0 {
		d.w(1, "hooks: %v", r.Hooks)
	}
	for _, f := range r.Filters {
		d.w(1, "filter %s: %v", f.Field.Name, f.Lookups)
	}
	if len(r.Search) > 0 {
		d.w(1, "search: %v", r.Search)
	}
	if p := r.Parent; p != nil {
		d.w(1, "parent: %s field=%s param=%s", p.Resource, p.Field, p.Param)
	}
	for _, e := range r.Endpoints {
		extra := ""
		if e.Extra {
			extra = " extra func=" + e.Func
		}
		d.w(1, "endpoint %s %s detail=%v auth=%v permission=%s%s", e.Action, e.Method, e.Detail, e.Auth, ExprString(e.Permission), extra)
	}
}
