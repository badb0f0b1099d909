package authn_test

import (
	"crypto/sha256"
	"net/http/httptest"
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

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
