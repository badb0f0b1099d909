// Scaffolded by ward; yours to edit.

package ksapi

import "github.com/wardhq/ward/runtime/perm"

// HasPurchased is the permission class HasPurchased: anyone signed in may
// read a rating; only a caller who has purchased the ware may rate it. It
// reads the purchases through req.DB (docs/permissions.md).
type HasPurchased struct{}

// HasPermission lets every caller through to the object check.
func (HasPurchased) HasPermission(req *perm.Request) (bool, error) {
	return true, nil
}

// HasRatingPermission allows reading any rating, and writing one of a ware
// the caller has purchased. A database error denies (503).
func (HasPurchased) HasRatingPermission(req *perm.Request, obj *Rating) (bool, error) {
	if req.SafeMethod() {
		return true, nil
	}
	if req.User == nil {
		return false, nil
	}
	var n int
	err := req.DB.QueryRow(req.Context(),
		`SELECT COUNT(*) FROM "purchases" WHERE "ware" = ? AND "owner_id" = ?`, obj.Ware, req.User.ID).Scan(&n)
	if err != nil {
		return false, err
	}
	if n == 0 {
		return false, perm.Deny("You can only rate wares you have purchased.")
	}
	return true, nil
}
