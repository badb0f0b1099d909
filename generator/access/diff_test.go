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
	nw := load(t, ordersHead+"    permissions: IsAuthenticated\n    public: true\n")
	rep := Diff(old, nw)
	var widened []string
	for _, c := range rep.Changes {
		t.Log(c)
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
