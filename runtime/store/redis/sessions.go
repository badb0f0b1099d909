package redis

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wardhq/ward/runtime/store"
)

var (
	_ store.SessionLister = (*Store)(nil)
	_ store.FamilyLister  = (*Store)(nil)
)

// indexScript adds a member to a user's index set and makes the set live
// at least ARGV[2] ms: KEYS[1] the set, ARGV[1] the member. One key, so
// it runs on a cluster too.
var indexScript = goredis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`)

// index records member in the index set key until at least expireAt. It
// runs before the entry is made, so no entry is ever missing from its
// user's index.
func (s *Store) index(ctx context.Context, key, member string, expireAt time.Time) error {
	ttl := expireAt.Sub(s.now()).Milliseconds()
	if ttl <= 0 {
		return nil
	}
	return mapErr(indexScript.Run(ctx, s.c, []string{key}, member, ttl).Err())
}

// members reads an index set, fetches each member's fields with one
// pipelined HMGET, and drops from the set the members whose entry is gone.
func (s *Store) members(ctx context.Context, set string, key func(string) string, fields []string) (map[string][]any, error) {
	ms, err := s.c.SMembers(ctx, set).Result()
	if err != nil {
		return nil, mapErr(err)
	}
	slices.Sort(ms)
	cmds := make([]*goredis.SliceCmd, len(ms))
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, m := range ms {
			cmds[i] = p.HMGet(ctx, key(m), fields...)
		}
		return nil
	})
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[string][]any{}
	var gone []any
	for i, m := range ms {
		if v := cmds[i].Val(); v[0] != nil {
			out[m] = v
		} else {
			gone = append(gone, m)
		}
	}
	if len(gone) > 0 {
		// Best effort: a member left behind is dropped next time.
		_ = s.c.SRem(ctx, set, gone...).Err()
	}
	return out, nil
}

// ListSessions implements store.SessionLister.
func (s *Store) ListSessions(ctx context.Context, userID int64) ([]*store.Session, error) {
	byKey := func(m string) string { return s.prefix + "sess:" + m }
	ms, err := s.members(ctx, s.userSessionsKey(userID), byKey, sessionFields)
	if err != nil {
		return nil, err
	}
	var out []*store.Session
	for m, v := range ms {
		h, err := hex.DecodeString(m)
		if err != nil {
			return nil, corrupt(err)
		}
		x, err := parseSession(h, v)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if x.UserID == userID {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b *store.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), slices.Compare(a.Hash, b.Hash))
	})
	return out, nil
}

// ListFamilies implements store.FamilyLister.
func (s *Store) ListFamilies(ctx context.Context, userID int64) ([]*store.Family, error) {
	ms, err := s.members(ctx, s.userFamiliesKey(userID), s.familyKey, familyFields)
	if err != nil {
		return nil, err
	}
	var out []*store.Family
	for id, v := range ms {
		f, err := s.parseFamily(id, v)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if f.UserID == userID {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b *store.Family) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
