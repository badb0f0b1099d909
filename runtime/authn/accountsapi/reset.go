package accountsapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/authn/authhttp"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/store"
)

// jobDelay is how long a job that could tell a known address from an
// unknown one waits after the answer.
const jobDelay = 20 * time.Millisecond

// resetPassword is POST /password/reset {email}: always 200 with
// dj-rest-auth's message. In the request, a known and an unknown address
// cost the same (the throttles and one queued job); the job looks the
// address up and, for an active user, makes the token, stores its hash and
// mails it.
func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) {
	email, ok := a.emailRequest(w, r, "reset", a.cfg.Rates.Reset, a.cfg.Rates.ResetEmail)
	if !ok {
		return
	}
	// The lookup, like the token and the mail, is the job's: in the
	// request, a known and an unknown address cost the same. The job
	// starts once the answer is written.
	answered := make(chan struct{})
	defer close(answered)
	a.background("password_reset", func(ctx context.Context) error {
		<-answered
		// Let the answer reach the client before the job's work competes
		// with it for the processor.
		time.Sleep(jobDelay)
		u, err := a.cfg.Emails.UserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) || err == nil && !u.IsActive {
			return nil
		}
		if err != nil {
			return err
		}
		return a.mailReset(ctx, u.ID, u.Username, email)
	})
	drf.Detail(w, http.StatusOK, msgResetSent)
}

// mailReset makes a reset token for id, stores its hash (replacing any
// earlier token) and mails it.
func (a *API) mailReset(ctx context.Context, id int64, username, email string) error {
	token, hash, err := accounts.NewResetToken()
	if err != nil {
		return err
	}
	if err := a.cfg.Emails.SetResetToken(ctx, id, hash, a.cfg.Now().Add(a.cfg.ResetTTL)); err != nil {
		return err
	}
	return a.send(ctx, "password_reset", email, map[string]any{
		"Username": username, "UID": accounts.EncodeUID(id), "Token": token,
		"ConfirmPath": a.cfg.Prefix + "/password/reset/confirm", "TTL": a.cfg.ResetTTL.String(),
	})
}

// confirmReset is POST /password/reset/confirm {uid, token,
// new_password1, new_password2}. The token works once, before it
// expires; the password version bumps, so every session, token and
// refresh family of the user dies.
func (a *API) confirmReset(w http.ResponseWriter, r *http.Request) {
	if !a.limitIP(w, r, "confirm", a.cfg.Rates.Confirm) {
		return
	}
	in, ok := authhttp.ParseStrings(w, r, "uid", "token", "new_password1", "new_password2")
	if !ok {
		return
	}
	ctx := r.Context()
	id, ok := accounts.DecodeUID(in["uid"])
	if !ok {
		drf.FieldErrors{"uid": {msgInvalidValue}}.Write(w)
		return
	}
	// An id nobody has is answered as a wrong token, after the same
	// checks, so a uid does not tell whether its account exists.
	var username, email string
	u, err := a.cfg.Accounts.Dir.Users().UserByID(ctx, id)
	switch {
	case err == nil:
		username = u.Username
		if email, _, err = a.cfg.Emails.Email(ctx, id); err != nil {
			a.backendError(w, err)
			return
		}
	case !errors.Is(err, store.ErrNotFound):
		a.backendError(w, err)
		return
	}
	if !a.newPassword(w, in, username, email) {
		return
	}
	hash, err := a.cfg.Accounts.Hasher.Hash(ctx, in["new_password1"])
	if err != nil {
		a.backendError(w, err)
		return
	}
	switch err := a.cfg.Emails.ResetPassword(ctx, id, accounts.HashToken(in["token"]), a.cfg.Now(), hash); {
	case errors.Is(err, store.ErrNotFound):
		drf.FieldErrors{"token": {msgInvalidValue}}.Write(w)
		return
	case err != nil:
		a.backendError(w, err)
		return
	}
	a.cfg.Accounts.Dir.Forget(id)
	drf.Detail(w, http.StatusOK, msgResetDone)
}
