// Package redis keeps sessions, refresh-token families and throttle
// counters in Redis, so that several service instances share them: a
// logout on one is seen by all, and throttle windows are counted once.
//
// Every key starts with the store's prefix and carries a TTL, so nothing
// outlives its purpose. Families are an allowlist: a flushed or lost Redis
// logs everyone out rather than letting revoked tokens back in.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

// Defaults for the TTLs of entries whose lifetime the caller leaves open.
const (
	// DefaultSessionTTL bounds a session from its creation (the session
	// class's default absolute timeout, 14 days).
	DefaultSessionTTL = 336 * time.Hour
	// DefaultFamilyTTL bounds a family created without ExpiresAt.
	DefaultFamilyTTL = 30 * 24 * time.Hour
)

// DialTimeout bounds connecting, reading and writing for clients from Open.
const DialTimeout = 3 * time.Second

// Open parses url (redis://[user:pass@]host:port/db, or rediss:// for TLS),
// returns a client and checks the server answers. A malformed URL is a
// one-line error that does not repeat the password; an unreachable server
// wraps store.ErrUnavailable (and the client is closed).
func Open(ctx context.Context, url string) (*goredis.Client, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis: bad URL: %s", redact(err.Error(), url))
	}
	if opt.DialTimeout == 0 || opt.DialTimeout > DialTimeout {
		opt.DialTimeout = DialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = DialTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = DialTimeout
	}
	c := goredis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 2*DialTimeout)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: redis: cannot reach %s: %s", store.ErrUnavailable, opt.Addr, oneLine(err))
	}
	return c, nil
}

func oneLine(s any) string {
	return strings.Join(strings.Fields(fmt.Sprint(s)), " ")
}

// redact removes url (which may hold a password) from msg.
func redact(msg, url string) string {
	if url != "" {
		msg = strings.ReplaceAll(msg, url, "<url>")
	}
	return oneLine(msg)
}

// Store implements store.Sessions, Families and Counters on Redis.
type Store struct {
	c      goredis.UniversalClient
	prefix string
	// SessionTTL bounds each session from its creation; FamilyTTL bounds a
	// family without ExpiresAt. Set before use; New sets the defaults.
	SessionTTL time.Duration
	FamilyTTL  time.Duration
	now        func() time.Time
}

var (
	_ store.Sessions = (*Store)(nil)
	_ store.Families = (*Store)(nil)
	_ store.Counters = (*Store)(nil)
	_ store.Reserver = (*Store)(nil)
)

// New returns a store keeping its keys under prefix (e.g. "blog:") in the
// database of client.
func New(client goredis.UniversalClient, prefix string) *Store {
	return &Store{c: client, prefix: prefix, SessionTTL: DefaultSessionTTL, FamilyTTL: DefaultFamilyTTL, now: time.Now}
}

func (s *Store) sessionKey(hash []byte) string { return s.prefix + "sess:" + hex.EncodeToString(hash) }
func (s *Store) familyKey(id string) string    { return s.prefix + "fam:" + id }

// userSessionsKey and userFamiliesKey name a user's index sets: the
// members are the hex hashes of the user's sessions and the ids of their
// families. A member may outlive its entry (expiry, deletion); listing
// drops it then.
func (s *Store) userSessionsKey(user int64) string {
	return s.prefix + "usess:" + strconv.FormatInt(user, 10)
}
func (s *Store) userFamiliesKey(user int64) string {
	return s.prefix + "ufam:" + strconv.FormatInt(user, 10)
}
func (s *Store) hitsKey(key string) string { return s.prefix + "hits:" + key }

// mapErr: redis.Nil is ErrNotFound; anything else (network, timeout,
// server error) wraps ErrUnavailable.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, goredis.Nil):
		return store.ErrNotFound
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict), errors.Is(err, identity.ErrUnavailable):
		return err
	}
	return fmt.Errorf("%w: redis: %s", store.ErrUnavailable, oneLine(err))
}

// Times are stored as Unix microseconds: exact in Lua's doubles.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	if n == 0 {
		return time.Time{}, nil
	}
	return time.UnixMicro(n), nil
}

// createScript sets a hash unless the key exists, with an absolute expiry
// in ms: KEYS[1]; ARGV[1] = expire-at ms, ARGV[2...] = field, value pairs.
var createScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fv = {}
for i = 2, #ARGV do fv[#fv + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fv))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
`)

func (s *Store) create(ctx context.Context, key string, expireAt time.Time, fields ...any) error {
	if !expireAt.After(s.now()) {
		// Already expired: there is nothing to keep; a look-up finds
		// nothing, as it would a moment after expiry.
		return nil
	}
	args := append([]any{expireAt.UnixMilli()}, fields...)
	n, err := createScript.Run(ctx, s.c, []string{key}, args...).Int()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return store.ErrConflict
	}
	return nil
}

// CreateSession implements store.Sessions. The session expires SessionTTL
// after its creation.
func (s *Store) CreateSession(ctx context.Context, x *store.Session) error {
	created, seen := x.CreatedAt, x.LastSeen
	if created.IsZero() {
		created = s.now()
	}
	if seen.IsZero() {
		seen = created
	}
	exp := created.Add(s.SessionTTL)
	if err := s.index(ctx, s.userSessionsKey(x.UserID), hex.EncodeToString(x.Hash), exp); err != nil {
		return err
	}
	return s.create(ctx, s.sessionKey(x.Hash), exp,
		"user", x.UserID, "csrf", x.CSRFHash, "created", micros(created), "seen", micros(seen), "pv", x.PasswordVersion,
		"addr", store.Clip(x.Client.Addr), "ua", store.Clip(x.Client.UserAgent))
}

// SessionByHash implements store.Sessions.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	v, err := s.c.HMGet(ctx, s.sessionKey(hash), sessionFields...).Result()
	if err != nil {
		return nil, mapErr(err)
	}
	return parseSession(hash, v)
}

// sessionFields are the fields of a session's hash parseSession reads;
// addr and ua are missing from sessions made before they were recorded.
var sessionFields = []string{"user", "csrf", "created", "seen", "pv", "addr", "ua"}

func parseSession(hash []byte, v []any) (*store.Session, error) {
	f, ok := strs(v[:5])
	if !ok {
		return nil, store.ErrNotFound
	}
	var err error
	x := &store.Session{Hash: append([]byte(nil), hash...), CSRFHash: []byte(f[1])}
	x.Client.Addr, _ = v[5].(string)
	x.Client.UserAgent, _ = v[6].(string)
	if x.UserID, err = strconv.ParseInt(f[0], 10, 64); err != nil {
		return nil, corrupt(err)
	}
	if x.CreatedAt, err = fromMicros(f[2]); err != nil {
		return nil, corrupt(err)
	}
	if x.LastSeen, err = fromMicros(f[3]); err != nil {
		return nil, corrupt(err)
	}
	if x.PasswordVersion, err = strconv.ParseInt(f[4], 10, 64); err != nil {
		return nil, corrupt(err)
	}
	return x, nil
}

// corrupt: an entry that does not parse is treated as a backend failure
// (deny), never as a valid credential.
func corrupt(err error) error {
	return fmt.Errorf("%w: redis: corrupt entry: %v", store.ErrUnavailable, err)
}

// strs converts an HMGET reply; ok is false when any field is missing.
func strs(v []any) ([]string, bool) {
	out := make([]string, len(v))
	for i, x := range v {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// touchScript moves "seen" forward: 0 when the session is gone.
var touchScript = goredis.NewScript(`
local seen = redis.call('HGET', KEYS[1], 'seen')
if not seen then return 0 end
if tonumber(ARGV[1]) > tonumber(seen) then redis.call('HSET', KEYS[1], 'seen', ARGV[1]) end
return 1
`)

// TouchSession implements store.Sessions; LastSeen never moves backwards.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	n, err := touchScript.Run(ctx, s.c, []string{s.sessionKey(hash)}, micros(at)).Int()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteSession implements store.Sessions; a missing session is ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	n, err := s.c.Del(ctx, s.sessionKey(hash)).Result()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// CreateFamily implements store.Families. The entry expires at ExpiresAt
// (or FamilyTTL from now when zero).
func (s *Store) CreateFamily(ctx context.Context, f *store.Family) error {
	exp := f.ExpiresAt
	if exp.IsZero() {
		exp = s.now().Add(s.FamilyTTL)
	}
	created := f.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	if err := s.index(ctx, s.userFamiliesKey(f.UserID), f.ID, exp); err != nil {
		return err
	}
	return s.create(ctx, s.familyKey(f.ID), exp,
		"user", f.UserID, "cur", f.Current, "exp", micros(f.ExpiresAt), "pv", f.PasswordVersion,
		"created", micros(created), "addr", store.Clip(f.Client.Addr), "ua", store.Clip(f.Client.UserAgent))
}

// FamilyByID implements store.Families. An expired family is ErrNotFound.
func (s *Store) FamilyByID(ctx context.Context, id string) (*store.Family, error) {
	v, err := s.c.HMGet(ctx, s.familyKey(id), familyFields...).Result()
	if err != nil {
		return nil, mapErr(err)
	}
	return s.parseFamily(id, v)
}

// familyFields are the fields of a family's hash parseFamily reads: prev
// and rot appear with the first rotation; created, addr and ua are
// missing from families made before they were recorded.
var familyFields = []string{"user", "cur", "exp", "pv", "prev", "rot", "created", "addr", "ua"}

func (s *Store) parseFamily(id string, v []any) (*store.Family, error) {
	f, ok := strs(v[:4])
	if !ok {
		return nil, store.ErrNotFound
	}
	var err error
	fam := &store.Family{ID: id, Current: []byte(f[1])}
	if c, ok := v[6].(string); ok {
		if fam.CreatedAt, err = fromMicros(c); err != nil {
			return nil, corrupt(err)
		}
	}
	fam.Client.Addr, _ = v[7].(string)
	fam.Client.UserAgent, _ = v[8].(string)
	if fam.UserID, err = strconv.ParseInt(f[0], 10, 64); err != nil {
		return nil, corrupt(err)
	}
	if fam.ExpiresAt, err = fromMicros(f[2]); err != nil {
		return nil, corrupt(err)
	}
	if fam.PasswordVersion, err = strconv.ParseInt(f[3], 10, 64); err != nil {
		return nil, corrupt(err)
	}
	if r, ok := strs(v[4:6]); ok {
		fam.Previous = []byte(r[0])
		if fam.RotatedAt, err = fromMicros(r[1]); err != nil {
			return nil, corrupt(err)
		}
	}
	if !fam.ExpiresAt.IsZero() && !s.now().Before(fam.ExpiresAt) {
		return nil, store.ErrNotFound
	}
	return fam, nil
}

// rotateScript is the compare-and-swap of a family's current token, which
// also records the replaced token and the time: 0 not found, 1 conflict,
// 2 swapped. ARGV: old, next, rotated at (µs).
var rotateScript = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'cur')
if not cur then return 0 end
if cur ~= ARGV[1] then return 1 end
redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'rot', ARGV[3])
return 2
`)

// RotateFamily implements store.Families as a compare-and-swap in Lua.
func (s *Store) RotateFamily(ctx context.Context, id string, old, next []byte, at time.Time) error {
	n, err := rotateScript.Run(ctx, s.c, []string{s.familyKey(id)}, old, next, micros(at)).Int()
	if err != nil {
		return mapErr(err)
	}
	switch n {
	case 0:
		return store.ErrNotFound
	case 1:
		return store.ErrConflict
	}
	return nil
}

// RevokeFamily implements store.Families.
func (s *Store) RevokeFamily(ctx context.Context, id string) error {
	return mapErr(s.c.Del(ctx, s.familyKey(id)).Err())
}

// hitScript is one sliding-window hit on the server's clock, atomically:
// drop members older than the window, count, add this hit when under the
// limit, and bound the key's life to the window. It returns {allowed,
// retry-after in µs}. KEYS[1] sorted set; ARGV: limit, window µs, member.
var hitScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - w)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
	redis.call('ZADD', KEYS[1], now, ARGV[3])
	redis.call('PEXPIRE', KEYS[1], math.ceil(w / 1000) + 1)
	return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then return {0, tonumber(oldest[2]) + w - now} end
return {0, w}
`)

// Hit implements store.Counters with an exact sliding window (see Reserve).
func (s *Store) Hit(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := s.Reserve(ctx, key, limit, window)
	return ok, retry, err
}

// Reserve implements store.Reserver: an exact sliding window in a sorted
// set per key, counted by one Lua script on the server's clock. The hit's
// handle is its random member.
func (s *Store) Reserve(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	var b [12]byte
	rand.Read(b[:])
	member := hex.EncodeToString(b[:])
	res, err := hitScript.Run(ctx, s.c, []string{s.hitsKey(key)}, limit, window.Microseconds(), member).Int64Slice()
	if err != nil {
		return "", false, 0, mapErr(err)
	}
	if len(res) != 2 {
		return "", false, 0, corrupt(fmt.Errorf("hit script returned %v", res))
	}
	if res[0] == 1 {
		return member, true, 0, nil
	}
	retry := time.Duration(res[1]) * time.Microsecond
	if retry <= 0 {
		retry = time.Millisecond
	}
	return "", false, retry, nil
}

// Release implements store.Reserver: it removes the member hit.
func (s *Store) Release(ctx context.Context, key, hit string) error {
	return mapErr(s.c.ZRem(ctx, s.hitsKey(key), hit).Err())
}
