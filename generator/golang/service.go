package golang

import (
	"fmt"
	"time"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
)

// duration renders d as a readable constant expression: 5 * time.Minute.
func duration(d time.Duration) Code {
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"}, {time.Millisecond, "Millisecond"}}
	if d == 0 {
		return Lit(0)
	}
	for _, u := range units {
		if d%u.d == 0 {
			if d == u.d {
				return Qual("time", u.name)
			}
			return Lit(int(d/u.d)).Op("*").Qual("time", u.name)
		}
	}
	return Qual("time", "Duration").Call(Lit(int64(d)))
}

func rateText(r *plan.Rate) string {
	if r == nil {
		return ""
	}
	return r.Text
}

func (g *gen) service() error {
	s := g.svc
	f := g.newFile()
	// The package's doc comment, which go doc shows and staticcheck asks for.
	f.PackageComment(commentText("Package %s serves the %s API that ward generates from %s.", s.Package, s.Name, specName(s.SpecFile)))
	f.Add(comment("The runtime API version this code was generated for. When this line fails to"))
	f.Add(comment("compile, the runtime is newer or older than the generator: run `ward generate`."))
	f.Const().Id("_").Op("=").Qual(pkgService, "APIVersion1")
	f.Line()
	def := map[string]Code{
		"Name":       Lit(s.Name),
		"EnvPrefix":  Lit(s.EnvPrefix),
		"APIVersion": Lit(1),
		"Auth":       authType.lit(authDef(s.Auth)),
		"Throttle":   throttleType.lit(throttleDef(s.Throttle)),
		"Mount":      Id("Mount"),
	}
	if a := s.Accounts; a != nil {
		def["Accounts"] = Op("&").Add(accountsType.lit(nonZero(
			"Registration", a.Registration, "EmailVerification", a.EmailVerification, "Path", a.Path,
			"From", a.From, "Templates", a.Templates)))
	}
	if s.Health != "" {
		def["Health"] = Lit(s.Health)
	}
	if len(s.CORSOrigins) > 0 {
		def["CORSOrigins"] = stringSlice(s.CORSOrigins)
	}
	if s.Docs != nil {
		d := nonZero("Schema", s.Docs.Schema, "UI", s.Docs.UI)
		d["Document"] = Id("openapiDocument")
		def["Docs"] = Op("&").Add(docsType.lit(d))
		f.Anon("embed")
		f.Add(comment("openapiDocument is openapi.json, which ward generate writes beside this file."))
		f.Add(embedDirective())
		f.Var().Id("openapiDocument").Index().Byte()
		f.Line()
	}
	if tables := tableDefs(s.Resources); len(tables) > 0 {
		def["Tables"] = Index().Qual(pkgSchema, "Table").Values(tables...)
	}
	f.Add(comment("Definition describes the %s service to the runtime: pass it to service.Main.", s.Name))
	f.Func().Id("Definition").Params().Op("*").Qual(pkgService, "Definition").Block(Return(Op("&").Add(definitionType.lit(def))))
	f.Line()
	var mounts []Code
	for _, r := range s.Resources {
		mounts = append(mounts, Id("mount"+exported(camel(r.Name))).Call(Id("r"), Id("app")))
	}
	f.Add(comment("Mount registers the routes of every resource on r."))
	f.Func().Id("Mount").Params(Id("r").Qual(pkgChi, "Router"), Id("app").Op("*").Qual(pkgRest, "App")).Block(mounts...)
	return g.file("service_gen.go", f)
}

// nonZero is the fields of a literal from name, value pairs of strings
// and durations, leaving out the zero values a person would not write.
func nonZero(pairs ...any) map[string]Code {
	d := map[string]Code{}
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case string:
			if v != "" {
				d[name] = Lit(v)
			}
		case time.Duration:
			if v != 0 {
				d[name] = duration(v)
			}
		default:
			panic(fmt.Sprintf("golang: nonZero: %s is a %T", name, v))
		}
	}
	return d
}

// specName names the spec file in prose.
func specName(file string) string {
	if file == "" {
		return "its spec"
	}
	return file
}

// stringSlice is a []string literal.
func stringSlice(ss []string) *Statement {
	var lits []Code
	for _, s := range ss {
		lits = append(lits, Lit(s))
	}
	return Index().String().Values(lits...)
}

// authDef is the fields of service.Auth.
func authDef(a plan.Auth) map[string]Code {
	d := map[string]Code{}
	if len(a.Default) > 0 {
		var names []string
		for _, c := range a.Default {
			names = append(names, string(c))
		}
		d["Default"] = stringSlice(names)
	}
	if j := a.JWT; j != nil {
		d["JWT"] = Op("&").Add(jwtType.lit(nonZero(
			"Algorithm", j.Algorithm, "KeyEnv", j.KeyEnv, "AccessTTL", j.AccessTTL, "RefreshTTL", j.RefreshTTL,
			"RefreshIn", j.RefreshIn, "AccessIn", j.AccessIn, "AccessCookieName", j.AccessCookieName, "Issuer", j.Issuer, "Audience", j.Audience, "Leeway", j.Leeway,
			"Path", j.Path, "ReuseGrace", j.ReuseGrace)))
	}
	if ss := a.Session; ss != nil {
		d["Session"] = Op("&").Add(sessionType.lit(nonZero(
			"CookieName", ss.CookieName, "CSRFCookieName", ss.CSRFCookieName, "CSRFHeaderName", ss.CSRFHeaderName,
			"IdleTimeout", ss.IdleTimeout, "AbsoluteTimeout", ss.AbsoluteTimeout, "Path", ss.Path)))
	}
	if t := a.Token; t != nil {
		d["Token"] = Op("&").Add(tokenType.lit(nonZero("TTL", t.TTL, "Path", t.Path)))
	}
	if b := a.Basic; b != nil {
		d["Basic"] = Op("&").Add(basicType.lit(nonZero("Realm", b.Realm)))
	}
	if m := a.MFA; m != nil {
		d["MFA"] = Op("&").Add(mfaType.lit(nonZero("Path", m.Path)))
	}
	if a.LogoutAllPath != "" {
		d["LogoutAllPath"] = Lit(a.LogoutAllPath)
	}
	if a.SessionsPath != "" {
		d["SessionsPath"] = Lit(a.SessionsPath)
	}
	if a.MePath != "" {
		d["MePath"] = Lit(a.MePath)
	}
	return d
}

// throttleDef is the fields of service.Throttle.
func throttleDef(t plan.Throttle) map[string]Code {
	d := map[string]Code{}
	if t.TrustedProxies != 0 {
		d["TrustedProxies"] = Lit(t.TrustedProxies)
	}
	for name, r := range map[string]*plan.Rate{"Anon": t.Anon, "User": t.User, "Login": t.Login} {
		if r != nil {
			d[name] = Lit(rateText(r))
		}
	}
	if t.LoginRateEnv != "" {
		d["LoginRateEnv"] = Lit(t.LoginRateEnv)
	}
	if len(t.Scopes) > 0 {
		scopes := Dict{}
		for _, sc := range t.Scopes {
			scopes[Lit(sc.Name)] = Lit(sc.Rate.Text)
		}
		d["Scopes"] = Map(String()).String().Values(scopes)
	}
	return d
}

// tableDefs is the schema.Table literals of the resources Ward stores.
func tableDefs(resources []*plan.Resource) []Code {
	var tables []Code
	for _, r := range resources {
		if r.Source != "" {
			continue
		}
		var cols []Code
		for _, fl := range r.Fields {
			c := map[string]Code{"Name": Lit(fl.Column), "Type": Lit(string(fl.Type))}
			if fl.Nullable {
				c["Nullable"] = True()
			}
			if fl.Type == plan.Decimal {
				c["MaxDigits"], c["DecimalPlaces"] = Lit(fl.MaxDigits), Lit(fl.DecimalPlaces)
			}
			if fl.Type == plan.Reference {
				refColumn(fl, c)
			}
			if t, ok := fl.Default.(time.Time); ok {
				c["Default"] = Lit(t.UTC().Format(time.RFC3339Nano))
			} else if fl.Default != nil {
				c["Default"] = Lit(fl.Default)
			}
			cols = append(cols, columnType.values(c))
		}
		def := map[string]Code{"Name": Lit(r.Table), "Columns": Index().Qual(pkgSchema, "Column").Values(cols...)}
		if ix := tableIndexes(r); len(ix) > 0 {
			def["Indexes"] = Index().Qual(pkgSchema, "Index").Values(ix...)
		}
		tables = append(tables, tableDefType.values(def))
	}
	return tables
}

// EmbedDirective embeds the OpenAPI document into the generated package
// (service_gen.go, when the spec serves it). It is the one directive Ward
// writes besides the build constraint, a constant: no spec text reaches it.
const EmbedDirective = "//go:embed openapi.json"

func embedDirective() *Statement { return Comment(EmbedDirective) }
