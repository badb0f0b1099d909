package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

var mfaTests = []test{
	{"EnrolConfirm", func(t *testing.T, s Stores) {
		c, uid := ctx(t), owner(t, s, "mfa1")
		_, err := s.MFA.TOTPByUser(c, uid)
		wantErr(t, "TOTPByUser before enrolment", err, store.ErrNotFound)
		wantErr(t, "ConfirmTOTP before enrolment", s.MFA.ConfirmTOTP(c, uid, 1, nil), store.ErrNotFound)
		noErr(t, "PutTOTP", s.MFA.PutTOTP(c, &store.TOTP{UserID: uid, Secret: "AAAA", CreatedAt: time.Now()}))
		// A second enrolment before confirmation replaces the secret.
		noErr(t, "PutTOTP again", s.MFA.PutTOTP(c, &store.TOTP{UserID: uid, Secret: "BBBB", CreatedAt: time.Now()}))
		got, err := s.MFA.TOTPByUser(c, uid)
		noErr(t, "TOTPByUser", err)
		if got.Secret != "BBBB" || got.Confirmed {
			t.Fatalf("unconfirmed = %+v, want secret BBBB, not confirmed", got)
		}
		wantErr(t, "UseStep unconfirmed", s.MFA.UseStep(c, uid, 5), store.ErrNotFound)
		noErr(t, "ConfirmTOTP", s.MFA.ConfirmTOTP(c, uid, 10, [][]byte{Hash("r1"), Hash("r2")}))
		wantErr(t, "ConfirmTOTP twice", s.MFA.ConfirmTOTP(c, uid, 11, nil), store.ErrConflict)
		wantErr(t, "PutTOTP over confirmed", s.MFA.PutTOTP(c, &store.TOTP{UserID: uid, Secret: "CCCC"}), store.ErrConflict)
		got, err = s.MFA.TOTPByUser(c, uid)
		noErr(t, "TOTPByUser", err)
		if got.Secret != "BBBB" || !got.Confirmed || got.LastStep != 10 {
			t.Fatalf("confirmed = %+v, want BBBB, confirmed, step 10", got)
		}
		n, err := s.MFA.RecoveryCodesLeft(c, uid)
		noErr(t, "RecoveryCodesLeft", err)
		if n != 2 {
			t.Fatalf("codes left = %d, want 2", n)
		}
	}},
	{"StepsNeverRepeat", func(t *testing.T, s Stores) {
		c, uid := ctx(t), owner(t, s, "mfa2")
		noErr(t, "PutTOTP", s.MFA.PutTOTP(c, &store.TOTP{UserID: uid, Secret: "AAAA"}))
		noErr(t, "ConfirmTOTP", s.MFA.ConfirmTOTP(c, uid, 10, nil))
		for _, tc := range []struct {
			step int64
			want error
		}{{10, store.ErrConflict}, {9, store.ErrConflict}, {11, nil}, {11, store.ErrConflict}, {13, nil}, {12, store.ErrConflict}} {
			wantErr(t, "UseStep", s.MFA.UseStep(c, uid, tc.step), tc.want)
		}
		// Of many concurrent uses of one step, exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if s.MFA.UseStep(c, uid, 20) == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d concurrent uses of one step won, want 1", won)
		}
	}},
	{"RecoveryCodesOnce", func(t *testing.T, s Stores) {
		c, uid, other := ctx(t), owner(t, s, "mfa3"), owner(t, s, "mfa3b")
		noErr(t, "PutTOTP", s.MFA.PutTOTP(c, &store.TOTP{UserID: uid, Secret: "AAAA"}))
		noErr(t, "ConfirmTOTP", s.MFA.ConfirmTOTP(c, uid, 1, [][]byte{Hash("r1"), Hash("r2")}))
		wantErr(t, "another user's code", s.MFA.UseRecoveryCode(c, other, Hash("r1")), store.ErrNotFound)
		noErr(t, "UseRecoveryCode", s.MFA.UseRecoveryCode(c, uid, Hash("r1")))
		wantErr(t, "UseRecoveryCode twice", s.MFA.UseRecoveryCode(c, uid, Hash("r1")), store.ErrNotFound)
		wantErr(t, "unknown code", s.MFA.UseRecoveryCode(c, uid, Hash("nope")), store.ErrNotFound)
		n, err := s.MFA.RecoveryCodesLeft(c, uid)
		noErr(t, "RecoveryCodesLeft", err)
		if n != 1 {
			t.Fatalf("codes left = %d, want 1", n)
		}
		noErr(t, "DeleteMFA", s.MFA.DeleteMFA(c, uid))
		noErr(t, "DeleteMFA of nothing", s.MFA.DeleteMFA(c, uid))
		_, err = s.MFA.TOTPByUser(c, uid)
		wantErr(t, "TOTPByUser after delete", err, store.ErrNotFound)
		if n, _ := s.MFA.RecoveryCodesLeft(c, uid); n != 0 {
			t.Fatalf("codes left after delete = %d", n)
		}
		// Enrolling again starts afresh.
		noErr(t, "PutTOTP after delete", s.MFA.PutTOTP(c, &store.TOTP{UserID: uid, Secret: "DDDD"}))
	}},
	{"Tickets", func(t *testing.T, s Stores) {
		c, uid := ctx(t), owner(t, s, "mfa4")
		live := &store.MFATicket{Hash: Hash("t1"), UserID: uid, Class: "jwt", ExpiresAt: time.Now().Add(time.Minute), PasswordVersion: 3}
		noErr(t, "CreateTicket", s.MFA.CreateTicket(c, live))
		noErr(t, "CreateTicket expired", s.MFA.CreateTicket(c, &store.MFATicket{Hash: Hash("t2"), UserID: uid, Class: "jwt", ExpiresAt: time.Now().Add(-time.Second)}))
		got, err := s.MFA.TicketByHash(c, Hash("t1"))
		noErr(t, "TicketByHash", err)
		if got.UserID != uid || got.Class != "jwt" || got.PasswordVersion != 3 || !sameTime(got.ExpiresAt, live.ExpiresAt) {
			t.Fatalf("ticket = %+v, want %+v", got, live)
		}
		_, err = s.MFA.TicketByHash(c, Hash("t2"))
		wantErr(t, "expired ticket", err, store.ErrNotFound)
		noErr(t, "DeleteTicket", s.MFA.DeleteTicket(c, Hash("t1")))
		wantErr(t, "DeleteTicket twice", s.MFA.DeleteTicket(c, Hash("t1")), store.ErrNotFound)
		_, err = s.MFA.TicketByHash(c, Hash("t1"))
		wantErr(t, "deleted ticket", err, store.ErrNotFound)
		noErr(t, "CreateTicket t3", s.MFA.CreateTicket(c, &store.MFATicket{Hash: Hash("t3"), UserID: uid, Class: "token", ExpiresAt: time.Now().Add(time.Minute)}))
		noErr(t, "DeleteMFA", s.MFA.DeleteMFA(c, uid))
		_, err = s.MFA.TicketByHash(c, Hash("t3"))
		wantErr(t, "ticket after DeleteMFA", err, store.ErrNotFound)
	}},
}

// versionTests run when the Users store is a store.VersionBumper.
var versionTests = []test{
	{"BumpVersion", func(t *testing.T, s Stores) {
		b, ok := s.Users.(store.VersionBumper)
		if !ok {
			t.Skip("Users is not a VersionBumper")
		}
		c, uid := ctx(t), owner(t, s, "bump")
		before, err := s.Users.UserByID(c, uid)
		noErr(t, "UserByID", err)
		noErr(t, "BumpVersion", b.BumpVersion(c, uid))
		noErr(t, "BumpVersion", b.BumpVersion(c, uid))
		after, err := s.Users.UserByID(c, uid)
		noErr(t, "UserByID", err)
		if after.PasswordVersion != before.PasswordVersion+2 || after.PasswordHash != before.PasswordHash {
			t.Fatalf("after two bumps: version %d hash %q, want %d and %q", after.PasswordVersion, after.PasswordHash, before.PasswordVersion+2, before.PasswordHash)
		}
		wantErr(t, "BumpVersion of nobody", b.BumpVersion(c, uid+1000), store.ErrNotFound)
	}},
}
