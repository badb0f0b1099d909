package kitchensink_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestCheckReadsTheDatabase: HasPurchased (ksapi/has_purchased.go, the
// example of docs/permissions.md) reads the purchases through req.DB with
// ? placeholders on both dialects: a rating of a ware the caller has not
// purchased is 403 with its message, one they have is 201; the check on
// the object as it will be written reads inside the write's transaction
// (the PostgreSQL pool here has one connection, so a read on the pool
// would wait for the write forever); a database error denies with 503 and
// writes nothing.
func TestCheckReadsTheDatabase(t *testing.T) { dialects(t, testCheckReadsTheDatabase) }

func testCheckReadsTheDatabase(t *testing.T, e *env) {
	notPurchased := `{"detail":"You can only rate wares you have purchased."}`
	ware := e.mustCreate(t, "/api/wares", "root", map[string]any{"name": "pen", "price": 3, "stock": 5})["id"]
	e.mustCreate(t, "/api/purchases", "alice", map[string]any{"ware": ware, "quantity": 1})
	var rating string
	cases := []struct {
		name, method, path, user string
		body                     map[string]any
		status                   int
		want                     string
	}{
		{"not purchased", "POST", "/api/ratings", "bob", map[string]any{"ware": ware, "stars": 5}, 403, notPurchased},
		{"purchased", "POST", "/api/ratings", "alice", map[string]any{"ware": ware, "stars": 5}, 201, ""},
		{"anyone reads", "GET", "", "bob", nil, 200, ""},
		{"update, read in the write", "PATCH", "", "alice", map[string]any{"stars": 4}, 200, ""},
		{"update to a ware not purchased", "PATCH", "", "alice", map[string]any{"ware": 999}, 403, notPurchased},
		{"another's purchase does not count", "PATCH", "", "bob", map[string]any{"stars": 1}, 403, notPurchased},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.path
			if p == "" {
				p = rating
			}
			r := e.do(t, c.method, p, c.user, c.body)
			if r.status != c.status || (c.want != "" && strings.TrimSpace(string(r.body)) != c.want) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, c.status, c.want)
			}
			if c.status == 201 {
				rating = fmt.Sprint("/api/ratings/", r.json(t)["id"])
			}
		})
	}
	var n, rated, stars int
	if err := e.db.QueryRow(`SELECT COUNT(*), MAX(ware), MAX(stars) FROM ratings`).Scan(&n, &rated, &stars); err != nil || n != 1 || float64(rated) != ware || stars != 4 {
		t.Fatalf("ratings: %d, ware %d, stars %d (%v)", n, rated, stars, err)
	}
	if _, err := e.db.Exec(`DROP TABLE purchases`); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "POST", "/api/ratings", "alice", map[string]any{"ware": ware, "stars": 2})
	if r.status != 503 || strings.Contains(string(r.body), "purchases") {
		t.Fatalf("a check whose query fails: %d %s", r.status, r.body)
	}
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM ratings`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d ratings after a failed check (%v)", n, err)
	}
}

// TestPermissionsDocExample: the example of docs/permissions.md is the
// code of ksapi/has_purchased.go that TestCheckReadsTheDatabase runs.
func TestPermissionsDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/permissions.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "<!-- example:has_purchased -->\n```go\n")
	block, _, closed := strings.Cut(block, "```\n")
	if !ok || !closed || strings.TrimSpace(block) == "" {
		t.Fatal("docs/permissions.md has no has_purchased example")
	}
	src, err := os.ReadFile("ksapi/has_purchased.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), block) {
		t.Fatalf("the example of docs/permissions.md is not in ksapi/has_purchased.go:\n%s", block)
	}
}
