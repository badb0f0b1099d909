package plan

// ExprText writes an expression as the spec does, for comments and
// reports: a chain of one operator without parentheses, a mixed operand in
// them.
func ExprText(e Expr) string {
	switch v := e.(type) {
	case *Ref:
		return v.Name
	case *And:
		return operandText(v.L, e) + " & " + operandText(v.R, e)
	case *Or:
		return operandText(v.L, e) + " | " + operandText(v.R, e)
	case *Not:
		return "~" + operandText(v.X, e)
	}
	return "?"
}

// operandText is e as an operand of parent.
func operandText(e, parent Expr) string {
	switch e.(type) {
	case *Ref, *Not:
		return ExprText(e)
	}
	_, pAnd := parent.(*And)
	_, pOr := parent.(*Or)
	_, eAnd := e.(*And)
	_, eOr := e.(*Or)
	if (pAnd && eAnd) || (pOr && eOr) {
		return ExprText(e)
	}
	return "(" + ExprText(e) + ")"
}
