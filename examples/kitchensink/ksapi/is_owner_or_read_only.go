// Scaffolded by ward; yours to edit.

package ksapi

import "github.com/wardhq/ward/runtime/perm"

// IsOwnerOrReadOnly is the permission class IsOwnerOrReadOnly: Anyone may
// read; only the owner may write.
type IsOwnerOrReadOnly struct{}

// HasPermission lets every request through: the object check decides.
func (IsOwnerOrReadOnly) HasPermission(req *perm.Request) (bool, error) {
	return true, nil
}

// HasPostPermission allows reads to everyone and writes to the owner.
func (IsOwnerOrReadOnly) HasPostPermission(req *perm.Request, obj *Post) (bool, error) {
	if req.SafeMethod() {
		return true, nil
	}
	return perm.Owns(req.User, &obj.OwnerID), nil
}
