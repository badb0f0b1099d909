package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wardhq/ward/runtime/store"
)

var _ store.MFA = (*Store)(nil)

// TOTPByUser implements store.MFA.
func (s *Store) TOTPByUser(ctx context.Context, userID int64) (*store.TOTP, error) {
	var t store.TOTP
	err := s.row(ctx, s.db, `SELECT user_id, secret, confirmed, last_step, created_at FROM ward_mfa_totp WHERE user_id = ?`, userID).
		Scan(&t.UserID, &t.Secret, &t.Confirmed, &t.LastStep, instant{&t.CreatedAt})
	if err != nil {
		return nil, s.mapErr(err)
	}
	return &t, nil
}

// PutTOTP implements store.MFA: an upsert that leaves a confirmed row
// alone, then a look-up telling that case (ErrConflict) from success.
func (s *Store) PutTOTP(ctx context.Context, t *store.TOTP) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `INSERT INTO ward_mfa_totp (user_id, secret, confirmed, last_step, created_at) VALUES (?, ?, ?, 0, ?)
ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, created_at = excluded.created_at WHERE ward_mfa_totp.confirmed = ?`,
			t.UserID, t.Secret, false, s.d.time(s.orNow(t.CreatedAt)), false)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return store.ErrConflict
		}
		return nil
	})
}

// ConfirmTOTP implements store.MFA in one transaction.
func (s *Store) ConfirmTOTP(ctx context.Context, userID, step int64, recovery [][]byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := s.execOne(ctx, tx, `UPDATE ward_mfa_totp SET confirmed = ?, last_step = ? WHERE user_id = ? AND confirmed = ?`, true, step, userID, false)
		if errors.Is(err, store.ErrNotFound) {
			var one int
			if err := s.row(ctx, tx, `SELECT 1 FROM ward_mfa_totp WHERE user_id = ?`, userID).Scan(&one); err != nil {
				return err
			}
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM ward_mfa_recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, h := range recovery {
			if _, err := s.exec(ctx, tx, `INSERT INTO ward_mfa_recovery_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseStep implements store.MFA as a guarded UPDATE: concurrent updates of
// the row queue on its lock and re-check last_step < step, so one wins.
func (s *Store) UseStep(ctx context.Context, userID, step int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := s.execOne(ctx, tx, `UPDATE ward_mfa_totp SET last_step = ? WHERE user_id = ? AND confirmed = ? AND last_step < ?`, step, userID, true, step)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var one int
		if err := s.row(ctx, tx, `SELECT 1 FROM ward_mfa_totp WHERE user_id = ? AND confirmed = ?`, userID, true).Scan(&one); err != nil {
			return err
		}
		return store.ErrConflict
	})
}

// UseRecoveryCode implements store.MFA: the DELETE is the use.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash []byte) error {
	return s.execOne(ctx, s.db, `DELETE FROM ward_mfa_recovery_codes WHERE user_id = ? AND hash = ?`, userID, hash)
}

// RecoveryCodesLeft implements store.MFA.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.row(ctx, s.db, `SELECT COUNT(*) FROM ward_mfa_recovery_codes WHERE user_id = ?`, userID).Scan(&n)
	return n, s.mapErr(err)
}

// DeleteMFA implements store.MFA.
func (s *Store) DeleteMFA(ctx context.Context, userID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM ward_mfa_tickets WHERE user_id = ?`,
			`DELETE FROM ward_mfa_recovery_codes WHERE user_id = ?`,
			`DELETE FROM ward_mfa_totp WHERE user_id = ?`,
		} {
			if _, err := s.exec(ctx, tx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateTicket implements store.MFA; expired tickets are swept on the way.
func (s *Store) CreateTicket(ctx context.Context, t *store.MFATicket) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM ward_mfa_tickets WHERE expires_at <= ?`, s.d.time(s.now())); err != nil {
		return s.mapErr(err)
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO ward_mfa_tickets (hash, user_id, class, expires_at, password_version) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.UserID, t.Class, s.d.time(t.ExpiresAt), t.PasswordVersion)
	return s.mapErr(err)
}

// TicketByHash implements store.MFA.
func (s *Store) TicketByHash(ctx context.Context, hash []byte) (*store.MFATicket, error) {
	var t store.MFATicket
	err := s.row(ctx, s.db, `SELECT hash, user_id, class, expires_at, password_version FROM ward_mfa_tickets WHERE hash = ? AND expires_at > ?`, hash, s.d.time(s.now())).
		Scan(&t.Hash, &t.UserID, &t.Class, instant{&t.ExpiresAt}, &t.PasswordVersion)
	if err != nil {
		return nil, s.mapErr(err)
	}
	return &t, nil
}

// DeleteTicket implements store.MFA.
func (s *Store) DeleteTicket(ctx context.Context, hash []byte) error {
	return s.execOne(ctx, s.db, `DELETE FROM ward_mfa_tickets WHERE hash = ?`, hash)
}
