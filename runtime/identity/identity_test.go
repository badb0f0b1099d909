package identity

import (
	"context"
	"testing"
)

func TestHasPerm(t *testing.T) {
	u := &User{ID: 1, IsActive: true, Perms: []string{"posts.add", "posts.view"}}
	for _, c := range []struct {
		u    *User
		perm string
		want bool
	}{
		{u, "posts.view", true},
		{u, "posts.add", true},
		{u, "posts.delete", false},
		{u, "", false},
		{&User{}, "posts.view", false},
		{nil, "posts.view", false},
	} {
		if got := c.u.HasPerm(c.perm); got != c.want {
			t.Errorf("%+v.HasPerm(%q) = %v, want %v", c.u, c.perm, got, c.want)
		}
	}
}

func TestContext(t *testing.T) {
	if r := FromContext(context.Background()); r.Authenticated() || r.Class != "" || UserFrom(context.Background()) != nil {
		t.Fatalf("bare context: %+v, want anonymous", r)
	}
	alice := &User{ID: 1, Username: "alice", IsActive: true}
	ctx, slot := WithSlot(context.Background())
	ctx = WithResult(ctx, Result{User: alice, Class: "jwt"})
	if r := FromContext(ctx); r.User != alice || r.Class != "jwt" || !r.Authenticated() || UserFrom(ctx) != alice {
		t.Fatalf("FromContext = %+v, want alice by jwt", r)
	}
	// The slot, made outside, learns the result set inside.
	if slot.Result.User != alice || slot.Result.Class != "jwt" {
		t.Fatalf("slot = %+v, want alice by jwt", slot.Result)
	}
	// Without a slot, WithResult still works.
	if UserFrom(WithResult(context.Background(), Result{User: alice})) != alice {
		t.Fatal("WithResult without a slot lost the user")
	}
}
