// Package throttle limits request rates as DRF's throttles do: an "anon"
// rate keyed by client address, a "user" rate keyed by user id, named
// scopes, and a "login" bucket shared by the login endpoints, each a
// sliding window counted in a store.Counters.
package throttle

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxCount bounds the request count of a rate.
const MaxCount = 1 << 30

var periods = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// ParseRate parses a DRF rate, "<count>/<period>", where period is s, sec,
// second, m, min, minute, h, hour, d or day (plurals too), e.g. "10/minute".
// count is a non-negative integer; 0 refuses every request.
func ParseRate(s string) (count int, period time.Duration, err error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, 0, fmt.Errorf("throttle: rate %q: want <count>/<period>, e.g. 10/minute", s)
	}
	num, unit = strings.TrimSpace(num), strings.ToLower(strings.TrimSpace(unit))
	if num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return 0, 0, fmt.Errorf("throttle: rate %q: count %q is not a non-negative integer", s, num)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n > MaxCount {
		return 0, 0, fmt.Errorf("throttle: rate %q: count %q is too large", s, num)
	}
	p, ok := periods[unit]
	if !ok {
		return 0, 0, fmt.Errorf("throttle: rate %q: unknown period %q (want second, minute, hour or day)", s, unit)
	}
	return n, p, nil
}
