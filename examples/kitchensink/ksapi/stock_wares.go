// Scaffolded by ward; yours to edit.

package ksapi

import (
	"context"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// StockWares is the extra action stock of wares: GET /api/wares/stock, on the
// collection. It answers {"units": N}, the units in stock over every ware
// (every signed-in caller sees every ware).
func StockWares(ctx context.Context, req *perm.Request, tx *sqlexpr.DB) (any, error) {
	var units int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM("stock"), 0) FROM "wares"`).Scan(&units); err != nil {
		return nil, err
	}
	return map[string]int64{"units": units}, nil
}
