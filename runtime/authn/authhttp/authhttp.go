// Package authhttp is the HTTP side the authentication classes' endpoints
// share: the JSON login body, the answers to a failed login, refresh or
// logout (DRF's and simplejwt's shapes), the /auth/me handler, and the 405
// of an auth endpoint. The users and credentials behind them are package
// accounts'.
package authhttp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/jsonbody"
)

// Login is the body of every login endpoint.
type Login struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// MaxLoginBody bounds a login request body.
const MaxLoginBody = 4 << 10

// ErrUnsupportedMedia: the login body is not application/json.
var ErrUnsupportedMedia = errors.New("authhttp: unsupported media type")

// ParseLogin reads the JSON login body. It answers the request itself on
// failure (415 for another media type or a charset other than UTF-8, 400
// for bad JSON, invalid UTF-8 or missing fields) and returns ok=false. Only
// application/json is accepted: an HTML form cannot send it cross-site,
// which blocks login CSRF. The body rules are package jsonbody's, as for
// resource bodies.
func ParseLogin(w http.ResponseWriter, r *http.Request) (Login, bool) {
	var l Login
	if ct := r.Header.Get("Content-Type"); !jsonbody.IsJSON(ct) {
		drf.UnsupportedMediaType(w, ct)
		return l, false
	}
	fe, err := DecodeLogin(io.LimitReader(r.Body, MaxLoginBody+1), &l)
	if err != nil {
		drf.Detail(w, http.StatusBadRequest, drf.MalformedJSON+" - "+err.Error())
		return l, false
	}
	if !fe.Empty() {
		fe.Write(w)
		return l, false
	}
	return l, true
}

// DecodeLogin decodes a login body from rd into l. Invalid UTF-8, a syntax
// error or a body over MaxLoginBody is an error whose text is fit for the
// client; missing, blank or non-string fields and fields holding NUL are
// reported in the FieldErrors, in DRF's words.
func DecodeLogin(rd io.Reader, l *Login) (drf.FieldErrors, error) {
	body, err := io.ReadAll(rd)
	if err != nil {
		return nil, errors.New("could not read the request body")
	}
	if len(body) > MaxLoginBody {
		return nil, errors.New("body too large")
	}
	if msg := jsonbody.Check(body); msg != "" {
		return nil, errors.New(msg)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errors.New(jsonbody.InvalidJSON)
	}
	fe := drf.FieldErrors{}
	field := func(name string, dst *string) {
		v, ok := raw[name]
		if !ok {
			fe.Add(name, drf.FieldRequired)
			return
		}
		if string(v) == "null" {
			fe.Add(name, drf.FieldNull)
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			fe.Add(name, "Not a valid string.")
			return
		}
		if strings.TrimSpace(*dst) == "" {
			fe.Add(name, drf.FieldBlank)
			return
		}
		// No user has NUL in a name, and PostgreSQL could not look one up.
		if jsonbody.HasNull(*dst) {
			fe.Add(name, jsonbody.NullCharacters)
		}
	}
	field("username", &l.Username)
	field("password", &l.Password)
	return fe, nil
}

// SecondStep starts the second step of a login of class when u has a
// second factor: it answers 401 with the MFA ticket and returns true (the
// caller issues nothing). It returns false when u logs in with the
// password alone. The login endpoints call it after a right password.
func SecondStep(w http.ResponseWriter, r *http.Request, acc *accounts.Accounts, class, challenge string, u *identity.User) bool {
	ticket, err := acc.BeginSecondStep(r.Context(), u, class)
	if err != nil {
		WriteError(w, challenge, err)
		return true
	}
	if ticket == "" {
		return false
	}
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	drf.JSON(w, http.StatusUnauthorized, MFARequired{
		Detail: MsgMFARequired, Code: "mfa_required", Ticket: ticket, Types: []string{"totp", "recovery_codes"},
	})
	return true
}

// MsgMFARequired is the detail of a login's first step for a user with a
// second factor.
const MsgMFARequired = "Two-factor authentication is required: send a code with the ticket."

// MFARequired is the body of that answer: the ticket goes to the second
// step with a code (package mfa's /authenticate).
type MFARequired struct {
	Detail string   `json:"detail"`
	Code   string   `json:"code"`
	Ticket string   `json:"ticket"`
	Types  []string `json:"types"`
}

// NoStore marks a response as not cacheable; every auth response sends it.
func NoStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// WriteUser writes {"id","username","is_staff"} with status 200.
func WriteUser(w http.ResponseWriter, u *identity.User) {
	drf.JSON(w, http.StatusOK, struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		IsStaff  bool   `json:"is_staff"`
	}{u.ID, u.Username, u.IsStaff})
}

// BadCredentials writes the 401 all three logins answer for a wrong
// username or password or an inactive user (simplejwt's message), with the
// endpoint's challenge when it has one ("" for none).
func BadCredentials(w http.ResponseWriter, challenge string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	drf.Detail(w, http.StatusUnauthorized, drf.BadCredentials)
}

// WriteError answers err from a login, refresh or logout endpoint:
// throttled 429, *authn.Error as its own status (a 401 with the challenge
// when there is one, and never turned into 403), anything else 503.
func WriteError(w http.ResponseWriter, challenge string, err error) {
	var ae *authn.Error
	if errors.As(err, &ae) {
		if ae.Status == http.StatusUnauthorized && challenge != "" {
			w.Header().Set("WWW-Authenticate", challenge)
		}
		if ae.Code != "" {
			drf.DetailCode(w, ae.Status, ae.Detail, ae.Code)
		} else {
			drf.Detail(w, ae.Status, ae.Detail)
		}
		return
	}
	authn.WriteError(w, challenge, err)
}

// Me returns the handler of GET /auth/me: the caller authenticated by
// chain, as {"id","username","is_staff"}; 401 (the chain's challenge) when
// anonymous.
func Me(chain authn.Chain) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		NoStore(w)
		// As DRF's views: authentication, then the permission
		// (IsAuthenticated), then the method. OPTIONS only authenticates.
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		allow := []string{"GET", "HEAD", "OPTIONS"}
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			w.WriteHeader(http.StatusOK)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			drf.MethodNotAllowed(w, r.Method, allow)
			return
		}
		WriteUser(w, res.User)
	})
}

// MethodNotAllowed answers a method an auth endpoint does not take: OPTIONS
// gets 200 with Allow, anything else DRF's 405 with Allow.
func MethodNotAllowed(allow ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		NoStore(w)
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			w.WriteHeader(http.StatusOK)
			return
		}
		drf.MethodNotAllowed(w, r.Method, allow)
	}
}
