package perm

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
)

const (
	jwtChallenge   = `Bearer realm="api"`
	tokenChallenge = `Token`
	basicChallenge = `Basic realm="api"`
)

// challenges are the first authentication classes a view can have.
var challenges = []struct{ class, challenge string }{
	{"jwt", jwtChallenge}, {"token", tokenChallenge}, {"basic", basicChallenge}, {"session", ""},
}

func newReq(method, caller, challenge string) *Request {
	return &Request{
		HTTP:      httptest.NewRequest(method, "/api/posts/10", nil),
		User:      docCallers[caller],
		Action:    methodAction[method],
		Resource:  "posts",
		Challenge: challenge,
	}
}

// decideBoth runs both checks on a post owned by user 1, as a detail view.
func decideBoth(p Permission[post], req *Request) Decision {
	owner := int64(1)
	if d := Check(p, req); !d.Allowed() {
		return d
	}
	return CheckObject(p, req, &post{ID: 10, OwnerID: &owner})
}

// TestDecisionMatrix: class or composition × method × caller, with the
// status under a view whose first class has a challenge (jwt) and one
// whose first class has none (session). Every other challenge must behave
// as jwt.
func TestDecisionMatrix(t *testing.T) {
	classes := docClasses()
	cases := []struct {
		class, method, caller string
		jwt, session          int // 0 = allowed
	}{
		{"AllowAny", "DELETE", "anonymous", 0, 0},
		{"AllowAny", "POST", "inactive", 0, 0},
		{"IsAuthenticated", "GET", "anonymous", 401, 403},
		{"IsAuthenticated", "GET", "inactive", 401, 403},
		{"IsAuthenticated", "OPTIONS", "user", 0, 0},
		{"IsAuthenticated", "DELETE", "user", 0, 0},
		{"IsAdminUser", "GET", "user", 403, 403},
		{"IsAdminUser", "GET", "staff", 0, 0},
		{"IsAdminUser", "HEAD", "inactive", 401, 403},
		{"IsAdminUser", "POST", "anonymous", 401, 403},
		{"IsAuthenticatedOrReadOnly", "GET", "anonymous", 0, 0},
		{"IsAuthenticatedOrReadOnly", "HEAD", "anonymous", 0, 0},
		{"IsAuthenticatedOrReadOnly", "OPTIONS", "anonymous", 0, 0},
		{"IsAuthenticatedOrReadOnly", "POST", "anonymous", 401, 403},
		{"IsAuthenticatedOrReadOnly", "PUT", "inactive", 401, 403},
		{"IsAuthenticatedOrReadOnly", "PATCH", "user", 0, 0},
		{"IsAuthenticatedOrReadOnly", "DELETE", "user", 0, 0},
		{"DjangoModelPermissions", "GET", "user", 0, 0},
		{"DjangoModelPermissions", "POST", "user", 0, 0},
		{"DjangoModelPermissions", "PUT", "user", 403, 403},
		{"DjangoModelPermissions", "PATCH", "user", 403, 403},
		{"DjangoModelPermissions", "DELETE", "user", 403, 403},
		{"DjangoModelPermissions", "DELETE", "owner", 0, 0},
		{"DjangoModelPermissions", "GET", "staff", 403, 403},
		{"DjangoModelPermissions", "OPTIONS", "staff", 0, 0},
		{"DjangoModelPermissions", "GET", "anonymous", 401, 403},
		{"DjangoModelPermissions", "GET", "inactive", 401, 403},
		{"IsOwner", "GET", "owner", 0, 0},
		{"IsOwner", "GET", "user", 403, 403},
		{"IsOwner", "GET", "anonymous", 401, 403},
		{"IsOwner", "DELETE", "inactive", 401, 403},
		{"ReadOnly | IsOwner", "GET", "anonymous", 0, 0},
		{"ReadOnly | IsOwner", "PUT", "user", 403, 403},
		{"ReadOnly | IsOwner", "PUT", "owner", 0, 0},
		{"ReadOnly | IsOwner", "DELETE", "anonymous", 401, 403},
		{"IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner)", "GET", "anonymous", 401, 403},
		{"IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner)", "PUT", "user", 403, 403},
		{"IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner)", "PUT", "owner", 0, 0},
		{"IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner)", "DELETE", "staff", 0, 0},
		{"IsAuthenticatedOrReadOnly & (IsAdminUser | IsOwner)", "DELETE", "inactive", 401, 403},
		// #7720: IsAdminUser's default-true object check must not let a
		// non-staff user through the Or.
		{"IsAdminUser | IsOwner", "GET", "user", 403, 403},
		{"IsAdminUser | IsOwner", "GET", "staff", 0, 0},
		// #6598: ~ does not negate object checks.
		{"~IsAuthenticated", "GET", "anonymous", 0, 0},
		{"~IsAuthenticated", "GET", "user", 403, 403},
		{"~IsAdminUser & IsAuthenticated", "POST", "user", 0, 0},
		{"~IsAdminUser & IsAuthenticated", "POST", "staff", 403, 403},
	}
	for _, c := range cases {
		p, ok := classes[c.class]
		if !ok {
			t.Fatalf("unknown class %q", c.class)
		}
		for _, ch := range challenges {
			want := c.jwt
			if ch.challenge == "" {
				want = c.session
			}
			t.Run(fmt.Sprintf("%s/%s/%s/%s", c.class, c.method, c.caller, ch.class), func(t *testing.T) {
				d := decideBoth(p, newReq(c.method, c.caller, ch.challenge))
				if d.Status != want {
					t.Fatalf("status %d, want %d (%+v)", d.Status, want, d)
				}
				switch want {
				case 0:
					if !d.Allowed() || d.Detail != "" || d.Challenge != "" {
						t.Fatalf("allowed decision carries %+v", d)
					}
				case 401:
					if d.Detail != "" || d.Challenge != ch.challenge {
						t.Fatalf("401 = %+v", d)
					}
				case 403:
					if d.Detail != "" || d.Challenge != "" {
						t.Fatalf("403 = %+v", d)
					}
				}
			})
		}
	}
}

// answer is a class with scripted answers, an optional message, and a
// count of calls.
type answer struct {
	perm, obj       bool
	permErr, objErr error
	msg             string
	calls           *int
}

func (a answer) HasPermission(*Request) (bool, error) {
	if a.calls != nil {
		*a.calls++
	}
	return a.perm, a.permErr
}

func (a answer) HasObjectPermission(*Request, *post) (bool, error) {
	if a.calls != nil {
		*a.calls++
	}
	return a.obj, a.objErr
}

// withMessage is answer with DRF's message.
type withMessage struct{ answer }

func (w withMessage) Message() string { return w.msg }

var errDB = errors.New("dial tcp 10.0.0.7:5432: connection refused")

const stubMsg = "IsOwner.HasPermission is not written yet: edit permissions/is_owner.go"

func TestDenyErrorsAndMessages(t *testing.T) {
	allow := answer{perm: true, obj: true}
	deny := answer{}
	stub := answer{permErr: Deny(stubMsg), objErr: Deny(stubMsg)}
	msgA := withMessage{answer{msg: "not A"}}
	msgB := withMessage{answer{msg: "not B"}}
	broken := answer{permErr: errDB, objErr: errDB}
	unavailable := answer{permErr: fmt.Errorf("lookup: %w", identity.ErrUnavailable)}
	wrappedStub := answer{permErr: fmt.Errorf("team check: %w", Deny("not in the team"))}
	emptyDenyWithMsg := withMessage{answer{permErr: Deny(""), msg: "class message"}}

	cases := []struct {
		name      string
		p         Permission[post]
		caller    string
		challenge string
		status    int
		detail    string
	}{
		{"stub denies with its message", stub, "user", jwtChallenge, 403, stubMsg},
		{"stub is 401 for anonymous with a challenge", stub, "anonymous", jwtChallenge, 401, ""},
		{"stub is 403 for anonymous without challenge", stub, "anonymous", "", 403, stubMsg},
		{"wrapped Deny", wrappedStub, "user", jwtChallenge, 403, "not in the team"},
		{"empty Deny uses the class message", emptyDenyWithMsg, "user", "", 403, "class message"},
		{"error is 503", broken, "user", jwtChallenge, 503, ""},
		{"error is 503 even for anonymous", broken, "anonymous", jwtChallenge, 503, ""},
		{"ErrUnavailable is 503", unavailable, "staff", "", 503, ""},
		{"class message on 403", msgA, "user", jwtChallenge, 403, "not A"},
		{"class message never on 401", msgA, "anonymous", jwtChallenge, 401, ""},
		{"And: failing left's message", And[post](msgA, msgB), "user", "", 403, "not A"},
		{"And: failing right's message", And[post](allow, msgB), "user", "", 403, "not B"},
		{"And: left without message denies, right not asked", And[post](deny, msgB), "user", "", 403, ""},
		{"Or: left's message first", Or[post](msgA, msgB), "user", "", 403, "not A"},
		{"Or: else right's", Or[post](deny, msgB), "user", "", 403, "not B"},
		{"Or: allows when one allows", Or[post](msgA, allow), "user", "", 0, ""},
		{"Or: stub branch is false", Or[post](stub, allow), "user", "", 0, ""},
		{"Or: stub and false keeps the stub message", Or[post](deny, stub), "user", "", 403, stubMsg},
		{"Or: error on the left is 503 though right allows", Or[post](broken, allow), "user", "", 503, ""},
		{"Or: right error not reached", Or[post](allow, broken), "user", "", 0, ""},
		{"And: right error not reached", And[post](deny, broken), "user", "", 403, ""},
		{"And: error is 503", And[post](allow, broken), "user", "", 503, ""},
		{"Not: inverts false", Not[post](deny), "user", "", 0, ""},
		{"Not: inverts true with the default message", Not[post](msgA.withPerm(true)), "user", "", 403, ""},
		{"Not: never inverts a stub", Not[post](stub), "user", "", 403, stubMsg},
		{"Not: never inverts an undecided Or", Not[post](Or[post](deny, stub)), "user", "", 403, stubMsg},
		{"Not: a decided And is inverted", Not[post](And[post](deny, stub)), "user", "", 0, ""},
		{"Not: double negation keeps the stub", Not[post](Not[post](stub)), "user", "", 403, stubMsg},
		{"Not: error is 503", Not[post](broken), "user", "", 503, ""},
		{"nil class denies", nil, "staff", "", 403, ""},
		{"nil operand denies", And[post](allow, nil), "staff", "", 403, ""},
		{"nil operand in Or is false", Or[post](nil, allow), "staff", "", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Check(c.p, newReq(http.MethodPost, c.caller, c.challenge))
			if d.Status != c.status || d.Detail != c.detail {
				t.Fatalf("Check = %+v, want %d %q", d, c.status, c.detail)
			}
		})
	}
}

func (w withMessage) withPerm(b bool) withMessage { w.perm = b; return w }

func TestObjectLevelErrorsAndStubs(t *testing.T) {
	stub := answer{perm: true, objErr: Deny(stubMsg)}
	broken := answer{perm: true, objErr: errDB}
	req := newReq(http.MethodPut, "user", jwtChallenge)
	obj := &post{}
	cases := []struct {
		name   string
		p      Permission[post]
		obj    *post
		status int
		detail string
	}{
		{"object stub", stub, obj, 403, stubMsg},
		{"object error", broken, obj, 503, ""},
		{"Or object: error on left", Or[post](broken, AllowAny[post]{}), obj, 503, ""},
		{"Or object: request check of the branch runs first", Or[post](answer{perm: false, objErr: errDB}, AllowAny[post]{}), obj, 0, ""},
		{"Not object is true whatever the operand", Not[post](broken), obj, 0, ""},
		{"nil object denies", AllowAny[post]{}, nil, 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := CheckObject(c.p, req, c.obj)
			if d.Status != c.status || d.Detail != c.detail {
				t.Fatalf("CheckObject = %+v, want %d %q", d, c.status, c.detail)
			}
		})
	}
}

func TestShortCircuit(t *testing.T) {
	var calls int
	counted := answer{perm: true, obj: true, calls: &calls}
	req := newReq(http.MethodGet, "user", "")
	Check(And[post](answer{}, counted), req)
	Check(Or[post](answer{perm: true}, counted), req)
	if calls != 0 {
		t.Fatalf("right operand evaluated %d times after the left decided", calls)
	}
	Check(And[post](answer{perm: true}, counted), req)
	if calls != 1 {
		t.Fatalf("right operand of And evaluated %d times, want 1", calls)
	}
}

func TestPublicMethodsOfCompositions(t *testing.T) {
	req := newReq(http.MethodGet, "user", "")
	stub := answer{permErr: Deny(stubMsg)}
	ok, err := Not[post](stub).HasPermission(req)
	if ok {
		t.Fatal("Not(stub).HasPermission allowed")
	}
	if msg, isDeny := IsDeny(err); !isDeny || msg != stubMsg {
		t.Fatalf("Not(stub).HasPermission error = %v, want the stub's Deny", err)
	}
	ok, err = Or[post](answer{permErr: errDB}, AllowAny[post]{}).HasPermission(req)
	if ok || !errors.Is(err, errDB) {
		t.Fatalf("Or(broken, allow).HasPermission = %v, %v", ok, err)
	}
	if _, isDeny := IsDeny(errDB); isDeny {
		t.Fatal("a plain error counts as Deny")
	}
}

func TestUnknownActionDenies(t *testing.T) {
	owner := docCallers["owner"]
	for _, action := range []string{"", "approve", "LIST", "retrieve ", "view"} {
		req := &Request{HTTP: httptest.NewRequest(http.MethodGet, "/", nil), User: owner, Action: action, Resource: "posts"}
		if d := Check[post](DjangoModelPermissions[post]{}, req); d.Status != http.StatusForbidden {
			t.Errorf("action %q: %+v, want 403", action, d)
		}
	}
	req := &Request{HTTP: httptest.NewRequest(http.MethodGet, "/", nil), User: owner, Action: ActionList, Resource: ""}
	if Check[post](DjangoModelPermissions[post]{}, req).Allowed() {
		t.Error("empty resource allowed")
	}
	// A permission on another resource, or a prefix of the right one, is not it.
	u := &identity.User{ID: 9, IsActive: true, Perms: []string{"comments.view", "post.view", "postsx.view", "posts.viewx"}}
	req = &Request{HTTP: httptest.NewRequest(http.MethodGet, "/", nil), User: u, Action: ActionList, Resource: "posts"}
	if Check[post](DjangoModelPermissions[post]{}, req).Allowed() {
		t.Error("near-miss permission allowed")
	}
}

func TestModelPermMatchesHasPerm(t *testing.T) {
	u := docCallers["user"]
	for _, action := range []string{ActionList, ActionRetrieve, ActionCreate, ActionUpdate, ActionPartialUpdate, ActionDestroy} {
		code, _ := ModelPerm(action)
		req := &Request{HTTP: httptest.NewRequest(http.MethodGet, "/", nil), User: u, Action: action, Resource: "posts"}
		if got, want := Check[post](DjangoModelPermissions[post]{}, req).Allowed(), u.HasPerm("posts."+code); got != want {
			t.Errorf("%s: allowed %v, HasPerm %v", action, got, want)
		}
	}
}

func TestRequestHelpers(t *testing.T) {
	var nilReq *Request
	if nilReq.SafeMethod() || nilReq.Authenticated() {
		t.Fatal("nil request is safe or authenticated")
	}
	if (&Request{}).SafeMethod() {
		t.Fatal("request without HTTP is safe")
	}
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "get"} {
		want := m == "GET" || m == "HEAD" || m == "OPTIONS"
		r := &Request{HTTP: &http.Request{Method: m}}
		if r.SafeMethod() != want {
			t.Errorf("%s: SafeMethod %v", m, !want)
		}
	}
	if d := Check[post](AllowAny[post]{}, nil); d.Allowed() {
		t.Fatal("nil request allowed")
	}
	// Check and CheckObject fail closed on a composition and on a class.
	one := int64(1)
	for _, p := range []Permission[post]{AllowAny[post]{}, Or[post](AllowAny[post]{}, AllRule[post]()), nil} {
		if Check(p, nil).Allowed() {
			t.Fatalf("%T: nil request allowed", p)
		}
		if CheckObject(p, nil, &post{OwnerID: &one}).Allowed() {
			t.Fatalf("%T: nil request allowed an object", p)
		}
		if CheckObject(p, newReq("GET", "staff", ""), nil).Allowed() {
			t.Fatalf("%T: nil object allowed", p)
		}
	}
	if Check[post](nil, newReq("GET", "staff", "")).Allowed() {
		t.Fatal("nil permission allowed")
	}
}

func TestDecisionNeverCarriesTheError(t *testing.T) {
	// A 503 from a check never carries the error.
	d := Check[post](answer{permErr: errDB}, newReq(http.MethodGet, "user", ""))
	if strings.Contains(d.Detail, "10.0.0.7") {
		t.Fatalf("decision leaks the error: %+v", d)
	}
}
