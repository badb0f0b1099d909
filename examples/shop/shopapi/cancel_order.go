// Scaffolded by ward; yours to edit.

package shopapi

import (
	"context"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// CancelOrder is the extra action cancel of orders: POST
// /api/orders/{id}/cancel. It is called inside the action's transaction with
// obj, the caller's order (another customer's is 404; staff see every one),
// locked until the transaction ends (FOR UPDATE on PostgreSQL), so that of
// concurrent cancels of one order the first cancels it and the others find
// it cancelled.
//
// A pending order becomes cancelled and its quantity goes back to the
// product's stock, whether the product is active or not; the answer is the
// order as cancelled. Any other status is 409 and nothing changes.
func CancelOrder(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, obj *Order) (any, error) {
	if obj.Status != "pending" {
		return nil, rest.Conflict("Only a pending order can be cancelled.")
	}
	if _, err := tx.Exec(ctx, `UPDATE "orders" SET "status" = ? WHERE "id" = ?`, "cancelled", obj.ID); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE "products" SET "stock" = "stock" + ? WHERE "id" = ?`, obj.Quantity, obj.Product); err != nil {
		return nil, err
	}
	obj.Status = "cancelled"
	return obj, nil
}
