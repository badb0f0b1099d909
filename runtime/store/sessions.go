package store

import (
	"context"
	"time"
)

// Client is where a credential was made: the client's address (as the
// throttle computes it, trusted_proxies applied) and its User-Agent. The
// classes put it in the context of the request that logs in (WithClient),
// and the stores record it with the token, session or family.
type Client struct {
	Addr      string
	UserAgent string
}

type clientKey struct{}

// WithClient returns ctx carrying c.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the Client ctx carries, or the zero Client.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// maxClientField bounds what a store keeps of a client's address or
// User-Agent (a header the client chooses).
const maxClientField = 256

// Clip cuts s to what a store keeps of a client field.
func Clip(s string) string {
	if len(s) <= maxClientField {
		return s
	}
	return s[:maxClientField]
}

// TouchEvery is how stale a credential's "last used" time may get before
// a request writes it: at most one write a minute per credential, never
// one per request.
const TouchEvery = time.Minute

// TokenLister, SessionLister and FamilyLister are implemented by stores
// that let a user see their own credentials ("session management"), each
// by the stores of this module holding that credential. A user ends one
// with DeleteToken, DeleteSession or RevokeFamily.
type TokenLister interface {
	// ListTokens returns the user's API tokens, oldest first.
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// TouchToken moves the token's LastUsed forward to at (never back);
	// a missing token is ErrNotFound.
	TouchToken(ctx context.Context, hash []byte, at time.Time) error
}

// SessionLister: see TokenLister. A session's last use is LastSeen.
type SessionLister interface {
	// ListSessions returns the user's sessions, oldest first.
	ListSessions(ctx context.Context, userID int64) ([]*Session, error)
}

// FamilyLister: see TokenLister. A family's last use is its last
// rotation (RotatedAt), or its creation.
type FamilyLister interface {
	// ListFamilies returns the user's live refresh families, oldest
	// first.
	ListFamilies(ctx context.Context, userID int64) ([]*Family, error)
}
