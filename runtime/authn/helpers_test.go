package authn_test

import (
	"os"
	"path/filepath"

	"github.com/wardhq/ward/runtime/authn/jwtauth"
)

func statMode(dir string) (os.FileMode, error) {
	st, err := os.Stat(filepath.Join(dir, jwtauth.KeyFileName))
	if err != nil {
		return 0, err
	}
	return st.Mode().Perm(), nil
}
