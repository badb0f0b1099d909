// Scaffolded by ward; yours to edit.

package ksapi

import "github.com/wardhq/ward/runtime/perm"

// TeamScope is the read scope of SameTeam: the documents of the caller's
// team; nothing for a caller without one.
func TeamScope(req *perm.Request) (perm.Where, error) {
	t, ok := teamOf(req.User)
	if !ok {
		return perm.Nothing, nil
	}
	return perm.Where{SQL: perm.Ident("team") + " = ?", Args: []any{t}}, nil
}
