package jwtauth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/jsonbody"
)

// CookieName is the refresh token cookie.
const CookieName = "refresh_token"

// Mount registers login, refresh and logout under the configured path
// (default /auth/jwt) on r.
func (j *JWT) Mount(r chi.Router) { r.Mount(j.cfg.Path, j.Routes()) }

// Routes returns the endpoints relative to the configured path:
// POST /login, POST /refresh, POST /logout.
func (j *JWT) Routes() http.Handler {
	r := chi.NewRouter()
	r.MethodNotAllowed(authhttp.MethodNotAllowed("POST", "OPTIONS"))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		authhttp.NoStore(w)
		drf.NotFound(w)
	})
	r.Post("/login", j.login)
	r.Post("/refresh", j.refresh)
	r.Post("/logout", j.logout)
	return r
}

type loginBody struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// cookieBody is the body of login and refresh in cookie mode: the tokens
// are in cookies, out of JavaScript's reach.
type cookieBody struct {
	ExpiresIn int `json:"expires_in"`
}

func (j *JWT) respond(w http.ResponseWriter, p Pair) {
	ttl := int(j.cfg.AccessTTL.Seconds())
	if j.cfg.AccessIn == "cookie" {
		j.setCookie(w, j.cfg.AccessCookieName, p.Access, "/", ttl, true)
		if p.CSRF != "" {
			// Set at login only: it names the family, which a rotation keeps.
			j.setCookie(w, j.cfg.CSRFCookieName, p.CSRF, "/", int(j.cfg.RefreshTTL.Seconds()), false)
		}
		j.setRefreshCookie(w, p.Refresh, int(j.cfg.RefreshTTL.Seconds()))
		drf.JSON(w, http.StatusOK, cookieBody{ExpiresIn: ttl})
		return
	}
	b := loginBody{AccessToken: p.Access, TokenType: "Bearer", ExpiresIn: ttl}
	if j.cfg.RefreshIn == "body" {
		b.RefreshToken = p.Refresh
	} else {
		j.setRefreshCookie(w, p.Refresh, int(j.cfg.RefreshTTL.Seconds()))
	}
	drf.JSON(w, http.StatusOK, b)
}

// setRefreshCookie sets (or, with maxAge 0, clears) the refresh cookie:
// sent only to the JWT endpoints, and never cross-site.
func (j *JWT) setRefreshCookie(w http.ResponseWriter, v string, maxAge int) {
	if maxAge == 0 {
		maxAge = -1 // Max-Age=0 on the wire
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: v, Path: j.cfg.Path, MaxAge: maxAge,
		HttpOnly: true, Secure: !j.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode,
	})
}

// setCookie sets (or, with maxAge 0, clears) a cookie of cookie mode:
// the access token (HttpOnly) or the CSRF secret (JavaScript reads it to
// send it back in the CSRF header), both SameSite=Lax as a session's.
func (j *JWT) setCookie(w http.ResponseWriter, name, v, path string, maxAge int, httpOnly bool) {
	if maxAge == 0 {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: v, Path: path, MaxAge: maxAge,
		HttpOnly: httpOnly, Secure: !j.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (j *JWT) login(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	// Every attempt counts, right or wrong.
	done, err := j.throttle.Admit(r)
	if err != nil {
		authhttp.WriteError(w, j.challenge, err)
		return
	}
	defer done(false)
	l, ok := authhttp.ParseLogin(w, r)
	if !ok {
		return
	}
	u, err := j.acc.CheckCredentials(r.Context(), l.Username, l.Password)
	if errors.Is(err, accounts.ErrBadCredentials) {
		authhttp.BadCredentials(w, j.challenge)
		return
	}
	if err != nil {
		authhttp.WriteError(w, j.challenge, err)
		return
	}
	if authhttp.SecondStep(w, r, j.acc, j.Name(), j.challenge, u) {
		return
	}
	j.Issue(w, r, u)
}

// Issue answers a successful login of u: a new refresh family, and the
// access and refresh tokens. The second step of MFA calls it too.
func (j *JWT) Issue(w http.ResponseWriter, r *http.Request, u *identity.User) {
	p, err := j.NewFamily(r.Context(), u)
	if err != nil {
		authhttp.WriteError(w, j.challenge, err)
		return
	}
	j.respond(w, p)
}

// RefreshToken returns the refresh token of the request: the cookie, or
// else the "refresh_token" field of a JSON body. "" when there is none.
func RefreshToken(r *http.Request) string {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return c.Value
	}
	if !jsonbody.IsJSON(r.Header.Get("Content-Type")) || r.Body == nil {
		return ""
	}
	var b struct {
		RefreshToken string `json:"refresh_token"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxTokenLen+256))
	if err != nil || jsonbody.Check(body) != "" || json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.RefreshToken
}

func (j *JWT) refresh(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	tok := RefreshToken(r)
	if tok == "" {
		authhttp.WriteError(w, j.challenge, errNoRefresh)
		return
	}
	p, _, err := j.Rotate(r.Context(), tok)
	if err != nil {
		var ae *authn.Error
		if errors.As(err, &ae) && j.cfg.RefreshIn == "cookie" {
			j.setRefreshCookie(w, "", 0)
		}
		authhttp.WriteError(w, j.challenge, err)
		return
	}
	if j.cfg.AccessIn == "body" {
		w.Header().Set("Authorization", "Bearer "+p.Access)
	}
	j.respond(w, p)
}

func (j *JWT) logout(w http.ResponseWriter, r *http.Request) {
	authhttp.NoStore(w)
	u, err := j.Authenticate(r)
	if err != nil {
		authn.WriteError(w, j.challenge, err)
		return
	}
	if u == nil {
		authn.WriteError(w, j.challenge, &authn.Error{Status: http.StatusUnauthorized, Detail: drf.NotAuthenticated})
		return
	}
	tok := RefreshToken(r)
	if tok == "" {
		authhttp.WriteError(w, j.challenge, errNoRefresh)
		return
	}
	c, uid, err := j.parse(tok, TypeRefresh)
	if err != nil || uid != u.ID {
		authhttp.WriteError(w, j.challenge, errRefreshBad)
		return
	}
	if err := j.revoke(r.Context(), c.Family); err != nil {
		authhttp.WriteError(w, j.challenge, err)
		return
	}
	if j.cfg.RefreshIn == "cookie" {
		j.setRefreshCookie(w, "", 0)
	}
	if j.cfg.AccessIn == "cookie" {
		j.setCookie(w, j.cfg.AccessCookieName, "", "/", 0, true)
	}
	w.WriteHeader(http.StatusNoContent)
}
