// Package mfa is the second factor of logins: TOTP authenticators (RFC
// 6238, through github.com/pquerna/otp) with ten single-use recovery
// codes, the tickets that join a login's two steps, and the endpoints, in
// the spirit of allauth's MFA:
//
//	GET  /auth/2fa                  the caller's state: {"totp", "recovery_codes_left"}
//	POST /auth/2fa/totp             enrol: {"secret", "otpauth_url", "qr_png"}
//	POST /auth/2fa/totp/confirm     {code}: confirms, answers the ten recovery codes
//	POST /auth/2fa/authenticate     {ticket, code}: the second step of a login
//	POST /auth/2fa/deactivate       {password, code}: turns MFA off
//
// A code is a current TOTP code or an unused recovery code. Every code
// check is throttled per user, and a TOTP code is accepted once: the time
// step it belongs to is recorded (store.MFA.UseStep, shared by every
// instance), so neither it nor an earlier one is accepted again.
package mfa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// Config configures MFA.
type Config struct {
	// Issuer names the service in authenticator apps (the otpauth URI).
	Issuer string
	// Path is where the endpoints are mounted; default "/auth/2fa".
	Path string
	// TicketTTL is how long a login's second step may take; default 5m.
	TicketTTL time.Duration
	// Rate bounds the wrong codes of one user: Rate per RateWindow;
	// default 5 per 5 minutes (a guess is right with odds of 3 in a
	// million: three steps are accepted).
	Rate       int
	RateWindow time.Duration
}

// Issuer answers a successful login of u for one class (jwtauth.JWT,
// sessionauth.Sessions and tokenauth.Tokens implement it).
type Issuer interface {
	Issue(w http.ResponseWriter, r *http.Request, u *identity.User)
}

// MFA implements accounts.SecondFactor and serves the endpoints.
type MFA struct {
	cfg      Config
	acc      *accounts.Accounts
	st       store.MFA
	counters store.Counters
	now      func() time.Time
}

// Period and Digits are the TOTP parameters every authenticator app
// understands (RFC 6238's defaults).
const (
	Period = 30
	Digits = otp.DigitsSix
	// RecoveryCodes is how many recovery codes a confirmation gives.
	RecoveryCodes = 10
)

// New returns MFA over st; counters throttles the code checks (nil: none).
func New(cfg Config, acc *accounts.Accounts, st store.MFA, counters store.Counters) *MFA {
	if cfg.Path == "" {
		cfg.Path = "/auth/2fa"
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "ward"
	}
	if cfg.TicketTTL <= 0 {
		cfg.TicketTTL = 5 * time.Minute
	}
	if cfg.Rate <= 0 {
		cfg.Rate, cfg.RateWindow = 5, 5*time.Minute
	}
	return &MFA{cfg: cfg, acc: acc, st: st, counters: counters, now: time.Now}
}

var _ accounts.SecondFactor = (*MFA)(nil)

func hash(v string) []byte {
	h := sha256.Sum256([]byte(v))
	return h[:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// Enrolled implements accounts.SecondFactor.
func (m *MFA) Enrolled(ctx context.Context, u *identity.User) (bool, error) {
	t, err := m.st.TOTPByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, accounts.Unavailable(err)
	}
	return t.Confirmed, nil
}

// Begin implements accounts.SecondFactor: a ticket of TicketTTL for an
// enrolled user, stored by its hash.
func (m *MFA) Begin(ctx context.Context, u *identity.User, class string) (string, error) {
	ok, err := m.Enrolled(ctx, u)
	if err != nil || !ok {
		return "", err
	}
	ticket := randomHex(32)
	err = m.st.CreateTicket(ctx, &store.MFATicket{
		Hash: hash(ticket), UserID: u.ID, Class: class, ExpiresAt: m.now().Add(m.cfg.TicketTTL), PasswordVersion: u.PasswordVersion,
	})
	if err != nil {
		return "", accounts.Unavailable(err)
	}
	return ticket, nil
}

// newSecret returns a fresh authenticator for u and its otpauth key.
func (m *MFA) newSecret(u *identity.User) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{
		Issuer: m.cfg.Issuer, AccountName: u.Username, Period: Period, Digits: Digits, Algorithm: otp.AlgorithmSHA1,
	})
}

// matchStep returns the time step whose code is code, trying the current
// step and one either side (clock drift), or ok=false.
func matchStep(secret, code string, now time.Time) (step int64, ok bool) {
	cur := now.Unix() / Period
	for _, s := range []int64{cur, cur - 1, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*Period, 0), totp.ValidateOpts{Period: Period, Digits: Digits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// isTOTP reports whether code has the shape of a TOTP code.
func isTOTP(code string) bool {
	if len(code) != int(Digits) {
		return false
	}
	_, err := strconv.ParseUint(code, 10, 32)
	return err == nil
}

// NormalizeRecoveryCode lower-cases a recovery code and drops spaces and
// dashes, so that "ABCD-EFGH" and "abcdefgh" are one code.
func NormalizeRecoveryCode(c string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, c)
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes returns RecoveryCodes codes (as shown, "xxxx-xxxx-xxxx",
// 60 random bits each) and their hashes.
func newRecoveryCodes() (codes []string, hashes [][]byte) {
	for range RecoveryCodes {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		c := strings.ToLower(recoveryEncoding.EncodeToString(b))[:12]
		codes = append(codes, c[:4]+"-"+c[4:8]+"-"+c[8:])
		hashes = append(hashes, hash(c))
	}
	return codes, hashes
}

// errBadCode: the code is wrong, replayed, or a used recovery code.
var errBadCode = errors.New("mfa: bad code")

// checkCode accepts code for userID once: a TOTP code of a step later
// than the last accepted one, or an unused recovery code (used up). The
// throttle counts every wrong code.
func (m *MFA) checkCode(ctx context.Context, userID int64, code string) (err error) {
	done, err := m.throttle(ctx, userID)
	if err != nil {
		return err
	}
	defer func() { done(err == nil) }()
	t, err := m.st.TOTPByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return errBadCode
	}
	if err != nil {
		return accounts.Unavailable(err)
	}
	if !t.Confirmed {
		return errBadCode
	}
	if isTOTP(code) {
		step, ok := matchStep(t.Secret, code, m.now())
		if !ok {
			return errBadCode
		}
		return storeErr(m.st.UseStep(ctx, userID, step))
	}
	return storeErr(m.st.UseRecoveryCode(ctx, userID, hash(NormalizeRecoveryCode(code))))
}

// storeErr maps a replay or a missing code to errBadCode.
func storeErr(err error) error {
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return errBadCode
	}
	if err != nil {
		return accounts.Unavailable(err)
	}
	return nil
}
