package spec

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/runtime/cors"
)

// service loads the whole spec: each section is decoded, validated and
// resolved into the plan in the order later sections depend on.
func (l *loader) service(root *yaml.Node) *plan.Service {
	var d specDoc
	if !l.decode(root, "the spec", &d) {
		return nil
	}
	svc := &plan.Service{SpecFile: path.Base(filepath.ToSlash(l.file))}
	l.svc = svc
	l.routes = map[string]string{}
	l.classes = map[string]*plan.Class{}
	l.classNodes = map[string]*yaml.Node{}
	l.classKeys = map[string]*yaml.Node{}
	l.broken = map[string]bool{}
	l.scopeNames = map[string]bool{}
	l.authUsed = map[plan.AuthClass]bool{}

	l.version(root, d.Version)
	if d.Service != nil {
		l.serviceSection(d.Service)
	} else {
		l.errPos(root.Line, root.Column, "add a service section with at least a name", "spec has no service section")
	}
	if l.prefix == "" {
		l.prefix = "SERVICE"
	}
	l.throttles(d.Throttles)
	l.authentication(d.Authentication)
	l.permissions(d.Permissions)
	if d.Resources != nil {
		l.resources(d.Resources)
	}
	l.authSettings(d.Authentication)
	l.accounts(d.Accounts)
	for _, p := range l.pending {
		l.route(p.node, p.route, p.owner)
	}
	l.checkUnusedClasses()
	if d.Tests != nil {
		l.tests(d.Tests)
	}
	return svc
}

func (l *loader) version(root, v *yaml.Node) {
	switch {
	case v == nil:
		l.errPos(root.Line, root.Column, "add \"version: 1\" at the top", "spec has no version")
	case v.Kind != yaml.ScalarNode || v.Tag != "!!int":
		l.errAt(v, "write \"version: 1\"", "version must be the integer 1, found %s", kindName(v))
	case v.Value != "1":
		l.errAt(v, "write \"version: 1\"", "unsupported version %s", v.Value)
	}
}

func (l *loader) serviceSection(n *yaml.Node) {
	var d serviceDoc
	if !l.decode(n, "service", &d) {
		return
	}
	svc := l.svc
	l.serviceName(n, d.Name)
	l.servicePackage(n, d.Package)
	svc.Output = svc.Package
	if d.Output != nil {
		svc.Output = l.relDir(d.Output, "service.output")
	}
	if d.Main != nil {
		svc.Main = l.relDir(d.Main, "service.main")
	}
	l.envPrefix(d.EnvPrefix)
	svc.EnvPrefix = l.prefix
	if d.CORSOrigins != nil {
		l.corsOrigins(d.CORSOrigins)
	}
	if v := d.Health; v != nil {
		if p, ok := l.checkPath(v, "service.health"); ok {
			svc.Health = p
			l.pending = append(l.pending, pendingRoute{v, p, "service.health"})
		}
	}
	if d.Docs != nil {
		l.docs(d.Docs)
	}
}

// docs reads service.docs: the paths of the OpenAPI document and of the
// docs page, each optional.
func (l *loader) docs(n *yaml.Node) {
	var d docsDoc
	if !l.decode(n, "service.docs", &d) {
		return
	}
	docs := &plan.Docs{}
	for _, k := range []struct {
		v    *yaml.Node
		dst  *string
		what string
	}{{d.Schema, &docs.Schema, "service.docs.schema"}, {d.UI, &docs.UI, "service.docs.ui"}} {
		if k.v == nil {
			continue
		}
		if p, ok := l.checkPath(k.v, k.what); ok {
			*k.dst = p
			l.pending = append(l.pending, pendingRoute{k.v, p, k.what})
		}
	}
	if docs.UI != "" && docs.Schema == "" {
		l.errAt(keyNode(n, "ui"), "add \"schema: /api/schema\": the page reads the document from it", "service.docs.ui needs service.docs.schema")
		return
	}
	if docs.Schema != "" {
		l.svc.Docs = docs
	}
}

func (l *loader) serviceName(n, v *yaml.Node) {
	if v == nil {
		l.errAt(keyNode(n, "name"), "add \"name: myservice\"", "service has no name")
		return
	}
	if s, ok := l.str(v, "service.name"); ok {
		if !reGoIdent.MatchString(s) {
			l.errAt(v, "use letters, digits and _, starting with a letter, e.g. blog", "service name %q is not a valid identifier", s)
		} else {
			l.svc.Name = s
		}
	}
}

// servicePackage sets the Go package: the package key, or the service
// name in lower case without _.
func (l *loader) servicePackage(n, v *yaml.Node) {
	svc := l.svc
	svc.Package = strings.ToLower(strings.ReplaceAll(svc.Name, "_", ""))
	valid := func(s string) bool { return rePackage.MatchString(s) && !contains(goKeywords, s) }
	if v == nil {
		if svc.Package != "" && !valid(svc.Package) {
			l.errAt(keyNode(n, "name"), "add a package key, e.g. package: blogapi", "service name %q does not make a valid Go package name", svc.Name)
		}
		return
	}
	if s, ok := l.str(v, "service.package"); ok {
		if !valid(s) {
			l.errAt(v, "use lower-case letters and digits, e.g. blogapi", "package %q is not a valid Go package name", s)
		} else {
			svc.Package = s
		}
	}
}

var reNonEnv = regexp.MustCompile(`[^A-Za-z0-9_]`)

func (l *loader) envPrefix(v *yaml.Node) {
	l.prefix = strings.ToUpper(l.svc.Name)
	if v == nil {
		return
	}
	if s, ok := l.str(v, "service.env_prefix"); ok {
		if !reEnv.MatchString(s) {
			l.errAt(v, fmt.Sprintf("write %q", strings.ToUpper(reNonEnv.ReplaceAllString(s, "_"))), "env_prefix %q must be upper-case letters, digits and _", s)
		} else {
			l.prefix = s
		}
	}
}

// corsOrigins checks each origin with the runtime's own check, so that
// the spec refuses what the service would refuse at start.
func (l *loader) corsOrigins(v *yaml.Node) {
	list, nodes, _ := l.strList(v, "service.cors_origins")
	seen := map[string]bool{}
	for i, o := range list {
		switch err := cors.CheckOrigin(o); {
		case err != nil:
			l.errAt(nodes[i], err.Fix, "%s", err.Reason)
		case seen[o]:
			l.errAt(nodes[i], "remove the duplicate", "duplicate CORS origin %q", o)
		default:
			seen[o] = true
			l.svc.CORSOrigins = append(l.svc.CORSOrigins, o)
		}
	}
}

func (l *loader) relDir(n *yaml.Node, what string) string {
	s, ok := l.str(n, what)
	if !ok {
		return ""
	}
	if !reRelDir.MatchString(s) || path.Clean(s) != s || s == "." || s == ".." || strings.HasPrefix(s, "../") {
		l.errAt(n, "write a folder relative to the spec, slash-separated, such as cmd/blog", "%s %q is not a relative folder inside the spec's folder", what, s)
		return ""
	}
	return s
}

// ---- throttles ----

func (l *loader) throttles(n *yaml.Node) {
	t := &l.svc.Throttle
	t.LoginRateEnv = l.prefix + "_LOGIN_RATE"
	login := plan.Rate{Count: 10, Period: timeMinute, Text: "10/minute"}
	t.Login = &login
	if n == nil {
		return
	}
	var d throttlesDoc
	if !l.decode(n, "throttles", &d) {
		return
	}
	if v := d.TrustedProxies; v != nil {
		if c, ok := l.integer(v, "throttles.trusted_proxies", 0, 16); ok {
			t.TrustedProxies = int(c)
		}
	}
	if v := d.LoginRateEnv; v != nil {
		if s, ok := l.str(v, "throttles.login_rate_env"); ok {
			if !reEnv.MatchString(s) {
				l.errAt(v, "use upper-case letters, digits and _, e.g. BLOG_LOGIN_RATE", "login_rate_env %q is not a valid environment variable name", s)
			} else {
				t.LoginRateEnv = s
			}
		}
	}
	if d.Rates != nil {
		l.rates(d.Rates)
	}
}

// rates reads throttles.rates: the built-in anon, user and login rates
// and the named scopes resources list.
func (l *loader) rates(v *yaml.Node) {
	t := &l.svc.Throttle
	_, list, ok := l.mapping(v, "throttles.rates", nil)
	if !ok {
		return
	}
	for _, e := range list {
		name := e.Key.Value
		if !reLowerIdent.MatchString(name) {
			l.errAt(e.Key, "use lower-case letters, digits and _, e.g. burst", "throttle scope name %q is not valid", name)
			continue
		}
		r, ok := l.rate(e.Val, "rate of "+name)
		if !ok {
			continue
		}
		switch name {
		case "anon":
			t.Anon = &r
		case "user":
			t.User = &r
		case "login":
			t.Login = &r
		default:
			t.Scopes = append(t.Scopes, &plan.Scope{Name: name, Rate: r})
			l.scopeNames[name] = true
		}
	}
}

var periods = map[string]dur{
	"s": timeSecond, "sec": timeSecond, "second": timeSecond, "seconds": timeSecond,
	"m": timeMinute, "min": timeMinute, "minute": timeMinute, "minutes": timeMinute,
	"h": timeHour, "hour": timeHour, "hours": timeHour,
	"d": timeDay, "day": timeDay, "days": timeDay,
}

func (l *loader) rate(n *yaml.Node, what string) (plan.Rate, bool) {
	const hint = "write count/period with period second, minute, hour or day, e.g. 10/minute"
	s, ok := l.str(n, what)
	if !ok {
		return plan.Rate{}, false
	}
	num, per, found := strings.Cut(s, "/")
	p, known := periods[per]
	c, err := strconv.Atoi(num)
	if !found || !known || err != nil || c < 1 || c > 1_000_000_000 || strings.HasPrefix(num, "+") {
		l.errAt(n, hint, "%s: invalid rate %q", what, s)
		return plan.Rate{}, false
	}
	return plan.Rate{Count: c, Period: p, Text: s}, true
}
