// Scaffolded by ward; yours to edit.

package shopapi

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// ValidateOrder is the write hook of orders (hooks: [validate]), called
// inside the transaction of every create and update, after field validation
// and before the object check.
//
// On create it takes the quantity from the product's stock and sets the
// read-only total to the product's price times the quantity, exactly; too
// little stock is 400 {"quantity": ["Not enough stock."]} and nothing
// changes. An update changes only the status (product, quantity and note are
// create-only), so it never touches stock nor the total.
func ValidateOrder(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, old, new *Order) error {
	if old != nil {
		return nil
	}
	// One conditional statement: concurrent orders of the last unit wait on
	// the row's lock (PostgreSQL) or the write lock (SQLite), and the second
	// finds the stock short. The product exists and is visible to the caller:
	// the reference check ran before the hook, in this transaction.
	var price apd.Decimal
	err := tx.QueryRow(ctx, `UPDATE "products" SET "stock" = "stock" - ? WHERE "id" = ? AND "stock" >= ? RETURNING "price"`,
		new.Quantity, new.Product, new.Quantity).Scan(rest.ScanDecimal(&price, 2))
	if errors.Is(err, sql.ErrNoRows) {
		return rest.FieldError("quantity", "Not enough stock.")
	}
	if err != nil {
		return err
	}
	c := apd.BaseContext.WithPrecision(rest.MaxDecimalDigits)
	c.Traps |= apd.Inexact | apd.Rounded
	var total apd.Decimal
	if _, err := c.Mul(&total, &price, apd.New(new.Quantity, 0)); err != nil {
		return err
	}
	new.Total = &total
	return nil
}
