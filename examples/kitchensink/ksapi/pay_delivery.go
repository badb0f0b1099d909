// Scaffolded by ward; yours to edit.

package ksapi

import (
	"context"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// PayDelivery is the extra action pay of deliveries: POST
// /api/deliveries/{id}/pay. A new delivery becomes paid; any other is 409.
// It answers the delivery, which the generated handler shows without cost to
// callers who may not read it.
func PayDelivery(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, obj *Delivery) (any, error) {
	if obj.Status != "new" {
		return nil, rest.Conflict("Only a new delivery can be paid.")
	}
	if _, err := tx.Exec(ctx, `UPDATE "deliveries" SET "status" = ? WHERE "id" = ?`, "paid", obj.ID); err != nil {
		return nil, err
	}
	obj.Status = "paid"
	return obj, nil
}
