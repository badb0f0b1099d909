package spec

import (
	"os"
	"reflect"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDocTypes: every field of a decode struct is a value node with a key
// tag, or an embedded decode struct, and no struct accepts a key twice.
func TestDocTypes(t *testing.T) {
	nodeType := reflect.TypeOf((*yaml.Node)(nil))
	var check func(p string, typ reflect.Type)
	check = func(p string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch {
			case f.Anonymous && f.Type.Kind() == reflect.Struct:
				check(p, f.Type)
			case f.Type != nodeType:
				t.Errorf("%s: field %s is %s, want *yaml.Node", p, f.Name, f.Type)
			case f.Tag.Get("key") == "":
				t.Errorf("%s: field %s has no key tag", p, f.Name)
			}
		}
	}
	for p, d := range docTypes {
		check(p, reflect.TypeOf(d))
		seen := map[string]bool{}
		for _, k := range knownKeys[p] {
			if seen[k] {
				t.Errorf("%s: key %q twice", p, k)
			}
			seen[k] = true
		}
	}
}

// TestDecode: decode fills the field of each key present, leaves the
// others nil and refuses a key no field names.
func TestDecode(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("ttl: 5m\nbogus: 1\n"), &doc); err != nil {
		t.Fatal(err)
	}
	l := &loader{file: "t"}
	var d tokenDoc
	if !l.decode(doc.Content[0], "authentication.token", &d) {
		t.Fatal("decode refused a mapping")
	}
	if d.TTL == nil || d.TTL.Value != "5m" || d.TTL.Line != 1 || d.Path != nil {
		t.Errorf("got ttl %v, path %v", d.TTL, d.Path)
	}
	if len(l.errs) != 1 || l.errs[0].Error() != `t:2:1: unknown key "bogus" in authentication.token; expected one of: ttl, path` {
		t.Errorf("errors: %v", l.errs)
	}
}

// TestDocsNameEveryKey: docs/spec.md shows every key the loader accepts,
// in an example (key:) or in the text (`key`). The keys of
// action_permissions are the actions, which the routes table lists.
func TestDocsNameEveryKey(t *testing.T) {
	data, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for p, keys := range knownKeys {
		for _, k := range keys {
			re := regexp.MustCompile("(^|[\\s{,])" + regexp.QuoteMeta(k) + ":|`" + regexp.QuoteMeta(k) + "`")
			if p == "resources/*/action_permissions" {
				re = regexp.MustCompile("(?m)^\\| " + regexp.QuoteMeta(k) + " \\|")
			}
			if !re.Match(data) {
				t.Errorf("docs/spec.md does not show key %q of %s", k, p)
			}
		}
	}
}
