package accountsapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/store"
)

// register is POST /registration {username, email, password1, password2}.
// A taken username is said, as Django does; a taken email is not: the
// answer is the usual 201 and the address gets an "account already
// exists" mail (allauth's enumeration prevention).
func (a *API) register(w http.ResponseWriter, r *http.Request) {
	if !a.limitIP(w, r, "signup", a.cfg.Rates.Signup) {
		return
	}
	in, ok := authhttp.ParseStrings(w, r, "username", "email", "password1", "password2")
	if !ok {
		return
	}
	fe := drf.FieldErrors{}
	if !accounts.ValidUsername(in["username"]) {
		fe.Add("username", msgInvalidUsername)
	}
	email, err := accounts.NormalizeEmail(in["email"])
	if err != nil {
		fe.Add("email", accounts.InvalidEmail)
	}
	if in["password1"] != in["password2"] {
		fe.Add("non_field_errors", msgMismatchRegister)
	} else if msgs := a.cfg.Rules.ValidatePassword(in["password1"], in["username"], email); len(msgs) > 0 {
		fe["password1"] = msgs
	}
	if !fe.Empty() {
		fe.Write(w)
		return
	}
	ctx := r.Context()
	switch _, err := a.cfg.Accounts.Dir.Users().UserByUsername(ctx, in["username"]); {
	case err == nil:
		drf.FieldErrors{"username": {msgUsernameTaken}}.Write(w)
		return
	case !errors.Is(err, store.ErrNotFound):
		a.backendError(w, err)
		return
	}
	id, err := accounts.Register(ctx, a.cfg.Emails, a.cfg.Accounts.Hasher, in["username"], email, in["password1"])
	switch {
	case errors.Is(err, store.ErrConflict):
		// The email is taken (or the username, by a request that just
		// won): answer as for a new account and tell the address.
		a.background("account_already_exists", func(ctx context.Context) error {
			return a.send(ctx, "account_already_exists", email, map[string]any{"Username": in["username"]})
		})
	case err != nil:
		a.backendError(w, err)
		return
	case a.cfg.Verification != None:
		a.mailKey(id, in["username"], email)
	}
	if a.cfg.Verification == None {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	drf.Detail(w, http.StatusCreated, msgVerificationSent)
}

// mailKey sends the verification key of id's email in the background.
func (a *API) mailKey(id int64, username, email string) {
	a.background("email_confirmation", a.keyJob(id, username, email))
}

// keyJob sends the verification key of id's email.
func (a *API) keyJob(id int64, username, email string) func(context.Context) error {
	key := a.keys.Make(id, email, a.cfg.Now())
	return func(ctx context.Context) error {
		return a.send(ctx, "email_confirmation", email, map[string]any{
			"Username": username, "Key": key, "VerifyPath": a.cfg.Prefix + "/registration/verify-email",
		})
	}
}

// verifyEmail is POST /registration/verify-email {key}: 200 {"detail":
// "ok"}, or 404 for a key that is forged, expired, or for an address the
// user no longer has (dj-rest-auth's answers).
func (a *API) verifyEmail(w http.ResponseWriter, r *http.Request) {
	if !a.limitIP(w, r, "verify", a.cfg.Rates.Verify) {
		return
	}
	in, ok := authhttp.ParseStrings(w, r, "key")
	if !ok {
		return
	}
	id, email, err := a.keys.Check(in["key"], a.cfg.Now())
	if err != nil {
		drf.NotFound(w)
		return
	}
	switch err := a.cfg.Emails.VerifyEmail(r.Context(), id, email); {
	case errors.Is(err, store.ErrNotFound):
		drf.NotFound(w)
	case err != nil:
		a.backendError(w, err)
	default:
		drf.Detail(w, http.StatusOK, msgOK)
	}
}

// resendEmail is POST /registration/resend-email {email}: always 200
// {"detail": "ok"}; the key goes out only to an unverified address.
func (a *API) resendEmail(w http.ResponseWriter, r *http.Request) {
	email, ok := a.emailRequest(w, r, "resend", a.cfg.Rates.Resend, a.cfg.Rates.ResendEmail)
	if !ok {
		return
	}
	u, err := a.cfg.Emails.UserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.backendError(w, err)
		return
	}
	answered := make(chan struct{})
	defer close(answered)
	if u != nil && u.IsActive {
		id, username := u.ID, u.Username
		a.background("email_confirmation", func(ctx context.Context) error {
			<-answered
			time.Sleep(jobDelay)
			if _, verified, err := a.cfg.Emails.Email(ctx, id); err != nil || verified {
				return err
			}
			return a.keyJob(id, username, email)(ctx)
		})
	} else {
		a.background("email_confirmation", func(context.Context) error { return nil })
	}
	drf.Detail(w, http.StatusOK, msgOK)
}

// changePassword is POST /password/change {old_password, new_password1,
// new_password2} for an authenticated user. The password version bumps:
// every session, token and refresh family of the user dies, this one
// included (dj-rest-auth's LOGOUT_ON_PASSWORD_CHANGE).
func (a *API) changePassword(chain authn.Chain) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		if !a.limitIP(w, r, "change", a.cfg.Rates.Change) || !a.limitUser(w, r, "change", res.User.ID, a.cfg.Rates.ChangeUser) {
			return
		}
		in, ok := authhttp.ParseStrings(w, r, "old_password", "new_password1", "new_password2")
		if !ok {
			return
		}
		ctx, u := r.Context(), res.User
		if _, err := a.cfg.Accounts.CheckCredentials(ctx, u.Username, in["old_password"]); err != nil {
			if errors.Is(err, accounts.ErrBadCredentials) {
				drf.FieldErrors{"old_password": {msgOldPassword}}.Write(w)
				return
			}
			a.backendError(w, err)
			return
		}
		email, _, err := a.cfg.Emails.Email(ctx, u.ID)
		if err != nil {
			a.backendError(w, err)
			return
		}
		if !a.newPassword(w, in, u.Username, email) {
			return
		}
		hash, err := a.cfg.Accounts.Hasher.Hash(ctx, in["new_password1"])
		if err == nil {
			err = a.cfg.Accounts.Dir.Users().SetPassword(ctx, u.ID, hash, true)
		}
		if err != nil {
			a.backendError(w, err)
			return
		}
		a.cfg.Accounts.Dir.Forget(u.ID)
		drf.Detail(w, http.StatusOK, msgPasswordSaved)
	}
}

// newPassword checks new_password1 and new_password2 as Django's
// SetPasswordForm, answering 400 itself when they fail.
func (a *API) newPassword(w http.ResponseWriter, in map[string]string, username, email string) bool {
	if in["new_password1"] != in["new_password2"] {
		drf.FieldErrors{"new_password2": {msgMismatch}}.Write(w)
		return false
	}
	if msgs := a.cfg.Rules.ValidatePassword(in["new_password1"], username, email); len(msgs) > 0 {
		drf.FieldErrors{"new_password2": msgs}.Write(w)
		return false
	}
	return true
}
