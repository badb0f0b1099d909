package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// This file keeps docs/ward.schema.json in step with the loader. It holds
// a small JSON Schema validator for exactly the keywords the schema uses;
// TestSchemaKeywords fails if the schema starts using any other.

const schemaFile = "../../docs/ward.schema.json"

type jsonSchema = map[string]any

func loadSchema(t *testing.T) jsonSchema {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonSchema
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	return s
}

var (
	schemaAnnotations = map[string]bool{"$schema": true, "$id": true, "$defs": true, "title": true, "description": true}
	schemaAssertions  = map[string]bool{"type": true, "properties": true, "additionalProperties": true, "required": true, "enum": true, "items": true, "pattern": true, "anyOf": true, "oneOf": true, "$ref": true, "minimum": true, "maximum": true, "minItems": true, "minLength": true}
)

type validator struct {
	root jsonSchema
}

func (v *validator) deref(s jsonSchema) jsonSchema {
	for i := 0; i < 8; i++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := strings.TrimPrefix(ref, "#/$defs/")
		merged := jsonSchema{}
		for k, x := range v.root["$defs"].(map[string]any)[name].(map[string]any) {
			merged[k] = x
		}
		for k, x := range s {
			if k != "$ref" {
				merged[k] = x
			}
		}
		s = merged
	}
	return s
}

func isInt(x any) bool {
	switch n := x.(type) {
	case int, int64:
		return true
	case float64:
		return n == float64(int64(n))
	}
	return false
}

func toFloat(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func typeOK(want string, x any) bool {
	switch want {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "integer":
		return isInt(x)
	case "number":
		_, ok := toFloat(x)
		return ok
	case "null":
		return x == nil
	}
	return false
}

func jsonEqual(a, b any) bool {
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka && okb {
		return fa == fb
	}
	return a == b
}

// validate returns the first violation at path p, or "".
func (v *validator) validate(s jsonSchema, x any, p string) string {
	s = v.deref(s)
	for _, check := range []func(jsonSchema, any, string) string{
		checkType, checkEnum, checkString, checkNumber, v.checkObject, v.checkArray, v.checkAnyOf, v.checkOneOf,
	} {
		if msg := check(s, x, p); msg != "" {
			return msg
		}
	}
	return ""
}

func checkType(s jsonSchema, x any, p string) string {
	t, ok := s["type"]
	if !ok {
		return ""
	}
	types := []any{t}
	if list, ok := t.([]any); ok {
		types = list
	}
	for _, t := range types {
		if typeOK(t.(string), x) {
			return ""
		}
	}
	return fmt.Sprintf("%s: want type %v, got %T", p, t, x)
}

func checkEnum(s jsonSchema, x any, p string) string {
	enum, ok := s["enum"].([]any)
	if !ok {
		return ""
	}
	for _, e := range enum {
		if jsonEqual(e, x) {
			return ""
		}
	}
	return fmt.Sprintf("%s: %v not in enum %v", p, x, enum)
}

func checkString(s jsonSchema, x any, p string) string {
	str, ok := x.(string)
	if !ok {
		return ""
	}
	if pat, ok := s["pattern"].(string); ok && !regexp.MustCompile(pat).MatchString(str) {
		return fmt.Sprintf("%s: %q does not match %s", p, str, pat)
	}
	if n, ok := s["minLength"].(float64); ok && float64(len([]rune(str))) < n {
		return fmt.Sprintf("%s: shorter than %v", p, n)
	}
	return ""
}

func checkNumber(s jsonSchema, x any, p string) string {
	f, ok := toFloat(x)
	if !ok {
		return ""
	}
	if n, ok := s["minimum"].(float64); ok && f < n {
		return fmt.Sprintf("%s: %v < minimum %v", p, f, n)
	}
	if n, ok := s["maximum"].(float64); ok && f > n {
		return fmt.Sprintf("%s: %v > maximum %v", p, f, n)
	}
	return ""
}

func (v *validator) checkObject(s jsonSchema, x any, p string) string {
	obj, ok := x.(map[string]any)
	if !ok {
		return ""
	}
	for _, r := range asList(s["required"]) {
		if _, ok := obj[r.(string)]; !ok {
			return fmt.Sprintf("%s: missing required %s", p, r)
		}
	}
	for _, k := range sortedKeys(obj) {
		if msg := v.checkProperty(s, k, obj[k], p); msg != "" {
			return msg
		}
	}
	return ""
}

// checkProperty validates property k of an object against its schema in
// properties or, without one, additionalProperties.
func (v *validator) checkProperty(s jsonSchema, k string, x any, p string) string {
	props, _ := s["properties"].(map[string]any)
	if ps, ok := props[k]; ok {
		return v.validate(ps.(map[string]any), x, p+"/"+k)
	}
	switch ap := s["additionalProperties"].(type) {
	case bool:
		if !ap {
			return fmt.Sprintf("%s: unknown property %q", p, k)
		}
	case map[string]any:
		return v.validate(ap, x, p+"/"+k)
	}
	return ""
}

func (v *validator) checkArray(s jsonSchema, x any, p string) string {
	arr, ok := x.([]any)
	if !ok {
		return ""
	}
	if n, ok := s["minItems"].(float64); ok && float64(len(arr)) < n {
		return fmt.Sprintf("%s: fewer than %v items", p, n)
	}
	if items, ok := s["items"].(map[string]any); ok {
		for i, e := range arr {
			if msg := v.validate(items, e, fmt.Sprintf("%s/%d", p, i)); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func (v *validator) checkAnyOf(s jsonSchema, x any, p string) string {
	branches, ok := s["anyOf"].([]any)
	if !ok || len(branches) == 0 {
		return ""
	}
	var msgs []string
	for _, b := range branches {
		msg := v.validate(b.(map[string]any), x, p)
		if msg == "" {
			return ""
		}
		msgs = append(msgs, msg)
	}
	return fmt.Sprintf("%s: no anyOf branch matches (%s)", p, strings.Join(msgs, "; "))
}

func (v *validator) checkOneOf(s jsonSchema, x any, p string) string {
	one, ok := s["oneOf"].([]any)
	if !ok {
		return ""
	}
	n := 0
	for _, b := range one {
		if v.validate(b.(map[string]any), x, p) == "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Sprintf("%s: %d oneOf branches match, want 1", p, n)
	}
	return ""
}

func asList(x any) []any {
	l, _ := x.([]any)
	return l
}

func decodeYAML(t *testing.T, p string) (any, bool) {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := yaml.Unmarshal(data, &x); err != nil {
		return nil, false
	}
	return x, true
}

// TestSchemaKeywords checks that the schema uses only keywords the test
// validator implements, so a schema change cannot silently go unchecked.
func TestSchemaKeywords(t *testing.T) {
	var walk func(s map[string]any, p string)
	walk = func(s map[string]any, p string) {
		for k, x := range s {
			if !schemaAnnotations[k] && !schemaAssertions[k] {
				t.Errorf("%s: keyword %q is not supported by the test validator", p, k)
			}
			switch k {
			case "properties", "$defs":
				for name, sub := range x.(map[string]any) {
					walk(sub.(map[string]any), p+"/"+k+"/"+name)
				}
			case "items", "additionalProperties":
				if sub, ok := x.(map[string]any); ok {
					walk(sub, p+"/"+k)
				}
			case "anyOf", "oneOf":
				for i, sub := range x.([]any) {
					walk(sub.(map[string]any), fmt.Sprintf("%s/%s/%d", p, k, i))
				}
			}
		}
	}
	walk(loadSchema(t), "#")
}

// schemaKeys walks the schema from the root as the loader walks a spec and
// returns, for every object with fixed properties, its path in knownKeys' form
// and its property names.
func schemaKeys(v *validator) map[string][]string {
	out := map[string][]string{}
	var walk func(s jsonSchema, p string)
	walk = func(s jsonSchema, p string) {
		s = v.deref(s)
		for _, k := range []string{"anyOf", "oneOf"} {
			for _, b := range asList(s[k]) {
				walk(b.(map[string]any), p)
			}
		}
		if props, ok := s["properties"].(map[string]any); ok {
			out[p] = append(out[p], sortedKeys(props)...)
			for _, k := range sortedKeys(props) {
				walk(props[k].(map[string]any), strings.TrimPrefix(p+"/"+k, "/"))
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			walk(ap, strings.TrimPrefix(p+"/*", "/"))
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(items, p)
		}
	}
	walk(v.root, "")
	for p := range out {
		sort.Strings(out[p])
		out[p] = uniq(out[p])
	}
	return out
}

func uniq(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestSchemaKeys: every key the loader knows is in the schema at the same
// place, and the schema knows no key the loader does not.
func TestSchemaKeys(t *testing.T) {
	got := schemaKeys(&validator{root: loadSchema(t)})
	want := map[string][]string{}
	for p, keys := range knownKeys {
		k := append([]string{}, keys...)
		sort.Strings(k)
		want[p] = k
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("loader keys (-) and schema keys (+) differ:\n%s", d)
	}
}

// schemaCannotExpress lists the invalid cases whose faults only the loader
// sees (cross-references, security rules, type-dependent constraints, YAML
// features). The schema must accept exactly these and reject the others.
var schemaCannotExpress = map[string]bool{
	"anonymous_writes":         true,
	"bola":                     true,
	"bola_read_scope_all":      true,
	"default_class_fields":     true,
	"me_without_auth":          true,
	"mfa_basic_only":           true,
	"sessions_without_auth":    true,
	"sessions_path_taken":      true,
	"duplicate_model_table":    true,
	"duplicate_path":           true,
	"duplicate_resource":       true, // yaml.v3 refuses to decode duplicate keys
	"expr_quoted":              true, // the expression grammar is beyond a pattern
	"jwt_reuse_grace":          true, // a duration's upper bound is beyond a pattern
	"no_authentication":        true,
	"not_object_class":         true,
	"owner_not_user":           true,
	"reserved_table":           true, // a pattern without look-ahead cannot exclude prefixes
	"undeclared_class":         true,
	"unused_class":             true, // whether a class is used is not a shape
	"unknown_permission_class": true,
	"yaml_duplicate_keys":      true,
	"yaml_syntax":              true,
}

func TestSchemaValidatesTestdata(t *testing.T) {
	v := &validator{root: loadSchema(t)}
	for name, p := range validCases(t) {
		t.Run("valid/"+name, func(t *testing.T) {
			x, ok := decodeYAML(t, p)
			if !ok {
				t.Fatal("YAML does not decode")
			}
			if msg := v.validate(v.root, x, "#"); msg != "" {
				t.Errorf("schema rejects a valid spec: %s", msg)
			}
		})
	}
	for _, name := range invalidCases(t) {
		t.Run("invalid/"+name, func(t *testing.T) {
			x, ok := decodeYAML(t, filepath.Join("testdata/invalid", name, "api.yaml"))
			msg := "does not decode"
			if ok {
				msg = v.validate(v.root, x, "#")
			}
			if schemaCannotExpress[name] {
				if ok && msg != "" {
					t.Errorf("schema rejects a case listed as inexpressible (%s); remove it from schemaCannotExpress", msg)
				}
				return
			}
			if msg == "" {
				t.Error("schema accepts an invalid spec whose fault it can express")
			}
		})
	}
}
