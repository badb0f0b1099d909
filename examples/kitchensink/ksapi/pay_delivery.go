// Scaffolded by ward; yours to edit.

package ksapi

import (
	"context"

	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// PayDelivery is the extra action pay of deliveries: POST /api/deliveries/{id}/pay. It is
// called inside the action's transaction, after authentication, the throttles and
// the request check, with obj, the Delivery of the URL looked up through the read
// scope (404 outside it), locked until the transaction ends (FOR UPDATE on
// PostgreSQL), and allowed by the object check.
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
func PayDelivery(ctx context.Context, req *perm.Request, tx *sqlexpr.DB, obj *Delivery) (any, error) {
	return nil, rest.NotImplemented("PayDelivery is not written yet: edit ksapi/pay_delivery.go")
}
