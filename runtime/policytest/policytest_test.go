package policytest_test

import (
	"strings"
	"testing"

	"github.com/wardhq/ward/examples/shop/shopapi"
	"github.com/wardhq/ward/runtime/policytest"
)

var shopResources = []policytest.Resource{
	{Name: "categories", Table: "categories"},
	{Name: "products", Table: "products", Columns: map[string]string{"active": "active"}},
	{Name: "orders", Table: "orders", Owner: "customer_id"},
	{Name: "reviews", Table: "reviews", Owner: "author_id", ParentParam: "product_id", ParentColumn: "product_id"},
}

// TestHarness drives the shop's handlers as the generated TestPolicy
// does, with expectations the handlers do and do not meet: a wrong one
// is reported with the spec's line, the caller and both statuses.
func TestHarness(t *testing.T) {
	cases := []policytest.Case{
		{Name: "own order", Line: 7, As: "owner(customer)", Auth: "token", Method: "GET", Route: "/api/orders/{id}", Resource: "orders", Object: "own", Expect: 200},
		{Name: "another's order", Line: 8, As: "owner(customer)", Auth: "jwt", Method: "GET", Route: "/api/orders/{id}", Resource: "orders", Object: "other", Expect: 404},
		{Name: "staff, another's order", Line: 9, As: "staff", Auth: "token", Method: "GET", Route: "/api/orders/{id}", Resource: "orders", Object: "other", Expect: 200},
		{Name: "anonymous list", Line: 10, As: "anonymous", Method: "GET", Route: "/api/orders", Resource: "orders", Expect: 401},
		{Name: "inactive product", Line: 11, As: "anonymous", Method: "GET", Route: "/api/products/{id}", Resource: "products", Object: "other", With: map[string]any{"active": false}, Expect: 404},
		{Name: "review of a visible product", Line: 12, As: "anonymous", Method: "GET", Route: "/api/products/{product_id}/reviews/{id}", Resource: "reviews", Object: "other", Expect: 200},
		{Name: "reviews list", Line: 13, As: "anonymous", Method: "GET", Route: "/api/products/{product_id}/reviews", Resource: "reviews", Expect: 200},
		{Name: "customer changes own order (wrong)", Line: 14, As: "owner(customer)", Auth: "token", Method: "PATCH", Route: "/api/orders/{id}", Resource: "orders", Object: "own", Body: `{"status":"paid"}`, Expect: 200},
	}
	h := policytest.Start(t, shopapi.Definition(), shopResources, cases)
	for _, c := range cases {
		code, body := h.Do(t, c)
		wrong := strings.HasSuffix(c.Name, "(wrong)")
		if (code == c.Expect) == wrong {
			t.Errorf("%s: got %d %s", c.Name, code, body)
		}
		if wrong {
			msg := policytest.Mismatch("api.yaml", c, code, body)
			want := `api.yaml:14: test "customer changes own order (wrong)": PATCH /api/orders/{id} as owner(customer): the handlers answered 403, the spec expects 200`
			if !strings.HasPrefix(msg, want) {
				t.Errorf("message:\n%s\nwant it to start with:\n%s", msg, want)
			}
		}
	}
}
