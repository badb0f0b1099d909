package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
)

func refreshCookie(r response) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "refresh_token" {
			return c
		}
	}
	return nil
}

// TestAuthentication: the contract's authentication section (JWT and Token
// only), on the embedded default.
func TestAuthentication(t *testing.T) {
	s := startServer(t)
	c := s.client()

	r := c.do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "Authorization", "Bearer garbage")
	expect(t, "jwt login (ignoring Authorization)", r, 200)
	body := r.json(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(300) || body["access_token"] == "" || body["refresh_token"] != nil {
		t.Fatalf("login body %s", r.body)
	}
	rc := refreshCookie(r)
	if rc == nil || !rc.HttpOnly || !rc.Secure || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/auth/jwt" {
		t.Fatalf("refresh cookie %+v", rc)
	}
	c.auth = "Bearer " + body["access_token"].(string)
	me := c.do("GET", "/auth/me", nil)
	expect(t, "me", me, 200)
	if m := me.json(t); m["username"] != "alice" || m["is_staff"] != false || m["id"] == nil || len(m) != 3 {
		t.Fatalf("me %s", me.body)
	}

	// Refresh rotates: the old refresh token is refused afterwards.
	r = c.do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": rc.Value})
	expect(t, "refresh", r, 200)
	if !strings.HasPrefix(r.header.Get("Authorization"), "Bearer ") || r.json(t)["access_token"] == "" {
		t.Fatalf("refresh: Authorization %q, body %s", r.header.Get("Authorization"), r.body)
	}
	expect(t, "logout", c.do("POST", "/auth/jwt/logout", nil), 204)
	expect(t, "refresh after logout", s.client().do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": refreshCookie(r).Value}), 401)

	// Token: each login a new key; logout deletes only the one presented.
	tc := s.client()
	r = tc.do("POST", "/auth/token/login", map[string]string{"username": "bob", "password": "bob-pass-1"})
	expect(t, "token login", r, 200)
	k1, _ := r.json(t)["token"].(string)
	k2, _ := tc.do("POST", "/auth/token/login", map[string]string{"username": "bob", "password": "bob-pass-1"}).json(t)["token"].(string)
	if k1 == "" || k1 == k2 {
		t.Fatalf("token keys %q %q", k1, k2)
	}
	tc.auth = "Token " + k1
	expect(t, "me by token", tc.do("GET", "/auth/me", nil), 200)
	expect(t, "token logout", tc.do("POST", "/auth/token/logout", nil), 204)
	expect(t, "me after token logout", tc.do("GET", "/auth/me", nil), 401)
	tc.auth = "Token " + k2
	expect(t, "the other token survives", tc.do("GET", "/api/orders", nil), 200)

	anon := s.client()
	for _, path := range []string{"/auth/jwt/login", "/auth/token/login"} {
		r = anon.do("POST", path, map[string]string{"username": "alice", "password": "wrong"})
		expect(t, "bad credentials on "+path, r, 401)
		if r.detail(t) != "No active account found with the given credentials" {
			t.Errorf("%s: %s", path, r.body)
		}
		expect(t, "form login on "+path, anon.do("POST", path, "username=alice", "Content-Type", "application/x-www-form-urlencoded"), 415)
	}
	// No session and no Basic: no session routes, Basic is anonymous.
	for _, path := range []string{"/auth/session/login", "/auth/session/logout"} {
		expect(t, "POST "+path, anon.do("POST", path, map[string]string{}), 404)
	}
	r = anon.do("GET", "/auth/me", nil, "Authorization", "Basic YWxpY2U6YWxpY2UtcGFzcy0x")
	expect(t, "me with Basic", r, 401)
	if r.detail(t) != "Authentication credentials were not provided." {
		t.Errorf("me with Basic: %s", r.body)
	}
	r = anon.do("GET", "/api/health", nil, "Authorization", "Digest username=x")
	expect(t, "health with Digest", r, 200)
	if !reflect.DeepEqual(r.json(t), map[string]any{"status": "ok"}) {
		t.Errorf("health body %s", r.body)
	}
}

// TestLoginThrottle: one bucket for both logins, keyed by the peer address
// (X-Forwarded-For ignored); the 11th attempt within a minute is 429.
func TestLoginThrottle(t *testing.T) {
	s := startServer(t)
	c := s.client()
	paths := []string{"/auth/jwt/login", "/auth/token/login"}
	for i := range 10 {
		r := c.do("POST", paths[i%2], map[string]string{"username": "alice", "password": "wrong"}, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		expect(t, fmt.Sprintf("attempt %d", i+1), r, 401)
	}
	r := c.do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "X-Forwarded-For", "10.9.9.9")
	expect(t, "11th attempt", r, 429)
	if r.header.Get("Retry-After") == "" || !strings.HasPrefix(r.detail(t), "Request was throttled. Expected available in ") {
		t.Fatalf("429 %q %s", r.header.Get("Retry-After"), r.body)
	}
}

func TestShortKeyRefused(t *testing.T) {
	out, code := run(t, append(os.Environ(), "SHOP_DATA="+t.TempDir(), "SHOP_JWT_KEY=short"), "", "serve", "--addr", freeAddr(t))
	if code == 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("short key: exit %d, output %q", code, out)
	}
}

// TestConventions: bodies, validation, PUT defaults, page-number pagination.
func TestConventions(t *testing.T) {
	sh := startShop(t)
	cat := sh.category(t, "Tools")
	p := sh.product(t, cat, "P-1", map[string]any{"cost": "3.50", "stock": 7, "active": false})
	pid := str(p["id"])

	for _, tc := range []struct {
		name    string
		body    string
		ctype   string
		status  int
		want    string // detail prefix, or a JSON key of the 400 body
		isField bool
	}{
		{"text body", "{}", "text/plain", 415, `Unsupported media type "text/plain" in request.`, false},
		{"malformed JSON", "{", "application/json", 400, "JSON parse error - ", false},
		{"not an object", "[1]", "application/json", 400, "non_field_errors", true},
		{"too large", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, "application/json", 413, "", false},
	} {
		r := sh.root.do("POST", "/api/categories", tc.body, "Content-Type", tc.ctype)
		expect(t, tc.name, r, tc.status)
		if tc.isField {
			if _, ok := r.json(t)[tc.want]; !ok {
				t.Errorf("%s: %s", tc.name, r.body)
			}
		} else if !strings.HasPrefix(r.detail(t), tc.want) {
			t.Errorf("%s: %s", tc.name, r.body)
		}
	}

	r := sh.root.do("POST", "/api/products", map[string]any{"name": "   ", "sku": strings.Repeat("é", 33), "stock": -1, "active": "maybe", "price": "1"})
	expect(t, "invalid product", r, 400)
	want := map[string][]string{
		"name":     {"This field may not be blank."},
		"sku":      {"Ensure this field has no more than 32 characters."},
		"category": {"This field is required."},
		"stock":    {"Ensure this value is greater than or equal to 0."},
		"active":   {"Must be a valid boolean."},
	}
	if got := errorsOf(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("invalid product: %v, want %v", got, want)
	}
	r = sh.root.do("POST", "/api/products", map[string]any{"name": "  Saw  ", "sku": "SAW", "category": json.Number(cat), "price": "2", "id": 999, "created_at": "2000-01-01T00:00:00Z"})
	expect(t, "trimmed, read-only keys ignored", r, 201)
	if o := r.json(t); o["name"] != "Saw" || o["id"] == float64(999) || strings.HasPrefix(o["created_at"].(string), "2000") {
		t.Errorf("create %s", r.body)
	}

	// PUT: stock and active take their defaults again, cost keeps its value.
	r = sh.root.do("PUT", "/api/products/"+pid, map[string]any{"name": "P", "sku": "P-1", "category": json.Number(cat), "price": "1"})
	expect(t, "PUT", r, 200)
	if o := r.json(t); o["stock"] != float64(0) || o["active"] != true || o["cost"] != "3.50" {
		t.Errorf("after PUT: %s", r.body)
	}

	// HEAD is GET without a body.
	r = sh.anon.do("HEAD", "/api/categories", nil)
	if r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD: %d %q", r.status, r.body)
	}

	// Page-number pagination, 20 a page, by id.
	for i := range 21 {
		sh.category(t, fmt.Sprintf("C%02d", i))
	}
	r = sh.anon.do("GET", "/api/categories?page=2", nil)
	expect(t, "page 2", r, 200)
	page := r.json(t)
	if page["count"] != float64(22) || page["next"] != nil || page["previous"] != sh.s.base+"/api/categories" || len(page["results"].([]any)) != 2 {
		t.Errorf("page 2: %s", r.body)
	}
	r = sh.anon.do("GET", "/api/categories", nil)
	if page := r.json(t); page["next"] != sh.s.base+"/api/categories?page=2" || page["results"].([]any)[0].(map[string]any)["name"] != "Tools" {
		t.Errorf("page 1: %s", r.body)
	}
	for _, bad := range []string{"3", "0", "x"} {
		r = sh.anon.do("GET", "/api/categories?page="+bad, nil)
		expect(t, "page "+bad, r, 404)
		if r.detail(t) != "Invalid page." {
			t.Errorf("page %s: %s", bad, r.body)
		}
	}

	// Users: staff only, the three fields.
	r = sh.root.do("GET", "/api/users", nil)
	expect(t, "users", r, 200)
	first := r.json(t)["results"].([]any)[0].(map[string]any)
	if got := keys(first); !reflect.DeepEqual(got, []string{"id", "is_staff", "username"}) {
		t.Errorf("user keys %v", got)
	}
	expect(t, "staff DELETE user", sh.root.do("DELETE", "/api/users/"+str(first["id"]), nil), 405)
}
