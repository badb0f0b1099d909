// Scaffolded by ward; yours to edit.

package ksapi

import (
	"context"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// StockWares is the extra action stock of wares: GET /api/wares/stock. It is
// called inside the action's transaction, after authentication, the throttles and
// the request check.
//
// Read and write through tx (req.DB is the same transaction), with ?
// placeholders on every dialect; the request body, if the action reads one,
// is req.HTTP.Body. Return the response body (200; nil for 204; the model is
// shown without the fields the caller may not read), or
// rest.FieldError("field", "message") for a 400, rest.Conflict("message") for
// a 409; any other error is 503. A refusal or an error writes nothing. See
// "Extra actions" in docs/spec.md.
//
// Ward wrote this stub once and never touches it again. Until it is written
// the action answers 501.
func StockWares(ctx context.Context, req *perm.Request, tx *sqlexpr.DB) (any, error) {
	return nil, rest.NotImplemented("StockWares is not written yet: edit ksapi/stock_wares.go")
}
