package perm_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

type Post struct {
	ID      int64
	OwnerID *int64
}

var isOwner = perm.OwnerRule[Post]("owner_id", func(p *Post) *int64 { return p.OwnerID })

// IsAuthenticatedOrReadOnly & (ReadOnly | IsOwner): the blog's posts.
var postsPerm = perm.And[Post](perm.IsAuthenticatedOrReadOnly[Post]{},
	perm.Or[Post](perm.ReadOnly[Post]{}, isOwner))

func ExampleCheck() {
	alice := &identity.User{ID: 1, Username: "alice", IsActive: true}
	bob := &identity.User{ID: 2, Username: "bob", IsActive: true}
	one := int64(1)
	post := &Post{ID: 7, OwnerID: &one}
	for _, c := range []struct {
		method string
		user   *identity.User
	}{{"GET", nil}, {"PUT", nil}, {"PUT", bob}, {"PUT", alice}} {
		req := &perm.Request{HTTP: httptest.NewRequest(c.method, "/api/posts/7", nil), User: c.user,
			Action: "update", Resource: "posts", Challenge: `Bearer realm="api"`}
		d := perm.Check(postsPerm, req)
		if d.Allowed() {
			d = perm.CheckObject(postsPerm, req, post)
		}
		fmt.Println(strings.TrimSpace(fmt.Sprint(c.method, " ", c.user != nil, " ", d.Status, " ", d.Challenge)))
	}
	// Output:
	// GET false 0
	// PUT false 401 Bearer realm="api"
	// PUT true 403
	// PUT true 0
}

func ExampleRule_Scope() {
	bob := &identity.User{ID: 2, Username: "bob", IsActive: true}
	staff := &identity.User{ID: 3, IsActive: true, IsStaff: true}
	scope := isOwner.Or(perm.StaffRule[Post]())
	for _, u := range []*identity.User{nil, bob, staff} {
		w := scope.Scope(u)
		fmt.Printf("%q %v | %s\n", w.SQL, w.Args, sqlexpr.Rebind(w.SQL))
	}
	// Output:
	// "1 = 0" [] | 1 = 0
	// "\"owner_id\" = ?" [2] | "owner_id" = $1
	// "" [] |
}
