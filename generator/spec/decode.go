package spec

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Step one of loading: decoding. Every mapping of the language with a fixed
// set of keys is a struct below. A field holds the value node of its key,
// with the node's position, or nil when the key is absent; its key tag
// names the key. Fields are in the order the reference documents the keys.
//
// The structs are the one list of keys: decode refuses any other key with
// a suggestion, knownKeys is derived from them, and the schema test checks
// them against docs/ward.schema.json both ways. Adding a key is a field
// here, its check where the section is validated, and its docs.

type specDoc struct {
	Version        *yaml.Node `key:"version"`
	Service        *yaml.Node `key:"service"`
	Authentication *yaml.Node `key:"authentication"`
	Permissions    *yaml.Node `key:"permissions"`
	Throttles      *yaml.Node `key:"throttles"`
	Resources      *yaml.Node `key:"resources"`
	Accounts       *yaml.Node `key:"accounts"`
	Tests          *yaml.Node `key:"tests"`
}

type accountsDoc struct {
	Registration      *yaml.Node `key:"registration"`
	EmailVerification *yaml.Node `key:"email_verification"`
	Path              *yaml.Node `key:"path"`
	From              *yaml.Node `key:"from"`
	Templates         *yaml.Node `key:"templates"`
	MFA               *yaml.Node `key:"mfa"`
	Sessions          *yaml.Node `key:"sessions"`
}

type serviceDoc struct {
	Name        *yaml.Node `key:"name"`
	Package     *yaml.Node `key:"package"`
	Output      *yaml.Node `key:"output"`
	Main        *yaml.Node `key:"main"`
	EnvPrefix   *yaml.Node `key:"env_prefix"`
	CORSOrigins *yaml.Node `key:"cors_origins"`
	Health      *yaml.Node `key:"health"`
	Docs        *yaml.Node `key:"docs"`
}

type docsDoc struct {
	Schema *yaml.Node `key:"schema"`
	UI     *yaml.Node `key:"ui"`
}

type authenticationDoc struct {
	Default *yaml.Node `key:"default"`
	JWT     *yaml.Node `key:"jwt"`
	Session *yaml.Node `key:"session"`
	Token   *yaml.Node `key:"token"`
	Basic   *yaml.Node `key:"basic"`
	Me      *yaml.Node `key:"me"`
}

type jwtDoc struct {
	Algorithm      *yaml.Node `key:"algorithm"`
	KeyEnv         *yaml.Node `key:"key_env"`
	AccessTTL      *yaml.Node `key:"access_ttl"`
	RefreshTTL     *yaml.Node `key:"refresh_ttl"`
	RefreshTokenIn *yaml.Node `key:"refresh_token_in"`
	AccessTokenIn  *yaml.Node `key:"access_token_in"`
	AccessCookie   *yaml.Node `key:"access_cookie_name"`
	Issuer         *yaml.Node `key:"issuer"`
	Audience       *yaml.Node `key:"audience"`
	Leeway         *yaml.Node `key:"leeway"`
	Path           *yaml.Node `key:"path"`
	ReuseGrace     *yaml.Node `key:"reuse_grace"`
}

type sessionDoc struct {
	CookieName      *yaml.Node `key:"cookie_name"`
	CSRFCookieName  *yaml.Node `key:"csrf_cookie_name"`
	CSRFHeaderName  *yaml.Node `key:"csrf_header_name"`
	IdleTimeout     *yaml.Node `key:"idle_timeout"`
	AbsoluteTimeout *yaml.Node `key:"absolute_timeout"`
	Path            *yaml.Node `key:"path"`
}

type tokenDoc struct {
	TTL  *yaml.Node `key:"ttl"`
	Path *yaml.Node `key:"path"`
}

type basicDoc struct {
	Realm *yaml.Node `key:"realm"`
}

type permissionsDoc struct {
	Default *yaml.Node `key:"default"`
	Classes *yaml.Node `key:"classes"`
}

type classDoc struct {
	Description *yaml.Node `key:"description"`
	Check       *yaml.Node `key:"check"`
	ReadScope   *yaml.Node `key:"read_scope"`
	Rule        *yaml.Node `key:"rule"`
	Acknowledge *yaml.Node `key:"acknowledge"`
}

// ruleDoc is a class's rule, and with Func its read_scope.
type ruleDoc struct {
	Owner  *yaml.Node `key:"owner"`
	Staff  *yaml.Node `key:"staff"`
	Field  *yaml.Node `key:"field"`
	Equals *yaml.Node `key:"equals"`
	Value  *yaml.Node `key:"value"`
}

type readScopeDoc struct {
	ruleDoc
	Func *yaml.Node `key:"func"`
}

type throttlesDoc struct {
	TrustedProxies *yaml.Node `key:"trusted_proxies"`
	Rates          *yaml.Node `key:"rates"`
	LoginRateEnv   *yaml.Node `key:"login_rate_env"`
}

type resourceDoc struct {
	Path                 *yaml.Node `key:"path"`
	Model                *yaml.Node `key:"model"`
	Table                *yaml.Node `key:"table"`
	Source               *yaml.Node `key:"source"`
	Fields               *yaml.Node `key:"fields"`
	Actions              *yaml.Node `key:"actions"`
	Authentication       *yaml.Node `key:"authentication"`
	Permissions          *yaml.Node `key:"permissions"`
	ActionPermissions    *yaml.Node `key:"action_permissions"`
	PageSize             *yaml.Node `key:"page_size"`
	Ordering             *yaml.Node `key:"ordering"`
	OrderingFields       *yaml.Node `key:"ordering_fields"`
	Pagination           *yaml.Node `key:"pagination"`
	MaxLimit             *yaml.Node `key:"max_limit"`
	Throttles            *yaml.Node `key:"throttles"`
	Public               *yaml.Node `key:"public"`
	AllowAnonymousWrites *yaml.Node `key:"allow_anonymous_writes"`
	Reason               *yaml.Node `key:"reason"`
	Acknowledge          *yaml.Node `key:"acknowledge"`
	UniqueTogether       *yaml.Node `key:"unique_together"`
	Hooks                *yaml.Node `key:"hooks"`
	Filters              *yaml.Node `key:"filters"`
	Search               *yaml.Node `key:"search"`
	ExtraActions         *yaml.Node `key:"extra_actions"`
	Parent               *yaml.Node `key:"parent"`
}

// extraActionDoc is one extra action of a resource (DRF's @action).
type extraActionDoc struct {
	Method      *yaml.Node `key:"method"`
	Detail      *yaml.Node `key:"detail"`
	Permissions *yaml.Node `key:"permissions"`
}

// parentDoc nests a resource's routes under another's objects.
type parentDoc struct {
	Resource *yaml.Node `key:"resource"`
	Field    *yaml.Node `key:"field"`
}

type fieldDoc struct {
	Type      *yaml.Node `key:"type"`
	Required  *yaml.Node `key:"required"`
	MinLength *yaml.Node `key:"min_length"`
	MaxLength *yaml.Node `key:"max_length"`
	Min       *yaml.Node `key:"min"`
	Max       *yaml.Node `key:"max"`
	// decimal fields
	MaxDigits     *yaml.Node `key:"max_digits"`
	DecimalPlaces *yaml.Node `key:"decimal_places"`
	Choices       *yaml.Node `key:"choices"`
	Default       *yaml.Node `key:"default"`
	ReadOnly      *yaml.Node `key:"read_only"`
	Owner         *yaml.Node `key:"owner"`
	Auto          *yaml.Node `key:"auto"`
	Unique        *yaml.Node `key:"unique"`
	// reference fields
	To       *yaml.Node `key:"to"`
	OnDelete *yaml.Node `key:"on_delete"`
	// field-level permissions
	Read       *yaml.Node `key:"read"`
	Write      *yaml.Node `key:"write"`
	CreateOnly *yaml.Node `key:"create_only"`
}

// testDoc is one policy test (tests:).
type testDoc struct {
	Name   *yaml.Node `key:"name"`
	As     *yaml.Node `key:"as"`
	Do     *yaml.Node `key:"do"`
	Object *yaml.Node `key:"object"`
	With   *yaml.Node `key:"with"`
	Body   *yaml.Node `key:"body"`
	Expect *yaml.Node `key:"expect"`
}

// docTypes places each struct in the language. The path is slash-separated;
// "*" stands for a name the spec chooses (a resource, class or field name).
// Mappings whose keys are names (resources, permissions.classes, fields,
// throttles.rates) have no struct; their values do.
var docTypes = map[string]any{
	"":                                 specDoc{},
	"service":                          serviceDoc{},
	"service/docs":                     docsDoc{},
	"authentication":                   authenticationDoc{},
	"authentication/jwt":               jwtDoc{},
	"authentication/session":           sessionDoc{},
	"authentication/token":             tokenDoc{},
	"authentication/basic":             basicDoc{},
	"accounts":                         accountsDoc{},
	"permissions":                      permissionsDoc{},
	"permissions/classes/*":            classDoc{},
	"permissions/classes/*/read_scope": readScopeDoc{},
	"permissions/classes/*/rule":       ruleDoc{},
	"throttles":                        throttlesDoc{},
	"resources/*":                      resourceDoc{},
	"resources/*/fields/*":             fieldDoc{},
	"resources/*/extra_actions/*":      extraActionDoc{},
	"resources/*/parent":               parentDoc{},
	"tests":                            testDoc{}, // each item of the list
}

// knownKeys lists, for every mapping of the language with a fixed set of
// keys, the keys the loader accepts, in the order the reference documents
// them: the key tags of docTypes, and the action names, which are the keys
// of action_permissions.
var knownKeys = func() map[string][]string {
	m := map[string][]string{
		"resources/*/action_permissions":    actionNames,
		"resources/*/acknowledge":           ResourceChecks,
		"permissions/classes/*/acknowledge": classChecks,
	}
	for p, d := range docTypes {
		m[p] = docKeys(reflect.TypeOf(d))
	}
	return m
}()

// docKeys returns the key tags of struct type t, embedded structs first.
func docKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			keys = append(keys, docKeys(f.Type)...)
			continue
		}
		keys = append(keys, f.Tag.Get("key"))
	}
	return keys
}

// decode reads mapping n into dst, a pointer to one of the structs above.
// It reports what mapping reports (not a mapping, duplicate and unknown
// keys) and returns false when n is not a mapping. A null value decodes as
// an empty mapping.
func (l *loader) decode(n *yaml.Node, what string, dst any) bool {
	v := reflect.ValueOf(dst).Elem()
	m, _, ok := l.mapping(n, what, docKeys(v.Type()))
	if !ok {
		return false
	}
	setNodes(v, m)
	return true
}

func setNodes(v reflect.Value, m map[string]*yaml.Node) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			setNodes(v.Field(i), m)
			continue
		}
		if x, ok := m[f.Tag.Get("key")]; ok {
			v.Field(i).Set(reflect.ValueOf(x))
		}
	}
}

// docNode returns the field of dst whose key tag is key, for the checks
// that go over keys by name.
func docNode(dst any, key string) **yaml.Node {
	v := reflect.ValueOf(dst).Elem()
	return findNode(v, key)
}

func findNode(v reflect.Value, key string) **yaml.Node {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			if p := findNode(v.Field(i), key); p != nil {
				return p
			}
			continue
		}
		if f.Tag.Get("key") == key {
			return v.Field(i).Addr().Interface().(**yaml.Node)
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "nothing"
}

// mapping checks that n is a mapping, reports duplicate keys and, when known
// is not nil, unknown keys. what names the mapping in messages.
func (l *loader) mapping(n *yaml.Node, what string, known []string) (map[string]*yaml.Node, []entry, bool) {
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return map[string]*yaml.Node{}, nil, true
		}
		l.errAt(n, "", "%s must be a mapping, found %s", what, kindName(n))
		return nil, nil, false
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	keys := make(map[string]*yaml.Node, len(n.Content)/2)
	var list []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errAt(k, "", "keys of %s must be strings, found %s", what, kindName(k))
			continue
		}
		if prev, dup := keys[k.Value]; dup {
			l.errAt(k, "remove one of them", "duplicate key %q in %s (first at line %d)", k.Value, what, prev.Line)
			continue
		}
		keys[k.Value] = k
		if known != nil && !contains(known, k.Value) {
			l.unknownKey(k, what, known)
			continue
		}
		m[k.Value] = v
		list = append(list, entry{k, v})
	}
	return m, list, true
}

func (l *loader) unknownKey(k *yaml.Node, what string, known []string) {
	if s := nearest(k.Value, known); s != "" {
		l.errAt(k, fmt.Sprintf("did you mean %q?", s), "unknown key %q in %s", k.Value, what)
		return
	}
	l.errAt(k, "expected one of: "+strings.Join(known, ", "), "unknown key %q in %s", k.Value, what)
}

// keyNode returns the key node of name in mapping n, for positions.
func keyNode(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return n
}

func keyNodeOr(n *yaml.Node, key string, fallback *yaml.Node) *yaml.Node {
	k := keyNode(n, key)
	if k == n {
		return fallback
	}
	// point at the value
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] == k {
			return n.Content[i+1]
		}
	}
	return k
}

type entry struct {
	Key, Val *yaml.Node
}
