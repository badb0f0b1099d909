package authhttp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// The kinds of credential, as DELETE {path}/{kind}/{id} names them.
const (
	KindSession = "session"
	KindToken   = "token"
	KindRefresh = "refresh"
)

// CredentialStores are the stores the credential endpoints read; a nil
// member (its class is off) lists nothing. Each is used when it
// implements its lister (store.SessionLister, TokenLister, FamilyLister).
type CredentialStores struct {
	Sessions store.Sessions
	Tokens   store.Tokens
	Families store.Families
	// SessionLive, when set, tells a session that has timed out (the
	// session class's timeouts); such a session is not listed.
	SessionLive func(x *store.Session, now time.Time) bool
}

// Credential is one credential as its owner sees it: never the secret nor
// the stored key, only an opaque id derived from the key.
type Credential struct {
	ID            string     `json:"id"`
	CreatedAt     *time.Time `json:"created_at"`
	LastUsedAt    *time.Time `json:"last_used_at"`
	ClientAddress string     `json:"client_address"`
	UserAgent     string     `json:"user_agent"`
}

// CredentialList is the answer of GET {path}.
type CredentialList struct {
	Sessions        []Credential `json:"sessions"`
	Tokens          []Credential `json:"tokens"`
	RefreshFamilies []Credential `json:"refresh_families"`
}

// OpaqueID is the id a credential is shown under: the first 12 bytes of
// SHA-256 over its kind and store key, in hex. It names the credential
// without revealing the key (itself a hash of the secret, or for a family
// its id).
func OpaqueID(kind string, key []byte) string {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Credentials returns the handler of GET path (the caller's sessions, API
// tokens and refresh families) and DELETE path/{kind}/{id} (end one of
// them: 204; 404 for an id that is unknown or another user's, alike).
// Both authenticate with chain (any class; a cookie class checks CSRF on
// DELETE); anonymous is 401. A credential ended by a password change or
// "log out everywhere", or expired, is not listed.
func Credentials(chain authn.Chain, path string, st CredentialStores) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		NoStore(w)
		rest, sub := strings.CutPrefix(r.URL.Path, path+"/")
		allow := []string{"GET", "HEAD", "OPTIONS"}
		if sub {
			allow = []string{"DELETE", "OPTIONS"}
		}
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		switch {
		case !sub && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			list, err := listCredentials(r.Context(), st, res.User)
			if err != nil {
				WriteError(w, "", accounts.Unavailable(err))
				return
			}
			drf.JSON(w, http.StatusOK, list)
		case sub && r.Method == http.MethodDelete:
			kind, id, ok := ParseCredentialPath(rest)
			if !ok {
				drf.NotFound(w)
				return
			}
			err := revokeCredential(r.Context(), st, res.User, kind, id)
			if errors.Is(err, store.ErrNotFound) {
				drf.NotFound(w)
				return
			}
			if err != nil {
				WriteError(w, "", accounts.Unavailable(err))
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			MethodNotAllowed(allow...)(w, r)
		}
	})
}

// ParseCredentialPath splits "{kind}/{id}" (the part of a DELETE path
// after the base). ok is false unless kind is a known kind and id is 24
// lowercase hex digits.
func ParseCredentialPath(p string) (kind, id string, ok bool) {
	kind, id, ok = strings.Cut(p, "/")
	if !ok || (kind != KindSession && kind != KindToken && kind != KindRefresh) || len(id) != 24 {
		return "", "", false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", "", false
		}
	}
	return kind, id, true
}

// timePtr is t, or nil (JSON null) for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func credential(kind string, key []byte, created, used time.Time, c store.Client) Credential {
	return Credential{ID: OpaqueID(kind, key), CreatedAt: timePtr(created), LastUsedAt: timePtr(used),
		ClientAddress: c.Addr, UserAgent: c.UserAgent}
}

// listCredentials lists u's live credentials of each kind, oldest first.
func listCredentials(ctx context.Context, st CredentialStores, u *identity.User) (*CredentialList, error) {
	out := &CredentialList{Sessions: []Credential{}, Tokens: []Credential{}, RefreshFamilies: []Credential{}}
	now := time.Now()
	if l, ok := st.Sessions.(store.SessionLister); ok {
		xs, err := l.ListSessions(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range xs {
			if x.PasswordVersion == u.PasswordVersion && (st.SessionLive == nil || st.SessionLive(x, now)) {
				out.Sessions = append(out.Sessions, credential(KindSession, x.Hash, x.CreatedAt, x.LastSeen, x.Client))
			}
		}
	}
	if l, ok := st.Tokens.(store.TokenLister); ok {
		ts, err := l.ListTokens(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.PasswordVersion == u.PasswordVersion && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)) {
				out.Tokens = append(out.Tokens, credential(KindToken, t.Hash, t.CreatedAt, t.LastUsed, t.Client))
			}
		}
	}
	if l, ok := st.Families.(store.FamilyLister); ok {
		fs, err := l.ListFamilies(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if f.PasswordVersion == u.PasswordVersion {
				used := f.RotatedAt
				if used.IsZero() {
					used = f.CreatedAt
				}
				out.RefreshFamilies = append(out.RefreshFamilies, credential(KindRefresh, []byte(f.ID), f.CreatedAt, used, f.Client))
			}
		}
	}
	return out, nil
}

// revokeCredential ends u's credential of kind whose opaque id is id. It
// looks among u's own credentials only, so another user's id is
// ErrNotFound as an unknown one is.
func revokeCredential(ctx context.Context, st CredentialStores, u *identity.User, kind, id string) error {
	switch kind {
	case KindSession:
		if l, ok := st.Sessions.(store.SessionLister); ok {
			xs, err := l.ListSessions(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, x := range xs {
				if OpaqueID(kind, x.Hash) == id {
					return st.Sessions.DeleteSession(ctx, x.Hash)
				}
			}
		}
	case KindToken:
		if l, ok := st.Tokens.(store.TokenLister); ok {
			ts, err := l.ListTokens(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, t := range ts {
				if OpaqueID(kind, t.Hash) == id {
					return st.Tokens.DeleteToken(ctx, t.Hash)
				}
			}
		}
	case KindRefresh:
		if l, ok := st.Families.(store.FamilyLister); ok {
			fs, err := l.ListFamilies(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, f := range fs {
				if OpaqueID(kind, []byte(f.ID)) == id {
					return st.Families.RevokeFamily(ctx, f.ID)
				}
			}
		}
	}
	return store.ErrNotFound
}
