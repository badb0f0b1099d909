// Scaffolded by ward; yours to edit.

package shopapi

import "github.com/wardhq/ward/runtime/perm"

// HasOrdered is the permission class HasOrdered: Only a caller with an order
// of the product, not cancelled, may review it. The reviews' create combines
// it with IsAuthenticated, so an anonymous caller gets 401 before it runs.
type HasOrdered struct{}

// notOrdered is the 403 of a caller without such an order, staff included.
const notOrdered = "You can only review products you have ordered."

// HasPermission allows a caller who has an order of the product of the URL
// (req.Parent, found through the products' read scope before this check)
// whose status is not cancelled. It runs before the body is read.
func (HasOrdered) HasPermission(req *perm.Request) (bool, error) {
	if req.User == nil || req.Parent == 0 {
		return false, perm.Deny(notOrdered)
	}
	var n int
	err := req.DB.QueryRow(req.Context(), `SELECT COUNT(*) FROM "orders" WHERE "customer_id" = ? AND "product_id" = ? AND "status" <> ?`,
		req.User.ID, req.Parent, "cancelled").Scan(&n)
	if err != nil {
		return false, err
	}
	if n == 0 {
		return false, perm.Deny(notOrdered)
	}
	return true, nil
}

// HasReviewPermission allows every review: the class decides on the
// request, before the body is read.
func (HasOrdered) HasReviewPermission(req *perm.Request, obj *Review) (bool, error) {
	return true, nil
}
