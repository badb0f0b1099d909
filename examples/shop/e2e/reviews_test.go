package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

const notOrdered = "You can only review products you have ordered."

// reviewsOf is the reviews route of product pid.
func reviewsOf(pid string) string { return "/api/products/" + pid + "/reviews" }

// TestReviews: every line of the contract on the nested reviews routes,
// on both backends.
func TestReviews(t *testing.T) { onEachBackend(t, testReviews) }

func testReviews(t *testing.T, sh *shop) {
	cat := sh.category(t, "Tools")
	pid := str(sh.product(t, cat, "REV-1", nil)["id"])
	other := str(sh.product(t, cat, "REV-2", nil)["id"])
	sh.order(t, sh.alice, pid, 1)
	sh.order(t, sh.alice, other, 1)
	sh.order(t, sh.bob, other, 1)

	var aliceReview string
	t.Run("create", func(t *testing.T) {
		// The product of the URL, whatever the body says; read-only keys ignored.
		r := sh.alice.Do("POST", reviewsOf(pid), map[string]any{"rating": 4, "product": json.Number(other), "author": "bob", "id": 999})
		e2ekit.Expect(t, "create", r, 201)
		got := r.JSON(t)
		if ks := keys(got); !slices.Equal(ks, []string{"author", "created_at", "id", "product", "rating", "text"}) {
			t.Errorf("keys %v", ks)
		}
		if str(got["product"]) != pid || got["author"] != "alice" || got["rating"] != float64(4) || got["text"] != "" || str(got["id"]) == "999" {
			t.Errorf("created %s", r.Body)
		}
		aliceReview = id(t, r)
		// One review per product and author, checked once the fields are valid.
		r = sh.alice.Do("POST", reviewsOf(pid), map[string]any{"rating": 5})
		e2ekit.Expect(t, "second review", r, 400)
		if e := errorsOf(t, r); !slices.Equal(e["non_field_errors"], []string{"The fields product, author must make a unique set."}) || len(e) != 1 {
			t.Errorf("second review: %s", r.Body)
		}
		r = sh.alice.Do("POST", reviewsOf(pid), map[string]any{"rating": 9})
		e2ekit.Expect(t, "second review, bad rating", r, 400)
		if e := errorsOf(t, r); e["non_field_errors"] != nil || e["rating"] == nil {
			t.Errorf("the unique set is checked only once the fields are valid: %s", r.Body)
		}
	})

	t.Run("validation", func(t *testing.T) {
		long := strings.Repeat("é", 2001)
		for _, tc := range []struct {
			body  map[string]any
			field string
			msg   string
		}{
			{map[string]any{}, "rating", "This field is required."},
			{map[string]any{"rating": 0}, "rating", "Ensure this value is greater than or equal to 1."},
			{map[string]any{"rating": 6}, "rating", "Ensure this value is less than or equal to 5."},
			{map[string]any{"rating": "x"}, "rating", "A valid integer is required."},
			{map[string]any{"rating": 3, "text": long}, "text", "Ensure this field has no more than 2000 characters."},
			{map[string]any{"rating": 3, "text": nil}, "text", "This field may not be null."},
		} {
			r := sh.bob.Do("POST", reviewsOf(other), tc.body)
			e2ekit.Expect(t, "invalid review", r, 400)
			if e := errorsOf(t, r); !slices.Equal(e[tc.field], []string{tc.msg}) {
				t.Errorf("%v: %s", tc.body, r.Body)
			}
		}
		r := sh.bob.Do("POST", reviewsOf(other), map[string]any{"rating": 1, "text": strings.Repeat("é", 2000)})
		e2ekit.Expect(t, "2000 characters", r, 201)
		e2ekit.Expect(t, "delete it", sh.bob.Do("DELETE", reviewsOf(other)+"/"+id(t, r), nil), 204)
	})

	t.Run("create needs an order of the product, not cancelled", func(t *testing.T) {
		fresh := str(sh.product(t, cat, "REV-3", nil)["id"])
		for _, tc := range []struct {
			name   string
			c      *e2ekit.Client
			status int
			detail string
		}{
			{"anonymous", sh.anon, 401, notProvided},
			{"no order", sh.bob, 403, notOrdered},
			{"staff are not exempt", sh.root, 403, notOrdered},
		} {
			r := tc.c.Do("POST", reviewsOf(fresh), map[string]any{"rating": 3})
			e2ekit.Expect(t, tc.name, r, tc.status)
			if r.Detail(t) != tc.detail {
				t.Errorf("%s: %s", tc.name, r.Body)
			}
		}
		// A request-level check: made before the body is read.
		r := sh.bob.Do("POST", reviewsOf(fresh), "not json", "Content-Type", "text/plain")
		e2ekit.Expect(t, "no order, bad body", r, 403)
		// An order of another product does not count; a cancelled one neither.
		o := sh.order(t, sh.bob, fresh, 1)
		e2ekit.Expect(t, "cancel", sh.bob.Do("POST", "/api/orders/"+o+"/cancel", nil), 200)
		r = sh.bob.Do("POST", reviewsOf(fresh), map[string]any{"rating": 3})
		e2ekit.Expect(t, "cancelled order only", r, 403)
		if r.Detail(t) != notOrdered {
			t.Errorf("cancelled order only: %s", r.Body)
		}
		o = sh.order(t, sh.bob, fresh, 1)
		r = sh.bob.Do("POST", reviewsOf(fresh), map[string]any{"rating": 3})
		e2ekit.Expect(t, "with a pending order", r, 201)
		rid := id(t, r)
		// Cancelling the order later does not touch the review.
		e2ekit.Expect(t, "cancel later", sh.bob.Do("POST", "/api/orders/"+o+"/cancel", nil), 200)
		r = sh.anon.Do("GET", reviewsOf(fresh)+"/"+rid, nil)
		e2ekit.Expect(t, "the review stays", r, 200)
	})

	t.Run("read", func(t *testing.T) {
		for _, c := range []*e2ekit.Client{sh.anon, sh.bob, sh.root} {
			r := c.Do("GET", reviewsOf(pid), nil)
			e2ekit.Expect(t, "list", r, 200)
			res := r.JSON(t)["results"].([]any)
			if len(res) != 1 || str(res[0].(map[string]any)["id"]) != aliceReview || r.JSON(t)["count"] != float64(1) {
				t.Errorf("list of %s: %s", pid, r.Body)
			}
			e2ekit.Expect(t, "retrieve", c.Do("GET", reviewsOf(pid)+"/"+aliceReview, nil), 200)
			if r := c.Do("HEAD", reviewsOf(pid)+"/"+aliceReview, nil); r.Status != 200 || len(r.Body) != 0 {
				t.Errorf("HEAD: %d %q", r.Status, r.Body)
			}
		}
		// A review id of another product is 404 under this product's path.
		r := sh.anon.Do("GET", reviewsOf(other)+"/"+aliceReview, nil)
		e2ekit.Expect(t, "review of another product", r, 404)
		// The list shows the product's reviews only.
		r = sh.anon.Do("GET", reviewsOf(other), nil)
		for _, x := range r.JSON(t)["results"].([]any) {
			if str(x.(map[string]any)["product"]) != other {
				t.Errorf("list of %s shows %v", other, x)
			}
		}
	})

	t.Run("update and delete: the author only", func(t *testing.T) {
		path := reviewsOf(pid) + "/" + aliceReview
		for _, tc := range []struct {
			name   string
			c      *e2ekit.Client
			method string
			status int
			detail string
		}{
			{"anonymous PUT", sh.anon, "PUT", 401, notProvided},
			{"anonymous PATCH", sh.anon, "PATCH", 401, notProvided},
			{"anonymous DELETE", sh.anon, "DELETE", 401, notProvided},
			{"another user PUT", sh.bob, "PUT", 403, forbidden},
			{"another user PATCH", sh.bob, "PATCH", 403, forbidden},
			{"another user DELETE", sh.bob, "DELETE", 403, forbidden},
			{"staff PATCH", sh.root, "PATCH", 403, forbidden},
			{"staff DELETE", sh.root, "DELETE", 403, forbidden},
		} {
			r := tc.c.Do(tc.method, path, map[string]any{"rating": 1})
			e2ekit.Expect(t, tc.name, r, tc.status)
			if r.Detail(t) != tc.detail {
				t.Errorf("%s: %s", tc.name, r.Body)
			}
		}
		r := sh.alice.Do("PATCH", path, map[string]any{"text": "  Solid.  ", "product": json.Number(other)})
		e2ekit.Expect(t, "author PATCH", r, 200)
		if got := r.JSON(t); got["text"] != "Solid." || got["rating"] != float64(4) || str(got["product"]) != pid {
			t.Errorf("PATCH: %s", r.Body)
		}
		// PUT: text left out takes its default again.
		r = sh.alice.Do("PUT", path, map[string]any{"rating": 2})
		e2ekit.Expect(t, "author PUT", r, 200)
		if got := r.JSON(t); got["text"] != "" || got["rating"] != float64(2) {
			t.Errorf("PUT: %s", r.Body)
		}
		e2ekit.Expect(t, "PUT without rating", sh.alice.Do("PUT", path, map[string]any{"text": "x"}), 400)
	})

	t.Run("the parent comes first", func(t *testing.T) {
		inactive := str(sh.product(t, cat, "REV-OFF", nil)["id"])
		sh.order(t, sh.alice, inactive, 1)
		r := sh.alice.Do("POST", reviewsOf(inactive), map[string]any{"rating": 5})
		e2ekit.Expect(t, "review before deactivation", r, 201)
		rid := id(t, r)
		e2ekit.Expect(t, "deactivate", sh.root.Do("PATCH", "/api/products/"+inactive, map[string]any{"active": false}), 200)
		for _, base := range []string{reviewsOf("999999"), reviewsOf(inactive), reviewsOf("1x"), reviewsOf("0")} {
			for _, c := range []*e2ekit.Client{sh.anon, sh.alice} {
				for _, m := range []string{"GET", "POST", "OPTIONS", "PUT", "DELETE"} {
					r := c.Do(m, base, map[string]any{"rating": 5})
					if r.Status != 404 || r.Detail(t) != notFound {
						t.Errorf("%s %s: %d %s", m, base, r.Status, r.Body)
					}
				}
				for _, m := range []string{"GET", "PUT", "PATCH", "DELETE", "OPTIONS", "POST"} {
					// The review's own author included.
					r := c.Do(m, base+"/"+rid, map[string]any{"rating": 5})
					if r.Status != 404 || r.Detail(t) != notFound {
						t.Errorf("%s %s/%s: %d %s", m, base, rid, r.Status, r.Body)
					}
				}
			}
		}
		// Staff see the inactive product, and so its reviews.
		e2ekit.Expect(t, "staff list", sh.root.Do("GET", reviewsOf(inactive), nil), 200)
		e2ekit.Expect(t, "staff retrieve", sh.root.Do("GET", reviewsOf(inactive)+"/"+rid, nil), 200)
		// Trailing slashes.
		e2ekit.Expect(t, "list slash", sh.anon.Do("GET", reviewsOf(pid)+"/", nil), 404)
		e2ekit.Expect(t, "detail slash", sh.anon.Do("GET", reviewsOf(pid)+"/"+aliceReview+"/", nil), 404)
	})

	t.Run("methods", func(t *testing.T) {
		for path, allow := range map[string]string{
			reviewsOf(pid):                     "GET, POST, HEAD, OPTIONS",
			reviewsOf(pid) + "/" + aliceReview: "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
		} {
			r := sh.anon.Do("OPTIONS", path, nil)
			e2ekit.Expect(t, "OPTIONS "+path, r, 200)
			if got := r.Header.Get("Allow"); got != allow {
				t.Errorf("OPTIONS %s: Allow %q, want %q", path, got, allow)
			}
		}
		r := sh.alice.Do("DELETE", reviewsOf(pid), nil)
		e2ekit.Expect(t, "DELETE the list", r, 405)
		if r.Detail(t) != `Method "DELETE" not allowed.` || r.Header.Get("Allow") != "GET, POST, HEAD, OPTIONS" {
			t.Errorf("405: %s, Allow %q", r.Body, r.Header.Get("Allow"))
		}
	})

	t.Run("a product a review refers to is protected", func(t *testing.T) {
		p := str(sh.product(t, cat, "REV-DEL", nil)["id"])
		o := sh.order(t, sh.bob, p, 1)
		e2ekit.Expect(t, "review", sh.bob.Do("POST", reviewsOf(p), map[string]any{"rating": 3}), 201)
		e2ekit.Expect(t, "delete the order", sh.root.Do("DELETE", "/api/orders/"+o, nil), 204)
		r := sh.root.Do("DELETE", "/api/products/"+p, nil)
		e2ekit.Expect(t, "delete the product", r, 409)
		if r.Detail(t) != "Cannot delete: other objects refer to it." {
			t.Errorf("409: %s", r.Body)
		}
		e2ekit.Expect(t, "the product stays", sh.root.Do("GET", "/api/products/"+p, nil), 200)
	})

	t.Run("list order and pagination", func(t *testing.T) {
		p := str(sh.product(t, cat, "REV-MANY", nil)["id"])
		var want []string
		for i := range 3 {
			c := sh.s.Client()
			user := []string{"alice", "bob", "root"}[i]
			c.Auth = map[string]string{"alice": sh.alice.Auth, "bob": sh.bob.Auth, "root": sh.root.Auth}[user]
			sh.order(t, c, p, 1)
			r := c.Do("POST", reviewsOf(p), map[string]any{"rating": i + 1})
			e2ekit.Expect(t, "review", r, 201)
			want = append(want, id(t, r))
		}
		r := sh.anon.Do("GET", reviewsOf(p), nil)
		var got []string
		for _, x := range r.JSON(t)["results"].([]any) {
			got = append(got, str(x.(map[string]any)["id"]))
		}
		if !slices.Equal(got, want) {
			t.Errorf("ids %v, want %v by id ascending", got, want)
		}
	})
}

// TestReviewsLimitOffset: the reviews list's limit/offset pagination (DRF's
// LimitOffsetPagination), ordered by id ascending.
func TestReviewsLimitOffset(t *testing.T) {
	sh := startShop(t)
	cat := sh.category(t, "Tools")
	pid := str(sh.product(t, cat, "REV-PAGE", nil)["id"])
	var ids []string
	for i := range 5 {
		user, pw := fmt.Sprintf("reviewer%d", i), fmt.Sprintf("reviewer-pass-%d", i)
		if out, code := svc.Run(t, sh.s.Env, "", "createuser", "--username", user, "--password", pw); code != 0 {
			t.Fatalf("createuser: %d %s", code, out)
		}
		c := sh.s.As(user, pw)
		sh.order(t, c, pid, 1)
		r := c.Do("POST", reviewsOf(pid), map[string]any{"rating": i%5 + 1})
		e2ekit.Expect(t, "review", r, 201)
		ids = append(ids, id(t, r))
	}
	base := sh.s.Base + reviewsOf(pid)
	for _, tc := range []struct {
		query          string
		from, to       int // ids[from:to]
		next, previous string
	}{
		{"", 0, 5, "", ""},
		{"?limit=2", 0, 2, base + "?limit=2&offset=2", ""},
		{"?limit=2&offset=2", 2, 4, base + "?limit=2&offset=4", base + "?limit=2"},
		{"?limit=2&offset=4", 4, 5, "", base + "?limit=2&offset=2"},
		{"?limit=2&offset=3", 3, 5, "", base + "?limit=2&offset=1"},
		{"?limit=2&offset=1", 1, 3, base + "?limit=2&offset=3", base + "?limit=2"},
		{"?limit=2&offset=9", 5, 5, "", base + "?limit=2&offset=7"},
		{"?limit=0", 0, 5, "", ""},
		{"?limit=-3", 0, 5, "", ""},
		{"?limit=x&offset=y", 0, 5, "", ""},
		{"?offset=-1", 0, 5, "", ""},
		{"?limit=1000&offset=3", 3, 5, "", base + "?limit=100"},
		{"?limit=2&offset=2&x=1", 2, 4, base + "?limit=2&offset=4&x=1", base + "?limit=2&x=1"},
	} {
		r := sh.anon.Do("GET", reviewsOf(pid)+tc.query, nil)
		e2ekit.Expect(t, tc.query, r, 200)
		m := r.JSON(t)
		var got []string
		for _, x := range m["results"].([]any) {
			got = append(got, str(x.(map[string]any)["id"]))
		}
		next, _ := m["next"].(string)
		prev, _ := m["previous"].(string)
		if m["count"] != float64(5) || !slices.Equal(got, ids[tc.from:tc.to]) || !sameURL(next, tc.next) || !sameURL(prev, tc.previous) {
			t.Errorf("%q: count %v, ids %v (want %v), next %q (want %q), previous %q (want %q)",
				tc.query, m["count"], got, ids[tc.from:tc.to], next, tc.next, prev, tc.previous)
		}
	}
}

// sameURL compares two URLs, their query parameters in any order.
func sameURL(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ua.Scheme == ub.Scheme && ua.Host == ub.Host && ua.Path == ub.Path && ua.Query().Encode() == ub.Query().Encode()
}
