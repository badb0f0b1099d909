package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accountsapi"
	"github.com/wardhq/ward/runtime/mail"
	"github.com/wardhq/ward/runtime/store"
)

// Accounts configures self-service accounts (the spec's accounts:
// section): registration, email verification, password change and reset.
type Accounts struct {
	// Registration is "open" (the registration endpoints are mounted) or
	// "closed".
	Registration string
	// EmailVerification is "mandatory", "optional" or "none", as allauth's.
	EmailVerification string
	Path              string // the auth prefix, e.g. "/auth"
	From              string // the mails' sender, e.g. "Blog <noreply@blog.example>"
	// Templates is a folder of mail templates overriding the defaults
	// file by file ("" for none).
	Templates string
}

// accountsKeyLabel separates the email verification key from every other
// use of the secret (see cursorKey).
const accountsKeyLabel = "ward accounts email key v1"

// mountAccounts builds the accounts endpoints and mounts them on r; chain
// authenticates the password change. With mandatory verification, the
// credential check of every class refuses an unverified user.
func (in *instance) mountAccounts(r chi.Router, chain authn.Chain) error {
	a := in.def.Accounts
	if a == nil {
		return nil
	}
	emails, ok := in.stores.users.(store.Emails)
	if !ok {
		return errors.New("accounts: the user store keeps no emails")
	}
	sender, err := mail.FromURL(in.env.SMTPURL, a.From, os.Stderr)
	if err != nil {
		return fmt.Errorf("%s_SMTP_URL: %v", in.def.EnvPrefix, err)
	}
	tpl, err := mail.LoadTemplates(a.Templates)
	if err != nil {
		return err
	}
	if a.EmailVerification == accountsapi.Mandatory {
		in.auth.Accounts.RequireVerified = emails
	}
	m := hmac.New(sha256.New, in.secret)
	m.Write([]byte(accountsKeyLabel))
	api, err := accountsapi.New(accountsapi.Config{
		Prefix:         a.Path,
		Registration:   a.Registration == "open",
		Verification:   a.EmailVerification,
		Accounts:       in.auth.Accounts,
		Emails:         emails,
		Counters:       in.stores.counters,
		Mail:           sender,
		Templates:      tpl,
		Secret:         m.Sum(nil),
		Site:           in.def.Name,
		TrustedProxies: in.def.Throttle.TrustedProxies,
		Log:            in.log,
	})
	if err != nil {
		return err
	}
	in.accounts = api
	api.Mount(r, chain)
	return nil
}
