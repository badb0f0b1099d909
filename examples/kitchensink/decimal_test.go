package kitchensink_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestDecimals drives the offers resource's decimal fields (price:
// max_digits 10, decimal_places 2, min 0, required; cost: nullable, between
// 0.01 and 5000) over HTTP, on SQLite and PostgreSQL: DRF's DecimalField
// input and messages, strings with exactly two places out, exact storage,
// ordering as numbers.
func TestDecimals(t *testing.T) { dialects(t, testDecimals) }

func testDecimals(t *testing.T, e *env) {
	for _, c := range []struct {
		body string
		want string // the exact price (or error) in the answer
	}{
		{`{"name": "a", "price": "12.5"}`, `"12.50"`},
		{`{"name": "a", "price": 12.5}`, `"12.50"`},
		{`{"name": "a", "price": "1e2"}`, `"100.00"`},
		{`{"name": "a", "price": 0}`, `"0.00"`},
		{`{"name": "a", "price": " 7 "}`, `"7.00"`},
		{`{"name": "a", "price": "99999999.99"}`, `"99999999.99"`},
		{`{"name": "a", "price": 0.1}`, `"0.10"`},
		{`{"name": "a", "price": "abc"}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": ""}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": "1,5"}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": "NaN"}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": "Infinity"}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": true}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": []}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": {}}`, `{"price":["A valid number is required."]}`},
		{`{"name": "a", "price": "12345678901"}`, `{"price":["Ensure that there are no more than 10 digits in total."]}`},
		{`{"name": "a", "price": "9.990"}`, `{"price":["Ensure that there are no more than 2 decimal places."]}`},
		{`{"name": "a", "price": "0.001"}`, `{"price":["Ensure that there are no more than 2 decimal places."]}`},
		{`{"name": "a", "price": "123456789"}`, `{"price":["Ensure that there are no more than 8 digits before the decimal point."]}`},
		{`{"name": "a", "price": "-0.01"}`, `{"price":["Ensure this value is greater than or equal to 0."]}`},
		{`{"name": "a", "price": null}`, `{"price":["This field may not be null."]}`},
		{`{"name": "a"}`, `{"price":["This field is required."]}`},
		{`{"name": "a", "price": 1, "cost": 0}`, `{"cost":["Ensure this value is greater than or equal to 0.01."]}`},
		{`{"name": "a", "price": 1, "cost": "5000.01"}`, `{"cost":["Ensure this value is less than or equal to 5000."]}`},
	} {
		r := e.do(t, "POST", "/api/offers", "alice", c.body)
		if strings.HasPrefix(c.want, "{") {
			if r.status != 400 || strings.TrimSpace(string(r.body)) != c.want {
				t.Errorf("%s: %d %s, want 400 %s", c.body, r.status, r.body, c.want)
			}
			continue
		}
		if r.status != 201 || !strings.Contains(string(r.body), `"price":`+c.want+`,"cost":null`) {
			t.Errorf("%s: %d %s, want price %s", c.body, r.status, r.body, c.want)
		}
	}
	// The stored form: NUMERIC on PostgreSQL, the value times 100 in an
	// INTEGER on SQLite; either way exact.
	var stored string
	q := `SELECT CAST("price" AS TEXT) FROM "offers" WHERE "price" = ?`
	arg := any(int64(9999999999))
	if e.app.Dialect == "postgres" {
		q, arg = `SELECT "price"::text FROM "offers" WHERE "price" = $1`, "99999999.99"
	}
	if err := e.db.QueryRow(q, arg).Scan(&stored); err != nil || (stored != "9999999999" && stored != "99999999.99") {
		t.Fatalf("stored %q %v", stored, err)
	}

	// A nullable decimal: set, changed by PATCH, set back to null.
	p := e.mustCreate(t, "/api/offers", "alice", map[string]any{"name": "c", "price": "3", "cost": "2.5"})
	path := fmt.Sprintf("/api/offers/%v", p["id"])
	if p["cost"] != "2.50" {
		t.Fatalf("cost %v", p["cost"])
	}
	if r := e.do(t, "PATCH", path, "alice", `{"cost": 4999.99}`); r.status != 200 || !strings.Contains(string(r.body), `"price":"3.00","cost":"4999.99"`) {
		t.Fatalf("patch cost: %d %s", r.status, r.body)
	}
	if r := e.do(t, "PATCH", path, "alice", `{"cost": null}`); r.status != 200 || !strings.Contains(string(r.body), `"cost":null`) {
		t.Fatalf("patch cost null: %d %s", r.status, r.body)
	}

	// Lists order by price as numbers (descending), ties by id.
	r := e.do(t, "GET", "/api/offers?page_size=100", "alice", nil)
	var prices []string
	for _, o := range r.json(t)["results"].([]any) {
		prices = append(prices, o.(map[string]any)["price"].(string))
	}
	want := "99999999.99 100.00 12.50 12.50 7.00 3.00 0.10 0.00"
	if r.status != 200 || strings.Join(prices, " ") != want {
		t.Fatalf("order: %d %v, want %s", r.status, prices, want)
	}
}
