package openapi

import (
	"github.com/wardhq/ward/generator/plan"
)

// schemeNames names each class's security scheme.
var schemeNames = map[plan.AuthClass]string{
	plan.AuthJWT: "jwt", plan.AuthToken: "token", plan.AuthSession: "session", plan.AuthBasic: "basic",
}

// securitySchemes describes each declared authentication class.
func securitySchemes(svc *plan.Service) obj {
	a := svc.Auth
	out := obj{}
	if a.JWT != nil {
		out["jwt"] = obj{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
			"description": "An access token from POST " + a.JWT.Path + "/login (" + a.JWT.Algorithm + ", valid " + a.JWT.AccessTTL.String() +
				"), sent as `Authorization: Bearer <token>`. POST " + a.JWT.Path + "/refresh rotates the refresh token (" + refreshWhere(a.JWT) + ")."}
	}
	if a.Token != nil {
		out["token"] = obj{"type": "apiKey", "in": "header", "name": "Authorization",
			"description": "An API token from POST " + a.Token.Path + "/login, sent with the `Token ` prefix (the word Token and one space): `Authorization: Token <key>`."}
	}
	if a.Session != nil {
		s := a.Session
		out["session"] = obj{"type": "apiKey", "in": "cookie", "name": s.CookieName,
			"description": "The session cookie " + s.CookieName + " set by POST " + s.Path + "/login, with the CSRF cookie " + s.CSRFCookieName +
				". Every unsafe method (POST, PUT, PATCH, DELETE) must also send the " + s.CSRFCookieName + " cookie's value in the " +
				s.CSRFHeaderName + " header, or it is refused with 403."}
	}
	if a.Basic != nil {
		out["basic"] = obj{"type": "http", "scheme": "basic", "description": "HTTP Basic with a username and password (realm " + a.Basic.Realm + ")."}
	}
	return out
}

func refreshWhere(j *plan.JWT) string {
	if j.RefreshIn == "body" {
		return "in the JSON body's refresh_token"
	}
	return "in the HttpOnly cookie refresh_token"
}

// security is the OR of a chain, with {} first when anonymous callers may
// get through.
func security(chain []plan.AuthClass, anonymous bool) []any {
	out := []any{}
	if anonymous {
		out = append(out, obj{})
	}
	for _, c := range chain {
		out = append(out, obj{schemeNames[c]: []any{}})
	}
	return out
}

func loginBody() obj {
	return obj{"required": true, "content": jsonContent(ref("schemas", "Login"))}
}

// authPaths adds the endpoints of each authentication class and /me.
func (b *builder) authPaths() {
	a := b.svc.Auth
	none := []any{obj{}}
	loginErrs := []string{"400", "401", "405", "413", "415", "429", "503"}
	if a.JWT != nil {
		pair := obj{"type": "object", "required": []any{"expires_in"}, "properties": obj{
			"access_token":  obj{"type": "string", "description": "absent when the access token goes in a cookie (access_token_in: cookie)"},
			"token_type":    obj{"type": "string", "const": "Bearer"},
			"expires_in":    obj{"type": "integer", "description": "seconds"},
			"refresh_token": obj{"type": "string", "description": "only when refresh_token_in is body"},
		}}
		b.schemas["TokenPair"] = pair
		ok := obj{"description": "The access token (and the refresh token, " + refreshWhere(a.JWT) + ").", "content": jsonContent(ref("schemas", "TokenPair"))}
		b.op(a.JWT.Path+"/login", "POST", obj{"operationId": "jwtLogin", "tags": []any{"auth"}, "summary": "Log in: a JWT access token",
			"security": none, "requestBody": loginBody(), "responses": respond("200", ok, loginErrs...)})
		refresh := obj{"type": "object", "properties": obj{"refresh_token": obj{"type": "string"}}}
		b.op(a.JWT.Path+"/refresh", "POST", obj{"operationId": "jwtRefresh", "tags": []any{"auth"}, "summary": "Rotate the refresh token",
			"security": none, "requestBody": obj{"content": jsonContent(refresh)}, "responses": respond("200", ok, "400", "401", "405", "503")})
		b.op(a.JWT.Path+"/logout", "POST", obj{"operationId": "jwtLogout", "tags": []any{"auth"}, "summary": "Revoke the refresh token's family",
			"security": []any{obj{"jwt": []any{}}}, "requestBody": obj{"content": jsonContent(refresh)},
			"responses": respond("204", obj{"description": "Logged out."}, "400", "401", "403", "405", "503")})
	}
	if a.Token != nil {
		ok := obj{"description": "A new API token.", "content": jsonContent(obj{"type": "object", "required": []any{"token"}, "properties": obj{"token": obj{"type": "string"}}})}
		b.op(a.Token.Path+"/login", "POST", obj{"operationId": "tokenLogin", "tags": []any{"auth"}, "summary": "Log in: a new API token",
			"security": none, "requestBody": loginBody(), "responses": respond("200", ok, loginErrs...)})
		b.op(a.Token.Path+"/logout", "POST", obj{"operationId": "tokenLogout", "tags": []any{"auth"}, "summary": "Delete the API token sent",
			"security": []any{obj{"token": []any{}}}, "responses": respond("204", obj{"description": "Logged out."}, "401", "405", "503")})
	}
	if a.Session != nil {
		ok := obj{"description": "The user; the session and CSRF cookies are set.", "content": jsonContent(ref("schemas", "Caller"))}
		b.op(a.Session.Path+"/login", "POST", obj{"operationId": "sessionLogin", "tags": []any{"auth"}, "summary": "Log in: a session cookie and a CSRF cookie",
			"security": none, "requestBody": loginBody(), "responses": respond("200", ok, loginErrs...)})
		b.op(a.Session.Path+"/logout", "POST", obj{"operationId": "sessionLogout", "tags": []any{"auth"}, "summary": "End the session (CSRF header required)",
			"security": []any{obj{"session": []any{}}}, "responses": respond("204", obj{"description": "Logged out."}, "403", "405", "503")})
	}
	if a.MePath != "" {
		ok := obj{"description": "The caller.", "content": jsonContent(ref("schemas", "Caller"))}
		b.op(a.MePath, "GET", obj{"operationId": "me", "tags": []any{"auth"}, "summary": "The authenticated caller",
			"security": security(a.Default, false), "responses": respond("200", ok, "401", "403", "405", "503")})
	}
}

func (b *builder) health() {
	ok := obj{"description": "The process serves.", "content": jsonContent(obj{"type": "object", "required": []any{"status"}, "properties": obj{"status": obj{"type": "string", "const": "ok"}}})}
	b.op(b.svc.Health, "GET", obj{"operationId": "health", "tags": []any{"health"}, "summary": "Liveness",
		"security": security(b.svc.Auth.Default, true), "responses": respond("200", ok, "401", "405")})
	b.op(b.svc.Health, "HEAD", obj{"operationId": "healthHead", "tags": []any{"health"}, "summary": "Liveness (no body)",
		"security": security(b.svc.Auth.Default, true), "responses": respond("200", obj{"description": "The process serves."}, "401", "405")})
}

func (b *builder) docsPaths() {
	d := b.svc.Docs
	if d.Schema != "" {
		b.op(d.Schema, "GET", obj{"operationId": "schema", "tags": []any{"docs"}, "summary": "This OpenAPI document", "security": []any{obj{}},
			"responses": obj{"200": obj{"description": "OpenAPI 3.1", "content": jsonContent(obj{"type": "object"})}}})
	}
	if d.UI != "" {
		b.op(d.UI, "GET", obj{"operationId": "docs", "tags": []any{"docs"}, "summary": "The API docs page", "security": []any{obj{}},
			"responses": obj{"200": obj{"description": "HTML", "content": obj{"text/html": obj{"schema": obj{"type": "string"}}}}}})
	}
}
