package store

import "context"

// Grants stores model permissions given to users and groups, as Django's
// user_permissions and groups: a user holds their own permissions and
// those of every group they are in (UserRecord.Perms lists both). A store
// keeping users may implement it.
type Grants interface {
	// GrantUser gives user id the permissions (granted ones are kept);
	// RevokeUser takes them back (missing ones are no error). An unknown
	// user is ErrNotFound.
	GrantUser(ctx context.Context, id int64, perms []string) error
	RevokeUser(ctx context.Context, id int64, perms []string) error
	// CreateGroup makes an empty group; a taken name is ErrConflict.
	CreateGroup(ctx context.Context, name string) error
	// GrantGroup and RevokeGroup change a group's permissions; AddToGroup
	// puts a user in a group (twice is no error). An unknown group or
	// user is ErrNotFound.
	GrantGroup(ctx context.Context, group string, perms []string) error
	RevokeGroup(ctx context.Context, group string, perms []string) error
	AddToGroup(ctx context.Context, id int64, group string) error
}
