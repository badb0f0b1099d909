package mfa

import (
	"context"
	"strconv"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
)

// throttle counts one code check of userID: Rate per RateWindow, across
// every instance sharing the counters. A refusal is *authn.ThrottledError.
func (m *MFA) throttle(ctx context.Context, userID int64) error {
	if m.counters == nil {
		return nil
	}
	ok, retry, err := m.counters.Hit(ctx, "mfa:code:"+strconv.FormatInt(userID, 10), m.cfg.Rate, m.cfg.RateWindow)
	if err != nil {
		return accounts.Unavailable(err)
	}
	if !ok {
		return &authn.ThrottledError{RetryAfter: retry}
	}
	return nil
}
