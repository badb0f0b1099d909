package sqlstore

import (
	"context"

	"github.com/wardhq/ward/runtime/store"
)

var _ store.VersionBumper = (*Store)(nil)

// BumpVersion implements store.VersionBumper: one UPDATE, so a concurrent
// password change is never undone.
func (s *Store) BumpVersion(ctx context.Context, id int64) error {
	return s.execOne(ctx, s.db, `UPDATE ward_users SET password_version = password_version + 1 WHERE id = ?`, id)
}
