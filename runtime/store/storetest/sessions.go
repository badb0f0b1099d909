package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

// owners returns two distinct user ids (see owner).
func owners(t *testing.T, s Stores) (int64, int64) {
	t.Helper()
	if s.Users == nil {
		return 42, 43
	}
	return owner(t, s, "ann"), owner(t, s, "bob")
}

var alice = store.Client{Addr: "203.0.113.7", UserAgent: "Mozilla/5.0 (test)"}

// listingTests: a user lists their own credentials, oldest first, with
// where each was made; another user's never appear; a deleted one is gone.
var listingTests = []test{
	{"Tokens", func(t *testing.T, s Stores) {
		l, ok := s.Tokens.(store.TokenLister)
		if !ok {
			t.Skip("Tokens is no TokenLister")
		}
		c := ctx(t)
		a, b := owners(t, s)
		now := time.Now().Truncate(time.Millisecond)
		for i, u := range []int64{a, b, a} {
			noErr(t, "CreateToken", s.Tokens.CreateToken(c, &store.APIToken{Hash: Hash(string(rune('a' + i))), UserID: u,
				CreatedAt: now.Add(time.Duration(-i) * time.Minute), Client: alice}))
		}
		got, err := l.ListTokens(c, a)
		noErr(t, "ListTokens", err)
		if len(got) != 2 || !bytes.Equal(got[0].Hash, Hash("c")) || !bytes.Equal(got[1].Hash, Hash("a")) {
			t.Fatalf("ListTokens = %d tokens, want c then a", len(got))
		}
		if got[0].Client != alice || !got[0].LastUsed.IsZero() || !sameTime(got[0].CreatedAt, now.Add(-2*time.Minute)) {
			t.Fatalf("token = %+v", got[0])
		}
		used := now.Add(time.Second)
		noErr(t, "TouchToken", l.TouchToken(c, Hash("a"), used))
		noErr(t, "TouchToken back", l.TouchToken(c, Hash("a"), now))
		tok, err := s.Tokens.TokenByHash(c, Hash("a"))
		noErr(t, "TokenByHash", err)
		if !sameTime(tok.LastUsed, used) || tok.Client != alice {
			t.Fatalf("after touch: LastUsed %v, want %v; client %+v", tok.LastUsed, used, tok.Client)
		}
		wantErr(t, "TouchToken missing", l.TouchToken(c, Hash("zz"), used), store.ErrNotFound)
		noErr(t, "DeleteToken", s.Tokens.DeleteToken(c, Hash("a")))
		if got, _ := l.ListTokens(c, a); len(got) != 1 {
			t.Fatalf("after delete: %d tokens, want 1", len(got))
		}
	}},
	{"Sessions", func(t *testing.T, s Stores) {
		l, ok := s.Sessions.(store.SessionLister)
		if !ok {
			t.Skip("Sessions is no SessionLister")
		}
		c := ctx(t)
		a, b := owners(t, s)
		now := time.Now().Truncate(time.Millisecond)
		for i, u := range []int64{a, b, a} {
			at := now.Add(time.Duration(-i) * time.Minute)
			noErr(t, "CreateSession", s.Sessions.CreateSession(c, &store.Session{Hash: Hash(string(rune('a' + i))), UserID: u,
				CSRFHash: Hash("csrf"), CreatedAt: at, LastSeen: at, Client: alice}))
		}
		got, err := l.ListSessions(c, a)
		noErr(t, "ListSessions", err)
		if len(got) != 2 || !bytes.Equal(got[0].Hash, Hash("c")) || !bytes.Equal(got[1].Hash, Hash("a")) {
			t.Fatalf("ListSessions = %d sessions, want c then a", len(got))
		}
		if got[0].Client != alice || !sameTime(got[0].CreatedAt, now.Add(-2*time.Minute)) {
			t.Fatalf("session = %+v", got[0])
		}
		x, err := s.Sessions.SessionByHash(c, Hash("a"))
		noErr(t, "SessionByHash", err)
		if x.Client != alice {
			t.Fatalf("SessionByHash client = %+v", x.Client)
		}
		noErr(t, "DeleteSession", s.Sessions.DeleteSession(c, Hash("c")))
		got, err = l.ListSessions(c, a)
		noErr(t, "ListSessions", err)
		if len(got) != 1 || !bytes.Equal(got[0].Hash, Hash("a")) {
			t.Fatalf("after delete: %d sessions, want a", len(got))
		}
		if got, _ := l.ListSessions(c, b); len(got) != 1 {
			t.Fatalf("other user: %d sessions, want 1", len(got))
		}
	}},
	{"Families", func(t *testing.T, s Stores) {
		l, ok := s.Families.(store.FamilyLister)
		if !ok {
			t.Skip("Families is no FamilyLister")
		}
		c := ctx(t)
		a, b := owners(t, s)
		now := time.Now().Truncate(time.Millisecond)
		ids := []string{randomID(t), randomID(t), randomID(t), randomID(t)}
		for i, u := range []int64{a, b, a} {
			noErr(t, "CreateFamily", s.Families.CreateFamily(c, &store.Family{ID: ids[i], UserID: u, Current: Hash("cur"),
				ExpiresAt: now.Add(time.Hour), CreatedAt: now.Add(time.Duration(-i) * time.Minute), Client: alice}))
		}
		// Expired: never listed.
		noErr(t, "CreateFamily expired", s.Families.CreateFamily(c, &store.Family{ID: ids[3], UserID: a, Current: Hash("cur"),
			ExpiresAt: now.Add(-time.Second), CreatedAt: now.Add(-time.Hour)}))
		got, err := l.ListFamilies(c, a)
		noErr(t, "ListFamilies", err)
		if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[0] {
			t.Fatalf("ListFamilies = %d families, want [2] then [0]", len(got))
		}
		if got[0].Client != alice || !sameTime(got[0].CreatedAt, now.Add(-2*time.Minute)) || got[0].UserID != a {
			t.Fatalf("family = %+v", got[0])
		}
		rot := now.Add(time.Second)
		noErr(t, "RotateFamily", s.Families.RotateFamily(c, ids[0], Hash("cur"), Hash("next"), rot))
		noErr(t, "RevokeFamily", s.Families.RevokeFamily(c, ids[2]))
		got, err = l.ListFamilies(c, a)
		noErr(t, "ListFamilies", err)
		if len(got) != 1 || got[0].ID != ids[0] || !sameTime(got[0].RotatedAt, rot) || got[0].Client != alice {
			t.Fatalf("after rotate and revoke: %+v", got)
		}
	}},
}
