package spec

// knownKeys lists, for every mapping of the language with a fixed set of keys,
// the keys the loader accepts, in the order the reference documents them.
// The map key is a slash-separated path where "*" stands for a name the
// spec chooses (a resource, class or field name). Mappings whose keys are
// names (resources, permissions.classes, fields, action_permissions,
// throttles.rates) are not listed; their values are.
//
// The schema test walks this table against docs/ward.schema.json.
var knownKeys = map[string][]string{
	"":                                 {"version", "service", "authentication", "permissions", "throttles", "resources"},
	"service":                          {"name", "package", "output", "main", "env_prefix", "cors_origins", "health"},
	"authentication":                   {"default", "jwt", "session", "token", "basic", "me"},
	"authentication/jwt":               {"algorithm", "key_env", "access_ttl", "refresh_ttl", "refresh_token_in", "issuer", "audience", "leeway", "path", "reuse_grace"},
	"authentication/session":           {"cookie_name", "csrf_cookie_name", "csrf_header_name", "idle_timeout", "absolute_timeout", "path"},
	"authentication/token":             {"ttl", "path"},
	"authentication/basic":             {"realm"},
	"permissions":                      {"default", "classes"},
	"permissions/classes/*":            {"description", "check", "read_scope", "rule"},
	"permissions/classes/*/read_scope": {"owner", "staff", "field", "equals", "func"},
	"permissions/classes/*/rule":       {"owner", "staff", "field", "equals"},
	"throttles":                        {"trusted_proxies", "rates", "login_rate_env"},
	"resources/*":                      {"path", "model", "table", "source", "fields", "actions", "authentication", "permissions", "action_permissions", "page_size", "ordering", "throttles", "public", "allow_anonymous_writes"},
	"resources/*/action_permissions":   {"list", "create", "retrieve", "update", "partial_update", "destroy"},
	"resources/*/fields/*":             {"type", "required", "min_length", "max_length", "min", "max", "choices", "default", "read_only", "owner", "auto"},
}
