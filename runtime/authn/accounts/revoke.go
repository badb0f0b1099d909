package accounts

import (
	"context"
	"errors"

	"github.com/wardhq/ward/runtime/store"
)

// ErrNoRevoke: the user store cannot bump a password version alone.
var ErrNoRevoke = errors.New("accounts: the user store cannot log a user out everywhere")

// LogoutEverywhere ends every token, session and refresh family of the
// user: it bumps the password version (the password stays), which every
// class checks, through the user cache, within MaxUserCacheTTL on every
// instance. This instance forgets the user at once.
func (a *Accounts) LogoutEverywhere(ctx context.Context, id int64) error {
	b, ok := a.Dir.users.(store.VersionBumper)
	if !ok {
		return ErrNoRevoke
	}
	if err := b.BumpVersion(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		return unavailable(err)
	}
	a.Dir.Forget(id)
	return nil
}
