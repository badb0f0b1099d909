package mfa

import (
	"context"
	"strconv"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/store"
)

// throttle holds one slot of userID's bucket of code checks (Rate per
// RateWindow, across every instance sharing the counters) while a code is
// checked; done(true) gives it back, so that only wrong codes count, and
// however many checks arrive at once, no more run than the rate allows.
// Counters that cannot give a hit back count every check. A refusal is
// *authn.ThrottledError.
func (m *MFA) throttle(ctx context.Context, userID int64) (done func(right bool), err error) {
	none := func(bool) {}
	if m.counters == nil {
		return none, nil
	}
	key := "mfa:code:" + strconv.FormatInt(userID, 10)
	var ok bool
	var retry = m.cfg.RateWindow
	hit := ""
	if r, can := m.counters.(store.Reserver); can {
		hit, ok, retry, err = r.Reserve(ctx, key, m.cfg.Rate, m.cfg.RateWindow)
	} else {
		ok, retry, err = m.counters.Hit(ctx, key, m.cfg.Rate, m.cfg.RateWindow)
	}
	if err != nil {
		return none, accounts.Unavailable(err)
	}
	if !ok {
		return none, &authn.ThrottledError{RetryAfter: retry}
	}
	return func(right bool) {
		if right && hit != "" {
			// Best effort: a failed give-back leaves one hit counted.
			m.counters.(store.Reserver).Release(context.WithoutCancel(ctx), key, hit)
		}
	}, nil
}
