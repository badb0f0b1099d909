// Package storetest is a conformance suite for store implementations. A
// backend's test calls Run with a function returning fresh, empty stores;
// every subtest gets its own.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// Stores bundles the five storage interfaces of one backend. A nil member
// skips that part of the suite.
type Stores struct {
	Users    store.Users
	Tokens   store.Tokens
	Sessions store.Sessions
	Families store.Families
	Counters store.Counters
	MFA      store.MFA
}

// Run runs the suite. open returns fresh, empty stores for the subtest t
// (and registers its own cleanup with t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) Stores) {
	t.Helper()
	parts := []struct {
		name  string
		need  func(Stores) bool
		tests []struct {
			name string
			f    func(*testing.T, Stores)
		}
	}{
		{"Users", func(s Stores) bool { return s.Users != nil }, userTests},
		{"Emails", func(s Stores) bool { _, ok := s.Users.(store.Emails); return ok }, emailTests},
		{"Grants", func(s Stores) bool { _, ok := s.Users.(store.Grants); return ok }, grantTests},
		{"Tokens", func(s Stores) bool { return s.Tokens != nil }, tokenTests},
		{"Sessions", func(s Stores) bool { return s.Sessions != nil }, sessionTests},
		{"Families", func(s Stores) bool { return s.Families != nil }, familyTests},
		{"Counters", func(s Stores) bool { return s.Counters != nil }, counterTests},
		{"Reserve", func(s Stores) bool { return s.Counters != nil }, reserveTests},
		{"MFA", func(s Stores) bool { return s.MFA != nil }, mfaTests},
		{"Versions", func(s Stores) bool { return s.Users != nil }, versionTests},
		{"Listing", func(s Stores) bool { return s.Tokens != nil || s.Sessions != nil || s.Families != nil }, listingTests},
	}
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) {
			for _, tc := range p.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					if !p.need(s) {
						t.Skipf("backend has no %s", p.name)
					}
					tc.f(t, s)
				})
			}
		})
	}
}

type test = struct {
	name string
	f    func(*testing.T, Stores)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Hash returns the SHA-256 of s, as callers store secrets.
func Hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func randomID(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

// owner returns a user id the record under test can refer to: a created
// user when the backend stores users (foreign keys), else a fixed id.
func owner(t *testing.T, s Stores, name string) int64 {
	t.Helper()
	if s.Users == nil {
		return 42
	}
	id, err := s.Users.CreateUser(ctx(t), &store.UserRecord{User: identity.User{Username: name, IsActive: true}, PasswordHash: "x"})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return id
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func sameTime(a, b time.Time) bool {
	d := a.Sub(b)
	return d > -time.Millisecond && d < time.Millisecond
}

var userTests = []test{
	{"CreateAndGet", func(t *testing.T, s Stores) {
		c := ctx(t)
		created := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
		in := &store.UserRecord{
			User:         identity.User{Username: "alice", IsActive: true, IsStaff: true, PasswordVersion: 3, Perms: []string{"posts.view", "notes.add"}},
			PasswordHash: "pbkdf2$abc",
			CreatedAt:    created,
		}
		id, err := s.Users.CreateUser(c, in)
		noErr(t, "CreateUser", err)
		if id <= 0 {
			t.Fatalf("id = %d, want > 0", id)
		}
		id2, err := s.Users.CreateUser(c, &store.UserRecord{User: identity.User{Username: "bob"}, PasswordHash: "h2"})
		noErr(t, "CreateUser bob", err)
		if id2 == id {
			t.Fatalf("two users got id %d", id)
		}
		for _, get := range []struct {
			name string
			f    func() (*store.UserRecord, error)
		}{
			{"ByID", func() (*store.UserRecord, error) { return s.Users.UserByID(c, id) }},
			{"ByUsername", func() (*store.UserRecord, error) { return s.Users.UserByUsername(c, "alice") }},
		} {
			u, err := get.f()
			noErr(t, get.name, err)
			if u.ID != id || u.Username != "alice" || !u.IsActive || !u.IsStaff || u.PasswordVersion != 3 || u.PasswordHash != "pbkdf2$abc" {
				t.Fatalf("%s = %+v", get.name, u)
			}
			if !slices.Equal(u.Perms, []string{"notes.add", "posts.view"}) {
				t.Fatalf("%s perms = %q, want sorted [notes.add posts.view]", get.name, u.Perms)
			}
			if !sameTime(u.CreatedAt, created) {
				t.Fatalf("%s CreatedAt = %v, want %v", get.name, u.CreatedAt, created)
			}
		}
		b, err := s.Users.UserByID(c, id2)
		noErr(t, "UserByID bob", err)
		if b.IsActive || b.IsStaff || len(b.Perms) != 0 || b.CreatedAt.IsZero() {
			t.Fatalf("bob = %+v (CreatedAt must default to now)", b)
		}
	}},
	{"Conflict", func(t *testing.T, s Stores) {
		c := ctx(t)
		_, err := s.Users.CreateUser(c, &store.UserRecord{User: identity.User{Username: "alice"}, PasswordHash: "1"})
		noErr(t, "CreateUser", err)
		_, err = s.Users.CreateUser(c, &store.UserRecord{User: identity.User{Username: "alice", Perms: []string{"x.y"}}, PasswordHash: "2"})
		wantErr(t, "CreateUser duplicate", err, store.ErrConflict)
		u, err := s.Users.UserByUsername(c, "alice")
		noErr(t, "UserByUsername", err)
		if u.PasswordHash != "1" || len(u.Perms) != 0 {
			t.Fatalf("failed insert changed the user: %+v", u)
		}
		_, total, err := s.Users.ListUsers(c, 10, 0)
		noErr(t, "ListUsers", err)
		if total != 1 {
			t.Fatalf("total = %d after a failed insert, want 1", total)
		}
	}},
	{"NotFound", func(t *testing.T, s Stores) {
		c := ctx(t)
		_, err := s.Users.UserByID(c, 999999)
		wantErr(t, "UserByID", err, store.ErrNotFound)
		_, err = s.Users.UserByUsername(c, "nobody")
		wantErr(t, "UserByUsername", err, store.ErrNotFound)
		wantErr(t, "SetPassword", s.Users.SetPassword(c, 999999, "h", true), store.ErrNotFound)
		wantErr(t, "SetActive", s.Users.SetActive(c, 999999, true), store.ErrNotFound)
		wantErr(t, "SetPerms", s.Users.SetPerms(c, 999999, []string{"a.b"}), store.ErrNotFound)
	}},
	{"SetPassword", func(t *testing.T, s Stores) {
		c := ctx(t)
		id := owner(t, s, "alice")
		for i, tc := range []struct {
			hash    string
			bump    bool
			version int64
		}{
			{"h1", false, 0},
			{"h2", true, 1},
			{"h3", true, 2},
			{"h4", false, 2},
		} {
			noErr(t, "SetPassword", s.Users.SetPassword(c, id, tc.hash, tc.bump))
			u, err := s.Users.UserByID(c, id)
			noErr(t, "UserByID", err)
			if u.PasswordHash != tc.hash || u.PasswordVersion != tc.version {
				t.Fatalf("step %d: hash %q version %d, want %q %d", i, u.PasswordHash, u.PasswordVersion, tc.hash, tc.version)
			}
		}
	}},
	{"SetActiveAndPerms", func(t *testing.T, s Stores) {
		c := ctx(t)
		id := owner(t, s, "alice")
		other := owner(t, s, "bob")
		noErr(t, "SetPerms other", s.Users.SetPerms(c, other, []string{"o.p"}))
		for _, active := range []bool{false, true, false} {
			noErr(t, "SetActive", s.Users.SetActive(c, id, active))
			u, err := s.Users.UserByID(c, id)
			noErr(t, "UserByID", err)
			if u.IsActive != active {
				t.Fatalf("IsActive = %v, want %v", u.IsActive, active)
			}
		}
		for _, perms := range [][]string{{"posts.view", "posts.add"}, {"notes.delete"}, nil, {"b.x", "a.y", "c.z"}} {
			noErr(t, "SetPerms", s.Users.SetPerms(c, id, perms))
			u, err := s.Users.UserByID(c, id)
			noErr(t, "UserByID", err)
			want := slices.Clone(perms)
			slices.Sort(want)
			if len(want) == 0 {
				want = nil
			}
			got := u.Perms
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, want) {
				t.Fatalf("perms = %q, want %q", got, want)
			}
		}
		o, err := s.Users.UserByID(c, other)
		noErr(t, "UserByID other", err)
		if !slices.Equal(o.Perms, []string{"o.p"}) {
			t.Fatalf("another user's perms changed: %q", o.Perms)
		}
	}},
	{"ListUsers", func(t *testing.T, s Stores) {
		c := ctx(t)
		var ids []int64
		for i := range 5 {
			ids = append(ids, owner(t, s, fmt.Sprintf("user%d", i)))
		}
		noErr(t, "SetPerms", s.Users.SetPerms(c, ids[3], []string{"z.z", "a.a"}))
		for _, tc := range []struct {
			limit, offset int
			want          []int64
		}{
			{10, 0, ids},
			{2, 0, ids[:2]},
			{2, 2, ids[2:4]},
			{2, 4, ids[4:]},
			{2, 5, nil},
			{3, 100, nil},
			{-1, 0, ids}, // no limit
			{-1, 3, ids[3:]},
		} {
			us, total, err := s.Users.ListUsers(c, tc.limit, tc.offset)
			noErr(t, "ListUsers", err)
			if total != 5 {
				t.Fatalf("total = %d, want 5", total)
			}
			var got []int64
			for _, u := range us {
				got = append(got, u.ID)
				if u.ID == ids[3] && !slices.Equal(u.Perms, []string{"a.a", "z.z"}) {
					t.Fatalf("listed perms = %q", u.Perms)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ListUsers(%d, %d) = %v, want %v", tc.limit, tc.offset, got, tc.want)
			}
		}
	}},
}

var tokenTests = []test{
	{"CreateGetDelete", func(t *testing.T, s Stores) {
		c := ctx(t)
		uid := owner(t, s, "alice")
		created := time.Now().Truncate(time.Millisecond)
		expires := created.Add(time.Hour)
		tok := &store.APIToken{Hash: Hash("key1"), UserID: uid, CreatedAt: created, ExpiresAt: expires, PasswordVersion: 7}
		noErr(t, "CreateToken", s.Tokens.CreateToken(c, tok))
		noErr(t, "CreateToken 2", s.Tokens.CreateToken(c, &store.APIToken{Hash: Hash("key2"), UserID: uid, CreatedAt: created}))
		got, err := s.Tokens.TokenByHash(c, Hash("key1"))
		noErr(t, "TokenByHash", err)
		if !bytes.Equal(got.Hash, tok.Hash) || got.UserID != uid || got.PasswordVersion != 7 || !sameTime(got.CreatedAt, created) || !sameTime(got.ExpiresAt, expires) {
			t.Fatalf("TokenByHash = %+v, want %+v", got, tok)
		}
		got2, err := s.Tokens.TokenByHash(c, Hash("key2"))
		noErr(t, "TokenByHash 2", err)
		if !got2.ExpiresAt.IsZero() {
			t.Fatalf("no-expiry token has ExpiresAt %v", got2.ExpiresAt)
		}
		wantErr(t, "CreateToken duplicate", s.Tokens.CreateToken(c, &store.APIToken{Hash: Hash("key1"), UserID: uid}), store.ErrConflict)
		_, err = s.Tokens.TokenByHash(c, Hash("nope"))
		wantErr(t, "TokenByHash unknown", err, store.ErrNotFound)
		noErr(t, "DeleteToken", s.Tokens.DeleteToken(c, Hash("key1")))
		_, err = s.Tokens.TokenByHash(c, Hash("key1"))
		wantErr(t, "TokenByHash deleted", err, store.ErrNotFound)
		wantErr(t, "DeleteToken again", s.Tokens.DeleteToken(c, Hash("key1")), store.ErrNotFound)
		_, err = s.Tokens.TokenByHash(c, Hash("key2"))
		noErr(t, "other token survives delete", err)
	}},
}

var sessionTests = []test{
	{"CreateGetTouchDelete", func(t *testing.T, s Stores) {
		c := ctx(t)
		uid := owner(t, s, "alice")
		now := time.Now().Truncate(time.Millisecond)
		x := &store.Session{Hash: Hash("sid"), UserID: uid, CSRFHash: Hash("csrf"), CreatedAt: now, LastSeen: now, PasswordVersion: 2}
		noErr(t, "CreateSession", s.Sessions.CreateSession(c, x))
		wantErr(t, "CreateSession duplicate", s.Sessions.CreateSession(c, x), store.ErrConflict)
		got, err := s.Sessions.SessionByHash(c, Hash("sid"))
		noErr(t, "SessionByHash", err)
		if !bytes.Equal(got.Hash, x.Hash) || !bytes.Equal(got.CSRFHash, x.CSRFHash) || got.UserID != uid || got.PasswordVersion != 2 || !sameTime(got.CreatedAt, now) || !sameTime(got.LastSeen, now) {
			t.Fatalf("SessionByHash = %+v, want %+v", got, x)
		}
		later := now.Add(time.Minute)
		noErr(t, "TouchSession", s.Sessions.TouchSession(c, Hash("sid"), later))
		got, err = s.Sessions.SessionByHash(c, Hash("sid"))
		noErr(t, "SessionByHash", err)
		if !sameTime(got.LastSeen, later) || !sameTime(got.CreatedAt, now) {
			t.Fatalf("after touch: LastSeen %v CreatedAt %v, want %v %v", got.LastSeen, got.CreatedAt, later, now)
		}
		noErr(t, "TouchSession earlier", s.Sessions.TouchSession(c, Hash("sid"), now))
		got, err = s.Sessions.SessionByHash(c, Hash("sid"))
		noErr(t, "SessionByHash", err)
		if !sameTime(got.LastSeen, later) {
			t.Fatalf("LastSeen moved backwards to %v", got.LastSeen)
		}
		wantErr(t, "TouchSession unknown", s.Sessions.TouchSession(c, Hash("nope"), later), store.ErrNotFound)
		_, err = s.Sessions.SessionByHash(c, Hash("nope"))
		wantErr(t, "SessionByHash unknown", err, store.ErrNotFound)
		noErr(t, "DeleteSession", s.Sessions.DeleteSession(c, Hash("sid")))
		_, err = s.Sessions.SessionByHash(c, Hash("sid"))
		wantErr(t, "SessionByHash deleted", err, store.ErrNotFound)
		wantErr(t, "DeleteSession again", s.Sessions.DeleteSession(c, Hash("sid")), store.ErrNotFound)
	}},
}

var familyTests = []test{
	{"CreateRotateRevoke", func(t *testing.T, s Stores) {
		c := ctx(t)
		uid := owner(t, s, "alice")
		id := randomID(t)
		exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
		f := &store.Family{ID: id, UserID: uid, Current: Hash("jti1"), ExpiresAt: exp, PasswordVersion: 4}
		noErr(t, "CreateFamily", s.Families.CreateFamily(c, f))
		wantErr(t, "CreateFamily duplicate", s.Families.CreateFamily(c, f), store.ErrConflict)
		got, err := s.Families.FamilyByID(c, id)
		noErr(t, "FamilyByID", err)
		if got.ID != id || got.UserID != uid || !bytes.Equal(got.Current, Hash("jti1")) || got.PasswordVersion != 4 || !sameTime(got.ExpiresAt, exp) ||
			got.Previous != nil || !got.RotatedAt.IsZero() {
			t.Fatalf("FamilyByID = %+v, want %+v", got, f)
		}
		at1 := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
		at2 := at1.Add(1500 * time.Millisecond)
		for i, tc := range []struct {
			old, next string
			at        time.Time
			want      error
			current   string
			previous  string
			rotatedAt time.Time
		}{
			{"jti1", "jti2", at1, nil, "jti2", "jti1", at1},
			{"jti1", "jti3", at2, store.ErrConflict, "jti2", "jti1", at1}, // reuse of a rotated token
			{"bogus", "jti3", at2, store.ErrConflict, "jti2", "jti1", at1},
			{"jti2", "jti3", at2, nil, "jti3", "jti2", at2},
		} {
			err := s.Families.RotateFamily(c, id, Hash(tc.old), Hash(tc.next), tc.at)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("step %d: RotateFamily(%s→%s) = %v, want %v", i, tc.old, tc.next, err, tc.want)
			}
			got, err := s.Families.FamilyByID(c, id)
			noErr(t, "FamilyByID", err)
			if !bytes.Equal(got.Current, Hash(tc.current)) {
				t.Fatalf("step %d: current is not %s", i, tc.current)
			}
			if !bytes.Equal(got.Previous, Hash(tc.previous)) || !sameTime(got.RotatedAt, tc.rotatedAt) {
				t.Fatalf("step %d: previous/rotated at = %x/%v, want %s/%v", i, got.Previous, got.RotatedAt, tc.previous, tc.rotatedAt)
			}
		}
		wantErr(t, "RotateFamily unknown", s.Families.RotateFamily(c, "nope", Hash("a"), Hash("b"), at2), store.ErrNotFound)
		noErr(t, "RevokeFamily", s.Families.RevokeFamily(c, id))
		_, err = s.Families.FamilyByID(c, id)
		wantErr(t, "FamilyByID revoked", err, store.ErrNotFound)
		wantErr(t, "RotateFamily revoked", s.Families.RotateFamily(c, id, Hash("jti3"), Hash("jti4"), at2), store.ErrNotFound)
		noErr(t, "RevokeFamily missing", s.Families.RevokeFamily(c, id))
	}},
	{"Expired", func(t *testing.T, s Stores) {
		c := ctx(t)
		uid := owner(t, s, "alice")
		id := randomID(t)
		noErr(t, "CreateFamily", s.Families.CreateFamily(c, &store.Family{ID: id, UserID: uid, Current: Hash("j"), ExpiresAt: time.Now().Add(300 * time.Millisecond)}))
		_, err := s.Families.FamilyByID(c, id)
		noErr(t, "FamilyByID before expiry", err)
		time.Sleep(1100 * time.Millisecond)
		_, err = s.Families.FamilyByID(c, id)
		wantErr(t, "FamilyByID expired", err, store.ErrNotFound)
		wantErr(t, "RotateFamily expired", s.Families.RotateFamily(c, id, Hash("j"), Hash("k"), time.Now()), store.ErrNotFound)
	}},
	{"ConcurrentRotate", func(t *testing.T, s Stores) {
		c := ctx(t)
		uid := owner(t, s, "alice")
		id := randomID(t)
		noErr(t, "CreateFamily", s.Families.CreateFamily(c, &store.Family{ID: id, UserID: uid, Current: Hash("old"), ExpiresAt: time.Now().Add(time.Hour)}))
		const n = 16
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.Families.RotateFamily(c, id, Hash("old"), Hash(fmt.Sprintf("next%d", i)), time.Now())
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("rotations %d and %d both won", winner, i)
				}
				winner = i
			case errors.Is(err, store.ErrConflict):
			default:
				t.Fatalf("rotation %d: %v, want nil or ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no rotation won")
		}
		f, err := s.Families.FamilyByID(c, id)
		noErr(t, "FamilyByID", err)
		if !bytes.Equal(f.Current, Hash(fmt.Sprintf("next%d", winner))) || !bytes.Equal(f.Previous, Hash("old")) {
			t.Fatalf("current is not the winner's token, or previous is not the rotated one")
		}
	}},
}

var counterTests = []test{
	{"Limit", func(t *testing.T, s Stores) {
		c := ctx(t)
		key := "t:" + randomID(t)
		other := "t:" + randomID(t)
		for i := range 5 {
			ok, _, err := s.Counters.Hit(c, key, 5, time.Minute)
			noErr(t, "Hit", err)
			if !ok {
				t.Fatalf("hit %d refused under the limit", i+1)
			}
		}
		for i := range 3 {
			ok, retry, err := s.Counters.Hit(c, key, 5, time.Minute)
			noErr(t, "Hit", err)
			if ok {
				t.Fatalf("hit %d allowed over the limit", 6+i)
			}
			if retry <= 55*time.Second || retry > time.Minute {
				t.Fatalf("retryAfter = %v, want just under 1m", retry)
			}
		}
		ok, _, err := s.Counters.Hit(c, other, 5, time.Minute)
		noErr(t, "Hit other", err)
		if !ok {
			t.Fatal("another key was throttled")
		}
	}},
	{"ZeroLimit", func(t *testing.T, s Stores) {
		ok, retry, err := s.Counters.Hit(ctx(t), "z:"+randomID(t), 0, time.Second)
		noErr(t, "Hit", err)
		if ok || retry <= 0 {
			t.Fatalf("limit 0: ok=%v retry=%v, want refused with retry > 0", ok, retry)
		}
	}},
	{"Slide", func(t *testing.T, s Stores) {
		// Hits at t0 and t0+~250ms with a 600ms window and limit 2: the
		// third is refused, with a retry pointing at the first hit's end;
		// once the first hit leaves the window one more is allowed, but
		// not two (the second hit is still inside).
		c := ctx(t)
		key := "s:" + randomID(t)
		const window = 600 * time.Millisecond
		hit := func() (bool, time.Duration) {
			ok, retry, err := s.Counters.Hit(c, key, 2, window)
			noErr(t, "Hit", err)
			return ok, retry
		}
		if ok, _ := hit(); !ok {
			t.Fatal("first hit refused")
		}
		// The first hit was recorded at the latest when Hit returned, so
		// the third's retry is at most the window less the time since
		// then: a bound that holds however slow a loaded machine is.
		t1 := time.Now()
		time.Sleep(250 * time.Millisecond)
		if ok, _ := hit(); !ok {
			t.Fatal("second hit refused")
		}
		before := time.Now()
		ok, retry := hit()
		if elapsed := time.Since(t1); elapsed >= window-50*time.Millisecond {
			// The first hit may have left the window already: nothing to
			// judge (a machine loaded enough to sleep 250 ms for 550).
			t.Skipf("the machine took %v for a 250ms sleep and two hits", elapsed)
		}
		if ok {
			t.Fatal("third hit allowed")
		}
		remaining := window - before.Sub(t1)
		if retry <= 0 || retry > remaining+5*time.Millisecond {
			t.Fatalf("retryAfter = %v, want in (0, %v]", retry, remaining)
		}
		time.Sleep(retry + 30*time.Millisecond)
		if ok, _ := hit(); !ok {
			t.Fatal("hit refused after the oldest left the window")
		}
		if ok, _ := hit(); ok {
			t.Fatal("hit allowed while the window is full again")
		}
	}},
	{"RefusedNotRecorded", func(t *testing.T, s Stores) {
		// Refused attempts do not extend the window: hammering a full
		// window does not delay the moment it frees up.
		c := ctx(t)
		key := "r:" + randomID(t)
		const window = 400 * time.Millisecond
		ok, _, err := s.Counters.Hit(c, key, 1, window)
		noErr(t, "Hit", err)
		if !ok {
			t.Fatal("first hit refused")
		}
		deadline := time.Now().Add(window - 100*time.Millisecond)
		for time.Now().Before(deadline) {
			ok, _, err := s.Counters.Hit(c, key, 1, window)
			noErr(t, "Hit", err)
			if ok {
				t.Fatal("hit allowed inside a full window")
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		ok, _, err = s.Counters.Hit(c, key, 1, window)
		noErr(t, "Hit", err)
		if !ok {
			t.Fatal("refused attempts were recorded: the window did not free up")
		}
	}},
	{"Concurrent", func(t *testing.T, s Stores) {
		c := ctx(t)
		key := "c:" + randomID(t)
		const n, limit = 24, 10
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := s.Counters.Hit(c, key, limit, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed != limit {
			t.Fatalf("%d of %d concurrent hits allowed, want exactly %d", allowed, n, limit)
		}
	}},
}

// reserver returns the backend's Counters as a store.Reserver; every
// Counters must implement it (the login throttle holds a slot of a
// client's bucket while a credential is checked, and gives it back when
// the credential was right).
func reserver(t *testing.T, s Stores) store.Reserver {
	t.Helper()
	r, ok := s.Counters.(store.Reserver)
	if !ok {
		t.Fatalf("%T does not implement store.Reserver", s.Counters)
	}
	return r
}

var reserveTests = []test{
	{"ReleaseFrees", func(t *testing.T, s Stores) {
		// Reserve counts as Hit does (one window for both); Release
		// frees exactly the one slot it names, once.
		c := ctx(t)
		r := reserver(t, s)
		key := "r:" + randomID(t)
		const limit = 3
		var hits []string
		for i := range limit - 1 {
			hit, ok, retry, err := r.Reserve(c, key, limit, time.Minute)
			noErr(t, "Reserve", err)
			if !ok || retry != 0 || hit == "" {
				t.Fatalf("reserve %d of %d: ok=%v retry=%v hit=%q", i+1, limit, ok, retry, hit)
			}
			hits = append(hits, hit)
		}
		ok, _, err := s.Counters.Hit(c, key, limit, time.Minute)
		noErr(t, "Hit", err)
		if !ok {
			t.Fatal("hit refused under the limit")
		}
		hit, ok, retry, err := r.Reserve(c, key, limit, time.Minute)
		noErr(t, "Reserve", err)
		if ok || hit != "" || retry <= 55*time.Second || retry > time.Minute {
			t.Fatalf("reserve over the limit: ok=%v hit=%q retry=%v", ok, hit, retry)
		}
		noErr(t, "Release", r.Release(c, key, hits[0]))
		// Released twice, or a handle never given: nothing more frees.
		noErr(t, "Release again", r.Release(c, key, hits[0]))
		noErr(t, "Release of another key", r.Release(c, "r:"+randomID(t), hits[1]))
		if hit, ok, _, err = r.Reserve(c, key, limit, time.Minute); err != nil || !ok || hit == "" {
			t.Fatalf("reserve after a release: ok=%v hit=%q err=%v", ok, hit, err)
		}
		if ok, _, err := s.Counters.Hit(c, key, limit, time.Minute); err != nil || ok {
			t.Fatalf("hit after the freed slot was taken again: ok=%v err=%v (a double release freed a second slot)", ok, err)
		}
	}},
	{"Concurrent", func(t *testing.T, s Stores) {
		// Of concurrent reservations exactly limit pass; once all are
		// released, exactly limit pass again.
		c := ctx(t)
		r := reserver(t, s)
		key := "rc:" + randomID(t)
		const n, limit = 24, 10
		round := func() []string {
			var wg sync.WaitGroup
			var mu sync.Mutex
			var got []string
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					hit, ok, _, err := r.Reserve(c, key, limit, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						got = append(got, hit)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			return got
		}
		got := round()
		if len(got) != limit {
			t.Fatalf("%d of %d concurrent reservations allowed, want exactly %d", len(got), n, limit)
		}
		var wg sync.WaitGroup
		for _, h := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.Release(c, key, h); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if again := round(); len(again) != limit {
			t.Fatalf("after releasing all: %d of %d concurrent reservations allowed, want exactly %d", len(again), n, limit)
		}
	}},
}
