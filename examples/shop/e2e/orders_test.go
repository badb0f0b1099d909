package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// TestOrderDetails: a total beyond the price's 10 digits, a blank note, the
// default order of the list, and OPTIONS naming no hidden field.
func TestOrderDetails(t *testing.T) {
	sh := startShop(t)
	cat := sh.category(t, "Tools")
	p := sh.product(t, cat, "BIG-1", map[string]any{"price": "99999999.99", "stock": 300, "cost": "1.00"})
	pid := json.Number(str(p["id"]))

	// "99999999.99" x 100 is "9999999999.00": total has 12 digits.
	r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": pid, "quantity": 100, "note": "   "})
	e2ekit.Expect(t, "big order", r, 201)
	if o := r.JSON(t); o["total"] != "9999999999.00" || o["note"] != "" {
		t.Fatalf("big order: %s", r.Body)
	}
	first := str(r.JSON(t)["id"])
	r = sh.alice.Do("POST", "/api/orders", map[string]any{"product": pid, "quantity": 1})
	e2ekit.Expect(t, "second order", r, 201)
	second := str(r.JSON(t)["id"])
	r = sh.alice.Do("POST", "/api/orders", map[string]any{"product": pid, "quantity": 1})
	e2ekit.Expect(t, "third order", r, 201)
	third := str(r.JSON(t)["id"])

	// Default order: -created_at, then -id.
	r = sh.alice.Do("GET", "/api/orders", nil)
	e2ekit.Expect(t, "list", r, 200)
	var ids []string
	for _, o := range r.JSON(t)["results"].([]any) {
		ids = append(ids, str(o.(map[string]any)["id"]))
	}
	if strings.Join(ids, ",") != strings.Join([]string{third, second, first}, ",") {
		t.Errorf("order list ids %v, want newest first [%s %s %s]", ids, third, second, first)
	}

	// OPTIONS never names a field the caller cannot see.
	for _, c := range []*e2ekit.Client{sh.anon, sh.alice} {
		r = c.Do("OPTIONS", "/api/products/"+string(pid), nil)
		e2ekit.Expect(t, "OPTIONS product", r, 200)
		if strings.Contains(string(r.Body), "cost") {
			t.Errorf("OPTIONS body names cost: %s", r.Body)
		}
	}
}
