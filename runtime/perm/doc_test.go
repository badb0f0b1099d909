package perm

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
)

// docPath is the doc whose truth tables TestDocTables checks.
const docPath = "../../docs/permissions.md"

// docTables parses every markdown table announced by a <!-- table:NAME -->
// comment: name -> rows of cells (header row first).
func docTables(t *testing.T) map[string][][]string {
	t.Helper()
	f, err := os.Open(docPath)
	if err != nil {
		t.Fatalf("open doc: %v", err)
	}
	defer f.Close()
	tables := map[string][][]string{}
	name := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "<!-- table:"):
			name = strings.TrimSuffix(strings.TrimPrefix(line, "<!-- table:"), " -->")
			if _, dup := tables[name]; dup {
				t.Fatalf("table %q twice", name)
			}
			tables[name] = nil
		case name != "" && strings.HasPrefix(line, "|"):
			cells := splitRow(line)
			if strings.Trim(strings.Join(cells, ""), "-: ") == "" {
				continue // the |---| separator
			}
			tables[name] = append(tables[name], cells)
		case name != "" && len(tables[name]) > 0:
			name = "" // the table ended
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tables
}

// splitRow splits a markdown table row on unescaped pipes, unescaping \|.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func TestSplitRow(t *testing.T) {
	got := splitRow(`| A \| B | GET | ✓ |`)
	want := []string{"A | B", "GET", "✓"}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("splitRow = %q, want %q", got, want)
	}
}

// The callers of the doc's tables, on resource "posts", about a post owned
// by user 1.
var docCallers = map[string]*identity.User{
	"anonymous": nil,
	"user":      {ID: 2, Username: "bob", IsActive: true, Perms: []string{"posts.add", "posts.view"}},
	"owner":     {ID: 1, Username: "alice", IsActive: true, Perms: []string{"posts.add", "posts.change", "posts.delete", "posts.view"}},
	"staff":     {ID: 3, Username: "root", IsActive: true, IsStaff: true},
	"inactive":  {ID: 1, Username: "alice", IsActive: false, IsStaff: true, Perms: []string{"posts.add", "posts.change", "posts.delete", "posts.view"}},
}

var methodAction = map[string]string{
	"GET": ActionRetrieve, "HEAD": ActionRetrieve, "OPTIONS": ActionMetadata, "POST": ActionCreate,
	"PUT": ActionUpdate, "PATCH": ActionPartialUpdate, "DELETE": ActionDestroy,
}

func isOwner() Rule[post] { return OwnerRule[post]("owner_id", postOwner) }

// docClasses maps the doc's class names to the code.
func docClasses() map[string]Permission[post] {
	return map[string]Permission[post]{
		"AllowAny":                  AllowAny[post]{},
		"IsAuthenticated":           IsAuthenticated[post]{},
		"IsAdminUser":               IsAdminUser[post]{},
		"IsAuthenticatedOrReadOnly": IsAuthenticatedOrReadOnly[post]{},
		"ReadOnly":                  ReadOnly[post]{},
		"DjangoModelPermissions":    DjangoModelPermissions[post]{},
		"IsOwner":                   isOwner(),
		"ReadOnly | IsOwner":        Or[post](ReadOnly[post]{}, isOwner()),
		"IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner)": And[post](IsAuthenticatedOrReadOnly[post]{},
			Or[post](IsAdminUser[post]{}, isOwner())),
		"IsAuthenticated & IsOwner":      And[post](IsAuthenticated[post]{}, isOwner()),
		"IsAdminUser | IsOwner":          Or[post](IsAdminUser[post]{}, isOwner()),
		"~IsAuthenticated":               Not[post](IsAuthenticated[post]{}),
		"~IsAdminUser & IsAuthenticated": And[post](Not[post](IsAdminUser[post]{}), IsAuthenticated[post]{}),
	}
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func TestDocTables(t *testing.T) {
	tables := docTables(t)
	classes := docClasses()
	ownerID := int64(1)
	obj := &post{ID: 10, OwnerID: &ownerID}

	for _, name := range []string{"request", "object", "decision"} {
		rows := tables[name]
		if len(rows) < 2 {
			t.Fatalf("table %s: no rows", name)
		}
		header := rows[0]
		seen := map[string]bool{}
		for _, row := range rows[1:] {
			if len(row) != len(header) {
				t.Fatalf("table %s: row %q has %d cells, header %d", name, row, len(row), len(header))
			}
			p, ok := classes[row[0]]
			if !ok {
				t.Fatalf("table %s: unknown class %q", name, row[0])
			}
			seen[row[0]] = true
			method := row[1]
			for i, who := range header[2:] {
				u, ok := docCallers[who]
				if !ok {
					t.Fatalf("table %s: unknown caller %q", name, who)
				}
				req := &Request{
					HTTP:   httptest.NewRequest(method, "/api/posts/10", nil),
					User:   u,
					Action: methodAction[method], Resource: "posts",
					Challenge: `Bearer realm="api"`,
				}
				var got string
				switch name {
				case "request":
					got = mark(Check(p, req).Allowed())
				case "object":
					got = mark(CheckObject(p, req, obj).Allowed())
				case "decision":
					d := Check(p, req)
					if d.Allowed() {
						d = CheckObject(p, req, obj)
					}
					got = "200"
					if !d.Allowed() {
						got = strconv.Itoa(d.Status)
					}
				}
				if want := row[2+i]; got != want {
					t.Errorf("table %s: %s %s as %s = %s, doc says %s", name, row[0], method, who, got, want)
				}
			}
		}
		if len(seen) != len(classes) {
			t.Errorf("table %s covers %d classes, code has %d", name, len(seen), len(classes))
		}
	}
}

// fixed answers both checks with fixed values.
type fixed struct{ perm, obj bool }

func (f fixed) HasPermission(*Request) (bool, error)              { return f.perm, nil }
func (f fixed) HasObjectPermission(*Request, *post) (bool, error) { return f.obj, nil }

func TestDocComposition(t *testing.T) {
	rows := docTables(t)["composition"]
	if len(rows) != 17 {
		t.Fatalf("composition table has %d rows, want header + 16", len(rows))
	}
	parse := func(s string) bool {
		switch s {
		case "✓":
			return true
		case "✗":
			return false
		}
		t.Fatalf("bad cell %q", s)
		return false
	}
	req := &Request{HTTP: httptest.NewRequest(http.MethodGet, "/", nil)}
	obj := &post{}
	for _, row := range rows[1:] {
		var v [10]bool
		for i := range v {
			v[i] = parse(row[i])
		}
		a, b := fixed{v[0], v[1]}, fixed{v[2], v[3]}
		for j, p := range []Permission[post]{And[post](a, b), Or[post](a, b), Not[post](a)} {
			wantPerm, wantObj := v[4+2*j], v[5+2*j]
			gotPerm, err := p.HasPermission(req)
			if err != nil || gotPerm != wantPerm {
				t.Errorf("row %q op %d: HasPermission = %v, %v; doc %v", row, j, gotPerm, err, wantPerm)
			}
			gotObj, err := p.HasObjectPermission(req, obj)
			if err != nil || gotObj != wantObj {
				t.Errorf("row %q op %d: HasObjectPermission = %v, %v; doc %v", row, j, gotObj, err, wantObj)
			}
			if Check(p, req).Allowed() != wantPerm || CheckObject(p, req, obj).Allowed() != wantObj {
				t.Errorf("row %q op %d: Check/CheckObject disagree with the doc", row, j)
			}
		}
	}
}

func TestDocChallenge(t *testing.T) {
	rows := docTables(t)["challenge"]
	if len(rows) != 5 {
		t.Fatalf("challenge table has %d rows, want header + 4", len(rows))
	}
	header := rows[0]
	for _, row := range rows[1:] {
		challenge := row[1]
		for i, who := range header[2:] {
			u, ok := docCallers[who]
			if !ok {
				t.Fatalf("unknown caller %q", who)
			}
			// IsAdminUser denies every caller of this table.
			req := &Request{HTTP: httptest.NewRequest(http.MethodGet, "/", nil), User: u, Action: ActionList, Resource: "posts", Challenge: challenge}
			d := Check[post](IsAdminUser[post]{}, req)
			if got, want := strconv.Itoa(d.Status), row[2+i]; got != want {
				t.Errorf("%s as %s: status %s, doc says %s", row[0], who, got, want)
			}
			wantChallenge := ""
			if d.Status == http.StatusUnauthorized {
				wantChallenge = challenge
			}
			if d.Challenge != wantChallenge {
				t.Errorf("%s as %s: challenge %q, want %q", row[0], who, d.Challenge, wantChallenge)
			}
		}
	}
}
