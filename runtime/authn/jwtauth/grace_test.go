package jwtauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/memstore"
)

// graceJWT is a JWT class over memory with the given reuse grace and a
// clock the test moves.
func graceJWT(t *testing.T, grace time.Duration) (*JWT, *identity.User, *time.Time) {
	t.Helper()
	k, err := HMACKey("", []byte("grace-test-hs256-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	s := memstore.New()
	h := password.New(password.Cheap, 0)
	j, err := New(Config{Keys: []*Key{k}, Issuer: "i", Audience: "a", ReuseGrace: grace}, accounts.New(s, h), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	j.now = func() time.Time { return now }
	id, err := accounts.CreateUser(context.Background(), s, h, "alice", "alice-pass-1", false)
	if err != nil {
		t.Fatal(err)
	}
	return j, &identity.User{ID: id, IsActive: true}, &now
}

// The token the last rotation replaced, presented again within the reuse
// grace of that rotation, is refused without revoking the family; later,
// or a token rotated before that, revokes it.
func TestRotateReuseGrace(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		grace   time.Duration
		after   time.Duration // from the rotation to the reuse
		older   bool          // reuse the token of two rotations ago
		revokes bool
	}{
		{"at once", time.Second, 0, false, false},
		{"within the grace", time.Second, 900 * time.Millisecond, false, false},
		{"at the grace", time.Second, time.Second, false, true},
		{"2 s later", time.Second, 2 * time.Second, false, true},
		{"an older token at once", time.Second, 0, true, true},
		{"grace off", 0, 0, false, true},
		{"a minute's grace, 59 s later", time.Minute, 59 * time.Second, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, u, now := graceJWT(t, tc.grace)
			p, err := j.NewFamily(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			reused := p.Refresh
			p, _, err = j.Rotate(ctx, p.Refresh)
			if err != nil {
				t.Fatal(err)
			}
			if tc.older {
				*now = now.Add(10 * time.Second)
				if p, _, err = j.Rotate(ctx, p.Refresh); err != nil {
					t.Fatal(err)
				}
			}
			*now = now.Add(tc.after)
			var ae *authn.Error
			if _, _, err := j.Rotate(ctx, reused); !errors.As(err, &ae) || ae.Status != 401 {
				t.Fatalf("reuse: %v, want 401", err)
			}
			_, err = j.families.FamilyByID(ctx, p.Family)
			if revoked := errors.Is(err, store.ErrNotFound); revoked != tc.revokes {
				t.Fatalf("family revoked = %v (%v), want %v", revoked, err, tc.revokes)
			}
			_, _, err = j.Rotate(ctx, p.Refresh)
			if (err == nil) == tc.revokes {
				t.Fatalf("the current token after the reuse: %v, want refreshed = %v", err, !tc.revokes)
			}
		})
	}
}

func TestReuseGraceBounds(t *testing.T) {
	k, err := HMACKey("", []byte("grace-test-hs256-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	s := memstore.New()
	for _, g := range []time.Duration{-time.Second, MaxReuseGrace + time.Nanosecond} {
		if _, err := New(Config{Keys: []*Key{k}, Issuer: "i", Audience: "a", ReuseGrace: g}, accounts.New(s, password.New(password.Cheap, 0)), s, nil); err == nil {
			t.Errorf("reuse grace %v accepted", g)
		}
	}
}
