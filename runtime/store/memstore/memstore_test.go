package memstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

var ctx = context.Background()

func TestUsers(t *testing.T) {
	s := New()
	id, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice", IsActive: true, Perms: []string{"b", "a"}}, PasswordHash: "h1"})
	if err != nil || id != 1 {
		t.Fatal(id, err)
	}
	if _, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "alice"}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate username: %v", err)
	}
	u, _ := s.UserByUsername(ctx, "alice")
	if u.ID != 1 || u.Perms[0] != "a" {
		t.Fatalf("%+v", u)
	}
	u.Username = "mutated"
	u.Perms[0] = "z"
	again, _ := s.UserByID(ctx, 1)
	if again.Username != "alice" || again.Perms[0] != "a" {
		t.Fatal("store shares memory with callers")
	}
	s.SetPassword(ctx, 1, "h2", false)
	s.SetPassword(ctx, 1, "h3", true)
	s.SetActive(ctx, 1, false)
	u, _ = s.UserByID(ctx, 1)
	if u.PasswordHash != "h3" || u.PasswordVersion != 1 || u.IsActive {
		t.Fatalf("%+v", u)
	}
	if err := s.SetActive(ctx, 9, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: string(rune('b' + i))}})
	}
	page, total, _ := s.ListUsers(ctx, 2, 1)
	if total != 5 || len(page) != 2 || page[0].ID != 2 || page[1].ID != 3 {
		t.Fatalf("page %v total %d", page, total)
	}
}

func TestTokensSessions(t *testing.T) {
	s := New()
	s.CreateToken(ctx, &store.APIToken{Hash: []byte("h"), UserID: 1})
	if tok, err := s.TokenByHash(ctx, []byte("h")); err != nil || tok.UserID != 1 {
		t.Fatal(tok, err)
	}
	if err := s.DeleteToken(ctx, []byte("h")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, []byte("h")); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	now := time.Now()
	s.CreateSession(ctx, &store.Session{Hash: []byte("s"), UserID: 2, LastSeen: now})
	s.TouchSession(ctx, []byte("s"), now.Add(time.Minute))
	x, _ := s.SessionByHash(ctx, []byte("s"))
	if !x.LastSeen.Equal(now.Add(time.Minute)) {
		t.Fatal(x.LastSeen)
	}
	s.DeleteSession(ctx, []byte("s"))
	if _, err := s.SessionByHash(ctx, []byte("s")); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}

func TestRotateFamilyIsCAS(t *testing.T) {
	s := New()
	s.CreateFamily(ctx, &store.Family{ID: "f", Current: []byte("0"), ExpiresAt: time.Now().Add(time.Hour)})
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := s.RotateFamily(ctx, "f", []byte("0"), []byte{byte('a' + i)}, time.Now())
			if err == nil {
				wins.Add(1)
			} else if !errors.Is(err, store.ErrConflict) {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d rotations of one token won, want 1", wins.Load())
	}
	s.RevokeFamily(ctx, "f")
	if err := s.RotateFamily(ctx, "f", []byte("0"), []byte("1"), time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	s.CreateFamily(ctx, &store.Family{ID: "old", Current: []byte("0"), ExpiresAt: time.Now().Add(-time.Second)})
	if _, err := s.FamilyByID(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("expired family returned")
	}
}

func TestCounters(t *testing.T) {
	s := New()
	now := time.Unix(1000, 0)
	s.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _, _ := s.Hit(ctx, "k", 3, time.Minute); !ok {
			t.Fatalf("hit %d refused", i)
		}
		now = now.Add(10 * time.Second)
	}
	ok, wait, _ := s.Hit(ctx, "k", 3, time.Minute)
	if ok || wait != 30*time.Second {
		t.Fatalf("4th hit: %v %v", ok, wait)
	}
	now = now.Add(31 * time.Second)
	if ok, _, _ := s.Hit(ctx, "k", 3, time.Minute); !ok {
		t.Fatal("window did not slide")
	}
}

func TestUnavailable(t *testing.T) {
	s := New()
	s.SetUnavailable(true)
	if _, err := s.UserByID(ctx, 1); !errors.Is(err, identity.ErrUnavailable) {
		t.Fatal(err)
	}
	if err := s.RotateFamily(ctx, "f", nil, nil, time.Now()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatal(err)
	}
	s.SetUnavailable(false)
	if _, err := s.UserByID(ctx, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}
