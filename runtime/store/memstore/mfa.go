package memstore

import (
	"context"
	"slices"
	"sync"

	"github.com/wardhq/ward/runtime/store"
)

var _ store.MFA = (*Store)(nil)

// mfaState is the MFA part of the store, behind its own mutex.
type mfaState struct {
	mu       sync.Mutex
	totp     map[int64]*store.TOTP
	recovery map[int64][][]byte
	tickets  map[string]*store.MFATicket
}

func (s *Store) mfaLocked() *mfaState {
	s.mfaOnce.Do(func() {
		s.mfa = &mfaState{totp: map[int64]*store.TOTP{}, recovery: map[int64][][]byte{}, tickets: map[string]*store.MFATicket{}}
	})
	s.mfa.mu.Lock()
	return s.mfa
}

// TOTPByUser implements store.MFA.
func (s *Store) TOTPByUser(ctx context.Context, userID int64) (*store.TOTP, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	t, ok := m.totp[userID]
	if !ok {
		return nil, store.ErrNotFound
	}
	c := *t
	return &c, nil
}

// PutTOTP implements store.MFA.
func (s *Store) PutTOTP(ctx context.Context, t *store.TOTP) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	if old, ok := m.totp[t.UserID]; ok && old.Confirmed {
		return store.ErrConflict
	}
	c := *t
	c.Confirmed, c.LastStep = false, 0
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	m.totp[t.UserID] = &c
	return nil
}

// ConfirmTOTP implements store.MFA.
func (s *Store) ConfirmTOTP(ctx context.Context, userID, step int64, recovery [][]byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	t, ok := m.totp[userID]
	if !ok {
		return store.ErrNotFound
	}
	if t.Confirmed {
		return store.ErrConflict
	}
	t.Confirmed, t.LastStep = true, step
	codes := make([][]byte, len(recovery))
	for i, h := range recovery {
		codes[i] = slices.Clone(h)
	}
	m.recovery[userID] = codes
	return nil
}

// UseStep implements store.MFA.
func (s *Store) UseStep(ctx context.Context, userID, step int64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	t, ok := m.totp[userID]
	if !ok || !t.Confirmed {
		return store.ErrNotFound
	}
	if step <= t.LastStep {
		return store.ErrConflict
	}
	t.LastStep = step
	return nil
}

// UseRecoveryCode implements store.MFA.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	codes := m.recovery[userID]
	i := slices.IndexFunc(codes, func(h []byte) bool { return string(h) == string(hash) })
	if i < 0 {
		return store.ErrNotFound
	}
	m.recovery[userID] = slices.Delete(codes, i, i+1)
	return nil
}

// RecoveryCodesLeft implements store.MFA.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	return len(m.recovery[userID]), nil
}

// DeleteMFA implements store.MFA.
func (s *Store) DeleteMFA(ctx context.Context, userID int64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	delete(m.totp, userID)
	delete(m.recovery, userID)
	for k, t := range m.tickets {
		if t.UserID == userID {
			delete(m.tickets, k)
		}
	}
	return nil
}

// CreateTicket implements store.MFA.
func (s *Store) CreateTicket(ctx context.Context, t *store.MFATicket) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	if _, ok := m.tickets[string(t.Hash)]; ok {
		return store.ErrConflict
	}
	c := *t
	c.Hash = slices.Clone(t.Hash)
	m.tickets[string(t.Hash)] = &c
	return nil
}

// TicketByHash implements store.MFA.
func (s *Store) TicketByHash(ctx context.Context, hash []byte) (*store.MFATicket, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	t, ok := m.tickets[string(hash)]
	if !ok || !s.now().Before(t.ExpiresAt) {
		return nil, store.ErrNotFound
	}
	c := *t
	return &c, nil
}

// DeleteTicket implements store.MFA.
func (s *Store) DeleteTicket(ctx context.Context, hash []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	m := s.mfaLocked()
	defer m.mu.Unlock()
	if _, ok := m.tickets[string(hash)]; !ok {
		return store.ErrNotFound
	}
	delete(m.tickets, string(hash))
	return nil
}
