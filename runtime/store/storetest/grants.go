package storetest

import (
	"slices"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// grantTests cover store.Grants, on a Users that implements it.
var grantTests = []struct {
	name string
	f    func(*testing.T, Stores)
}{
	{"UsersAndGroups", func(t *testing.T, s Stores) {
		g, c := s.Users.(store.Grants), ctx(t)
		id, err := s.Users.CreateUser(c, &store.UserRecord{User: identity.User{Username: "ann"}, PasswordHash: "h"})
		noErr(t, "CreateUser", err)
		perms := func() []string {
			t.Helper()
			u, err := s.Users.UserByID(c, id)
			noErr(t, "UserByID", err)
			return u.Perms
		}
		noErr(t, "GrantUser", g.GrantUser(c, id, []string{"tickets.view", "tickets.add"}))
		noErr(t, "GrantUser again", g.GrantUser(c, id, []string{"tickets.add"}))
		if got := perms(); !slices.Equal(got, []string{"tickets.add", "tickets.view"}) {
			t.Fatalf("after grant: %q", got)
		}
		noErr(t, "CreateGroup", g.CreateGroup(c, "editors"))
		wantErr(t, "CreateGroup taken", g.CreateGroup(c, "editors"), store.ErrConflict)
		noErr(t, "GrantGroup", g.GrantGroup(c, "editors", []string{"tickets.change", "tickets.view"}))
		noErr(t, "AddToGroup", g.AddToGroup(c, id, "editors"))
		noErr(t, "AddToGroup twice", g.AddToGroup(c, id, "editors"))
		if got := perms(); !slices.Equal(got, []string{"tickets.add", "tickets.change", "tickets.view"}) {
			t.Fatalf("with the group: %q", got)
		}
		noErr(t, "RevokeUser", g.RevokeUser(c, id, []string{"tickets.view", "tickets.add", "never.held"}))
		if got := perms(); !slices.Equal(got, []string{"tickets.change", "tickets.view"}) {
			t.Fatalf("after revoke, the group's remain: %q", got)
		}
		noErr(t, "RevokeGroup", g.RevokeGroup(c, "editors", []string{"tickets.change"}))
		if got := perms(); !slices.Equal(got, []string{"tickets.view"}) {
			t.Fatalf("after the group's revoke: %q", got)
		}
		wantErr(t, "unknown group", g.AddToGroup(c, id, "nobody"), store.ErrNotFound)
		wantErr(t, "unknown group grant", g.GrantGroup(c, "nobody", []string{"x.view"}), store.ErrNotFound)
		wantErr(t, "unknown user", g.AddToGroup(c, 999999, "editors"), store.ErrNotFound)
		wantErr(t, "unknown user grant", g.GrantUser(c, 999999, []string{"x.view"}), store.ErrNotFound)
	}},
}
