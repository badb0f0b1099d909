package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/memstore"
)

func TestDirectoryCacheLivesAtMostTTL(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	id, _ := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice", IsActive: true}})
	d := NewDirectory(s, time.Hour) // capped to MaxUserCacheTTL
	if d.ttl != MaxUserCacheTTL {
		t.Fatalf("ttl %v not capped", d.ttl)
	}
	now := time.Unix(1000, 0)
	d.now = func() time.Time { return now }
	if u, err := d.User(ctx, id); err != nil || !u.IsActive {
		t.Fatal(u, err)
	}
	s.SetActive(ctx, id, false)
	for _, tt := range []struct {
		after  time.Duration
		active bool
	}{
		{999 * time.Millisecond, true}, // served from the cache
		{time.Second, false},           // the entry died
	} {
		now = time.Unix(1000, 0).Add(tt.after)
		u, err := d.User(ctx, id)
		if err != nil || u.IsActive != tt.active {
			t.Fatalf("after %v: active=%v err=%v, want %v", tt.after, u.IsActive, err, tt.active)
		}
	}
	// Errors are not cached, and a down store is ErrUnavailable.
	s.SetUnavailable(true)
	now = now.Add(2 * time.Second)
	if _, err := d.User(ctx, id); !errors.Is(err, identity.ErrUnavailable) {
		t.Fatal(err)
	}
	s.SetUnavailable(false)
	if _, err := d.User(ctx, 42); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}

func TestCheckCredentials(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	h := password.New(password.Cheap, 0)
	a := New(s, h)
	CreateUser(ctx, s, h, "alice", "pw-1", false)
	s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "nopw", IsActive: true}, PasswordHash: "!unusable"})
	for _, tt := range []struct {
		user, pw string
		err      error
	}{
		{"alice", "pw-1", nil},
		{"alice", "pw-2", ErrBadCredentials},
		{"bob", "pw-1", ErrBadCredentials},
		{"nopw", "", ErrBadCredentials},
		{"nopw", "!unusable", ErrBadCredentials},
	} {
		u, err := a.CheckCredentials(ctx, tt.user, tt.pw)
		if !errors.Is(err, tt.err) || (err == nil && u.Username != tt.user) {
			t.Errorf("%s/%s: %v %v", tt.user, tt.pw, u, err)
		}
	}
	s.SetUnavailable(true)
	if _, err := a.CheckCredentials(ctx, "alice", "pw-1"); !errors.Is(err, identity.ErrUnavailable) {
		t.Fatal(err)
	}
}

func TestValidUsername(t *testing.T) {
	for s, want := range map[string]bool{"alice": true, "a.b+c-d_e@f": true, "": false, "a b": false, "é": false, string(make([]byte, 151)): false} {
		if ValidUsername(s) != want {
			t.Errorf("%q: %v", s, !want)
		}
	}
}
