package storetest

import (
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// emailTests cover store.Emails, on a Users that implements it.
var emailTests = []struct {
	name string
	f    func(*testing.T, Stores)
}{
	{"CreateAndFind", func(t *testing.T, s Stores) {
		e, c := s.Users.(store.Emails), ctx(t)
		id, err := e.CreateUserWithEmail(c, &store.UserRecord{User: identity.User{Username: "ann", IsActive: true}, PasswordHash: "h"}, "ann@example.com")
		noErr(t, "CreateUserWithEmail", err)
		u, err := e.UserByEmail(c, "ann@example.com")
		noErr(t, "UserByEmail", err)
		if u.ID != id || u.Username != "ann" || !u.IsActive {
			t.Fatalf("UserByEmail = %+v", u)
		}
		email, verified, err := e.Email(c, id)
		noErr(t, "Email", err)
		if email != "ann@example.com" || verified {
			t.Fatalf("Email = %q, %v", email, verified)
		}
		_, err = e.CreateUserWithEmail(c, &store.UserRecord{User: identity.User{Username: "ann2"}, PasswordHash: "h"}, "ann@example.com")
		wantErr(t, "taken email", err, store.ErrConflict)
		_, err = e.CreateUserWithEmail(c, &store.UserRecord{User: identity.User{Username: "ann"}, PasswordHash: "h"}, "other@example.com")
		wantErr(t, "taken username", err, store.ErrConflict)
		_, err = e.UserByEmail(c, "nobody@example.com")
		wantErr(t, "unknown email", err, store.ErrNotFound)
		// A user made without an email has none, and many may.
		plain, err := s.Users.CreateUser(c, &store.UserRecord{User: identity.User{Username: "bob"}, PasswordHash: "h"})
		noErr(t, "CreateUser", err)
		_, err = s.Users.CreateUser(c, &store.UserRecord{User: identity.User{Username: "cid"}, PasswordHash: "h"})
		noErr(t, "second user without email", err)
		email, _, err = e.Email(c, plain)
		noErr(t, "Email of plain", err)
		if email != "" {
			t.Fatalf("plain user's email = %q", email)
		}
		_, err = e.UserByEmail(c, "")
		wantErr(t, "empty email", err, store.ErrNotFound)
	}},
	{"Verify", func(t *testing.T, s Stores) {
		e, c := s.Users.(store.Emails), ctx(t)
		id, err := e.CreateUserWithEmail(c, &store.UserRecord{User: identity.User{Username: "ann"}, PasswordHash: "h"}, "ann@example.com")
		noErr(t, "CreateUserWithEmail", err)
		wantErr(t, "other address", e.VerifyEmail(c, id, "x@example.com"), store.ErrNotFound)
		noErr(t, "VerifyEmail", e.VerifyEmail(c, id, "ann@example.com"))
		if _, verified, _ := e.Email(c, id); !verified {
			t.Fatal("not verified")
		}
		wantErr(t, "unknown user", e.VerifyEmail(c, 999999, "ann@example.com"), store.ErrNotFound)
	}},
	{"Reset", func(t *testing.T, s Stores) {
		e, c := s.Users.(store.Emails), ctx(t)
		id, err := e.CreateUserWithEmail(c, &store.UserRecord{User: identity.User{Username: "ann"}, PasswordHash: "old"}, "ann@example.com")
		noErr(t, "CreateUserWithEmail", err)
		now := time.Now()
		wantErr(t, "no token yet", e.ResetPassword(c, id, []byte("t1"), now, "new"), store.ErrNotFound)
		noErr(t, "SetResetToken", e.SetResetToken(c, id, []byte("t1"), now.Add(time.Hour)))
		noErr(t, "SetResetToken replaces", e.SetResetToken(c, id, []byte("t2"), now.Add(time.Hour)))
		wantErr(t, "replaced token", e.ResetPassword(c, id, []byte("t1"), now, "new"), store.ErrNotFound)
		wantErr(t, "expired", e.ResetPassword(c, id, []byte("t2"), now.Add(2*time.Hour), "new"), store.ErrNotFound)
		wantErr(t, "empty hash", e.ResetPassword(c, id, nil, now, "new"), store.ErrNotFound)
		noErr(t, "ResetPassword", e.ResetPassword(c, id, []byte("t2"), now, "new"))
		u, err := s.Users.UserByID(c, id)
		noErr(t, "UserByID", err)
		if u.PasswordHash != "new" || u.PasswordVersion != 1 {
			t.Fatalf("after reset: hash %q version %d", u.PasswordHash, u.PasswordVersion)
		}
		wantErr(t, "used twice", e.ResetPassword(c, id, []byte("t2"), now, "again"), store.ErrNotFound)
		wantErr(t, "unknown user", e.SetResetToken(c, 999999, []byte("t"), now), store.ErrNotFound)
	}},
}
