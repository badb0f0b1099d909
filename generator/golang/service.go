package golang

import (
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
	f.Add(comment("The runtime API version this code was generated for. When this line fails to"))
	f.Add(comment("compile, the runtime is newer or older than the generator: run `ward generate`."))
	f.Const().Id("_").Op("=").Qual(pkgService, "APIVersion1")
	f.Line()

	auth := Dict{}
	if len(s.Auth.Default) > 0 {
		var names []Code
		for _, a := range s.Auth.Default {
			names = append(names, Lit(string(a)))
		}
		auth[Id("Default")] = Index().String().Values(names...)
	}
	if j := s.Auth.JWT; j != nil {
		auth[Id("JWT")] = Op("&").Qual(pkgService, "JWT").Values(Dict{
			Id("Algorithm"): Lit(j.Algorithm), Id("KeyEnv"): Lit(j.KeyEnv), Id("AccessTTL"): duration(j.AccessTTL),
			Id("RefreshTTL"): duration(j.RefreshTTL), Id("RefreshIn"): Lit(j.RefreshIn), Id("Issuer"): Lit(j.Issuer),
			Id("Audience"): Lit(j.Audience), Id("Leeway"): duration(j.Leeway), Id("Path"): Lit(j.Path),
			Id("ReuseGrace"): duration(j.ReuseGrace),
		})
	}
	if ss := s.Auth.Session; ss != nil {
		auth[Id("Session")] = Op("&").Qual(pkgService, "Session").Values(Dict{
			Id("CookieName"): Lit(ss.CookieName), Id("CSRFCookieName"): Lit(ss.CSRFCookieName), Id("CSRFHeaderName"): Lit(ss.CSRFHeaderName),
			Id("IdleTimeout"): duration(ss.IdleTimeout), Id("AbsoluteTimeout"): duration(ss.AbsoluteTimeout), Id("Path"): Lit(ss.Path),
		})
	}
	if t := s.Auth.Token; t != nil {
		auth[Id("Token")] = Op("&").Qual(pkgService, "Token").Values(Dict{Id("TTL"): duration(t.TTL), Id("Path"): Lit(t.Path)})
	}
	if b := s.Auth.Basic; b != nil {
		auth[Id("Basic")] = Op("&").Qual(pkgService, "Basic").Values(Dict{Id("Realm"): Lit(b.Realm)})
	}
	if s.Auth.MePath != "" {
		auth[Id("MePath")] = Lit(s.Auth.MePath)
	}
	thr := Dict{}
	if s.Throttle.TrustedProxies != 0 {
		thr[Id("TrustedProxies")] = Lit(s.Throttle.TrustedProxies)
	}
	for name, r := range map[string]*plan.Rate{"Anon": s.Throttle.Anon, "User": s.Throttle.User, "Login": s.Throttle.Login} {
		if r != nil {
			thr[Id(name)] = Lit(rateText(r))
		}
	}
	if s.Throttle.LoginRateEnv != "" {
		thr[Id("LoginRateEnv")] = Lit(s.Throttle.LoginRateEnv)
	}
	if len(s.Throttle.Scopes) > 0 {
		d := Dict{}
		for _, sc := range s.Throttle.Scopes {
			d[Lit(sc.Name)] = Lit(sc.Rate.Text)
		}
		thr[Id("Scopes")] = Map(String()).String().Values(d)
	}
	var tables []Code
	for _, r := range s.Resources {
		if r.Source != "" {
			continue
		}
		var cols []Code
		for _, fl := range r.Fields {
			c := Dict{Id("Name"): Lit(fl.Column), Id("Type"): Lit(string(fl.Type))}
			if fl.Nullable {
				c[Id("Nullable")] = True()
			}
			if t, ok := fl.Default.(time.Time); ok {
				c[Id("Default")] = Lit(t.UTC().Format(time.RFC3339Nano))
			} else if fl.Default != nil {
				c[Id("Default")] = Lit(fl.Default)
			}
			cols = append(cols, Values(c))
		}
		tables = append(tables, Values(Dict{Id("Name"): Lit(r.Table), Id("Columns"): Index().Qual(pkgSchema, "Column").Values(cols...)}))
	}
	def := Dict{
		Id("Name"):       Lit(s.Name),
		Id("EnvPrefix"):  Lit(s.EnvPrefix),
		Id("APIVersion"): Lit(1),
		Id("Auth"):       Qual(pkgService, "Auth").Values(auth),
		Id("Throttle"):   Qual(pkgService, "Throttle").Values(thr),
		Id("Mount"):      Id("Mount"),
	}
	if s.Health != "" {
		def[Id("Health")] = Lit(s.Health)
	}
	if len(s.CORSOrigins) > 0 {
		var o []Code
		for _, c := range s.CORSOrigins {
			o = append(o, Lit(c))
		}
		def[Id("CORSOrigins")] = Index().String().Values(o...)
	}
	if len(tables) > 0 {
		def[Id("Tables")] = Index().Qual(pkgSchema, "Table").Values(tables...)
	}
	f.Add(comment("Definition describes the %s service to the runtime: pass it to service.Main.", s.Name))
	f.Func().Id("Definition").Params().Op("*").Qual(pkgService, "Definition").Block(Return(Op("&").Qual(pkgService, "Definition").Values(def)))
	f.Line()
	var mounts []Code
	for _, r := range s.Resources {
		mounts = append(mounts, Id("mount"+exported(camel(r.Name))).Call(Id("r"), Id("app")))
	}
	f.Add(comment("Mount registers the routes of every resource on r."))
	f.Func().Id("Mount").Params(Id("r").Qual(pkgChi, "Router"), Id("app").Op("*").Qual(pkgRest, "App")).Block(mounts...)
	return g.file("service_gen.go", f)
}
