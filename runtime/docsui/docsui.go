// Package docsui serves a service's OpenAPI document and a docs page built
// on it: Swagger UI (the npm package swagger-ui-dist, vendored in dist/ with
// its VERSION; refresh.sh updates it), embedded with go:embed so the page
// works offline. The page has a login form (JWT, or a session with its
// CSRF header) so that "try it out" works on protected endpoints. It is
// served under a strict Content-Security-Policy: every script and style is
// a file of this package, none inline.
package docsui

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"path"
	"strings"
)

//go:embed dist/swagger-ui-bundle.js dist/swagger-ui.css assets/ward-docs.js assets/ward-docs.css
var files embed.FS

// CSP is the page's Content-Security-Policy: scripts, styles, fonts and
// requests from the service's own origin only; images also as data: URLs
// (Swagger UI's icons).
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Config says what to serve and how the page logs in.
type Config struct {
	Title    string // the page's title, e.g. "blog API"
	Document []byte // openapi.json
	Schema   string // the document's path, e.g. "/api/schema"
	UI       string // the page's path, e.g. "/api/docs"; "" for no page
	// JWTLogin is the JWT login endpoint ("" when JWT is off); the page
	// sends its access token as Authorization: Bearer.
	JWTLogin string
	// SessionLogin is the session login endpoint, used when JWTLogin is
	// ""; the page sends the CSRFCookie's value in CSRFHeader.
	SessionLogin, CSRFCookie, CSRFHeader string
}

// Router is what Mount registers routes on (chi.Router has it).
type Router interface {
	Get(pattern string, h http.HandlerFunc)
}

// Mount registers GET (and HEAD) on the document's path, the page's path
// and the page's assets (UI + "/assets/<file>").
func Mount(r Router, c Config) {
	doc := c.Document
	r.Get(c.Schema, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	})
	if c.UI == "" {
		return
	}
	page := renderPage(c)
	r.Get(c.UI, func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP)
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})
	r.Get(strings.TrimSuffix(c.UI, "/")+"/assets/{file}", serveAsset)
}

// assets maps the names the page asks for to embedded files.
var assets = map[string]string{
	"swagger-ui-bundle.js": "dist/swagger-ui-bundle.js",
	"swagger-ui.css":       "dist/swagger-ui.css",
	"ward-docs.js":         "assets/ward-docs.js",
	"ward-docs.css":        "assets/ward-docs.css",
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	name, ok := assets[path.Base(r.URL.Path)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := files.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if strings.HasSuffix(name, ".js") {
		h.Set("Content-Type", "text/javascript; charset=utf-8")
	} else {
		h.Set("Content-Type", "text/css; charset=utf-8")
	}
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{{.Assets}}/swagger-ui.css"><link rel="stylesheet" href="{{.Assets}}/ward-docs.css">
</head><body>
<form id="ward-login" data-schema="{{.Schema}}" data-jwt-login="{{.JWTLogin}}" data-session-login="{{.SessionLogin}}" data-csrf-cookie="{{.CSRFCookie}}" data-csrf-header="{{.CSRFHeader}}">
<strong>{{.Title}}</strong>
<label>Username <input name="username" id="ward-username" autocomplete="username"></label>
<label>Password <input name="password" id="ward-password" type="password" autocomplete="current-password"></label>
<button type="submit" id="ward-login-button">Log in</button>
<span id="ward-login-status" role="status">not logged in</span>
</form>
<div id="swagger-ui"></div>
<script src="{{.Assets}}/swagger-ui-bundle.js"></script>
<script src="{{.Assets}}/ward-docs.js"></script>
</body></html>
`))

func renderPage(c Config) []byte {
	var b bytes.Buffer
	err := pageTmpl.Execute(&b, struct {
		Config
		Assets string
	}{c, strings.TrimSuffix(c.UI, "/") + "/assets"})
	if err != nil {
		panic("docsui: " + err.Error()) // the template and its data are fixed
	}
	return b.Bytes()
}
