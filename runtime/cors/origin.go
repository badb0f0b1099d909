// Package cors holds the one check of a CORS origin, shared by the spec
// loader (service.cors_origins) and the runtime (<PREFIX>_CORS_ORIGINS), so
// an origin is accepted or refused the same way wherever it comes from.
package cors

import (
	"fmt"
	"regexp"
	"strconv"
)

// reOrigin is scheme://host[:port]: no path, no trailing slash, no user.
var reOrigin = regexp.MustCompile(`^https?://[A-Za-z0-9.-]+(:([0-9]{1,5}))?$`)

// OriginError says why an origin is refused and what to write instead.
type OriginError struct {
	Origin string
	Reason string // e.g. `invalid CORS origin "x"`
	Fix    string // e.g. "write scheme://host[:port] with no path, ..."
}

func (e *OriginError) Error() string { return e.Reason + "; " + e.Fix }

// listFix is the advice for the wildcard values.
const listFix = "list each trusted origin, e.g. https://app.example.com"

// CheckOrigin returns nil when o is an origin the API may allow with
// credentials: scheme://host[:port] with scheme http or https and a port in
// 1..65535. "*" and "null" are refused: the API uses credentials, and
// "null" is the origin of every sandboxed frame and file: page, so
// allowing it allows anyone.
func CheckOrigin(o string) *OriginError {
	switch o {
	case "*":
		return &OriginError{o, `cors_origins must not be "*": the API uses credentials`, listFix}
	case "null":
		return &OriginError{o, `cors_origins must not be "null": every sandboxed frame and file: page sends it`, listFix}
	}
	m := reOrigin.FindStringSubmatch(o)
	if m != nil && m[2] != "" {
		if p, err := strconv.Atoi(m[2]); err != nil || p < 1 || p > 65535 {
			m = nil
		}
	}
	if m == nil {
		return &OriginError{o, fmt.Sprintf("invalid CORS origin %q", o), "write scheme://host[:port] with no path, e.g. https://app.example.com"}
	}
	return nil
}
