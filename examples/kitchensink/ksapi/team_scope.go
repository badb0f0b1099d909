// Scaffolded by ward; yours to edit.

package ksapi

import (
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// TeamScope is the read scope of SameTeam: the documents of the caller's
// team; nothing for a caller without one.
func TeamScope(req *perm.Request) (sqlexpr.Where, error) {
	t, ok := teamOf(req.User)
	if !ok {
		return sqlexpr.Nothing, nil
	}
	return sqlexpr.Where{SQL: sqlexpr.Ident("team") + " = ?", Args: []any{t}}, nil
}
