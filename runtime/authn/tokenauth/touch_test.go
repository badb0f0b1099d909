package tokenauth

import (
	"context"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// countTouches counts the writes of "last used".
type countTouches struct {
	*memstore.Store
	n int
}

func (c *countTouches) TouchToken(ctx context.Context, hash []byte, at time.Time) error {
	c.n++
	return c.Store.TouchToken(ctx, hash, at)
}

// A token's use is written at most once a minute, not once a request.
func TestTouchAtMostOncePerMinute(t *testing.T) {
	s := memstore.New()
	h := password.New(password.Cheap, 0)
	acc := accounts.New(s, h)
	ctx := context.Background()
	id, err := accounts.CreateUser(ctx, s, h, "alice", "alice-pass-1", false)
	if err != nil {
		t.Fatal(err)
	}
	c := &countTouches{Store: s}
	tok := New(Config{}, acc, c, nil)
	start := time.Now()
	now := start
	tok.now = func() time.Time { return now }
	key, err := tok.NewKey(store.WithClient(ctx, store.Client{Addr: "192.0.2.7", UserAgent: "ua"}), &identity.User{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at   time.Duration // since the token was made
		want int           // writes so far
	}{
		{0, 1},                // first use: written
		{time.Second, 1},      // within the minute: not written
		{59 * time.Second, 1}, // still within
		{61 * time.Second, 2}, // a minute after the last write
		{62 * time.Second, 2},
		{3 * time.Minute, 3},
	} {
		now = start.Add(step.at)
		if _, _, err := tok.check(ctx, key); err != nil {
			t.Fatalf("at +%v: %v", step.at, err)
		}
		if c.n != step.want {
			t.Errorf("at +%v: %d writes, want %d", step.at, c.n, step.want)
		}
	}
	got, _ := s.TokenByHash(ctx, Hash(key))
	if !got.LastUsed.Equal(start.Add(3*time.Minute)) || got.Client != (store.Client{Addr: "192.0.2.7", UserAgent: "ua"}) {
		t.Errorf("token: %+v", got)
	}
}
