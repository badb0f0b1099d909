// Package plan is the resolved form of a Ward spec: every default applied,
// every name checked, every endpoint with its authentication chain, its
// permission expression as a tree and its read scope. The spec loader
// (package spec) produces it; the emitters (package golang) consume it.
//
// A plan is plain data. Slices are in a stable order (the order of the spec
// file unless noted) so that generation is deterministic.
package plan

import "time"

// Service is a whole resolved spec.
type Service struct {
	Name      string // service name, e.g. "blog"
	Package   string // Go package name of the generated code, e.g. "blogapi"
	EnvPrefix string // prefix of environment variables, e.g. "BLOG"
	SpecFile  string // base name of the spec file, e.g. "api.yaml"
	// Output is the folder of the generated package, relative to the spec's
	// folder and slash-separated, e.g. "blogapi".
	Output string
	// Main is the folder where the service's main package is scaffolded,
	// relative to the spec's folder, e.g. "cmd/blog"; "" scaffolds none.
	Main string

	Auth      Auth
	Accounts  *Accounts // self-service accounts; nil without their keys in the accounts section
	Classes   []*Class  // custom permission classes, sorted by name
	Default   Expr      // default permission expression (DEFAULT_PERMISSION_CLASSES)
	Throttle  Throttle
	Resources []*Resource // spec order
	Health    string      // path of the liveness endpoint, "" for none
	// Tests are the spec's policy tests (tests:), in spec order.
	Tests       []*Test
	CORSOrigins []string // allowed origins; empty means CORS is off
	Docs        *Docs    // the OpenAPI document and docs page; nil when off
}

// Docs says where the OpenAPI document (openapi.json) and the docs page
// built on it are served.
type Docs struct {
	Schema string // e.g. "/api/schema"
	UI     string // e.g. "/api/docs"; "" for no page
}

// Accounts is the accounts section: registration, email verification,
// password change and reset (dj-rest-auth's endpoints under Path).
type Accounts struct {
	Registration      string // "open" or "closed"
	EmailVerification string // "mandatory", "optional" or "none"
	Path              string // the auth prefix, e.g. "/auth"
	From              string // the mails' sender
	Templates         string // folder of mail template overrides, "" for none
}

// Auth holds the authentication classes in use and their settings.
type Auth struct {
	Default []AuthClass // DEFAULT_AUTHENTICATION_CLASSES, in order
	JWT     *JWT        // nil when the class is not declared
	Session *Session
	Token   *Token
	Basic   *Basic
	MePath  string // e.g. "/auth/me"; "" for none
	MFA     *MFA   // nil when MFA is off (accounts.mfa)
	// LogoutAllPath serves "log out everywhere" (accounts.sessions); "" for none.
	LogoutAllPath string
	// SessionsPath lists the caller's credentials and ends one
	// (accounts.sessions); "" for none.
	SessionsPath string
}

// MFA turns on the TOTP second factor of every login class.
type MFA struct {
	Path string // the endpoints' prefix, "/auth/2fa"
}

// AuthClass names an authentication class.
type AuthClass string

const (
	AuthJWT     AuthClass = "jwt"
	AuthToken   AuthClass = "token"
	AuthSession AuthClass = "session"
	AuthBasic   AuthClass = "basic"
)

// JWT configures JSON Web Token authentication.
type JWT struct {
	Algorithm  string        // HS256 (default), ES256, EdDSA or RS256
	KeyEnv     string        // environment variable holding the key, e.g. "BLOG_JWT_KEY"
	AccessTTL  time.Duration // default 5m
	RefreshTTL time.Duration // default 24h
	RefreshIn  string        // "cookie" (default) or "body"
	// AccessIn is where login and refresh put the access token: "body"
	// (default) or "cookie" (an HttpOnly cookie, CSRF on unsafe methods).
	AccessIn         string
	AccessCookieName string        // default "access_token"
	Issuer           string        // default: service name
	Audience         string        // default: service name
	Leeway           time.Duration // default 30s
	Path             string        // endpoint prefix, default "/auth/jwt"
	// ReuseGrace: a refresh token presented again within it of its own
	// rotation is refused without revoking its family (two tabs); default
	// 1s, 0 off, at most 1m.
	ReuseGrace time.Duration
}

// Session configures server-side session authentication with CSRF.
type Session struct {
	CookieName      string        // default "sessionid"
	CSRFCookieName  string        // default "csrftoken"
	CSRFHeaderName  string        // default "X-CSRFToken"
	IdleTimeout     time.Duration // default 2h
	AbsoluteTimeout time.Duration // default 336h (two weeks, as Django)
	Path            string        // endpoint prefix, default "/auth/session"
}

// Token configures opaque API token authentication.
type Token struct {
	TTL  time.Duration // 0 means tokens do not expire
	Path string        // endpoint prefix, default "/auth/token"
}

// Basic configures HTTP Basic authentication.
type Basic struct {
	Realm string // default "api"
}

// Throttle holds the throttle rates.
type Throttle struct {
	TrustedProxies int    // how many X-Forwarded-For hops to trust; 0 ignores the header
	Anon           *Rate  // applies to anonymous requests on every resource endpoint; nil for none
	User           *Rate  // applies to authenticated requests on every resource endpoint; nil for none
	Login          *Rate  // shared by every login endpoint (and failed basic/token credentials)
	LoginRateEnv   string // environment variable overriding Login, e.g. "BLOG_LOGIN_RATE"
	Scopes         []*Scope
}

// Scope is a named throttle scope that resources opt into.
type Scope struct {
	Name string
	Rate Rate
}

// Rate is a number of requests per period, e.g. 10/minute.
type Rate struct {
	Count  int
	Period time.Duration
	Text   string // as written, e.g. "10/minute"
}

// ClassKind says how a custom permission class is implemented.
type ClassKind string

const (
	// ClassGo classes are written in Go by a person: HasPermission and, per
	// model guarded, Has<Model>Permission, scaffolded as stubs that deny.
	ClassGo ClassKind = "go"
	// ClassRule classes are declarative: Ward generates both checks from Rule.
	ClassRule ClassKind = "rule"
)

// Class is a custom permission class.
type Class struct {
	Name        string // Go identifier, e.g. "IsOwnerOrReadOnly"
	Description string
	Kind        ClassKind
	Rule        *Rule      // the object rule, for ClassRule
	Scope       *ReadScope // what lists and lookups may see; never nil
	// Acknowledge maps each check the spec acknowledged on the class
	// (acknowledge:) to its reason: "unused".
	Acknowledge map[string]string
}

// RuleKind is the kind of a declarative rule or scope.
type RuleKind string

const (
	RuleAll   RuleKind = "all"   // every object
	RuleOwner RuleKind = "owner" // Field (a user field) is the caller
	RuleStaff RuleKind = "staff" // the caller is staff
	RuleField RuleKind = "field" // Field equals the caller's UserAttr
	RuleValue RuleKind = "value" // Field equals the constant Value, whoever the caller
	RuleFunc  RuleKind = "func"  // a Go scope function a person writes (scopes only)
)

// Rule is a declarative object rule. The object check and the read scope of
// a ClassRule class are both derived from it.
type Rule struct {
	Kind     RuleKind
	Field    string // for RuleOwner and RuleField: the resource field's name
	UserAttr string // for RuleField: "id", "username" or "is_staff"
	Value    any    // for RuleValue: a bool, int64 or string
}

// ReadScope limits what list and lookup queries can see.
type ReadScope struct {
	Kind     RuleKind
	Field    string // RuleOwner, RuleField
	UserAttr string // RuleField
	Value    any    // RuleValue: a bool, int64 or string
	Func     string // RuleFunc: name of the Go scope function, e.g. "TeamScope"
}

// Expr is a permission expression: a class reference or a composition.
type Expr interface{ isExpr() }

// Ref names a permission class: a built-in or a custom Class.
type Ref struct {
	Name    string
	Builtin bool   // AllowAny, IsAuthenticated, IsAdminUser, IsAuthenticatedOrReadOnly, ReadOnly, DjangoModelPermissions
	Class   *Class // the custom class, when not Builtin
}

// And is A & B.
type And struct{ L, R Expr }

// Or is A | B. For objects: (A.perm && A.obj) || (B.perm && B.obj).
type Or struct{ L, R Expr }

// Not is ~A. It negates A's request-level check only. A class with an
// object-level check cannot be negated (the loader rejects it).
type Not struct{ X Expr }

func (*Ref) isExpr() {}
func (*And) isExpr() {}
func (*Or) isExpr()  {}
func (*Not) isExpr() {}

// Built-in permission class names.
const (
	AllowAny                  = "AllowAny"
	IsAuthenticated           = "IsAuthenticated"
	IsAdminUser               = "IsAdminUser"
	IsAuthenticatedOrReadOnly = "IsAuthenticatedOrReadOnly"
	ReadOnly                  = "ReadOnly"               // safe methods (GET, HEAD, OPTIONS) only
	DjangoModelPermissions    = "DjangoModelPermissions" // per action: view, add, change, delete on the resource
)

// FieldType is the type of a resource field.
type FieldType string

const (
	String FieldType = "string" // short text, Go string, SQL TEXT
	Text   FieldType = "text"   // long text, Go string, SQL TEXT
	Int    FieldType = "int"    // int64, SQL INTEGER/BIGINT
	Float  FieldType = "float"  // float64, SQL REAL/DOUBLE PRECISION
	// Decimal is an exact decimal: apd.Decimal in Go, a string with exactly
	// DecimalPlaces places in JSON, NUMERIC(p,s) on PostgreSQL and a scaled
	// INTEGER on SQLite.
	Decimal  FieldType = "decimal"
	Bool     FieldType = "bool"     // bool
	DateTime FieldType = "datetime" // time.Time, RFC 3339 in JSON, UTC
	User     FieldType = "user"     // reference to a user; JSON shows the username
	// Reference is a reference to an object of another resource (type:
	// ref), DRF's PrimaryKeyRelatedField: int64 in Go, the object's id in
	// JSON, a foreign key to the target's table in SQL.
	Reference FieldType = "ref"
)

// The on_delete behaviours of a reference: what deleting the object it
// names does.
const (
	OnDeleteProtect = "protect"  // the delete is refused (409) while others refer to it
	OnDeleteCascade = "cascade"  // the referring objects are deleted with it
	OnDeleteSetNull = "set_null" // the reference becomes null (nullable fields only)
)

// Field is one field of a resource. The id field is implicit and not listed.
type Field struct {
	Name      string // JSON name and SQL column base, snake_case, e.g. "created_at"
	GoName    string // e.g. "CreatedAt"
	Column    string // SQL column, e.g. "created_at", or "owner_id" for a user field "owner"
	Type      FieldType
	Required  bool   // must be present on create and PUT
	ReadOnly  bool   // ignored when a client sends it
	Nullable  bool   // may be JSON null / SQL NULL (a non-required field without a default)
	Owner     bool   // the owner field: set from the caller on create; implies ReadOnly
	Auto      string // "created" or "updated" for datetime fields set by the server; implies ReadOnly
	MinLength *int   // characters, for string/text
	MaxLength *int
	Min       *float64 // for int/float
	Max       *float64
	Choices   []any // allowed values, of the field's Go type (string, int64, float64)
	Default   any   // nil for none; of the field's Go type
	// Unique: no two objects share the field's value (NULLs excepted), as
	// Django's unique=True; a unique index enforces it.
	Unique bool
	// MaxDigits and DecimalPlaces are a decimal field's precision and
	// scale; MinDecimal and MaxDecimal its bounds as the spec wrote them
	// ("" for none), exact where Min and Max would not be.
	MaxDigits, DecimalPlaces int
	MinDecimal, MaxDecimal   string
	// To is the name of the resource a reference field names, ToTable its
	// table, and OnDelete what deleting that object does (OnDeleteProtect, ...).
	To, ToTable, OnDelete string
	// Read and Write are the field's permission expressions (nil: none),
	// checked on the request only: a caller who fails Read never sees the
	// field, one who fails Write and sends it gets 403. Write implies Read.
	Read, Write Expr
	// CreateOnly: writable on create, ignored afterwards as read-only.
	CreateOnly bool
}

// Action is one of DRF's viewset actions.
type Action string

const (
	List          Action = "list"
	Create        Action = "create"
	Retrieve      Action = "retrieve"
	Update        Action = "update"
	PartialUpdate Action = "partial_update"
	Destroy       Action = "destroy"
)

// Actions lists every action in canonical order.
var Actions = []Action{List, Create, Retrieve, Update, PartialUpdate, Destroy}

// Resource is one REST resource.
type Resource struct {
	Name   string // e.g. "posts"
	Path   string // e.g. "/api/posts"; detail routes are Path + "/{id}"
	Model  string // Go type name, e.g. "Post"
	Table  string // SQL table, e.g. "posts"
	Source string // "" for a table Ward owns; "users" for a read-only view of the user store

	Fields   []*Field // spec order, without the implicit id
	Owner    *Field   // the owner field, or nil
	PageSize int      // default 20; the default limit of limit/offset pagination
	Ordering []Order  // default id ascending; id is always the last tie-breaker
	// OrderingFields are the names a client may order by (?ordering=,
	// DRF's OrderingFilter): fields of the resource or "id", in spec order.
	OrderingFields []string
	// Pagination is the style of the lists; MaxLimit caps ?limit= under
	// limit/offset pagination.
	Pagination Pagination
	MaxLimit   int

	Auth       []AuthClass // authentication chain for every endpoint of this resource
	Permission Expr        // resource-level expression (the default when not overridden)
	// ReadScope is the scope that list and every lookup (retrieve, update,
	// partial_update, destroy) read through. It is derived from the retrieve
	// action's expression (or the resource's when retrieve does not exist),
	// so a list never shows an object that retrieving would deny.
	ReadScope ScopeExpr
	Public    bool // the spec acknowledged that every object is visible to whoever passes the request check
	// AnonymousWrites: the spec acknowledged (allow_anonymous_writes) that
	// anonymous callers may pass the permission check of a write.
	AnonymousWrites bool
	// Reason says why the acknowledgements (Public, AnonymousWrites) hold
	// (reason: in the spec).
	Reason string
	// Acknowledge maps each permission check the spec acknowledged on this
	// resource (acknowledge:) to its reason: "write_wider_than_retrieve",
	// "create_not_retrievable", "never_passes", "always_passes".
	Acknowledge map[string]string
	// Pos is the position of the resource's name in the spec.
	Pos Pos

	Throttles []string // named throttle scopes
	Endpoints []*Endpoint
	// UniqueTogether lists the sets of fields (names, as written, two or
	// more) no two objects share, as Django's unique_together; a unique
	// index enforces each.
	UniqueTogether [][]string
	// Hooks are the write hooks the resource declares, in spec order; the
	// one kind is HookValidate.
	Hooks []Hook
	// Filters are the list's query filters (django-filter's
	// filterset_fields in its dict form), in spec order.
	Filters []*Filter
	// Search names the string fields ?search= looks in (DRF's
	// search_fields), in spec order.
	Search []string
	// Parent is the resource whose objects this one's routes are nested
	// under (parent: in the spec); nil for a top-level resource. Path then
	// holds the parent's id as a parameter: /api/products/{product_id}/reviews.
	Parent *Parent
}

// Parent is the parent of a nested resource. Every nested route first finds
// the parent object through the parent's own read scope (404 otherwise);
// lists and lookups see only the parent's objects, and create takes the
// parent from the URL.
type Parent struct {
	Resource string // the parent resource's name, e.g. "products"
	Table    string // its table, e.g. "products"
	Field    string // the reference field of the nested resource naming it, e.g. "product" (read-only)
	Column   string // that field's column, e.g. "product_id"
	Param    string // the URL parameter holding the parent's id, e.g. "product_id"
}

// Filter is the list filter of one field: the lookups its query
// parameters use (?field= for exact, ?field__lookup= for the others).
type Filter struct {
	Field   *Field
	Lookups []Lookup // spec order
}

// Lookup is a django-filter lookup.
type Lookup string

const (
	LookupExact  Lookup = "exact"
	LookupIn     Lookup = "in"
	LookupGte    Lookup = "gte"
	LookupLte    Lookup = "lte"
	LookupGt     Lookup = "gt"
	LookupLt     Lookup = "lt"
	LookupIsNull Lookup = "isnull"
)

// Lookups lists every lookup in canonical order.
var Lookups = []Lookup{LookupExact, LookupIn, LookupGte, LookupLte, LookupGt, LookupLt, LookupIsNull}

// Hook is a kind of write hook.
type Hook string

// HookValidate is the hook Validate<Model>(ctx, req, tx, old, new), called
// inside create's and update's transaction before the object check.
const HookValidate Hook = "validate"

// HasHook reports whether r declares hook h.
func (r *Resource) HasHook(h Hook) bool {
	for _, x := range r.Hooks {
		if x == h {
			return true
		}
	}
	return false
}

// Pagination is a style of list pagination, as DRF names them.
type Pagination string

const (
	PageNumber  Pagination = "page"         // ?page=N, DRF's PageNumberPagination (the default)
	LimitOffset Pagination = "limit_offset" // ?limit=L&offset=O, DRF's LimitOffsetPagination
	Cursor      Pagination = "cursor"       // ?cursor=C, DRF's CursorPagination, by keyset
)

// Paginations lists the styles in the order the reference documents them.
var Paginations = []Pagination{PageNumber, LimitOffset, Cursor}

// DefaultMaxLimit is max_limit when limit/offset pagination sets none.
const DefaultMaxLimit = 1000

// Order is one ordering key.
type Order struct {
	Field string // field name or "id"
	Desc  bool
}

// Endpoint is one action of a resource: one of the six viewset actions,
// or an extra action (Extra, DRF's @action).
type Endpoint struct {
	Action     Action
	Method     string // GET, POST, PUT, PATCH, DELETE
	Detail     bool   // route has {id}
	Auth       []AuthClass
	Permission Expr // after per-action overrides
	// Extra marks an extra action (extra_actions in the spec), whose route
	// is Path/{id}/<action> (Detail) or Path/<action>, and Func the Go
	// function a person writes for it, e.g. "CancelOrder".
	Extra bool
	Func  string
}

// ExtraEndpoints lists r's extra actions, in spec order.
func (r *Resource) ExtraEndpoints() []*Endpoint {
	var out []*Endpoint
	for _, e := range r.Endpoints {
		if e.Extra {
			out = append(out, e)
		}
	}
	return out
}

// ScopeExpr is the read scope as an expression mirroring the permission
// expression it came from: And/Or of class scopes, each guarded at request
// time by its class's request-level check (see package golang).
type ScopeExpr interface{ isScope() }

// ScopeAll lets every object through.
type ScopeAll struct{}

// ScopeClass is the read scope of one custom class. In an Or, a branch only
// contributes when Ref's request-level check passes for the caller.
type ScopeClass struct {
	Ref   *Ref
	Scope *ReadScope
}

// ScopeAnd is the intersection of two scopes.
type ScopeAnd struct{ L, R ScopeExpr }

// ScopeOr is the union of two scopes, each guarded by its branch's
// request-level check (Guard): for A | B, an object is visible when
// (A.perm && A.scope) || (B.perm && B.scope).
type ScopeOr struct {
	L, R           ScopeExpr
	LGuard, RGuard Expr
}

func (ScopeAll) isScope()    {}
func (*ScopeClass) isScope() {}
func (*ScopeAnd) isScope()   {}
func (*ScopeOr) isScope()    {}

// Pos is a position in the spec file, for the checks made on the plan.
type Pos struct{ Line, Col int }

// Test is one policy test of the spec (tests:): a caller does a request
// and expects a status; the generated *_gen_test.go drives the generated
// handlers with it.
type Test struct {
	Name string // as written, or "as do" when none
	// As is the kind of caller, as the permission matrix names it:
	// "anonymous", "authenticated", "staff", "owner(F)", "perm:R.code".
	As string
	// Method and Route are the request (do:), the route as the spec
	// writes it: "GET /api/orders/{id}".
	Method, Route string
	// Resource is the resource whose route it is, Detail whether the
	// route names an object ({id}).
	Resource string
	Detail   bool
	// Object is the caller's relation to the object of a detail route:
	// "own" (owner(F) callers only) or "other" (another user's object).
	Object string
	// With are field values of the object the test creates (SQL values:
	// string, int64, float64, bool), by field name, sorted.
	With []FieldValue
	// Body is the JSON request body ("" for none).
	Body   string
	Expect int // the HTTP status
	// Positions of the entry and of its keys, for the checks on the plan.
	Pos, AsPos, DoPos, ExpectPos Pos
}

// FieldValue is a field's value in a policy test's object.
type FieldValue struct {
	Field string
	Value any
}
