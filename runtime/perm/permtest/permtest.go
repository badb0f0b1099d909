// Package permtest gives generated tests the callers and requests on which
// Ward compares a written-out permission check with its composed value.
package permtest

import (
	"net/http/httptest"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

// Users are the callers every check is tried with: anonymous, inactive,
// two plain users (ids 1 and 2), staff (id 3) and inactive staff.
func Users() []*identity.User {
	return []*identity.User{
		nil,
		{ID: 1, Username: "inactive", IsActive: false},
		{ID: 1, Username: "alice", IsActive: true},
		{ID: 2, Username: "bob", IsActive: true},
		{ID: 3, Username: "root", IsActive: true, IsStaff: true},
		{ID: 3, Username: "old-root", IsActive: false, IsStaff: true},
	}
}

// Methods are the HTTP methods every check is tried with.
var Methods = []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"}

// Requests returns every caller × method for resource and action.
func Requests(resource, action, challenge string) []*perm.Request {
	var out []*perm.Request
	for _, u := range Users() {
		for _, m := range Methods {
			out = append(out, &perm.Request{
				HTTP:      httptest.NewRequest(m, "/", nil),
				User:      u,
				Action:    action,
				Resource:  resource,
				Challenge: challenge,
			})
		}
	}
	return out
}

// OwnerIDs are the owner ids objects are tried with: nobody's (0), the two
// plain users', staff's, and a user that does not exist.
var OwnerIDs = []int64{0, 1, 2, 3, 99}
