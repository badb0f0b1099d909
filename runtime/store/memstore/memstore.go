// Package memstore is an in-memory implementation of every interface in
// runtime/store (Users, Tokens, Sessions, Families, Counters). It is safe
// for concurrent use and meant for tests and single-process development:
// nothing survives a restart.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

// Store holds all state behind one mutex. The zero value is not usable;
// call New.
type Store struct {
	mu       sync.RWMutex
	nextID   int64
	users    map[int64]*store.UserRecord
	byName   map[string]int64
	tokens   map[string]*store.APIToken
	sessions map[string]*store.Session
	families map[string]*store.Family
	hits     map[string][]time.Time
	accounts map[int64]*account // store.Emails; made on first use

	down atomic.Bool
	now  func() time.Time

	mfaOnce sync.Once
	mfa     *mfaState
}

var (
	_ store.Users    = (*Store)(nil)
	_ store.Tokens   = (*Store)(nil)
	_ store.Sessions = (*Store)(nil)
	_ store.Families = (*Store)(nil)
	_ store.Counters = (*Store)(nil)
	_ store.Reserver = (*Store)(nil)
	_ store.Emails   = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		users:    map[int64]*store.UserRecord{},
		byName:   map[string]int64{},
		tokens:   map[string]*store.APIToken{},
		sessions: map[string]*store.Session{},
		families: map[string]*store.Family{},
		hits:     map[string][]time.Time{},
		now:      time.Now,
	}
}

// SetUnavailable makes every method fail with store.ErrUnavailable while
// down is true, to exercise the fail-closed paths of callers.
func (s *Store) SetUnavailable(down bool) { s.down.Store(down) }

func (s *Store) check(ctx context.Context) error {
	if s.down.Load() {
		return store.ErrUnavailable
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return nil
}

func copyUser(u *store.UserRecord) *store.UserRecord {
	c := *u
	c.Perms = slices.Clone(u.Perms)
	return &c
}

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u *store.UserRecord) (int64, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byName[u.Username]; ok {
		return 0, store.ErrConflict
	}
	s.nextID++
	c := copyUser(u)
	c.ID = s.nextID
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	slices.Sort(c.Perms)
	s.users[c.ID] = c
	s.byName[c.Username] = c.ID
	return c.ID, nil
}

// UserByID implements store.Users.
func (s *Store) UserByID(ctx context.Context, id int64) (*store.UserRecord, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return copyUser(u), nil
}

// UserByUsername implements store.Users.
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.UserRecord, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byName[username]
	if !ok {
		return nil, store.ErrNotFound
	}
	return copyUser(s.users[id]), nil
}

func (s *Store) update(ctx context.Context, id int64, f func(u *store.UserRecord)) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return store.ErrNotFound
	}
	f(u)
	return nil
}

// SetPassword implements store.Users.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, bumpVersion bool) error {
	return s.update(ctx, id, func(u *store.UserRecord) {
		u.PasswordHash = hash
		if bumpVersion {
			u.PasswordVersion++
		}
	})
}

// SetActive implements store.Users.
func (s *Store) SetActive(ctx context.Context, id int64, active bool) error {
	return s.update(ctx, id, func(u *store.UserRecord) { u.IsActive = active })
}

// SetPerms implements store.Users.
func (s *Store) SetPerms(ctx context.Context, id int64, perms []string) error {
	p := slices.Clone(perms)
	slices.Sort(p)
	return s.update(ctx, id, func(u *store.UserRecord) { u.Perms = p })
}

// ListUsers implements store.Users.
func (s *Store) ListUsers(ctx context.Context, limit, offset int) ([]*store.UserRecord, int, error) {
	if err := s.check(ctx); err != nil {
		return nil, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]int64, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	total := len(ids)
	if offset < 0 {
		offset = 0
	}
	if offset > total {
		offset = total
	}
	ids = ids[offset:]
	if limit >= 0 && limit < len(ids) {
		ids = ids[:limit]
	}
	out := make([]*store.UserRecord, len(ids))
	for i, id := range ids {
		out[i] = copyUser(s.users[id])
	}
	return out, total, nil
}

// CreateToken implements store.Tokens.
func (s *Store) CreateToken(ctx context.Context, t *store.APIToken) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := string(t.Hash)
	if _, ok := s.tokens[k]; ok {
		return store.ErrConflict
	}
	c := *t
	c.Hash = slices.Clone(t.Hash)
	s.tokens[k] = &c
	return nil
}

// TokenByHash implements store.Tokens.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tokens[string(hash)]
	if !ok {
		return nil, store.ErrNotFound
	}
	c := *t
	c.Hash = slices.Clone(t.Hash)
	return &c, nil
}

// DeleteToken implements store.Tokens.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[string(hash)]; !ok {
		return store.ErrNotFound
	}
	delete(s.tokens, string(hash))
	return nil
}

func copySession(x *store.Session) *store.Session {
	c := *x
	c.Hash = slices.Clone(x.Hash)
	c.CSRFHash = slices.Clone(x.CSRFHash)
	return &c
}

// CreateSession implements store.Sessions.
func (s *Store) CreateSession(ctx context.Context, x *store.Session) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := string(x.Hash)
	if _, ok := s.sessions[k]; ok {
		return store.ErrConflict
	}
	s.sessions[k] = copySession(x)
	return nil
}

// SessionByHash implements store.Sessions.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	x, ok := s.sessions[string(hash)]
	if !ok {
		return nil, store.ErrNotFound
	}
	return copySession(x), nil
}

// TouchSession implements store.Sessions.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.sessions[string(hash)]
	if !ok {
		return store.ErrNotFound
	}
	if at.After(x.LastSeen) {
		x.LastSeen = at
	}
	return nil
}

// DeleteSession implements store.Sessions. A missing session is ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[string(hash)]; !ok {
		return store.ErrNotFound
	}
	delete(s.sessions, string(hash))
	return nil
}

func copyFamily(f *store.Family) *store.Family {
	c := *f
	c.Current = slices.Clone(f.Current)
	c.Previous = slices.Clone(f.Previous)
	return &c
}

// CreateFamily implements store.Families.
func (s *Store) CreateFamily(ctx context.Context, f *store.Family) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.families[f.ID]; ok {
		return store.ErrConflict
	}
	c := copyFamily(f)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	s.families[f.ID] = c
	return nil
}

// FamilyByID implements store.Families. An expired family is ErrNotFound.
func (s *Store) FamilyByID(ctx context.Context, id string) (*store.Family, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, ok := s.families[id]
	if !ok || (!f.ExpiresAt.IsZero() && !s.now().Before(f.ExpiresAt)) {
		return nil, store.ErrNotFound
	}
	return copyFamily(f), nil
}

// RotateFamily implements store.Families as a compare-and-swap under the
// store's write lock.
func (s *Store) RotateFamily(ctx context.Context, id string, old, next []byte, at time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.families[id]
	if !ok || (!f.ExpiresAt.IsZero() && !s.now().Before(f.ExpiresAt)) {
		return store.ErrNotFound
	}
	if string(f.Current) != string(old) {
		return store.ErrConflict
	}
	f.Previous, f.Current, f.RotatedAt = f.Current, slices.Clone(next), at
	return nil
}

// RevokeFamily implements store.Families.
func (s *Store) RevokeFamily(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.families, id)
	return nil
}

// Hit implements store.Counters with an exact sliding window.
func (s *Store) Hit(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := s.Reserve(ctx, key, limit, window)
	return ok, retry, err
}

// Reserve implements store.Reserver; the hit's handle is its time.
func (s *Store) Reserve(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	if err := s.check(ctx); err != nil {
		return "", false, 0, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits[key]
	cut := now.Add(-window)
	i := 0
	for i < len(h) && !h[i].After(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= limit {
		s.hits[key] = h
		if len(h) == 0 {
			return "", false, window, nil
		}
		return "", false, h[0].Add(window).Sub(now), nil
	}
	s.hits[key] = append(h, now)
	return strconv.FormatInt(now.UnixNano(), 10), true, 0, nil
}

// Release implements store.Reserver: it removes one hit of key at the
// time hit names.
func (s *Store) Release(ctx context.Context, key, hit string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	at, err := strconv.ParseInt(hit, 10, 64)
	if err != nil {
		return fmt.Errorf("memstore: bad hit handle %q", hit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits[key]
	for i, t := range h {
		if t.UnixNano() == at {
			s.hits[key] = append(h[:i:i], h[i+1:]...)
			break
		}
	}
	return nil
}
