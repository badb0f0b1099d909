package sqlstore

import (
	"context"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

var (
	_ store.TokenLister   = (*Store)(nil)
	_ store.SessionLister = (*Store)(nil)
	_ store.FamilyLister  = (*Store)(nil)
)

// The columns scanToken, scanSession and scanFamily read, in order.
const (
	tokenCols   = `hash, user_id, created_at, expires_at, password_version, last_used, client_addr, user_agent`
	sessionCols = `hash, user_id, csrf_hash, created_at, last_seen, password_version, client_addr, user_agent`
	familyCols  = `id, user_id, current, expires_at, password_version, previous, rotated_at, created_at, client_addr, user_agent`
)

func scanToken(r scanner) (*store.APIToken, error) {
	var t store.APIToken
	err := r.Scan(&t.Hash, &t.UserID, instant{&t.CreatedAt}, instant{&t.ExpiresAt}, &t.PasswordVersion, instant{&t.LastUsed},
		&t.Client.Addr, &t.Client.UserAgent)
	return &t, err
}

func scanSession(r scanner) (*store.Session, error) {
	var x store.Session
	err := r.Scan(&x.Hash, &x.UserID, &x.CSRFHash, instant{&x.CreatedAt}, instant{&x.LastSeen}, &x.PasswordVersion,
		&x.Client.Addr, &x.Client.UserAgent)
	return &x, err
}

func scanFamily(r scanner) (*store.Family, error) {
	var f store.Family
	err := r.Scan(&f.ID, &f.UserID, &f.Current, instant{&f.ExpiresAt}, &f.PasswordVersion, &f.Previous, instant{&f.RotatedAt},
		instant{&f.CreatedAt}, &f.Client.Addr, &f.Client.UserAgent)
	return &f, err
}

// list runs a query of one user's credentials and scans every row.
func list[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, x)
	}
	return out, s.mapErr(rows.Err())
}

// ListTokens implements store.TokenLister.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]*store.APIToken, error) {
	return list(ctx, s, scanToken, `SELECT `+tokenCols+` FROM ward_api_tokens WHERE user_id = ? ORDER BY created_at, hash`, userID)
}

// TouchToken implements store.TokenLister; LastUsed never moves
// backwards. A NULL last_used (never used) is replaced.
func (s *Store) TouchToken(ctx context.Context, hash []byte, at time.Time) error {
	t := s.d.time(at)
	return s.execOne(ctx, s.db, `UPDATE ward_api_tokens SET last_used = CASE WHEN last_used IS NULL OR last_used < ? THEN ? ELSE last_used END WHERE hash = ?`, t, t, hash)
}

// ListSessions implements store.SessionLister.
func (s *Store) ListSessions(ctx context.Context, userID int64) ([]*store.Session, error) {
	return list(ctx, s, scanSession, `SELECT `+sessionCols+` FROM ward_sessions WHERE user_id = ? ORDER BY created_at, hash`, userID)
}

// ListFamilies implements store.FamilyLister: the live families. A
// family from before created_at was recorded sorts first.
func (s *Store) ListFamilies(ctx context.Context, userID int64) ([]*store.Family, error) {
	return list(ctx, s, scanFamily, `SELECT `+familyCols+` FROM ward_refresh_families WHERE user_id = ? AND `+live+` ORDER BY created_at IS NOT NULL, created_at, id`,
		userID, s.d.time(time.Time{}), s.d.time(s.now()))
}
