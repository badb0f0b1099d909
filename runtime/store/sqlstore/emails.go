package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

// CreateUserWithEmail implements store.Emails.
func (s *Store) CreateUserWithEmail(ctx context.Context, u *store.UserRecord, email string) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := s.row(ctx, tx, `INSERT INTO ward_users (username, password_hash, is_active, is_staff, password_version, created_at, email, email_verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, u.PasswordHash, u.IsActive, u.IsStaff, u.PasswordVersion, s.d.time(s.orNow(u.CreatedAt)), email, false).Scan(&id)
		if err != nil {
			return err
		}
		return s.insertPerms(ctx, tx, id, u.Perms)
	})
	if err != nil {
		return 0, s.mapErr(err)
	}
	return id, nil
}

// UserByEmail implements store.Emails.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.UserRecord, error) {
	u, err := scanUser(s.row(ctx, s.db, s.users+` WHERE u.email = ?`, email))
	return u, s.mapErr(err)
}

// Email implements store.Emails.
func (s *Store) Email(ctx context.Context, id int64) (string, bool, error) {
	var email sql.NullString
	var verified bool
	err := s.row(ctx, s.db, `SELECT email, email_verified FROM ward_users WHERE id = ?`, id).Scan(&email, &verified)
	return email.String, verified, s.mapErr(err)
}

// VerifyEmail implements store.Emails.
func (s *Store) VerifyEmail(ctx context.Context, id int64, email string) error {
	return s.execOne(ctx, s.db, `UPDATE ward_users SET email_verified = ? WHERE id = ? AND email = ?`, true, id, email)
}

// SetResetToken implements store.Emails.
func (s *Store) SetResetToken(ctx context.Context, id int64, hash []byte, expires time.Time) error {
	return s.execOne(ctx, s.db, `UPDATE ward_users SET reset_hash = ?, reset_expires = ? WHERE id = ?`, hash, s.d.time(expires), id)
}

// ResetPassword implements store.Emails: one UPDATE, so two requests with
// the same token cannot both succeed.
func (s *Store) ResetPassword(ctx context.Context, id int64, tokenHash []byte, now time.Time, passwordHash string) error {
	if len(tokenHash) == 0 {
		return store.ErrNotFound
	}
	return s.execOne(ctx, s.db, `UPDATE ward_users SET password_hash = ?, password_version = password_version + 1, reset_hash = NULL, reset_expires = NULL
WHERE id = ? AND reset_hash = ? AND reset_expires > ?`, passwordHash, id, tokenHash, s.d.time(now))
}
