// Scaffolded by ward; yours to edit.

package shopapi

import "github.com/wardhq/ward/runtime/perm"

// StaffChanges is the permission class StaffChanges: Anyone who may see an
// order may read it; only staff may change or delete it. The orders' update,
// partial_update and destroy combine it with the orders' read scope, so a
// customer gets 404 for another's order (the lookup) and 403 for their own
// (this object check).
type StaffChanges struct{}

// HasPermission lets every request through: the object check decides, after
// the lookup.
func (StaffChanges) HasPermission(req *perm.Request) (bool, error) {
	return true, nil
}

// HasOrderPermission allows reads to everyone who found the order, and
// changes to staff only.
func (StaffChanges) HasOrderPermission(req *perm.Request, obj *Order) (bool, error) {
	if req.SafeMethod() {
		return true, nil
	}
	return req.User != nil && req.User.IsStaff, nil
}
