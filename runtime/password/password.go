// Package password hashes passwords with argon2id (PHC string format) and
// verifies the hashes Django writes (pbkdf2_sha256 and argon2id), so users
// migrated from a Django service keep their passwords; such hashes are
// reported as needing a rehash, which the login path performs.
//
// Hashing is memory-hard, so a Hasher bounds how many hashes run at once: a
// flood of login or Basic requests queues instead of exhausting memory.
package password

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params is the argon2id cost.
type Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// Default is tuned so one hash or verify takes some 10-50 ms on a small
// server (19 MiB, 2 passes: OWASP's argon2id recommendation).
var Default = Params{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// Cheap is for tests only: it makes hashing fast and offers no protection.
var Cheap = Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on parameters read from stored hashes, so a corrupt or hostile
// hash cannot make one verification take minutes or gigabytes.
const (
	maxMemoryKiB  = 1 << 20 // 1 GiB
	maxTime       = 64
	maxPBKDF2Iter = 10_000_000
	maxEncoded    = 1024
)

var (
	// ErrMalformed: the stored hash is in no format this package reads.
	ErrMalformed = errors.New("password: malformed hash")
	// ErrEmpty: an empty password cannot be hashed.
	ErrEmpty = errors.New("password: empty password")
)

// Hasher hashes and verifies passwords with a bounded concurrency.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  string
}

// New returns a Hasher with cost p that runs at most maxConcurrent hashes
// at once (0 means 2×GOMAXPROCS).
func New(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	h.dummy = encode(p, salt, argon2.IDKey([]byte("ward-dummy-password"), salt, p.Time, p.Memory, p.Threads, p.KeyLen))
	return h
}

// Params returns the cost of new hashes.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Hash returns the PHC-format argon2id hash of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if pw == "" {
		return "", ErrEmpty
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	return encode(p, salt, argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)), nil
}

// Verify reports whether pw matches the stored hash, and whether the hash
// should be replaced by a new Hash(pw) (an older format or cost). A hash in
// no known format is ErrMalformed; ctx bounds the wait for a hashing slot.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	alg, err := parse(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := alg.derive(pw)
	ok = subtle.ConstantTimeCompare(got, alg.key) == 1
	rehash = alg.kind != kindPHC || alg.p.Time != h.params.Time || alg.p.Memory != h.params.Memory ||
		alg.p.Threads != h.params.Threads || uint32(len(alg.key)) != h.params.KeyLen
	return ok, rehash, nil
}

// Dummy runs a verification against a fixed hash of the current cost and
// discards the result. Login paths call it when the user does not exist,
// so response time does not reveal which usernames exist.
func (h *Hasher) Dummy(ctx context.Context, pw string) {
	h.Verify(ctx, pw, h.dummy)
}

type kind int

const (
	kindPHC kind = iota
	kindDjangoArgon2
	kindDjangoPBKDF2
)

type parsed struct {
	kind kind
	p    Params
	iter int
	salt []byte
	key  []byte
}

func (a *parsed) derive(pw string) []byte {
	if a.kind == kindDjangoPBKDF2 {
		k, err := pbkdf2.Key(sha256.New, pw, a.salt, a.iter, len(a.key))
		if err != nil {
			return nil
		}
		return k
	}
	return argon2.IDKey([]byte(pw), a.salt, a.p.Time, a.p.Memory, a.p.Threads, uint32(len(a.key)))
}

// parse reads one of:
//
//	$argon2id$v=19$m=..,t=..,p=..$salt$key           (PHC, ours)
//	argon2$argon2id$v=19$m=..,t=..,p=..$salt$key     (Django Argon2PasswordHasher)
//	pbkdf2_sha256$<iter>$<salt>$<base64 key>         (Django's default)
func parse(s string) (*parsed, error) {
	if len(s) > maxEncoded {
		return nil, ErrMalformed
	}
	switch {
	case strings.HasPrefix(s, "$argon2id$"):
		return parseArgon2(s[len("$argon2id$"):], kindPHC)
	case strings.HasPrefix(s, "argon2$argon2id$"):
		return parseArgon2(s[len("argon2$argon2id$"):], kindDjangoArgon2)
	case strings.HasPrefix(s, "pbkdf2_sha256$"):
		parts := strings.Split(s[len("pbkdf2_sha256$"):], "$")
		if len(parts) != 3 || parts[1] == "" {
			return nil, ErrMalformed
		}
		iter, err := strconv.Atoi(parts[0])
		if err != nil || iter < 1 || iter > maxPBKDF2Iter {
			return nil, ErrMalformed
		}
		key, err := base64.StdEncoding.DecodeString(parts[2])
		if err != nil || len(key) < 16 || len(key) > 64 {
			return nil, ErrMalformed
		}
		return &parsed{kind: kindDjangoPBKDF2, iter: iter, salt: []byte(parts[1]), key: key}, nil
	}
	return nil, ErrMalformed
}

func parseArgon2(s string, k kind) (*parsed, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 || parts[0] != "v=19" {
		return nil, ErrMalformed
	}
	var p Params
	for _, kv := range strings.Split(parts[1], ",") {
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, ErrMalformed
		}
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return nil, ErrMalformed
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return nil, ErrMalformed
			}
			p.Threads = uint8(n)
		default:
			return nil, ErrMalformed
		}
	}
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB {
		return nil, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[2])
	if err != nil || len(salt) < 8 {
		return nil, ErrMalformed
	}
	key, err := b64.DecodeString(parts[3])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return &parsed{kind: k, p: p, salt: salt, key: key}, nil
}
