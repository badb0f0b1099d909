package memstore

import (
	"bytes"
	"context"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

// account is a user's store.Emails state.
type account struct {
	email        string
	verified     bool
	resetHash    []byte
	resetExpires time.Time
}

// acct returns id's account state, made on first use. s.mu is held.
func (s *Store) acct(id int64) *account {
	if s.accounts == nil {
		s.accounts = map[int64]*account{}
	}
	a := s.accounts[id]
	if a == nil {
		a = &account{}
		s.accounts[id] = a
	}
	return a
}

// CreateUserWithEmail implements store.Emails.
func (s *Store) CreateUserWithEmail(ctx context.Context, u *store.UserRecord, email string) (int64, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	for _, a := range s.accounts {
		if email != "" && a.email == email {
			s.mu.Unlock()
			return 0, store.ErrConflict
		}
	}
	s.mu.Unlock()
	// Between the two locks another registration could take the email:
	// memstore is for tests and one process, where that race is accepted.
	id, err := s.CreateUser(ctx, u)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.acct(id).email = email
	s.mu.Unlock()
	return id, nil
}

// UserByEmail implements store.Emails.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.UserRecord, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	var id int64
	for uid, a := range s.accounts {
		if email != "" && a.email == email {
			id = uid
		}
	}
	s.mu.RUnlock()
	if id == 0 {
		return nil, store.ErrNotFound
	}
	return s.UserByID(ctx, id)
}

// Email implements store.Emails.
func (s *Store) Email(ctx context.Context, id int64) (string, bool, error) {
	if err := s.check(ctx); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[id] == nil {
		return "", false, store.ErrNotFound
	}
	a := s.acct(id)
	return a.email, a.verified, nil
}

// VerifyEmail implements store.Emails.
func (s *Store) VerifyEmail(ctx context.Context, id int64, email string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[id] == nil || s.acct(id).email != email {
		return store.ErrNotFound
	}
	s.acct(id).verified = true
	return nil
}

// SetResetToken implements store.Emails.
func (s *Store) SetResetToken(ctx context.Context, id int64, hash []byte, expires time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[id] == nil {
		return store.ErrNotFound
	}
	a := s.acct(id)
	a.resetHash, a.resetExpires = bytes.Clone(hash), expires
	return nil
}

// ResetPassword implements store.Emails.
func (s *Store) ResetPassword(ctx context.Context, id int64, tokenHash []byte, now time.Time, passwordHash string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		return store.ErrNotFound
	}
	a := s.acct(id)
	if len(tokenHash) == 0 || !bytes.Equal(a.resetHash, tokenHash) || !now.Before(a.resetExpires) {
		return store.ErrNotFound
	}
	a.resetHash, a.resetExpires = nil, time.Time{}
	u.PasswordHash = passwordHash
	u.PasswordVersion++
	return nil
}
