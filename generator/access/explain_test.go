package access

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardhq/ward/generator/spec"
)

// TestExplain checks the steps explain prints: the chain, each class's
// request check, the scope's SQL as the runtime's scope functions build
// it for the caller, the object checks, the outcome.
func TestExplain(t *testing.T) {
	cases := []struct {
		spec, endpoint, as string
		want               []string
	}{
		{"fieldperms", "PATCH /orders/{id}", "owner", []string{
			"as owner(customer)",
			"- IsAdminUser (built-in: a staff user): request check fails",
			`SQL: SELECT ... FROM "orders" WHERE "id" = ? AND ("customer_id" = ?)  -- args [{id} 1]`,
			"field rules (request only): status: seen yes, may send no (403 when sent otherwise); cost: seen no, may send no",
			"on the object, as stored",
			"on the object, as it will be written",
			"outcome: 200",
		}},
		{"fieldperms", "GET /orders", "staff", []string{
			// IsAdminUser's guard passes: its branch lifts every restriction.
			"SQL: SELECT ... FROM \"orders\"\n",
			"outcome: 200 listed",
		}},
		{"fieldperms", "GET /orders/{id}", "anonymous", []string{
			"no credentials: anonymous",
			"=> fails; refused: 401 with WWW-Authenticate: Bearer realm=\"api\"",
			"outcome: 401",
		}},
		{"valuerule", "GET /crates/{id}", "authenticated", []string{
			// FirstShelf's request check is hand-written: its branch is a comment.
			`/* if FirstShelf passes, else 1 = 0 */ "shelf" = ?`,
			"FirstShelf (check: go, written by hand): request check depends on hand-written code: review by hand",
			"outcome: shelf = 1, state = \"stock\": 200;",
		}},
		{"builtins", "DELETE /model", "perm:model.delete", []string{
			"action destroy (checked as; the route does not support DELETE)",
			"the route does not support DELETE: 405",
			"outcome: 405",
		}},
		{"goscope", "GET /docs/{id}", "authenticated", []string{
			"no challenge (a refused anonymous caller gets 403)",
			"/* what TeamScope(req) returns */ TRUE",
		}},
	}
	for _, c := range cases {
		t.Run(c.spec+" "+c.endpoint+" "+c.as, func(t *testing.T) {
			svc, err := spec.LoadFile(filepath.Join("..", "testdata", c.spec, "api.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			out, err := Explain(svc, c.endpoint, c.as)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
		})
	}
	svc, err := spec.LoadFile(filepath.Join("..", "testdata", "fieldperms", "api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Explain(svc, "GET /nowhere", "staff"); err == nil || !strings.Contains(err.Error(), "no endpoint") {
		t.Errorf("unknown endpoint: %v", err)
	}
	if _, err := Explain(svc, "get /orders", "nobody"); err == nil || !strings.Contains(err.Error(), `no caller "nobody"`) {
		t.Errorf("unknown caller: %v", err)
	}
}
