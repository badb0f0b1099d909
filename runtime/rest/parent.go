package rest

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// Parent is the parent object of a nested resource's routes
// (/api/products/{product_id}/reviews): View.Begin finds it through the
// parent's own read scope, after authentication and before any permission
// check, on every method (OPTIONS and 405 included). A parent id that is
// not a positive integer, unknown, or outside that scope is 404; the id
// found is perm.Request.Parent.
type Parent struct {
	// Param is the URL parameter holding the parent's id, e.g. "product_id".
	Param string
	// Resource is the parent's resource and Table its quoted table.
	Resource, Table string
	// Scope is the parent's read scope, the one its list and retrieve use.
	Scope func(*perm.Request) (sqlexpr.Where, error)
}

// find looks the parent of r up for req and sets req.Parent; on failure it
// answers (404, 503) and returns false.
func (p *Parent) find(v *View, w http.ResponseWriter, r *http.Request, req *perm.Request) bool {
	id, ok := pathID(chi.URLParam(r, p.Param))
	if !ok {
		drf.NotFound(w)
		return false
	}
	if v.App == nil || v.App.DB == nil {
		v.Fail(w, errors.New("rest: a nested route needs App.DB"))
		return false
	}
	// The parent's scope sees the caller reading the parent.
	as := *req
	as.Action, as.Resource = perm.ActionRetrieve, p.Resource
	where, err := p.Scope(&as)
	if err != nil {
		v.Fail(w, err)
		return false
	}
	q := `SELECT "id" FROM ` + p.Table + byID
	args := []any{id}
	if where.SQL != "" {
		q += " AND (" + where.SQL + ")"
		args = append(args, where.Args...)
	}
	if v.App.Dialect == Postgres {
		q = sqlexpr.Rebind(q)
	}
	if args, err = bindArgs(v.App.Dialect, args); err != nil {
		v.Fail(w, err)
		return false
	}
	ctx := r.Context()
	if v.App.Dialect == SQLite {
		ctx = context.WithoutCancel(ctx) // as Table.Get: a primary-key read of microseconds
	}
	var got int64
	err = v.App.DB.QueryRowContext(ctx, q, args...).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		drf.NotFound(w)
		return false
	}
	if err != nil {
		v.Fail(w, err)
		return false
	}
	req.Parent = id
	return true
}

// InParent narrows scope, a nested resource's read scope, to the rows whose
// column (the parent field's, quoted) holds the parent of the request: its
// lists and lookups see only the parent's objects, so the id of another
// parent's object is 404.
func InParent(scope func(*perm.Request) (sqlexpr.Where, error), column string) func(*perm.Request) (sqlexpr.Where, error) {
	cond := column + " = ?"
	return func(req *perm.Request) (sqlexpr.Where, error) {
		where, err := scope(req)
		if err != nil {
			return sqlexpr.Nothing, err
		}
		if req.Parent <= 0 {
			return sqlexpr.Nothing, nil // no parent was found: nothing is inside
		}
		return where.And(sqlexpr.Where{SQL: cond, Args: []any{req.Parent}}), nil
	}
}
