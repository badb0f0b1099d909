package memstore

import (
	"context"

	"github.com/wardhq/ward/runtime/store"
)

var _ store.VersionBumper = (*Store)(nil)

// BumpVersion implements store.VersionBumper.
func (s *Store) BumpVersion(ctx context.Context, id int64) error {
	return s.update(ctx, id, func(u *store.UserRecord) { u.PasswordVersion++ })
}
