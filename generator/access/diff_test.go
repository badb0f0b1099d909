package access

import (
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/spec"
)

func load(t testing.TB, src string) *plan.Service {
	t.Helper()
	svc, err := spec.Load("api.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

const ordersHead = `version: 1
service: {name: shop}
authentication:
  default: [jwt]
  jwt: {key_env: S_JWT_KEY}
permissions:
  classes:
    IsCustomer:
      rule: {owner: customer}
      acknowledge: {unused: "the new version drops it"}
resources:
  orders:
    path: /api/orders
    fields:
      customer: {type: user, owner: true}
      quantity: {type: int, required: true}
`

// TestDiffIssueExample is issue 14's story: orders narrowed to their
// owners become IsAuthenticated with public: true, and every order is
// visible to every user. The diff names exactly what widened: an
// authenticated user (and staff) on another's order.
func TestDiffIssueExample(t *testing.T) {
	old := load(t, ordersHead+"    permissions: IsAuthenticated & IsCustomer\n")
	nw := load(t, ordersHead+"    permissions: IsAuthenticated\n    public: true\n    reason: every user audits the orders\n")
	rep := Diff(old, nw)
	var widened []string
	reason := false
	for _, c := range rep.Changes {
		t.Log(c)
		if c.What == "acknowledgement public" && c.New == "true, because every user audits the orders" {
			reason = true
		}
		if c.Kind == Widened {
			widened = append(widened, c.Endpoint+" as "+c.Caller)
		}
	}
	want := []string{
		"GET /api/orders as authenticated", "GET /api/orders as staff",
		"GET /api/orders/{id} as authenticated", "GET /api/orders/{id} as staff",
		"PUT /api/orders/{id} as authenticated", "PUT /api/orders/{id} as staff",
		"PATCH /api/orders/{id} as authenticated", "PATCH /api/orders/{id} as staff",
		"DELETE /api/orders/{id} as authenticated", "DELETE /api/orders/{id} as staff",
	}
	if !reason {
		t.Error("the diff does not give the reason of public: true")
	}
	if strings.Join(widened, "\n") != strings.Join(want, "\n") {
		t.Errorf("widened:\n%s\nwant:\n%s", strings.Join(widened, "\n"), strings.Join(want, "\n"))
	}
	if !rep.Widened() {
		t.Error("Widened() = false")
	}
	// The other way round narrows the same pairs and widens nothing.
	back := Diff(nw, old)
	if back.Widened() || back.Count(Narrowed) != len(want) {
		t.Errorf("reverse: %d widened, %d narrowed; want 0 and %d", back.Count(Widened), back.Count(Narrowed), len(want))
	}
}

const goHead = `version: 1
service: {name: g}
authentication:
  default: [jwt]
  jwt: {key_env: G_JWT_KEY}
permissions:
  classes:
    Keeper: {check: go, read_scope: all, acknowledge: {unused: "the diffs below use it"}}
    Narrow: {check: go, read_scope: {owner: owner}, acknowledge: {unused: "the diffs below use it"}}
resources:
  things:
    path: /api/things
    fields:
      owner: {type: user, owner: true}
`

// TestDiffGoClasses: what a check: go class decides is not Ward's to
// judge; a change in where it is used, or in its read scope, is listed as
// review by hand, and a widening around it is still a widening.
func TestDiffGoClasses(t *testing.T) {
	cases := []struct {
		name, old, new string
		widened        bool
		review         string // a change of kind Review whose What contains this
	}{
		{"class added", "    permissions: IsAuthenticated & Narrow\n", "    permissions: IsAuthenticated & Narrow & Keeper\n", false, "hand-written classes"},
		{"scope widened", "    permissions: IsAuthenticated & Narrow\n", "    permissions: IsAuthenticated & Keeper\n    public: true\n    reason: r\n", true, "hand-written classes"},
		{"decided by Keeper both ways", "    permissions: IsAuthenticated & Keeper\n    public: true\n    reason: r\n", "    permissions: Keeper\n    public: true\n    allow_anonymous_writes: true\n    reason: r\n", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Diff(load(t, goHead+c.old), load(t, goHead+c.new))
			for _, ch := range rep.Changes {
				t.Log(ch)
			}
			if rep.Widened() != c.widened {
				t.Errorf("Widened() = %v, want %v", rep.Widened(), c.widened)
			}
			if c.review != "" {
				found := false
				for _, ch := range rep.Changes {
					found = found || ch.Kind == Review && strings.Contains(ch.What, c.review)
				}
				if !found {
					t.Errorf("no review change about %q", c.review)
				}
			}
		})
	}
}
