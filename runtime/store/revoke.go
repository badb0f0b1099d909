package store

import "context"

// VersionBumper is implemented by Users stores that can end every
// credential of a user without touching the password: "log out
// everywhere". Every Users of this module implements it.
type VersionBumper interface {
	// BumpVersion increases the user's password version in one atomic
	// step (the hash is unchanged), which kills the user's tokens,
	// sessions and refresh families as a password change does. A missing
	// user is ErrNotFound.
	BumpVersion(ctx context.Context, id int64) error
}
