package rest

import (
	"math"
	"net/url"
	"strings"
)

// Term is one name of an ordering and its direction.
type Term struct {
	Name string // a field's JSON name, or "id"
	Desc bool
}

// String is the term as ?ordering= writes it: "-total".
func (t Term) String() string {
	if t.Desc {
		return "-" + t.Name
	}
	return t.Name
}

// ParseOrdering reads the value of ?ordering= as DRF's OrderingFilter
// does: comma-separated names, each optionally prefixed by one "-" for
// descending, whitespace around them ignored; a name allowed rejects is
// dropped, and so is a name already listed. An empty result means the
// default order.
func ParseOrdering(raw string, allowed func(name string) bool) []Term {
	var out []Term
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		t := Term{Name: strings.TrimPrefix(part, "-"), Desc: strings.HasPrefix(part, "-")}
		if t.Name == "" || !allowed(t.Name) || hasTerm(out, t.Name) {
			continue
		}
		out = append(out, t)
	}
	return out
}

func hasTerm(ts []Term, name string) bool {
	for _, t := range ts {
		if t.Name == name {
			return true
		}
	}
	return false
}

// lastValue is the last value of the query parameter key, as Django's
// QueryDict reads one, and whether it is present.
func lastValue(q url.Values, key string) (string, bool) {
	vs, ok := q[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// maxOffset bounds an offset: larger ones are past the end of any table.
const maxOffset = math.MaxInt64 / 4

// ParseInt reads an integer as Python's int() does for DRF's
// _positive_int: surrounding whitespace, one sign, ASCII digits with single
// underscores between them. A value beyond maxOffset saturates (past the
// end of any table, above any limit's cap). ok is false for anything else.
func ParseInt(s string) (n int64, ok bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if s[i-1] == '_' {
				return 0, false
			}
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < maxOffset {
			n = n*10 + int64(c-'0')
		}
	}
	n = min(n, maxOffset)
	if neg {
		n = -n
	}
	return n, true
}

// LimitOffset reads ?limit=L&offset=O as DRF's LimitOffsetPagination:
// limit a positive integer capped at maxLimit, else def (absent, 0,
// negative, not an integer); offset an integer >= 0, else 0.
func LimitOffset(q url.Values, def, maxLimit int) (limit, offset int) {
	limit = def
	if s, ok := lastValue(q, "limit"); ok {
		if n, ok := ParseInt(s); ok && n > 0 {
			limit = int(min(n, int64(maxLimit)))
		}
	}
	if s, ok := lastValue(q, "offset"); ok {
		if n, ok := ParseInt(s); ok && n > 0 {
			offset = int(n)
		}
	}
	return limit, offset
}
