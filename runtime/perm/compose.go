package perm

// Composition, as DRF's &, | and ~ (rest_framework.permissions AND, OR,
// NOT), with two deliberate corrections:
//
//   - Or's object check is (a.perm && a.obj) || (b.perm && b.obj), as in
//     DRF >= 3.14 (encode/django-rest-framework#7720): a class whose request
//     check failed cannot let an object through by its default-true object
//     check, so IsAdminUser | IsOwner does not give every object to every
//     user.
//   - Not negates the request check only; its object check is true
//     (encode/django-rest-framework#6598). Negating an object check would
//     turn every default-true object check into false (~IsAuthenticated
//     would deny every object) and turn "is not the owner" into an object
//     grant. Ward's spec loader rejects ~ on a class with an object rule.
//
// Denial messages: the message of a composition is the message of the
// leftmost class whose check was evaluated, denied, and has a message
// (Messager or a non-empty Deny). And short-circuits, so only one operand
// can have denied. Or denies only when both operands denied, so the left
// operand's message wins, else the right's. Not denies because its operand
// allowed, so it has no message of its own (the default 403 detail) unless
// its operand denied with Deny, which Not passes through unchanged.
//
// Errors: any error other than a Deny stops the evaluation and becomes a
// 503, even in an Or whose other operand would have allowed. Evaluation
// short-circuits left to right, so an operand that is not reached cannot
// fail the decision.
//
// Deny inside a composition: And and Or treat it as false; Not does not
// invert it (a stub that could not decide is not a grant when negated), and
// an Or in which one operand denied by Deny stays "undecided" for an
// enclosing Not too.

type and[T any] struct{ a, b evaluator[T] }
type or[T any] struct{ a, b evaluator[T] }
type not[T any] struct{ a evaluator[T] }

// And is a & b: both request checks, and both object checks.
func And[T any](a, b Permission[T]) Permission[T] {
	return &and[T]{asEvaluator(a), asEvaluator(b)}
}

// Or is a | b: either request check; for objects
// (a.perm && a.obj) || (b.perm && b.obj), as DRF >= 3.14.
func Or[T any](a, b Permission[T]) Permission[T] {
	return &or[T]{asEvaluator(a), asEvaluator(b)}
}

// Not is ~a: it negates a's request check only; its object check is always
// true (see the package comment in compose.go for why).
func Not[T any](a Permission[T]) Permission[T] {
	return &not[T]{asEvaluator(a)}
}

func boolOf(r result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	if r.hard {
		return false, Deny(r.msg)
	}
	return r.ok, nil
}

// HasPermission reports a.HasPermission && b.HasPermission.
func (c *and[T]) HasPermission(req *Request) (bool, error) { return boolOf(c.evalPerm(req)) }

// HasObjectPermission reports a.HasObjectPermission && b.HasObjectPermission.
func (c *and[T]) HasObjectPermission(req *Request, obj *T) (bool, error) {
	return boolOf(c.evalObj(req, obj))
}

func (c *and[T]) evalPerm(req *Request) (result, error) {
	r, err := c.a.evalPerm(req)
	if err != nil || !r.ok {
		return r, err
	}
	return c.b.evalPerm(req)
}

func (c *and[T]) evalObj(req *Request, obj *T) (result, error) {
	r, err := c.a.evalObj(req, obj)
	if err != nil || !r.ok {
		return r, err
	}
	return c.b.evalObj(req, obj)
}

// HasPermission reports a.HasPermission || b.HasPermission.
func (c *or[T]) HasPermission(req *Request) (bool, error) { return boolOf(c.evalPerm(req)) }

// HasObjectPermission reports (a.perm && a.obj) || (b.perm && b.obj).
func (c *or[T]) HasObjectPermission(req *Request, obj *T) (bool, error) {
	return boolOf(c.evalObj(req, obj))
}

func (c *or[T]) evalPerm(req *Request) (result, error) {
	ra, err := c.a.evalPerm(req)
	if err != nil || ra.ok {
		return ra, err
	}
	rb, err := c.b.evalPerm(req)
	if err != nil || rb.ok {
		return rb, err
	}
	return orDenied(ra, rb), nil
}

func (c *or[T]) evalObj(req *Request, obj *T) (result, error) {
	ra, err := branch(c.a, req, obj)
	if err != nil || ra.ok {
		return ra, err
	}
	rb, err := branch(c.b, req, obj)
	if err != nil || rb.ok {
		return rb, err
	}
	return orDenied(ra, rb), nil
}

// branch is e.perm && e.obj, one side of Or's object check.
func branch[T any](e evaluator[T], req *Request, obj *T) (result, error) {
	r, err := e.evalPerm(req)
	if err != nil || !r.ok {
		return r, err
	}
	return e.evalObj(req, obj)
}

func orDenied(a, b result) result {
	msg := a.msg
	if msg == "" {
		msg = b.msg
	}
	return result{hard: a.hard || b.hard, msg: msg}
}

// HasPermission reports !a.HasPermission; a Deny from a stays a Deny.
func (c *not[T]) HasPermission(req *Request) (bool, error) { return boolOf(c.evalPerm(req)) }

// HasObjectPermission is always true.
func (c *not[T]) HasObjectPermission(*Request, *T) (bool, error) { return true, nil }

func (c *not[T]) evalPerm(req *Request) (result, error) {
	r, err := c.a.evalPerm(req)
	switch {
	case err != nil:
		return result{}, err
	case r.hard:
		return r, nil
	case r.ok:
		return result{}, nil
	}
	return allowed, nil
}

func (c *not[T]) evalObj(*Request, *T) (result, error) { return allowed, nil }
