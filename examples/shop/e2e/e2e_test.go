// Package e2e drives the shop example as a real process over real HTTP,
// exactly as the contract (shop-api.md) describes it.
package e2e

import (
	"os"
	"testing"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// svc is the shop under test: e2ekit.Service builds it, and checks every
// exchange of the tests' clients against the generated openapi.json.
var svc = &e2ekit.Service{Name: "shop", Package: "github.com/wardhq/ward/examples/shop/cmd/shop", OpenAPI: "../shopapi/openapi.json"}

func TestMain(m *testing.M) { os.Exit(svc.Main(m)) }
