package mfa

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// Messages, after allauth's.
const (
	MsgIncorrectCode = "Incorrect code."
	MsgBadTicket     = "The login has expired or is not valid: log in again."
	MsgAlreadyOn     = "You already have an authenticator app."
	MsgNotEnrolled   = "Two-factor authentication is not enabled."
	MsgNoEnrolment   = "Start the enrolment first."
	MsgDisabled      = "Two-factor authentication has been disabled."
	MsgBadPassword   = "Your old password was entered incorrectly. Please enter it again."
)

// Mount registers the endpoints under the configured path. chain
// authenticates the caller of the account endpoints; issuers maps a login
// class ("jwt", "session", "token") to what issues it after the second
// step.
func (m *MFA) Mount(r chi.Router, chain authn.Chain, issuers map[string]Issuer) {
	sub := chi.NewRouter()
	sub.MethodNotAllowed(authhttp.MethodNotAllowed("POST", "OPTIONS"))
	sub.NotFound(func(w http.ResponseWriter, r *http.Request) {
		authhttp.NoStore(w)
		drf.NotFound(w)
	})
	sub.Get("/", m.caller(chain, m.state))
	sub.Post("/totp", m.caller(chain, m.enrol))
	sub.Post("/totp/confirm", m.caller(chain, m.confirm))
	sub.Post("/deactivate", m.caller(chain, m.deactivate))
	sub.Post("/authenticate", func(w http.ResponseWriter, r *http.Request) { m.authenticate(w, r, issuers) })
	r.Mount(m.cfg.Path, sub)
}

// caller authenticates with chain and requires a user (401 otherwise).
func (m *MFA) caller(chain authn.Chain, h func(http.ResponseWriter, *http.Request, *identity.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		authhttp.NoStore(w)
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		h(w, r, res.User)
	}
}

// body reads a JSON object of the named string fields (authhttp.ParseStrings,
// answering 415/400 itself when ok is false), with the code and the ticket
// trimmed as typed; a password is kept as sent.
func body(w http.ResponseWriter, r *http.Request, names ...string) (map[string]string, bool) {
	b, ok := authhttp.ParseStrings(w, r, names...)
	if !ok {
		return nil, false
	}
	for _, n := range []string{"code", "ticket"} {
		if v, ok := b[n]; ok {
			b[n] = strings.TrimSpace(v)
		}
	}
	return b, true
}

// writeErr answers a failed code check: 400 {"code": [...]} for a bad
// code, else 429 or 503.
func writeErr(w http.ResponseWriter, err error) {
	if errors.Is(err, errBadCode) {
		drf.JSON(w, http.StatusBadRequest, drf.FieldErrors{"code": {MsgIncorrectCode}})
		return
	}
	authhttp.WriteError(w, "", err)
}

func (m *MFA) state(w http.ResponseWriter, r *http.Request, u *identity.User) {
	ctx := r.Context()
	on, err := m.Enrolled(ctx, u)
	if err != nil {
		authhttp.WriteError(w, "", err)
		return
	}
	left := 0
	if on {
		if left, err = m.st.RecoveryCodesLeft(ctx, u.ID); err != nil {
			authhttp.WriteError(w, "", accounts.Unavailable(err))
			return
		}
	}
	drf.JSON(w, http.StatusOK, map[string]any{"totp": on, "recovery_codes_left": left})
}

// Enrolment is the answer of POST /totp.
type Enrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
	// QRPNG is the otpauth URI as a QR code: a data URL of a PNG.
	QRPNG string `json:"qr_png"`
}

func (m *MFA) enrol(w http.ResponseWriter, r *http.Request, u *identity.User) {
	key, err := m.newSecret(u)
	if err != nil {
		drf.Internal(w)
		return
	}
	err = m.st.PutTOTP(r.Context(), &store.TOTP{UserID: u.ID, Secret: key.Secret(), CreatedAt: m.now()})
	if errors.Is(err, store.ErrConflict) {
		drf.Detail(w, http.StatusConflict, MsgAlreadyOn)
		return
	}
	if err != nil {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	img, err := key.Image(256, 256)
	var buf bytes.Buffer
	if err != nil || png.Encode(&buf, img) != nil {
		drf.Internal(w)
		return
	}
	drf.JSON(w, http.StatusCreated, Enrolment{
		Secret: key.Secret(), OTPAuthURL: key.URL(),
		QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	})
}

func (m *MFA) confirm(w http.ResponseWriter, r *http.Request, u *identity.User) {
	b, ok := body(w, r, "code")
	if !ok {
		return
	}
	ctx := r.Context()
	done, err := m.throttle(ctx, u.ID)
	if err != nil {
		authhttp.WriteError(w, "", err)
		return
	}
	right := false
	defer func() { done(right) }()
	t, err := m.st.TOTPByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		drf.Detail(w, http.StatusBadRequest, MsgNoEnrolment)
		return
	}
	if err != nil {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	if t.Confirmed {
		drf.Detail(w, http.StatusConflict, MsgAlreadyOn)
		return
	}
	step, right := matchStep(t.Secret, b["code"], m.now())
	if !right {
		writeErr(w, errBadCode)
		return
	}
	codes, hashes := newRecoveryCodes()
	err = m.st.ConfirmTOTP(ctx, u.ID, step, hashes)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		drf.Detail(w, http.StatusConflict, MsgAlreadyOn)
		return
	}
	if err != nil {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	drf.JSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

func (m *MFA) deactivate(w http.ResponseWriter, r *http.Request, u *identity.User) {
	b, ok := body(w, r, "password", "code")
	if !ok {
		return
	}
	ctx := r.Context()
	if _, err := m.acc.CheckCredentials(ctx, u.Username, b["password"]); err != nil {
		if errors.Is(err, accounts.ErrBadCredentials) {
			drf.JSON(w, http.StatusBadRequest, drf.FieldErrors{"password": {MsgBadPassword}})
			return
		}
		authhttp.WriteError(w, "", err)
		return
	}
	if on, err := m.Enrolled(ctx, u); err != nil || !on {
		if err != nil {
			authhttp.WriteError(w, "", err)
			return
		}
		drf.Detail(w, http.StatusBadRequest, MsgNotEnrolled)
		return
	}
	if err := m.checkCode(ctx, u.ID, b["code"]); err != nil {
		writeErr(w, err)
		return
	}
	if err := m.st.DeleteMFA(ctx, u.ID); err != nil {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	drf.Detail(w, http.StatusOK, MsgDisabled)
}

// authenticate is the second step: a live ticket and a code issue the
// login of the ticket's class. A wrong code leaves the ticket usable
// (until it expires or the throttle stops the user); a right one uses it.
func (m *MFA) authenticate(w http.ResponseWriter, r *http.Request, issuers map[string]Issuer) {
	authhttp.NoStore(w)
	b, ok := body(w, r, "ticket", "code")
	if !ok {
		return
	}
	ctx := r.Context()
	t, err := m.st.TicketByHash(ctx, hash(b["ticket"]))
	if errors.Is(err, store.ErrNotFound) {
		drf.JSON(w, http.StatusBadRequest, drf.FieldErrors{"ticket": {MsgBadTicket}})
		return
	}
	if err != nil {
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	iss, ok := issuers[t.Class]
	if !ok {
		drf.JSON(w, http.StatusBadRequest, drf.FieldErrors{"ticket": {MsgBadTicket}})
		return
	}
	// The user may have been deactivated, or changed their password or
	// logged out everywhere, since the first step.
	u, err := m.acc.Dir.User(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.IsActive || u.PasswordVersion != t.PasswordVersion)) {
		drf.JSON(w, http.StatusBadRequest, drf.FieldErrors{"ticket": {MsgBadTicket}})
		return
	}
	if err != nil {
		authhttp.WriteError(w, "", err)
		return
	}
	if err := m.checkCode(ctx, t.UserID, b["code"]); err != nil {
		writeErr(w, err)
		return
	}
	// Of two second steps with one ticket, one deletes it and issues.
	if err := m.st.DeleteTicket(ctx, t.Hash); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			drf.JSON(w, http.StatusBadRequest, drf.FieldErrors{"ticket": {MsgBadTicket}})
			return
		}
		authhttp.WriteError(w, "", accounts.Unavailable(err))
		return
	}
	c := *u
	iss.Issue(w, r, &c)
}
