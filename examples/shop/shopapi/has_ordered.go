// Scaffolded by ward; yours to edit.

package shopapi

import "github.com/wardhq/ward/runtime/perm"

// HasOrdered is the permission class HasOrdered: Only a caller with an order of the product, not cancelled, may review it.
//
// Ward wrote this stub once and never touches it again. Until you write the
// checks, they deny every request with a 403 that names this file.
type HasOrdered struct{}

// HasPermission is the request-level check (DRF's has_permission). It runs
// before anything is read. Return false, or perm.Deny("message"), to deny;
// any other error answers 503. req.DB reads the database, with ?
// placeholders on every dialect (see docs/permissions.md).
func (HasOrdered) HasPermission(req *perm.Request) (bool, error) {
	return false, perm.Deny("HasOrdered.HasPermission is not written yet: edit has_ordered.go")
}

// HasReviewPermission is the object-level check for a Review (DRF's
// has_object_permission). It runs on the object a detail action reads, on
// the object a create is about to write, and, for update and
// partial_update, once more on the object as it will be written: inside the
// write's transaction, before the commit; a denial writes nothing. DRF does
// not make that last check, ent's mutation rules do, and Ward is stricter
// than DRF here. Decide on obj as given, and do not write.
func (HasOrdered) HasReviewPermission(req *perm.Request, obj *Review) (bool, error) {
	return false, perm.Deny("HasOrdered.HasReviewPermission is not written yet: edit has_ordered.go")
}
