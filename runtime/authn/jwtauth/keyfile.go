package jwtauth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// KeyFileName is the file under the data folder holding the generated key.
const KeyFileName = "jwt.key"

// KeyFromEnv returns the HS256 key: the value of the environment variable
// env used as raw bytes when set (refused when weak, see CheckHMACSecret),
// otherwise the key kept in dataDir (see LoadOrCreateKey).
func KeyFromEnv(env, dataDir string) ([]byte, error) {
	return KeyFromValue(env, os.Getenv(env), dataDir)
}

// KeyFromValue is KeyFromEnv with the variable's value v read already.
func KeyFromValue(env, v, dataDir string) ([]byte, error) {
	if v != "" {
		if err := CheckHMACSecret([]byte(v)); err != nil {
			return nil, fmt.Errorf("%s: %w", env, err)
		}
		return []byte(v), nil
	}
	return LoadOrCreateKey(dataDir)
}

// LoadOrCreateKey returns the 32-byte key in dir/jwt.key, creating it with
// random bytes the first time. The file is created with O_EXCL and mode
// 0600, so when two processes start at once exactly one writes it and the
// other reads that key (waiting briefly for the write to finish). A file
// readable by group or others, or shorter than 32 bytes, is refused.
func LoadOrCreateKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		key := make([]byte, MinHMACKeyLen)
		if _, err := rand.Read(key); err != nil {
			f.Close()
			os.Remove(path)
			return nil, err
		}
		_, werr := f.Write(key)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, fmt.Errorf("write %s: %w", path, werr)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	// Another process made it, maybe a moment ago: wait for its write.
	for i := 0; ; i++ {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
		}
		key, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if len(key) >= MinHMACKeyLen {
			return key, nil
		}
		if i >= 200 {
			return nil, fmt.Errorf("%s holds %d bytes, want at least %d: delete it to generate a new key", path, len(key), MinHMACKeyLen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
