package accountsapi_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn/accountsapi"
)

// A reset request for a known and for an unknown address take the same
// time: 50 of each, interleaved, over HTTP; the medians are within 10%.
func TestResetTiming(t *testing.T) {
	if testing.Short() || raceOn {
		t.Skip("timing: not under -short or -race")
	}
	many := accountsapi.Rate{N: 10_000, Per: time.Minute}
	e := newEnv(t, accountsapi.Optional, accountsapi.Rates{Reset: many, ResetEmail: many, Signup: many})
	for i := range 50 {
		if code, _ := e.register(fmt.Sprintf("user%d", i), fmt.Sprintf("user%d@example.com", i), "tulip-quarry-88"); code != 201 {
			t.Fatal(code)
		}
	}
	e.api.Wait()
	measure := func(email string) time.Duration {
		start := time.Now()
		if code, _ := e.post("/auth/password/reset", "", map[string]string{"email": email}); code != 200 {
			t.Fatal(code)
		}
		return time.Since(start)
	}
	var known, unknown []time.Duration
	for attempt := 0; attempt < 3; attempt++ {
		known, unknown = known[:0], unknown[:0]
		for i := range 50 {
			// The mail goes out after the answer; waiting for it between
			// samples keeps one sample's mail out of the next's time.
			// Which goes first alternates, so neither always follows the
			// other's job.
			k := func() { known = append(known, measure(fmt.Sprintf("user%d@example.com", i))); e.api.Wait() }
			u := func() { unknown = append(unknown, measure(fmt.Sprintf("nobody%d@example.com", i))); e.api.Wait() }
			if i%2 == 0 {
				k()
				u()
			} else {
				u()
				k()
			}
		}
		mk, mu := median(known), median(unknown)
		ratio := float64(mk) / float64(mu)
		t.Logf("reset request medians: known %v, unknown %v (ratio %.3f)", mk, mu, ratio)
		if ratio > 0.9 && ratio < 1.1 {
			return
		}
	}
	t.Fatal("medians differ by 10% or more in three runs")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
