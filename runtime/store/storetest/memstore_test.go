package storetest_test

import (
	"testing"

	"github.com/wardhq/ward/runtime/store/memstore"
	"github.com/wardhq/ward/runtime/store/storetest"
)

// The in-memory reference store passes the suite too.
func TestMemstore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := memstore.New()
		return storetest.Stores{Users: s, Tokens: s, Sessions: s, Families: s, Counters: s, MFA: s}
	})
}
