package e2e

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// shop is one running shop with its three users signed in.
type shop struct {
	s                *e2ekit.Server
	anon, alice, bob *e2ekit.Client
	root             *e2ekit.Client
}

func startShop(t *testing.T, env ...string) *shop {
	t.Helper()
	s := svc.StartServer(t, env...)
	return &shop{s: s, anon: s.Client(), alice: s.As("alice", "alice-pass-1"), bob: s.As("bob", "bob-pass-1"), root: s.As("root", "root-pass-1")}
}

// id returns the "id" of a created object.
func id(t *testing.T, r e2ekit.Response) string {
	t.Helper()
	v, ok := r.JSON(t)["id"].(float64)
	if !ok {
		t.Fatalf("no id in %s", r.Body)
	}
	return fmt.Sprint(int64(v))
}

func (sh *shop) category(t *testing.T, name string) string {
	t.Helper()
	r := sh.root.Do("POST", "/api/categories", map[string]any{"name": name})
	e2ekit.Expect(t, "create category "+name, r, 201)
	return id(t, r)
}

// product creates a product as staff; fields override the defaults.
func (sh *shop) product(t *testing.T, category, sku string, fields map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"name": "Product " + sku, "sku": sku, "category": json.Number(category), "price": "19.99", "stock": 10}
	for k, v := range fields {
		body[k] = v
	}
	r := sh.root.Do("POST", "/api/products", body)
	e2ekit.Expect(t, "create product "+sku, r, 201)
	return r.JSON(t)
}

func str(v any) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// errorsOf returns the field errors of a 400 body.
func errorsOf(t *testing.T, r e2ekit.Response) map[string][]string {
	t.Helper()
	var m map[string][]string
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %s is not field errors: %v", r.Body, err)
	}
	return m
}

const (
	notProvided = "Authentication credentials were not provided."
	forbidden   = "You do not have permission to perform this action."
	notFound    = "Not found."
	protected   = "Cannot delete: other objects refer to it."
)

// TestShopContract drives one shop process through the contract lines Ward
// can say today (issue 12): authentication and permissions, field
// visibility, decimals, references, uniqueness, the order hook, delete
// protection and the order of checks.
func TestShopContract(t *testing.T) { onEachBackend(t, testShopContract) }

func testShopContract(t *testing.T, sh *shop) {
	cat := sh.category(t, "Tools")
	emptyCat := sh.category(t, "Empty")
	p := sh.product(t, cat, "HAM-1", map[string]any{"cost": "7", "stock": 5})
	pid := str(p["id"])
	inactive := sh.product(t, cat, "OLD-1", map[string]any{"active": false})
	inactiveID := str(inactive["id"])
	r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": json.Number(pid), "quantity": 1})
	e2ekit.Expect(t, "alice's order", r, 201)
	aliceOrder := id(t, r)
	r = sh.bob.Do("POST", "/api/orders", map[string]any{"product": json.Number(pid), "quantity": 1})
	e2ekit.Expect(t, "bob's order", r, 201)
	bobOrder := id(t, r)

	t.Run("permissions", func(t *testing.T) {
		basic := sh.s.Client()
		basic.Auth = "Basic " + "YWxpY2U6YWxpY2UtcGFzcy0x" // alice:alice-pass-1, a scheme no class handles
		badJWT := sh.s.Client()
		badJWT.Auth = "Bearer not.a.jwt"
		badToken := sh.s.Client()
		badToken.Auth = "Token 0123456789abcdef"
		for _, tc := range []struct {
			name         string
			c            *e2ekit.Client
			method, path string
			body         any
			status       int
			detail       string
		}{
			{"health is open", sh.anon, "GET", "/api/health", nil, 200, ""},
			{"bad JWT on health", badJWT, "GET", "/api/health", nil, 401, ""},
			{"unknown token on the product list", badToken, "GET", "/api/products", nil, 401, ""},
			{"Basic is anonymous: products", basic, "GET", "/api/products", nil, 200, ""},
			{"Basic is anonymous: orders", basic, "GET", "/api/orders", nil, 401, notProvided},
			{"no session routes", sh.anon, "POST", "/auth/session/login", map[string]any{"username": "alice", "password": "alice-pass-1"}, 404, ""},
			{"anonymous categories", sh.anon, "GET", "/api/categories", nil, 200, ""},
			{"anonymous category create", sh.anon, "POST", "/api/categories", map[string]any{"name": "X"}, 401, notProvided},
			{"customer category create", sh.alice, "POST", "/api/categories", map[string]any{"name": "X"}, 403, forbidden},
			{"customer category delete", sh.alice, "DELETE", "/api/categories/" + emptyCat, nil, 403, forbidden},
			{"anonymous orders", sh.anon, "GET", "/api/orders", nil, 401, notProvided},
			{"anonymous order", sh.anon, "GET", "/api/orders/" + aliceOrder, nil, 401, notProvided},
			{"customer own order", sh.alice, "GET", "/api/orders/" + aliceOrder, nil, 200, ""},
			{"customer other's order", sh.alice, "GET", "/api/orders/" + bobOrder, nil, 404, notFound},
			{"staff any order", sh.root, "GET", "/api/orders/" + bobOrder, nil, 200, ""},
			{"customer patches own order", sh.alice, "PATCH", "/api/orders/" + aliceOrder, map[string]any{}, 403, forbidden},
			{"customer deletes own order", sh.alice, "DELETE", "/api/orders/" + aliceOrder, nil, 403, forbidden},
			{"customer patches other's order", sh.alice, "PATCH", "/api/orders/" + bobOrder, map[string]any{}, 404, notFound},
			{"anonymous users", sh.anon, "GET", "/api/users", nil, 401, notProvided},
			{"customer users", sh.alice, "GET", "/api/users", nil, 403, forbidden},
			{"staff users", sh.root, "GET", "/api/users", nil, 200, ""},
			{"staff user create", sh.root, "POST", "/api/users", map[string]any{}, 405, `Method "POST" not allowed.`},
			{"inactive product for anonymous", sh.anon, "GET", "/api/products/" + inactiveID, nil, 404, notFound},
			{"inactive product for a customer", sh.alice, "GET", "/api/products/" + inactiveID, nil, 404, notFound},
			{"inactive product for staff", sh.root, "GET", "/api/products/" + inactiveID, nil, 200, ""},
			{"trailing slash", sh.anon, "GET", "/api/products/", nil, 404, ""},
			{"path id not an integer", sh.anon, "GET", "/api/products/abc", nil, 404, notFound},
			{"path id zero", sh.anon, "GET", "/api/products/0", nil, 404, notFound},
			{"path id negative", sh.anon, "GET", "/api/products/-1", nil, 404, notFound},
			{"path id with a fraction", sh.anon, "GET", "/api/categories/1.0", nil, 404, notFound},
			{"path id unknown", sh.anon, "GET", "/api/categories/9999", nil, 404, notFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(tc.method, tc.path, tc.body)
				e2ekit.Expect(t, tc.method+" "+tc.path, r, tc.status)
				if tc.detail != "" && r.Detail(t) != tc.detail {
					t.Fatalf("detail %q, want %q", r.Detail(t), tc.detail)
				}
				if tc.status == 401 && r.Header.Get("WWW-Authenticate") != `Bearer realm="api"` {
					t.Fatalf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
				}
			})
		}
	})

	t.Run("allow", func(t *testing.T) {
		for path, allow := range map[string]string{
			"/api/health":               "GET, HEAD, OPTIONS",
			"/api/categories":           "GET, POST, HEAD, OPTIONS",
			"/api/products":             "GET, POST, HEAD, OPTIONS",
			"/api/orders":               "GET, POST, HEAD, OPTIONS",
			"/api/categories/" + cat:    "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
			"/api/products/" + pid:      "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
			"/api/orders/" + aliceOrder: "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
			"/api/users":                "GET, HEAD, OPTIONS",
			"/api/users/1":              "GET, HEAD, OPTIONS",
		} {
			r := sh.anon.Do("OPTIONS", path, nil)
			e2ekit.Expect(t, "OPTIONS "+path, r, 200)
			if got := r.Header.Get("Allow"); got != allow {
				t.Errorf("OPTIONS %s: Allow %q, want %q", path, got, allow)
			}
		}
		r := sh.anon.Do("DELETE", "/api/health", nil)
		e2ekit.Expect(t, "DELETE /api/health", r, 405)
		if r.Detail(t) != `Method "DELETE" not allowed.` || r.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Fatalf("405: %s, Allow %q", r.Body, r.Header.Get("Allow"))
		}
	})

	t.Run("cost is staff only", func(t *testing.T) {
		noCost := sh.product(t, cat, "NOCOST-1", nil)
		if v, ok := noCost["cost"]; !ok || v != nil {
			t.Fatalf("staff create without cost: %v", noCost)
		}
		staff := []string{"active", "category", "cost", "created_at", "id", "name", "price", "sku", "stock"}
		others := []string{"active", "category", "created_at", "id", "name", "price", "sku", "stock"}
		for _, tc := range []struct {
			who  string
			c    *e2ekit.Client
			want []string
		}{{"staff", sh.root, staff}, {"customer", sh.alice, others}, {"anonymous", sh.anon, others}} {
			r := tc.c.Do("GET", "/api/products/"+pid, nil)
			e2ekit.Expect(t, tc.who+" retrieve", r, 200)
			obj := r.JSON(t)
			if got := keys(obj); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s retrieve keys %v, want %v", tc.who, got, tc.want)
			}
			if tc.who == "staff" && obj["cost"] != "7.00" {
				t.Errorf("staff cost %v, want \"7.00\"", obj["cost"])
			}
			r = tc.c.Do("GET", "/api/products", nil)
			e2ekit.Expect(t, tc.who+" list", r, 200)
			for _, o := range r.JSON(t)["results"].([]any) {
				if got := keys(o.(map[string]any)); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s list keys %v, want %v", tc.who, got, tc.want)
				}
			}
		}
		// A customer's write is refused whole, cost included.
		r := sh.alice.Do("PATCH", "/api/products/"+pid, map[string]any{"cost": "1.00"})
		e2ekit.Expect(t, "customer sets cost", r, 403)
		if sh.root.Do("GET", "/api/products/"+pid, nil).JSON(t)["cost"] != "7.00" {
			t.Fatal("a refused write changed the cost")
		}
	})

	t.Run("inactive products are hidden from others", func(t *testing.T) {
		for _, tc := range []struct {
			who   string
			c     *e2ekit.Client
			shown bool
		}{{"staff", sh.root, true}, {"customer", sh.alice, false}, {"anonymous", sh.anon, false}} {
			r := tc.c.Do("GET", "/api/products", nil)
			e2ekit.Expect(t, tc.who+" list", r, 200)
			found := false
			for _, o := range r.JSON(t)["results"].([]any) {
				found = found || str(o.(map[string]any)["id"]) == inactiveID
			}
			if found != tc.shown {
				t.Errorf("%s: inactive product listed %v, want %v", tc.who, found, tc.shown)
			}
		}
	})

	t.Run("decimals", func(t *testing.T) {
		for i, tc := range []struct {
			price any
			want  string // the price shown, or the error
			ok    bool
		}{
			{"12.5", "12.50", true},
			{json.Number("12.5"), "12.50", true},
			{"1e2", "100.00", true},
			{" 7 ", "7.00", true},
			{json.Number("0"), "0.00", true},
			{"99999999.99", "99999999.99", true},
			{"abc", "A valid number is required.", false},
			{"", "A valid number is required.", false},
			{"1,5", "A valid number is required.", false},
			{"NaN", "A valid number is required.", false},
			{true, "A valid number is required.", false},
			{[]any{}, "A valid number is required.", false},
			{"12345678901", "Ensure that there are no more than 10 digits in total.", false},
			{"9.990", "Ensure that there are no more than 2 decimal places.", false},
			{"0.001", "Ensure that there are no more than 2 decimal places.", false},
			{"123456789", "Ensure that there are no more than 8 digits before the decimal point.", false},
			{"-1", "Ensure this value is greater than or equal to 0.", false},
			{nil, "This field may not be null.", false},
		} {
			body := map[string]any{"name": "D", "sku": fmt.Sprintf("DEC-%d", i), "category": json.Number(cat), "price": tc.price}
			r := sh.root.Do("POST", "/api/products", body)
			if tc.ok {
				e2ekit.Expect(t, fmt.Sprintf("price %v", tc.price), r, 201)
				if got := r.JSON(t)["price"]; got != tc.want {
					t.Errorf("price %v shown as %v, want %q", tc.price, got, tc.want)
				}
				continue
			}
			e2ekit.Expect(t, fmt.Sprintf("price %v", tc.price), r, 400)
			if got := errorsOf(t, r); !reflect.DeepEqual(got, map[string][]string{"price": {tc.want}}) {
				t.Errorf("price %v: %v, want %q", tc.price, got, tc.want)
			}
		}
	})

	t.Run("references", func(t *testing.T) {
		for _, tc := range []struct {
			category any
			want     string
		}{
			{"5", "Incorrect type. Expected pk value, received str."},
			{true, "Incorrect type. Expected pk value, received bool."},
			{json.Number("1.5"), "Incorrect type. Expected pk value, received float."},
			{map[string]any{}, "Incorrect type. Expected pk value, received dict."},
			{[]any{}, "Incorrect type. Expected pk value, received list."},
			{nil, "This field may not be null."},
			{json.Number("9999"), `Invalid pk "9999" - object does not exist.`},
		} {
			r := sh.root.Do("POST", "/api/products", map[string]any{"name": "R", "sku": "REF-1", "category": tc.category, "price": "1"})
			e2ekit.Expect(t, fmt.Sprintf("category %v", tc.category), r, 400)
			if got := errorsOf(t, r); !reflect.DeepEqual(got, map[string][]string{"category": {tc.want}}) {
				t.Errorf("category %v: %v, want %q", tc.category, got, tc.want)
			}
		}
		// An inactive product is invisible to a customer, so naming it is
		// the message of a nonexistent id; staff may order it.
		r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": json.Number(inactiveID), "quantity": 1})
		e2ekit.Expect(t, "customer orders an inactive product", r, 400)
		want := map[string][]string{"product": {`Invalid pk "` + inactiveID + `" - object does not exist.`}}
		if got := errorsOf(t, r); !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		r = sh.root.Do("POST", "/api/orders", map[string]any{"product": json.Number(inactiveID), "quantity": 1})
		e2ekit.Expect(t, "staff orders an inactive product", r, 201)
	})

	t.Run("uniqueness", func(t *testing.T) {
		r := sh.root.Do("POST", "/api/products", map[string]any{"name": "Dup", "sku": "HAM-1", "category": json.Number(cat), "price": "1"})
		e2ekit.Expect(t, "duplicate sku", r, 400)
		if got := errorsOf(t, r); !reflect.DeepEqual(got, map[string][]string{"sku": {"product with this sku already exists."}}) {
			t.Errorf("duplicate sku: %v", got)
		}
		// Among all products, active or not.
		r = sh.root.Do("POST", "/api/products", map[string]any{"name": "Dup", "sku": "OLD-1", "category": json.Number(cat), "price": "1"})
		e2ekit.Expect(t, "duplicate sku of an inactive product", r, 400)
		// Case-sensitive, and an update keeping its own sku is no duplicate.
		sh.product(t, cat, "ham-1", nil)
		r = sh.root.Do("PUT", "/api/products/"+pid, map[string]any{"name": "Hammer", "sku": "HAM-1", "category": json.Number(cat), "price": "19.99", "stock": 5})
		e2ekit.Expect(t, "PUT keeping its sku", r, 200)
		r = sh.root.Do("POST", "/api/categories", map[string]any{"name": "Tools"})
		e2ekit.Expect(t, "duplicate category", r, 400)
		if got := errorsOf(t, r); !reflect.DeepEqual(got, map[string][]string{"name": {"category with this name already exists."}}) {
			t.Errorf("duplicate category: %v", got)
		}
		e2ekit.Expect(t, "PATCH keeping its name", sh.root.Do("PATCH", "/api/categories/"+cat, map[string]any{"name": "Tools"}), 200)
	})

	t.Run("orders", func(t *testing.T) {
		q := sh.product(t, cat, "ORD-1", map[string]any{"price": "19.99", "stock": 4})
		qid := json.Number(str(q["id"]))
		stock := func() float64 {
			t.Helper()
			return sh.root.Do("GET", "/api/products/"+string(qid), nil).JSON(t)["stock"].(float64)
		}
		r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": qid, "quantity": 3, "note": "  gift  "})
		e2ekit.Expect(t, "order", r, 201)
		o := r.JSON(t)
		want := map[string]any{"customer": "alice", "product": q["id"], "quantity": float64(3), "status": "pending", "note": "gift", "total": "59.97"}
		for k, v := range want {
			if o[k] != v {
				t.Errorf("order %s = %v, want %v", k, o[k], v)
			}
		}
		if got := keys(o); !reflect.DeepEqual(got, []string{"created_at", "customer", "id", "note", "product", "quantity", "status", "total"}) {
			t.Errorf("order keys %v", got)
		}
		oid := str(o["id"])
		if s := stock(); s != 1 {
			t.Fatalf("stock after ordering 3 of 4: %v", s)
		}
		r = sh.alice.Do("POST", "/api/orders", map[string]any{"product": qid, "quantity": 2})
		e2ekit.Expect(t, "short stock", r, 400)
		if got := errorsOf(t, r); !reflect.DeepEqual(got, map[string][]string{"quantity": {"Not enough stock."}}) {
			t.Errorf("short stock: %v", got)
		}
		if s := stock(); s != 1 {
			t.Fatalf("a refused order changed the stock: %v", s)
		}
		// status from a customer: 403 whatever the value, before validation.
		for _, status := range []any{"pending", nil, "shipped"} {
			r = sh.alice.Do("POST", "/api/orders", map[string]any{"product": qid, "quantity": 1000, "status": status})
			e2ekit.Expect(t, fmt.Sprintf("customer sends status %v", status), r, 403)
			if r.Detail(t) != "You do not have permission to set the field status." {
				t.Errorf("detail %q", r.Detail(t))
			}
		}
		for _, tc := range []struct {
			body any
			want map[string][]string
		}{
			{map[string]any{}, map[string][]string{"product": {"This field is required."}, "quantity": {"This field is required."}}},
			{map[string]any{"product": qid, "quantity": 0}, map[string][]string{"quantity": {"Ensure this value is greater than or equal to 1."}}},
			{map[string]any{"product": qid, "quantity": 101}, map[string][]string{"quantity": {"Ensure this value is less than or equal to 100."}}},
			{map[string]any{"product": qid, "quantity": 1, "note": strings.Repeat("é", 501)}, map[string][]string{"note": {"Ensure this field has no more than 500 characters."}}},
		} {
			r = sh.alice.Do("POST", "/api/orders", tc.body)
			e2ekit.Expect(t, fmt.Sprintf("order %v", tc.body), r, 400)
			if got := errorsOf(t, r); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("order %v: %v, want %v", tc.body, got, tc.want)
			}
		}
		if s := stock(); s != 1 {
			t.Fatalf("refused orders changed the stock: %v", s)
		}
		// Staff change the status only; create-only fields are ignored, the
		// total never changes, stock is untouched.
		e2ekit.Expect(t, "price change", sh.root.Do("PATCH", "/api/products/"+string(qid), map[string]any{"price": "1.00"}), 200)
		r = sh.root.Do("PATCH", "/api/orders/"+oid, map[string]any{"status": "paid", "quantity": 1, "note": "x", "product": json.Number(pid), "total": "0.00"})
		e2ekit.Expect(t, "staff patch", r, 200)
		o = r.JSON(t)
		if o["status"] != "paid" || o["quantity"] != float64(3) || o["note"] != "gift" || o["product"] != q["id"] || o["total"] != "59.97" {
			t.Errorf("after staff patch: %s", r.Body)
		}
		e2ekit.Expect(t, "staff PUT with no field", sh.root.Do("PUT", "/api/orders/"+oid, map[string]any{}), 200)
		r = sh.root.Do("PATCH", "/api/orders/"+oid, map[string]any{"status": "lost"})
		e2ekit.Expect(t, "bad status", r, 400)
		if got := errorsOf(t, r); !reflect.DeepEqual(got, map[string][]string{"status": {`"lost" is not a valid choice.`}}) {
			t.Errorf("bad status: %v", got)
		}
		if s := stock(); s != 1 {
			t.Fatalf("updates changed the stock: %v", s)
		}
		// Customers see only their own orders.
		r = sh.bob.Do("GET", "/api/orders", nil)
		e2ekit.Expect(t, "bob's list", r, 200)
		for _, o := range r.JSON(t)["results"].([]any) {
			if c := o.(map[string]any)["customer"]; c != "bob" {
				t.Errorf("bob's list shows an order of %v", c)
			}
		}
		// Protection: the product has orders; deleting the order leaves stock alone.
		r = sh.root.Do("DELETE", "/api/products/"+string(qid), nil)
		e2ekit.Expect(t, "delete an ordered product", r, 409)
		if r.Detail(t) != protected {
			t.Errorf("detail %q", r.Detail(t))
		}
		e2ekit.Expect(t, "delete order", sh.root.Do("DELETE", "/api/orders/"+oid, nil), 204)
		if s := stock(); s != 1 {
			t.Fatalf("deleting an order changed the stock: %v", s)
		}
	})

	t.Run("delete protection", func(t *testing.T) {
		r := sh.root.Do("DELETE", "/api/categories/"+cat, nil)
		e2ekit.Expect(t, "delete a category with products", r, 409)
		if r.Detail(t) != protected {
			t.Errorf("detail %q", r.Detail(t))
		}
		e2ekit.Expect(t, "category still there", sh.anon.Do("GET", "/api/categories/"+cat, nil), 200)
		r = sh.root.Do("DELETE", "/api/categories/"+emptyCat, nil)
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("delete an unused category: %d %q", r.Status, r.Body)
		}
	})

	t.Run("order of checks", func(t *testing.T) {
		for _, tc := range []struct {
			name         string
			c            *e2ekit.Client
			method, path string
			body         any
			headers      []string
			status       int
		}{
			// 4 before 6: a non-staff write is refused whatever the id.
			{"customer write, unknown product", sh.alice, "PATCH", "/api/products/9999", map[string]any{}, nil, 403},
			{"customer write, product id not an integer", sh.alice, "PUT", "/api/products/abc", map[string]any{}, nil, 403},
			{"customer write, inactive product", sh.alice, "DELETE", "/api/products/" + inactiveID, nil, nil, 403},
			{"anonymous write, unknown category", sh.anon, "DELETE", "/api/categories/abc", nil, nil, 401},
			// 5: OPTIONS before the permission, to anyone.
			{"anonymous OPTIONS on orders", sh.anon, "OPTIONS", "/api/orders", nil, nil, 200},
			// 4 before 8: the body is not read for a refused caller.
			{"customer category create, text body", sh.alice, "POST", "/api/categories", "name=x", []string{"Content-Type", "text/plain"}, 403},
			// 6 before 7 and 8: another's order is 404 whatever the body.
			{"customer patches other's order, text body", sh.alice, "PATCH", "/api/orders/" + bobOrder, "x", []string{"Content-Type", "text/plain"}, 404},
			// 7 before 8: own order, refused before the body.
			{"customer patches own order, text body", sh.alice, "PATCH", "/api/orders/" + aliceOrder, "x", []string{"Content-Type", "text/plain"}, 403},
			// 8: the body, for staff.
			{"staff patch, text body", sh.root, "PATCH", "/api/orders/" + aliceOrder, "x", []string{"Content-Type", "text/plain"}, 415},
			{"staff patch, malformed JSON", sh.root, "PATCH", "/api/orders/" + aliceOrder, "{", []string{"Content-Type", "application/json"}, 400},
			// 9 before 10: status from a customer before the field errors.
			{"customer order with status and bad fields", sh.alice, "POST", "/api/orders", map[string]any{"status": "pending", "quantity": "x"}, nil, 403},
			// 10 before 11: field errors before the stock rule.
			{"bad note and short stock", sh.alice, "POST", "/api/orders", map[string]any{"product": json.Number(pid), "quantity": 100, "note": strings.Repeat("x", 501)}, nil, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(tc.method, tc.path, tc.body, tc.headers...)
				e2ekit.Expect(t, tc.method+" "+tc.path, r, tc.status)
			})
		}
		r := sh.alice.Do("POST", "/api/orders", map[string]any{"product": json.Number(pid), "quantity": 100, "note": strings.Repeat("x", 501)})
		if got := keys(r.JSON(t)); !reflect.DeepEqual(got, []string{"note"}) {
			t.Errorf("field errors before the stock rule: %s", r.Body)
		}
	})
}
