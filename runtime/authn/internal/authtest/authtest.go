// Package authtest builds a complete authentication setup over an
// in-memory store for the tests and benchmarks of runtime/authn and of
// its classes (jwtauth, tokenauth, sessionauth, basicauth).
package authtest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/authn/basicauth"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/sessionauth"
	"github.com/wardhq/ward/runtime/authn/tokenauth"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// Issuer and Audience of the test tokens.
const (
	Issuer   = "blog"
	Audience = "blog"
)

// Throttle is a fake login throttle: it admits Limit checks, then refuses
// with a retry of 42s; a check whose slot is given back does not count.
// Err makes it fail like a dead backend.
type Throttle struct {
	mu    sync.Mutex
	Calls int
	Limit int // 0: unlimited
	Err   error
}

// Func returns the throttle as an authn.LoginThrottle.
func (t *Throttle) Func() authn.LoginThrottle {
	return func(r *http.Request) (func(bool), bool, time.Duration, error) {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.Err != nil {
			return nil, false, 0, t.Err
		}
		if t.Limit > 0 && t.Calls >= t.Limit {
			return nil, false, 42 * time.Second, nil
		}
		t.Calls++
		return func(giveBack bool) {
			if giveBack {
				t.mu.Lock()
				t.Calls--
				t.mu.Unlock()
			}
		}, true, 0, nil
	}
}

// Count returns the number of allowed calls.
func (t *Throttle) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Calls
}

// Env is a running setup: all four classes in the blog's order, their
// endpoints, and three probe routes.
type Env struct {
	Store    *memstore.Store
	Hasher   *password.Hasher
	Acc      *accounts.Accounts
	Key      []byte
	JWT      *jwtauth.JWT
	Tokens   *tokenauth.Tokens
	Sessions *sessionauth.Sessions
	Basic    *basicauth.Basic
	Chain    authn.Chain
	Throttle *Throttle
	Router   chi.Router
}

// Options adjust New.
type Options struct {
	RefreshIn string
	AccessIn  string         // "body" (default) or "cookie"
	Keys      []*jwtauth.Key // default: one HS256 key
	TokenTTL  time.Duration
}

// New builds an Env; it fails tb on error.
func New(tb testing.TB, o Options) *Env {
	tb.Helper()
	e := &Env{Store: memstore.New(), Hasher: password.New(password.Cheap, 0), Throttle: &Throttle{}}
	e.Acc = accounts.New(e.Store, e.Hasher)
	e.Key = []byte("authtest-hs256-key-0123456789abcdef")
	keys := o.Keys
	if keys == nil {
		k, err := jwtauth.HMACKey("", e.Key)
		if err != nil {
			tb.Fatal(err)
		}
		keys = []*jwtauth.Key{k}
	}
	var err error
	e.JWT, err = jwtauth.New(jwtauth.Config{
		Keys: keys, Issuer: Issuer, Audience: Audience, RefreshIn: o.RefreshIn, AccessIn: o.AccessIn,
	}, e.Acc, e.Store, e.Throttle.Func())
	if err != nil {
		tb.Fatal(err)
	}
	e.Tokens = tokenauth.New(tokenauth.Config{TTL: o.TokenTTL}, e.Acc, e.Store, e.Throttle.Func())
	e.Sessions = sessionauth.New(sessionauth.Config{}, e.Acc, e.Store, e.Throttle.Func())
	e.Basic = basicauth.New("api", e.Acc, e.Throttle.Func())
	e.Chain = authn.Chain{e.JWT, e.Tokens, e.Sessions, e.Basic}

	r := chi.NewRouter()
	e.JWT.Mount(r)
	e.Tokens.Mount(r)
	e.Sessions.Mount(r)
	r.Method(http.MethodGet, "/auth/me", authhttp.Me(e.Chain))
	r.Group(func(r chi.Router) {
		r.Use(e.Chain.Middleware)
		// Open: any caller, but a bad credential is still 401.
		r.Get("/api/health", func(w http.ResponseWriter, r *http.Request) {
			drf.JSON(w, 200, map[string]string{"status": "ok"})
		})
		// IsAuthenticated, safe and unsafe.
		private := func(w http.ResponseWriter, r *http.Request) {
			res := identity.FromContext(r.Context())
			if res.User == nil {
				e.Chain.Unauthenticated(w)
				return
			}
			drf.JSON(w, 200, map[string]any{"user": res.User.Username, "class": res.Class})
		}
		r.Get("/api/private", private)
		r.Post("/api/private", private)
	})
	e.Router = r
	return e
}

// User creates an active user and returns its id.
func (e *Env) User(tb testing.TB, name, pw string, staff bool) int64 {
	tb.Helper()
	id, err := accounts.CreateUser(context.Background(), e.Store, e.Hasher, name, pw, staff)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// Req describes one request.
type Req struct {
	Method, Path string
	Header       map[string]string
	Body         string
	Cookies      []*http.Cookie
}

// JSON is the Content-Type header of a JSON body.
var JSON = map[string]string{"Content-Type": "application/json"}

// Do serves one request and returns the recorded response.
func (e *Env) Do(q Req) *httptest.ResponseRecorder {
	var body io.Reader
	if q.Body != "" {
		body = strings.NewReader(q.Body)
	}
	r := httptest.NewRequest(q.Method, q.Path, body)
	r.RemoteAddr = "192.0.2.1:1234"
	for k, v := range q.Header {
		r.Header.Set(k, v)
	}
	for _, c := range q.Cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.Router.ServeHTTP(w, r)
	return w
}

// Cookie returns the cookie called name that the response set, or nil.
func Cookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Login posts a JSON login for name/pw to path.
func (e *Env) Login(path, name, pw string) *httptest.ResponseRecorder {
	return e.Do(Req{Method: "POST", Path: path, Header: JSON, Body: `{"username":"` + name + `","password":"` + pw + `"}`})
}

// Body is every field the auth endpoints answer with.
type Body struct {
	Detail      string `json:"detail"`
	Code        string `json:"code"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Refresh     string `json:"refresh_token"`
	Token       string `json:"token"`
	User        string `json:"user"`
	Class       string `json:"class"`
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	IsStaff     bool   `json:"is_staff"`
}

// Decode decodes w's JSON body; an empty body is the zero Body.
func Decode(tb testing.TB, w *httptest.ResponseRecorder) Body {
	tb.Helper()
	var b Body
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
			tb.Fatalf("body %q: %v", w.Body.String(), err)
		}
	}
	return b
}

// Authorization is the header map of one Authorization value.
func Authorization(v string) map[string]string { return map[string]string{"Authorization": v} }

// Bearer is the Authorization header of an access token.
func Bearer(tok string) map[string]string { return Authorization("Bearer " + tok) }

// Basic is an HTTP Basic Authorization value.
func Basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

// JWTLogin logs in at /auth/jwt/login and returns the access token and the
// refresh cookie.
func JWTLogin(tb testing.TB, e *Env, name, pw string) (access string, refresh *http.Cookie) {
	tb.Helper()
	w := e.Login("/auth/jwt/login", name, pw)
	if w.Code != 200 {
		tb.Fatalf("login: %d %s", w.Code, w.Body)
	}
	return Decode(tb, w).AccessToken, Cookie(w, jwtauth.CookieName)
}

// TokenLogin logs in at /auth/token/login and returns the token.
func TokenLogin(tb testing.TB, e *Env, name, pw string) string {
	tb.Helper()
	w := e.Login("/auth/token/login", name, pw)
	if w.Code != 200 {
		tb.Fatalf("token login: %d %s", w.Code, w.Body)
	}
	return Decode(tb, w).Token
}

// SessionLogin logs alice in at /auth/session/login, presenting cookies,
// and returns the session and CSRF cookies.
func SessionLogin(tb testing.TB, e *Env, cookies ...*http.Cookie) (sid, csrf *http.Cookie) {
	tb.Helper()
	w := e.Do(Req{Method: "POST", Path: "/auth/session/login", Header: JSON,
		Body: `{"username":"alice","password":"alice-pass-1"}`, Cookies: cookies})
	if w.Code != 200 || Decode(tb, w).Username != "alice" {
		tb.Fatalf("session login: %d %s", w.Code, w.Body)
	}
	return Cookie(w, "sessionid"), Cookie(w, "csrftoken")
}
