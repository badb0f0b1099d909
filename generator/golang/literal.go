package golang

import (
	"fmt"

	. "github.com/dave/jennifer/jen"
)

// structType is a runtime struct type that generated code fills in, with
// its exported fields in declaration order, so that its literals list them
// as a person would: in that order. TestStructTypesMatchTheRuntime checks
// the lists against the runtime's types.
type structType struct {
	pkg, name string
	fields    []string
}

var (
	ruleType       = structType{pkgRest, "Rules", []string{"Required", "Nullable", "AllowBlank", "MinLength", "MaxLength", "Min", "Max", "Choices", "MaxDigits", "DecimalPlaces", "MinDecimal", "MaxDecimal"}}
	viewType       = structType{pkgRest, "View", []string{"App", "Resource", "Chain", "Anon", "User", "Scopes", "Parent"}}
	parentType     = structType{pkgRest, "Parent", []string{"Param", "Resource", "Table", "Scope"}}
	tableType      = structType{pkgRest, "Table", []string{"DB", "Dialect", "Name", "Select", "InsertSQL", "UpdateSQL", "Scan", "InsertArgs", "UpdateArgs", "ID", "UserRefs", "Uniques", "Refs"}}
	definitionType = structType{pkgService, "Definition", []string{"Name", "EnvPrefix", "APIVersion", "Auth", "Accounts", "Throttle", "Health", "CORSOrigins", "Docs", "Tables", "Mount"}}
	authType       = structType{pkgService, "Auth", []string{"Default", "JWT", "Session", "Token", "Basic", "MFA", "LogoutAllPath", "SessionsPath", "MePath"}}
	jwtType        = structType{pkgService, "JWT", []string{"Algorithm", "KeyEnv", "AccessTTL", "RefreshTTL", "RefreshIn", "AccessIn", "AccessCookieName", "Issuer", "Audience", "Leeway", "Path", "ReuseGrace"}}
	sessionType    = structType{pkgService, "Session", []string{"CookieName", "CSRFCookieName", "CSRFHeaderName", "IdleTimeout", "AbsoluteTimeout", "Path"}}
	tokenType      = structType{pkgService, "Token", []string{"TTL", "Path"}}
	basicType      = structType{pkgService, "Basic", []string{"Realm"}}
	mfaType        = structType{pkgService, "MFA", []string{"Path"}}
	accountsType   = structType{pkgService, "Accounts", []string{"Registration", "EmailVerification", "Path", "From", "Templates"}}
	docsType       = structType{pkgService, "Docs", []string{"Schema", "UI", "Document"}}
	throttleType   = structType{pkgService, "Throttle", []string{"TrustedProxies", "Anon", "User", "Login", "LoginRateEnv", "Scopes"}}
	tableDefType   = structType{pkgSchema, "Table", []string{"Name", "Columns", "Key", "Keyless", "Indexes"}}
	columnType     = structType{pkgSchema, "Column", []string{"Name", "Type", "Nullable", "Default", "Unique", "Cascade", "MaxDigits", "DecimalPlaces", "References", "OnDelete"}}
)

// structTypes lists every structType, for the test.
var structTypes = []structType{ruleType, viewType, parentType, tableType, definitionType, authType, jwtType, sessionType, tokenType, basicType, mfaType, docsType, throttleType, tableDefType, columnType, uniqueType, indexType, refType, filterSetType, filterType, filterTargetType, listingType, sortColType}

// lit is a literal of t: t.values(d) with the type's name.
func (t structType) lit(d map[string]Code) *Statement {
	return Qual(t.pkg, t.name).Add(t.values(d))
}

// values is the body of a literal of t, {...}, with the fields of d (nil
// ones left out) in t's declaration order, one a line.
func (t structType) values(d map[string]Code) *Statement {
	var items []Code
	for _, name := range t.fields {
		if v, ok := d[name]; ok && v != nil {
			items = append(items, Id(name).Op(":").Add(v))
			delete(d, name)
		}
	}
	for name := range d {
		if d[name] != nil {
			panic(fmt.Sprintf("golang: %s.%s has no field %s", t.pkg, t.name, name))
		}
	}
	return fieldValues(items...)
}

// fieldValues is the body of a keyed literal, one element a line, in the
// order given.
func fieldValues(items ...Code) *Statement {
	if len(items) <= 1 {
		return Values(items...)
	}
	return Custom(Options{Open: "{", Close: "}", Separator: ",", Multi: true}, items...)
}
