// Scaffolded by ward; yours to edit.

package ksapi

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// ValidatePurchase is the write hook of purchases (hooks: [validate]),
// called inside the transaction of every create and update, before the
// object check. On create it takes the quantity from the ware's stock and
// sets the read-only total; too little stock (or no such ware) is 400
// {"quantity": ["Not enough stock."]}. A purchase's ware and quantity are
// fixed afterwards: changing them is 409.
func ValidatePurchase(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, new *Purchase) error {
	if old != nil {
		if new.Ware != old.Ware || new.Quantity != old.Quantity {
			return rest.Conflict("A purchase's ware and quantity cannot change.")
		}
		return nil
	}
	// One conditional statement: concurrent purchases of the last unit wait
	// on the row's lock (PostgreSQL) or the write lock (SQLite), and the
	// second finds the stock short.
	var price int64
	err := tx.QueryRow(ctx, `UPDATE "wares" SET "stock" = "stock" - ? WHERE "id" = ? AND "stock" >= ? RETURNING "price"`,
		new.Quantity, new.Ware, new.Quantity).Scan(&price)
	if errors.Is(err, sql.ErrNoRows) {
		return rest.FieldError("quantity", "Not enough stock.")
	}
	if err != nil {
		return err
	}
	total := price * new.Quantity
	new.Total = &total
	return nil
}
