// Scaffolded by ward; yours to edit.

package ksapi

import (
	"strconv"
	"strings"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

// SameTeam is the permission class SameTeam: Callers see the documents of
// their team. In this example a user's team is the model permission
// "team.N" they hold.
type SameTeam struct{}

// teamOf returns the team of u, or false when u has none.
func teamOf(u *identity.User) (int64, bool) {
	if u == nil || !u.IsActive {
		return 0, false
	}
	for _, p := range u.Perms {
		if rest, ok := strings.CutPrefix(p, "team."); ok {
			if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// HasPermission allows callers that belong to a team.
func (SameTeam) HasPermission(req *perm.Request) (bool, error) {
	_, ok := teamOf(req.User)
	if !ok {
		return false, perm.Deny("You are not in a team.")
	}
	return true, nil
}

// HasDocPermission allows the documents of the caller's team, including
// the one a create is about to write.
func (SameTeam) HasDocPermission(req *perm.Request, obj *Doc) (bool, error) {
	t, ok := teamOf(req.User)
	return ok && obj.Team == t, nil
}
