package golang

import (
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/policy"
)

const pkgPolicyTest = "github.com/wardhq/ward/runtime/policytest"

// PolicyTestFile is the file, in the output folder, that runs the spec's
// policy tests (tests:) with go test.
const PolicyTestFile = "policy_gen_test.go"

// policyTests writes PolicyTestFile when the spec has tests: TestPolicy
// runs each against the generated handlers (runtime/policytest).
func (g *gen) policyTests() error {
	s := g.svc
	if len(s.Tests) == 0 {
		return nil
	}
	f := g.newFile()
	f.ImportName(pkgPolicyTest, "policytest")
	var cases []Code
	with := map[string]map[string]bool{}
	for _, t := range s.Tests {
		cases = append(cases, policyCase(s, t))
		for _, v := range t.With {
			if with[t.Resource] == nil {
				with[t.Resource] = map[string]bool{}
			}
			with[t.Resource][v.Field] = true
		}
	}
	var res []Code
	for _, r := range s.Resources {
		if r.Source == "" {
			res = append(res, policyResource(r, with[r.Name]))
		}
	}
	f.Add(comment("TestPolicy runs the policy tests of %s (tests:) against the generated handlers:", specName(s.SpecFile)))
	f.Add(comment("a fresh SQLite database, real users and objects, each request over httptest. A failure"))
	f.Add(comment("names the test's line in the spec: the handlers answer otherwise than it expects."))
	f.Func().Id("TestPolicy").Params(Id("t").Op("*").Qual("testing", "T")).Block(
		Qual(pkgPolicyTest, "Run").Call(Id("t"), Id("Definition").Call(), Lit(s.SpecFile),
			Index().Qual(pkgPolicyTest, "Resource").Values(res...),
			Index().Qual(pkgPolicyTest, "Case").Values(cases...)),
	)
	return g.file(PolicyTestFile, f)
}

func policyResource(r *plan.Resource, with map[string]bool) Code {
	d := Dict{Id("Name"): Lit(r.Name), Id("Table"): Lit(r.Table)}
	if r.Owner != nil {
		d[Id("Owner")] = Lit(r.Owner.Column)
	}
	if r.Parent != nil {
		if i := strings.Index(r.Path, "{"); i >= 0 {
			d[Id("ParentParam")] = Lit(r.Path[i+1 : i+strings.Index(r.Path[i:], "}")])
		}
		for _, f := range r.Fields {
			if f.Name == r.Parent.Field {
				d[Id("ParentColumn")] = Lit(f.Column)
			}
		}
	}
	if len(with) > 0 {
		cols := Dict{}
		for _, f := range r.Fields {
			if with[f.Name] {
				cols[Lit(f.Name)] = Lit(f.Column)
			}
		}
		d[Id("Columns")] = Map(String()).String().Values(cols)
	}
	return Values(d)
}

func policyCase(s *plan.Service, t *plan.Test) Code {
	auth, _ := policy.TestAuth(s, t)
	d := Dict{
		Id("Name"): Lit(t.Name), Id("Line"): Lit(t.Pos.Line), Id("As"): Lit(t.As),
		Id("Method"): Lit(t.Method), Id("Route"): Lit(t.Route), Id("Resource"): Lit(t.Resource),
		Id("Expect"): Lit(t.Expect),
	}
	if auth != "" {
		d[Id("Auth")] = Lit(auth)
	}
	if t.Object != "" {
		d[Id("Object")] = Lit(t.Object)
	}
	if t.Body != "" {
		d[Id("Body")] = Lit(t.Body)
	}
	if len(t.With) > 0 {
		w := Dict{}
		for _, v := range t.With {
			w[Lit(v.Field)] = Lit(v.Value)
		}
		d[Id("With")] = Map(String()).Any().Values(w)
	}
	return Values(d)
}
