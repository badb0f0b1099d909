package service

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/store/postgres"
	"github.com/wardhq/ward/runtime/store/redis"
	"github.com/wardhq/ward/runtime/store/sqlstore"
)

// openPostgres opens PostgreSQL for users, tokens and resources (and, until
// Redis is configured too, sessions, refresh families and throttle
// counters). The server must answer at start, since the tables are
// migrated then; later outages are answered 503 and the pool reconnects by
// itself.
func openPostgres(ctx context.Context, s *stores, e env) error {
	db, err := postgres.Open(ctx, e.DatabaseURL)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, db.Close)
	st, err := sqlstore.New(db, sqlstore.Postgres)
	if err != nil {
		return fmt.Errorf("postgres: %v", err)
	}
	s.db, s.dialect = db, rest.Postgres
	s.users, s.tokens, s.sessions, s.families, s.counters = st, st, st, st, st
	return nil
}

// openRedis moves sessions, refresh families and throttle counters to
// Redis. A malformed URL stops the start; an unreachable server does not:
// the instance starts, answers 503 to every request that needs Redis, and
// recovers by itself when the server is back (the client reconnects).
func openRedis(ctx context.Context, s *stores, def *Definition, e env) error {
	opt, err := goredis.ParseURL(e.RedisURL)
	if err != nil {
		return fmt.Errorf("redis: bad URL: %s", strings.ReplaceAll(err.Error(), e.RedisURL, "<url>"))
	}
	if opt.DialTimeout == 0 || opt.DialTimeout > redis.DialTimeout {
		opt.DialTimeout = redis.DialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = redis.DialTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = redis.DialTimeout
	}
	c := goredis.NewClient(opt)
	s.closers = append(s.closers, c.Close)
	st := redis.New(c, strings.ToLower(def.Name)+":")
	if sc := def.Auth.Session; sc != nil && sc.AbsoluteTimeout > 0 {
		st.SessionTTL = sc.AbsoluteTimeout
	}
	s.sessions, s.families, s.counters = st, st, st
	return nil
}
