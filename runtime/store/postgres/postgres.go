// Package postgres opens a PostgreSQL pool through pgx's database/sql
// driver, so that runtime/store/sqlstore (sqlstore.New(db,
// sqlstore.Postgres): users, API tokens, sessions, refresh-token families
// and throttle counters) and the generated resource stores share one
// *sql.DB. With it alone (no Redis) several service instances share all
// their state.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/wardhq/ward/runtime/store"
)

// ConnectTimeout bounds one connection attempt when the URL sets none.
const ConnectTimeout = 5 * time.Second

// Open parses url (postgres://user:pass@host:port/db?...), opens a pool
// through pgx's stdlib driver and checks the server answers within ctx. A
// malformed URL is a one-line error that does not repeat the password; an
// unreachable server wraps store.ErrUnavailable.
func Open(ctx context.Context, url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad database URL: %s", oneLine(err))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = ConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: postgres: cannot reach %s:%d: %s", store.ErrUnavailable, cfg.Host, cfg.Port, oneLine(err))
	}
	return db, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
