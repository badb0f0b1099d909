package service

import (
	"bytes"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/rest"
)

// TestCursorKeyFollowsTheJWTKey: instances given the same JWT key sign
// cursors with the same key, whatever their data folders; another JWT key
// gives another; without one, the key generated into the data folder
// decides. The cursor key is never the JWT key itself.
func TestCursorKeyFollowsTheJWTKey(t *testing.T) {
	const jwtKey = "a-jwt-signing-key-of-32-bytes-or-more"
	keyOf := func(env map[string]string) []byte {
		t.Helper()
		def := testDef()
		var key []byte
		def.Mount = func(_ chi.Router, app *rest.App) { key = app.CursorKey }
		svc, err := New(t.Context(), def, WithEnv(envOf(env)))
		if err != nil {
			t.Fatal(err)
		}
		svc.Close()
		if len(key) != 32 {
			t.Fatalf("cursor key of %d bytes", len(key))
		}
		return key
	}
	shared := t.TempDir()
	a := keyOf(map[string]string{"DEMO_DATA": t.TempDir(), "DEMO_JWT_KEY": jwtKey})
	b := keyOf(map[string]string{"DEMO_DATA": t.TempDir(), "DEMO_JWT_KEY": jwtKey})
	c := keyOf(map[string]string{"DEMO_DATA": t.TempDir(), "DEMO_JWT_KEY": jwtKey + "!"})
	d := keyOf(map[string]string{"DEMO_DATA": shared})
	e := keyOf(map[string]string{"DEMO_DATA": shared})
	f := keyOf(map[string]string{"DEMO_DATA": t.TempDir()})
	switch {
	case !bytes.Equal(a, b):
		t.Error("the same JWT key gave two cursor keys")
	case bytes.Equal(a, c):
		t.Error("two JWT keys gave one cursor key")
	case !bytes.Equal(d, e):
		t.Error("one data folder gave two cursor keys")
	case bytes.Equal(d, f):
		t.Error("two data folders gave one cursor key")
	case bytes.Contains(a, []byte(jwtKey)) || bytes.Equal(cursorKey([]byte(jwtKey)), []byte(jwtKey)):
		t.Error("the cursor key is the JWT key")
	}
}
