package kitchensink_test

import (
	"fmt"
	"strings"
	"testing"
)

// deliveryRow is the stored status, whether cost is set (its value is
// stored per dialect; responses show it) and coupon of a delivery.
func deliveryRow(t *testing.T, e *env, id any) string {
	t.Helper()
	var status string
	var cost, coupon *string
	if err := e.db.QueryRow(fmt.Sprint(`SELECT status, CASE WHEN cost IS NULL THEN NULL ELSE 'set' END, coupon FROM deliveries WHERE id = `, id)).Scan(&status, &cost, &coupon); err != nil {
		t.Fatal(err)
	}
	s := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	return status + " " + s(cost) + " " + s(coupon)
}

// TestFieldPermissions: the matrix caller × field × action of deliveries.
// status is set by staff only, cost read and set by staff only, coupon set
// on create only. A refused write is 403 naming the field, and leaves the
// row as it was; a hidden field is absent from every response.
func TestFieldPermissions(t *testing.T) { dialects(t, testFieldPermissions) }

func testFieldPermissions(t *testing.T, e *env) {
	mine := e.mustCreate(t, "/api/deliveries", "alice", map[string]any{"address": "1 Main St", "coupon": "A", "parcel": 7})
	if _, shown := mine["cost"]; shown || mine["status"] != "new" || mine["coupon"] != "A" {
		t.Fatalf("alice's create answered %v", mine)
	}
	staff := e.mustCreate(t, "/api/deliveries", "root", map[string]any{"address": "2 High St", "status": "paid", "cost": "12.5", "parcel": 1})
	if staff["cost"] != "12.50" || staff["status"] != "paid" {
		t.Fatalf("root's create answered %v", staff)
	}
	id := fmt.Sprint(mine["id"])
	path := "/api/deliveries/" + id
	denied := func(f string) string { return `{"detail":"You do not have permission to set the field ` + f + `."}` }
	cases := []struct {
		name, user, method, path string
		body                     map[string]any
		status                   int
		want                     string // in the body
		hidden                   bool   // "cost" absent from the body
		row                      string // the stored status, cost, coupon after it
	}{
		{"customer creates with status", "alice", "POST", "/api/deliveries", map[string]any{"address": "x", "status": "shipped"}, 403, denied("status"), true, "new null A"},
		{"403 before any validation", "alice", "POST", "/api/deliveries", map[string]any{"status": nil}, 403, denied("status"), true, "new null A"},
		{"customer creates with cost", "alice", "POST", "/api/deliveries", map[string]any{"address": "x", "cost": "0.01"}, 403, denied("cost"), true, "new null A"},
		{"customer sets status", "alice", "PATCH", path, map[string]any{"status": "shipped"}, 403, denied("status"), true, "new null A"},
		{"customer sets cost to null", "alice", "PATCH", path, map[string]any{"cost": nil}, 403, denied("cost"), true, "new null A"},
		{"customer replaces with status", "alice", "PUT", path, map[string]any{"address": "3 Low St", "status": "new"}, 403, denied("status"), true, "new null A"},
		{"customer reads", "alice", "GET", path, nil, 200, `"status":"new"`, true, "new null A"},
		{"customer lists", "alice", "GET", "/api/deliveries", nil, 200, `"coupon":"A"`, true, "new null A"},
		{"customer changes the address", "alice", "PATCH", path, map[string]any{"address": "4 Elm St"}, 200, `"address":"4 Elm St"`, true, "new null A"},
		{"coupon is create_only (patch)", "alice", "PATCH", path, map[string]any{"coupon": "B"}, 200, `"coupon":"A"`, true, "new null A"},
		{"coupon is create_only (put)", "alice", "PUT", path, map[string]any{"address": "5 Oak St", "coupon": "C", "parcel": 8}, 200, `"coupon":"A","parcel":7`, true, "new null A"},
		{"parcel is required on create", "alice", "POST", "/api/deliveries", map[string]any{"address": "x"}, 400, `{"parcel":["This field is required."]}`, true, "new null A"},
		{"parcel is not required on put", "alice", "PUT", path, map[string]any{"address": "5 Oak St"}, 200, `"parcel":7`, true, "new null A"},
		{"staff sets status and cost", "root", "PATCH", path, map[string]any{"status": "shipped", "cost": "3"}, 200, `"cost":"3.00"`, false, "shipped set A"},
		{"staff reads", "root", "GET", path, nil, 200, `"cost":"3.00"`, false, "shipped set A"},
		{"staff lists", "root", "GET", "/api/deliveries", nil, 200, `"cost":"12.50"`, false, "shipped set A"},
		{"staff cannot change the coupon", "root", "PATCH", path, map[string]any{"coupon": "D"}, 200, `"coupon":"A"`, false, "shipped set A"},
		{"customer reads after staff", "alice", "GET", path, nil, 200, `"status":"shipped"`, true, "shipped set A"},
		{"another customer", "bob", "PATCH", path, map[string]any{"status": "new"}, 404, "", true, "shipped set A"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.method, c.path, c.user, c.body)
			if r.status != c.status || (c.want != "" && !strings.Contains(string(r.body), c.want)) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, c.status, c.want)
			}
			if hidden := !strings.Contains(string(r.body), `"cost"`); hidden != c.hidden {
				t.Errorf("cost hidden = %v in %s, want %v", hidden, r.body, c.hidden)
			}
			if got := deliveryRow(t, e, id); got != c.row {
				t.Errorf("stored %q, want %q", got, c.row)
			}
		})
	}
	var n int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d deliveries (%v), want the 2 created", n, err)
	}
}
