package openapi

// accountPaths adds the second-factor endpoints (accounts.mfa) and "log
// out everywhere", each behind the default chain.
func (b *builder) accountPaths() {
	a := b.svc.Auth
	chain := security(a.Default, false)
	detail := obj{"description": "Done.", "content": jsonContent(ref("schemas", "Error"))}
	if a.LogoutAllPath != "" {
		b.op(a.LogoutAllPath, "POST", obj{"operationId": "logoutAll", "tags": []any{"auth"}, "summary": "Log out everywhere: every session, token and refresh family of the caller",
			"security": chain, "responses": respond("200", detail, "401", "403", "405", "429", "503")})
	}
	if a.MFA == nil {
		return
	}
	p := a.MFA.Path
	str := obj{"type": "string"}
	fields := func(names ...string) obj {
		props := obj{}
		var req []any
		for _, n := range names {
			props[n] = str
			req = append(req, n)
		}
		return obj{"required": true, "content": jsonContent(obj{"type": "object", "required": req, "properties": props})}
	}
	errs := []string{"400", "401", "403", "405", "415", "429", "503"}
	b.op(p, "GET", obj{"operationId": "mfaState", "tags": []any{"auth"}, "summary": "The caller's second factor",
		"security": chain, "responses": respond("200", obj{"description": "Whether TOTP is on, and the recovery codes left.", "content": jsonContent(obj{
			"type": "object", "required": []any{"totp", "recovery_codes_left"},
			"properties": obj{"totp": obj{"type": "boolean"}, "recovery_codes_left": obj{"type": "integer"}}})}, "401", "403", "405", "429", "503")})
	b.op(p+"/totp", "POST", obj{"operationId": "mfaEnrol", "tags": []any{"auth"}, "summary": "Start a TOTP enrolment",
		"security": chain, "responses": respond("201", obj{"description": "The secret, as text, an otpauth:// URL and a QR code (PNG, base64).", "content": jsonContent(obj{
			"type": "object", "required": []any{"secret", "otpauth_url", "qr_png"},
			"properties": obj{"secret": str, "otpauth_url": str, "qr_png": str}})}, errs...)})
	b.op(p+"/totp/confirm", "POST", obj{"operationId": "mfaConfirm", "tags": []any{"auth"}, "summary": "Confirm the enrolment with a code",
		"security": chain, "requestBody": fields("code"), "responses": respond("200", obj{"description": "TOTP is on; the recovery codes, shown once.", "content": jsonContent(obj{
			"type": "object", "required": []any{"recovery_codes"},
			"properties": obj{"recovery_codes": obj{"type": "array", "items": str}}})}, errs...)})
	b.op(p+"/deactivate", "POST", obj{"operationId": "mfaDeactivate", "tags": []any{"auth"}, "summary": "Turn the second factor off (password and a code)",
		"security": chain, "requestBody": fields("password", "code"), "responses": respond("200", detail, errs...)})
	b.op(p+"/authenticate", "POST", obj{"operationId": "mfaAuthenticate", "tags": []any{"auth"},
		"summary":  "The second step of a login: the ticket of the login's 401 (code mfa_required) and a code",
		"security": []any{obj{}}, "requestBody": fields("ticket", "code"),
		"responses": respond("200", obj{"description": "What the login of the ticket's class answers (a token pair, a token, or the user with the session's cookies).", "content": jsonContent(obj{"type": "object"})}, errs...)})
}

// selfService adds the self-service account endpoints (accounts:),
// dj-rest-auth's: registration, e-mail verification, password change and
// reset. Each answers {"detail"} (registration: 201, or 204 without
// verification mail).
func (b *builder) selfService() {
	acc := b.svc.Accounts
	if acc == nil {
		return
	}
	p := acc.Path
	str := obj{"type": "string"}
	body := func(required []any, names ...string) obj {
		props := obj{}
		for _, n := range names {
			props[n] = str
		}
		o := obj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return obj{"required": true, "content": jsonContent(o)}
	}
	detail := obj{"description": "Done.", "content": jsonContent(ref("schemas", "Error"))}
	errs := []string{"400", "405", "415", "429", "503"}
	anyone := []any{obj{}}
	add := func(path, id, summary string, sec []any, req obj, ok string) {
		b.op(p+path, "POST", obj{"operationId": id, "tags": []any{"accounts"}, "summary": summary, "security": sec,
			"requestBody": req, "responses": respond(ok, detail, append(errs, "401", "403")...)})
	}
	if acc.Registration == "open" {
		add("/registration", "register", "Register a user (registration: open)", anyone,
			body([]any{"username", "password1", "password2"}, "username", "email", "password1", "password2"), "201")
		b.paths[p+"/registration"].(obj)["post"].(obj)["responses"].(obj)["204"] = obj{"description": "Registered, no verification mail to send."}
		add("/registration/verify-email", "verifyEmail", "Verify an e-mail address with the key mailed", anyone, body([]any{"key"}, "key"), "200")
		add("/registration/resend-email", "resendEmail", "Mail the verification key again", anyone, body([]any{"email"}, "email"), "200")
	}
	add("/password/change", "changePassword", "Change the caller's password", security(b.svc.Auth.Default, false),
		body([]any{"old_password", "new_password1", "new_password2"}, "old_password", "new_password1", "new_password2"), "200")
	add("/password/reset", "resetPassword", "Mail a password reset link (the same answer for any address)", anyone, body([]any{"email"}, "email"), "200")
	add("/password/reset/confirm", "confirmReset", "Set a new password with the link's uid and token", anyone,
		body([]any{"uid", "token", "new_password1", "new_password2"}, "uid", "token", "new_password1", "new_password2"), "200")
}

// credentials adds the caller's credentials (accounts.sessions): GET the
// list, DELETE one by kind and opaque id.
func (b *builder) credentials() {
	p := b.svc.Auth.SessionsPath
	if p == "" {
		return
	}
	chain := security(b.svc.Auth.Default, false)
	at := obj{"type": []any{"string", "null"}, "format": "date-time"}
	b.schemas["Credential"] = obj{"type": "object", "required": []any{"id", "created_at", "last_used_at", "client_address", "user_agent"},
		"properties": obj{"id": obj{"type": "string"}, "created_at": at, "last_used_at": at, "client_address": obj{"type": "string"}, "user_agent": obj{"type": "string"}}}
	list := obj{"type": "array", "items": ref("schemas", "Credential")}
	ok := obj{"description": "The caller's sessions, API tokens and refresh families (never a secret: an opaque id each).", "content": jsonContent(obj{
		"type": "object", "required": []any{"sessions", "tokens", "refresh_families"},
		"properties": obj{"sessions": list, "tokens": list, "refresh_families": list}})}
	b.op(p, "GET", obj{"operationId": "credentials", "tags": []any{"auth"}, "summary": "The caller's credentials",
		"security": chain, "responses": respond("200", ok, "401", "403", "405", "429", "503")})
	b.op(p+"/{kind}/{id}", "DELETE", obj{"operationId": "endCredential", "tags": []any{"auth"}, "summary": "End one of the caller's credentials",
		"security": chain, "parameters": []any{
			obj{"name": "kind", "in": "path", "required": true, "schema": obj{"type": "string", "enum": []any{"session", "token", "refresh"}}},
			obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}}},
		"responses": respond("204", obj{"description": "Ended."}, "401", "403", "405", "429", "503")})
}
