package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

func refreshCookie(r e2ekit.Response) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "refresh_token" {
			return c
		}
	}
	return nil
}

// TestAuthentication: the contract's authentication section (JWT and Token
// only), on the embedded default.
func TestAuthentication(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()

	r := c.Do("POST", "/auth/jwt/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "Authorization", "Bearer garbage")
	e2ekit.Expect(t, "jwt login (ignoring Authorization)", r, 200)
	body := r.JSON(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(300) || body["access_token"] == "" || body["refresh_token"] != nil {
		t.Fatalf("login body %s", r.Body)
	}
	rc := refreshCookie(r)
	if rc == nil || !rc.HttpOnly || !rc.Secure || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/auth/jwt" {
		t.Fatalf("refresh cookie %+v", rc)
	}
	c.Auth = "Bearer " + body["access_token"].(string)
	me := c.Do("GET", "/auth/me", nil)
	e2ekit.Expect(t, "me", me, 200)
	if m := me.JSON(t); m["username"] != "alice" || m["is_staff"] != false || m["id"] == nil || len(m) != 3 {
		t.Fatalf("me %s", me.Body)
	}

	// Refresh rotates: the old refresh token is refused afterwards.
	r = c.Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": rc.Value})
	e2ekit.Expect(t, "refresh", r, 200)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || r.JSON(t)["access_token"] == "" {
		t.Fatalf("refresh: Authorization %q, body %s", r.Header.Get("Authorization"), r.Body)
	}
	e2ekit.Expect(t, "logout", c.Do("POST", "/auth/jwt/logout", nil), 204)
	e2ekit.Expect(t, "refresh after logout", s.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": refreshCookie(r).Value}), 401)

	// Token: each login a new key; logout deletes only the one presented.
	tc := s.Client()
	r = tc.Do("POST", "/auth/token/login", map[string]string{"username": "bob", "password": "bob-pass-1"})
	e2ekit.Expect(t, "token login", r, 200)
	k1, _ := r.JSON(t)["token"].(string)
	k2, _ := tc.Do("POST", "/auth/token/login", map[string]string{"username": "bob", "password": "bob-pass-1"}).JSON(t)["token"].(string)
	if k1 == "" || k1 == k2 {
		t.Fatalf("token keys %q %q", k1, k2)
	}
	tc.Auth = "Token " + k1
	e2ekit.Expect(t, "me by token", tc.Do("GET", "/auth/me", nil), 200)
	e2ekit.Expect(t, "token logout", tc.Do("POST", "/auth/token/logout", nil), 204)
	e2ekit.Expect(t, "me after token logout", tc.Do("GET", "/auth/me", nil), 401)
	tc.Auth = "Token " + k2
	e2ekit.Expect(t, "the other token survives", tc.Do("GET", "/api/orders", nil), 200)

	anon := s.Client()
	for _, path := range []string{"/auth/jwt/login", "/auth/token/login"} {
		r = anon.Do("POST", path, map[string]string{"username": "alice", "password": "wrong"})
		e2ekit.Expect(t, "bad credentials on "+path, r, 401)
		if r.Detail(t) != "No active account found with the given credentials" {
			t.Errorf("%s: %s", path, r.Body)
		}
		e2ekit.Expect(t, "form login on "+path, anon.Do("POST", path, "username=alice", "Content-Type", "application/x-www-form-urlencoded"), 415)
	}
	// No session and no Basic: no session routes, Basic is anonymous.
	for _, path := range []string{"/auth/session/login", "/auth/session/logout"} {
		e2ekit.Expect(t, "POST "+path, anon.Do("POST", path, map[string]string{}), 404)
	}
	r = anon.Do("GET", "/auth/me", nil, "Authorization", "Basic YWxpY2U6YWxpY2UtcGFzcy0x")
	e2ekit.Expect(t, "me with Basic", r, 401)
	if r.Detail(t) != "Authentication credentials were not provided." {
		t.Errorf("me with Basic: %s", r.Body)
	}
	r = anon.Do("GET", "/api/health", nil, "Authorization", "Digest username=x")
	e2ekit.Expect(t, "health with Digest", r, 200)
	if !reflect.DeepEqual(r.JSON(t), map[string]any{"status": "ok"}) {
		t.Errorf("health body %s", r.Body)
	}
}

// TestLoginThrottle: one bucket for both logins, keyed by the peer address
// (X-Forwarded-For ignored); the 11th attempt within a minute is 429.
func TestLoginThrottle(t *testing.T) {
	s := svc.StartServer(t)
	c := s.Client()
	paths := []string{"/auth/jwt/login", "/auth/token/login"}
	for i := range 10 {
		r := c.Do("POST", paths[i%2], map[string]string{"username": "alice", "password": "wrong"}, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		e2ekit.Expect(t, fmt.Sprintf("attempt %d", i+1), r, 401)
	}
	r := c.Do("POST", "/auth/token/login", map[string]string{"username": "alice", "password": "alice-pass-1"}, "X-Forwarded-For", "10.9.9.9")
	e2ekit.Expect(t, "11th attempt", r, 429)
	if r.Header.Get("Retry-After") == "" || !strings.HasPrefix(r.Detail(t), "Request was throttled. Expected available in ") {
		t.Fatalf("429 %q %s", r.Header.Get("Retry-After"), r.Body)
	}
}

func TestShortKeyRefused(t *testing.T) {
	out, code := svc.Run(t, append(os.Environ(), "SHOP_DATA="+t.TempDir(), "SHOP_JWT_KEY=short"), "", "serve", "--addr", e2ekit.FreeAddr(t))
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
		r := sh.root.Do("POST", "/api/categories", tc.body, "Content-Type", tc.ctype)
		e2ekit.Expect(t, tc.name, r, tc.status)
		if tc.isField {
			if _, ok := r.JSON(t)[tc.want]; !ok {
				t.Errorf("%s: %s", tc.name, r.Body)
			}
		} else if !strings.HasPrefix(r.Detail(t), tc.want) {
			t.Errorf("%s: %s", tc.name, r.Body)
		}
	}

	r := sh.root.Do("POST", "/api/products", map[string]any{"name": "   ", "sku": strings.Repeat("é", 33), "stock": -1, "active": "maybe", "price": "1"})
	e2ekit.Expect(t, "invalid product", r, 400)
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
	r = sh.root.Do("POST", "/api/products", map[string]any{"name": "  Saw  ", "sku": "SAW", "category": json.Number(cat), "price": "2", "id": 999, "created_at": "2000-01-01T00:00:00Z"})
	e2ekit.Expect(t, "trimmed, read-only keys ignored", r, 201)
	if o := r.JSON(t); o["name"] != "Saw" || o["id"] == float64(999) || strings.HasPrefix(o["created_at"].(string), "2000") {
		t.Errorf("create %s", r.Body)
	}

	// PUT: stock and active take their defaults again, cost keeps its value.
	r = sh.root.Do("PUT", "/api/products/"+pid, map[string]any{"name": "P", "sku": "P-1", "category": json.Number(cat), "price": "1"})
	e2ekit.Expect(t, "PUT", r, 200)
	if o := r.JSON(t); o["stock"] != float64(0) || o["active"] != true || o["cost"] != "3.50" {
		t.Errorf("after PUT: %s", r.Body)
	}

	// HEAD is GET without a body.
	r = sh.anon.Do("HEAD", "/api/categories", nil)
	if r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("HEAD: %d %q", r.Status, r.Body)
	}

	// Page-number pagination, 20 a page, by id.
	for i := range 21 {
		sh.category(t, fmt.Sprintf("C%02d", i))
	}
	r = sh.anon.Do("GET", "/api/categories?page=2", nil)
	e2ekit.Expect(t, "page 2", r, 200)
	page := r.JSON(t)
	if page["count"] != float64(22) || page["next"] != nil || page["previous"] != sh.s.Base+"/api/categories" || len(page["results"].([]any)) != 2 {
		t.Errorf("page 2: %s", r.Body)
	}
	r = sh.anon.Do("GET", "/api/categories", nil)
	if page := r.JSON(t); page["next"] != sh.s.Base+"/api/categories?page=2" || page["results"].([]any)[0].(map[string]any)["name"] != "Tools" {
		t.Errorf("page 1: %s", r.Body)
	}
	for _, bad := range []string{"3", "0", "x"} {
		r = sh.anon.Do("GET", "/api/categories?page="+bad, nil)
		e2ekit.Expect(t, "page "+bad, r, 404)
		if r.Detail(t) != "Invalid page." {
			t.Errorf("page %s: %s", bad, r.Body)
		}
	}

	// Users: staff only, the three fields.
	r = sh.root.Do("GET", "/api/users", nil)
	e2ekit.Expect(t, "users", r, 200)
	first := r.JSON(t)["results"].([]any)[0].(map[string]any)
	if got := keys(first); !reflect.DeepEqual(got, []string{"id", "is_staff", "username"}) {
		t.Errorf("user keys %v", got)
	}
	e2ekit.Expect(t, "staff DELETE user", sh.root.Do("DELETE", "/api/users/"+str(first["id"]), nil), 405)
}
