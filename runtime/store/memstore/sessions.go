package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

var (
	_ store.TokenLister   = (*Store)(nil)
	_ store.SessionLister = (*Store)(nil)
	_ store.FamilyLister  = (*Store)(nil)
)

// oldestFirst orders credentials by creation time, then by key.
func oldestFirst[T any](xs []T, at func(T) time.Time, key func(T) string) {
	slices.SortFunc(xs, func(a, b T) int {
		if c := at(a).Compare(at(b)); c != 0 {
			return c
		}
		return cmp.Compare(key(a), key(b))
	})
}

// ListTokens implements store.TokenLister.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]*store.APIToken, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*store.APIToken
	for _, t := range s.tokens {
		if t.UserID == userID {
			c := *t
			c.Hash = slices.Clone(t.Hash)
			out = append(out, &c)
		}
	}
	oldestFirst(out, func(t *store.APIToken) time.Time { return t.CreatedAt }, func(t *store.APIToken) string { return string(t.Hash) })
	return out, nil
}

// TouchToken implements store.TokenLister.
func (s *Store) TouchToken(ctx context.Context, hash []byte, at time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[string(hash)]
	if !ok {
		return store.ErrNotFound
	}
	if at.After(t.LastUsed) {
		t.LastUsed = at
	}
	return nil
}

// ListSessions implements store.SessionLister.
func (s *Store) ListSessions(ctx context.Context, userID int64) ([]*store.Session, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*store.Session
	for _, x := range s.sessions {
		if x.UserID == userID {
			out = append(out, copySession(x))
		}
	}
	oldestFirst(out, func(x *store.Session) time.Time { return x.CreatedAt }, func(x *store.Session) string { return string(x.Hash) })
	return out, nil
}

// ListFamilies implements store.FamilyLister.
func (s *Store) ListFamilies(ctx context.Context, userID int64) ([]*store.Family, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.now()
	var out []*store.Family
	for _, f := range s.families {
		if f.UserID == userID && (f.ExpiresAt.IsZero() || now.Before(f.ExpiresAt)) {
			out = append(out, copyFamily(f))
		}
	}
	oldestFirst(out, func(f *store.Family) time.Time { return f.CreatedAt }, func(f *store.Family) string { return f.ID })
	return out, nil
}
