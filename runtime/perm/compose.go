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

type opKind uint8

const (
	opAnd opKind = iota
	opOr
	opNot
)

// node is a composition, evaluated as a tree: the one way a permission
// is decided.
type node[T any] struct {
	op   opKind
	a, b evaluator[T]
}

func newNode[T any](op opKind, a, b evaluator[T]) *node[T] {
	return &node[T]{op: op, a: a, b: b}
}

// And is a & b: both request checks, and both object checks.
func And[T any](a, b Permission[T]) Permission[T] {
	return newNode(opAnd, asEvaluator(a), asEvaluator(b))
}

// Or is a | b: either request check; for objects
// (a.perm && a.obj) || (b.perm && b.obj), as DRF >= 3.14.
func Or[T any](a, b Permission[T]) Permission[T] {
	return newNode(opOr, asEvaluator(a), asEvaluator(b))
}

// Not is ~a: it negates a's request check only; its object check is always
// true (see the comment at the top of compose.go, and docs/permissions.md).
func Not[T any](a Permission[T]) Permission[T] {
	return newNode[T](opNot, asEvaluator(a), nil)
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

// HasPermission is the composed request check. A Deny that decides it is
// returned as the error.
func (n *node[T]) HasPermission(req *Request) (bool, error) { return boolOf(n.evalPerm(req)) }

// HasObjectPermission is the composed object check: a && b for And,
// (a.perm && a.obj) || (b.perm && b.obj) for Or, true for Not.
func (n *node[T]) HasObjectPermission(req *Request, obj *T) (bool, error) {
	return boolOf(n.evalObj(req, obj))
}

func (n *node[T]) evalPerm(req *Request) (result, error) {
	switch n.op {
	case opAnd:
		r, err := n.a.evalPerm(req)
		if err != nil || !r.ok {
			return r, err
		}
		return n.b.evalPerm(req)
	case opOr:
		ra, err := n.a.evalPerm(req)
		if err != nil || ra.ok {
			return ra, err
		}
		rb, err := n.b.evalPerm(req)
		if err != nil || rb.ok {
			return rb, err
		}
		return orDenied(ra, rb), nil
	}
	r, err := n.a.evalPerm(req)
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

func (n *node[T]) evalObj(req *Request, obj *T) (result, error) {
	switch n.op {
	case opAnd:
		r, err := n.a.evalObj(req, obj)
		if err != nil || !r.ok {
			return r, err
		}
		return n.b.evalObj(req, obj)
	case opOr:
		ra, err := branch(n.a, req, obj)
		if err != nil || ra.ok {
			return ra, err
		}
		rb, err := branch(n.b, req, obj)
		if err != nil || rb.ok {
			return rb, err
		}
		return orDenied(ra, rb), nil
	}
	return allowed, nil
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
