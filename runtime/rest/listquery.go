package rest

import (
	"strings"
	"time"
)

// ListQuery is what one list read asks a store for: the order, the size
// of the page, and where it starts (an offset, or a keyset position). The
// columns come from generated code (see Listing); a request only chooses
// among them, so no SQL is ever built from its text.
type ListQuery struct {
	// Order is the ORDER BY, id last (the final tie-breaker).
	Order []OrderKey
	// Limit is the most rows to return; Offset how many to skip first
	// (page-number and limit/offset pagination; 0 with a keyset).
	Limit, Offset int
	// After, when not nil, keeps only the rows that come after this
	// position in Order: one value per key of Order, as the store binds it
	// (keyset pagination: no OFFSET, whatever the depth). Inclusive keeps
	// the row at the position too.
	After     []any
	Inclusive bool
	// Count asks for the number of rows inside the condition; without it
	// List returns 0 for the count and does not count.
	Count bool
}

// OrderKey is one key of an ORDER BY.
type OrderKey struct {
	// Column is the quoted column, e.g. `"created_at"`.
	Column string
	Desc   bool
	// Nullable columns sort NULL before every value ascending and after
	// every value descending, on SQLite and PostgreSQL alike (NULLS FIRST /
	// NULLS LAST are written out: PostgreSQL's default is the opposite).
	Nullable bool
}

// Reversed is the order read backwards: a cursor's previous page reads
// the rows before its position this way, then turns them around.
func Reversed(order []OrderKey) []OrderKey {
	out := make([]OrderKey, len(order))
	for i, k := range order {
		out[i] = OrderKey{Column: k.Column, Desc: !k.Desc, Nullable: k.Nullable}
	}
	return out
}

// orderBySQL is the ORDER BY clause of order, without the keywords.
func orderBySQL(order []OrderKey) string {
	var b strings.Builder
	for i, k := range order {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.Column)
		switch {
		case k.Desc && k.Nullable:
			b.WriteString(" DESC NULLS LAST")
		case k.Desc:
			b.WriteString(" DESC")
		case k.Nullable:
			b.WriteString(" ASC NULLS FIRST")
		default:
			b.WriteString(" ASC")
		}
	}
	return b.String()
}

// segment is one condition of a keyset read, with its arguments.
type segment struct {
	cond string
	args []any
}

// keysetSegments are the conditions "after the position after in order"
// (at or after, when inclusive), as disjoint segments that follow each
// other in the order: a read takes rows from the first, then, while the
// page is not full, from the next. Each is one that both databases answer
// from an index on the columns (a row-value comparison, or an IS NULL
// with a range on id). A nullable first key needs two: NULL sorts below
// every value, so the rows after a value, descending, are the smaller
// values and then the NULLs, and the rows after a NULL, ascending, are the
// NULLs further on and then every value. Any other order is spelled out
// key by key in one condition.
func keysetSegments(order []OrderKey, after []any, inclusive bool) []segment {
	if len(order) != len(after) || len(order) == 0 {
		return []segment{{cond: "1 = 0"}} // never reached: Listing builds both; fail closed
	}
	if uniform(order, after) {
		return []segment{rowCompare(order, after, inclusive)}
	}
	k, id := order[0], order[len(order)-1]
	if len(order) == 2 && k.Nullable && !id.Nullable && k.Desc == id.Desc && !nullKey(after[1]) {
		rest := rowCompare(order[1:], after[1:], inclusive)
		switch {
		case !nullKey(after[0]) && k.Desc: // smaller values, then the NULLs
			return []segment{rowCompare(order, after, inclusive), {cond: k.Column + " IS NULL"}}
		case !nullKey(after[0]): // larger values; NULLs come first, so none
			return []segment{rowCompare(order, after, inclusive)}
		case k.Desc: // the NULLs further on, last
			return []segment{{cond: k.Column + " IS NULL AND " + rest.cond, args: rest.args}}
		default: // the NULLs further on, then every value
			return []segment{{cond: k.Column + " IS NULL AND " + rest.cond, args: rest.args}, {cond: k.Column + " IS NOT NULL"}}
		}
	}
	c, a := keysetSQL(order, after, inclusive)
	return []segment{{cond: c, args: a}}
}

// rowCompare is (c1, c2, ...) > (?, ?, ...) for keys that go one way: <
// descending, >= / <= inclusive; a NULL on either side is not after.
func rowCompare(order []OrderKey, after []any, inclusive bool) segment {
	op := map[[2]bool]string{{false, false}: ">", {false, true}: ">=", {true, false}: "<", {true, true}: "<="}[[2]bool{order[0].Desc, inclusive}]
	cols := make([]string, len(order))
	marks := make([]string, len(order))
	for i, k := range order {
		cols[i], marks[i] = k.Column, "?"
	}
	if len(order) == 1 {
		return segment{cond: cols[0] + " " + op + " ?", args: after}
	}
	return segment{cond: "(" + strings.Join(cols, ", ") + ") " + op + " (" + strings.Join(marks, ", ") + ")", args: after}
}

// keysetSQL is the condition "after the position" spelled out key by key
// (any directions, NULL below every value).
func keysetSQL(order []OrderKey, after []any, inclusive bool) (string, []any) {
	var ors []string
	var args []any
	for i := range order {
		var ands []string
		for j := range i {
			c, a := keyEqual(order[j], after[j])
			ands, args = append(ands, c), append(args, a...)
		}
		c, a := keyAfter(order[i], after[i])
		ands, args = append(ands, c), append(args, a...)
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	if inclusive {
		var ands []string
		for j := range order {
			c, a := keyEqual(order[j], after[j])
			ands, args = append(ands, c), append(args, a...)
		}
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// uniform reports whether the keys all go one way and none can be NULL.
func uniform(order []OrderKey, after []any) bool {
	for i, k := range order {
		if k.Nullable || k.Desc != order[0].Desc || nullKey(after[i]) {
			return false
		}
	}
	return true
}

// keyEqual is "the key equals v", NULL equal to NULL.
func keyEqual(k OrderKey, v any) (string, []any) {
	if nullKey(v) {
		return k.Column + " IS NULL", nil
	}
	return k.Column + " = ?", []any{v}
}

// keyAfter is "the key comes after v" in k's direction, NULL being below
// every value.
func keyAfter(k OrderKey, v any) (string, []any) {
	switch {
	case nullKey(v) && k.Desc:
		return "1 = 0", nil // nothing comes after NULL, last descending
	case nullKey(v):
		return k.Column + " IS NOT NULL", nil
	case k.Desc && k.Nullable:
		return "(" + k.Column + " < ? OR " + k.Column + " IS NULL)", []any{v}
	case k.Desc:
		return k.Column + " < ?", []any{v}
	default:
		return k.Column + " > ?", []any{v} // NULL > v is not true: NULLs come first
	}
}

// nullKey reports whether v binds as NULL: nil, a nil pointer or a nil
// decimal.
func nullKey(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case DecimalArg:
		return x.V == nil
	case *int64:
		return x == nil
	case *float64:
		return x == nil
	case *string:
		return x == nil
	case *bool:
		return x == nil
	case *time.Time:
		return x == nil
	}
	return false
}
