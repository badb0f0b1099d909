// Command cookieblog is the blog in JWT cookie mode, for the e2e tests
// only: the generated blog definition with the one setting that
// `jwt.access_token_in: cookie` in api.yaml would generate. The blog
// itself stays in body mode, as its contract pins.
package main

import (
	"github.com/wardhq/ward/runtime/service"

	"github.com/wardhq/ward/examples/blog/blogapi"
)

func main() {
	def := blogapi.Definition()
	def.Auth.JWT.AccessIn = "cookie"
	service.Main(def, service.WithMiddleware())
}
