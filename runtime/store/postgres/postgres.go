// Package postgres stores users, API tokens, sessions, refresh-token
// families and throttle counters in PostgreSQL, through pgx's database/sql
// driver so that generated resource stores can share the same *sql.DB.
// With it alone (no Redis) several service instances share all their state.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
)

// ConnectTimeout bounds one connection attempt when the URL sets none.
const ConnectTimeout = 5 * time.Second

// migrateLock is the pg_advisory_xact_lock key serializing migrations of
// concurrently starting instances; the resource tables' migrations take it
// too.
const migrateLock = schema.MigrateLock

// throttleLockSpace is the first key of the two-key advisory locks taken
// per throttle key.
const throttleLockSpace int32 = 0x77617264 // "ward"

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

// Store implements store.Users, Tokens, Sessions, Families and Counters on
// PostgreSQL. Throttle windows use the server's clock, so instances with
// skewed clocks still share one window.
type Store struct {
	db   *sql.DB
	now  func() time.Time
	hits atomic.Uint64
}

var (
	_ store.Users    = (*Store)(nil)
	_ store.Tokens   = (*Store)(nil)
	_ store.Sessions = (*Store)(nil)
	_ store.Families = (*Store)(nil)
	_ store.Counters = (*Store)(nil)
	_ store.Reserver = (*Store)(nil)
)

// Schema is the DDL New runs in one transaction, under an advisory lock so
// that instances starting together do not race; every statement is
// idempotent. Tables go to the first schema of the search_path. Every name
// starts with schema.RuntimePrefix, leaving other names to resources; New
// first renames the tables of a database made before the prefix
// (schema.RenameLegacy).
var Schema = []string{
	`CREATE TABLE IF NOT EXISTS ward_users (
		id BIGSERIAL PRIMARY KEY,
		username TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		is_active BOOLEAN NOT NULL DEFAULT true,
		is_staff BOOLEAN NOT NULL DEFAULT false,
		password_version BIGINT NOT NULL DEFAULT 0,
		created_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`,
	`CREATE TABLE IF NOT EXISTS ward_user_perms (
		user_id BIGINT NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		perm TEXT NOT NULL,
		PRIMARY KEY (user_id, perm)
	)`,
	`CREATE TABLE IF NOT EXISTS ward_api_tokens (
		hash BYTEA PRIMARY KEY,
		user_id BIGINT NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		created_at TIMESTAMPTZ NOT NULL,
		expires_at TIMESTAMPTZ,
		password_version BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_api_tokens_user ON ward_api_tokens(user_id)`,
	`CREATE TABLE IF NOT EXISTS ward_sessions (
		hash BYTEA PRIMARY KEY,
		user_id BIGINT NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		csrf_hash BYTEA NOT NULL,
		created_at TIMESTAMPTZ NOT NULL,
		last_seen TIMESTAMPTZ NOT NULL,
		password_version BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_sessions_user ON ward_sessions(user_id)`,
	`CREATE TABLE IF NOT EXISTS ward_refresh_families (
		id TEXT PRIMARY KEY,
		user_id BIGINT NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		current BYTEA NOT NULL,
		expires_at TIMESTAMPTZ,
		password_version BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_refresh_families_user ON ward_refresh_families(user_id)`,
	`ALTER TABLE ward_refresh_families ADD COLUMN IF NOT EXISTS previous BYTEA`,
	`ALTER TABLE ward_refresh_families ADD COLUMN IF NOT EXISTS rotated_at TIMESTAMPTZ`,
	`CREATE TABLE IF NOT EXISTS ward_throttle_hits (
		key TEXT NOT NULL,
		at BIGINT NOT NULL,
		expires BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_throttle_hits_key_at ON ward_throttle_hits(key, at)`,
	`CREATE INDEX IF NOT EXISTS ward_throttle_hits_expires ON ward_throttle_hits(expires)`,
}

// New migrates the store's tables in db and returns the store.
func New(db *sql.DB) (*Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := &Store{db: db, now: time.Now}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		if err := schema.RenameLegacy(ctx, tx, schema.Postgres); err != nil {
			return err
		}
		for _, q := range Schema {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return s, nil
}

// DB returns the pool the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// mapErr classifies an error: sql.ErrNoRows is ErrNotFound, a unique
// violation ErrConflict, a foreign-key violation ErrNotFound (no such
// user), anything else (connection, timeout, server) wraps ErrUnavailable.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) || errors.Is(err, identity.ErrUnavailable) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return store.ErrConflict
		case "23503":
			return store.ErrNotFound
		}
	}
	return fmt.Errorf("%w: postgres: %s", store.ErrUnavailable, oneLine(err))
}

func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

func fromNull(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time
}

const userCols = `u.id, u.username, u.password_hash, u.is_active, u.is_staff, u.password_version, u.created_at,
	COALESCE((SELECT string_agg(perm, E'\n' ORDER BY perm COLLATE "C") FROM ward_user_perms p WHERE p.user_id = u.id), '')`

type scanner interface{ Scan(...any) error }

func scanUser(r scanner) (*store.UserRecord, error) {
	var u store.UserRecord
	var perms string
	if err := r.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.IsActive, &u.IsStaff, &u.PasswordVersion, &u.CreatedAt, &perms); err != nil {
		return nil, err
	}
	if perms != "" {
		u.Perms = strings.Split(perms, "\n")
	}
	return &u, nil
}

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u *store.UserRecord) (int64, error) {
	created := u.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO ward_users (username, password_hash, is_active, is_staff, password_version, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.Username, u.PasswordHash, u.IsActive, u.IsStaff, u.PasswordVersion, created).Scan(&id)
		if err != nil {
			return err
		}
		return insertPerms(ctx, tx, id, u.Perms)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

func insertPerms(ctx context.Context, tx *sql.Tx, id int64, perms []string) error {
	if len(perms) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ward_user_perms (user_id, perm) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, perms)
	return err
}

// UserByID implements store.Users.
func (s *Store) UserByID(ctx context.Context, id int64) (*store.UserRecord, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM ward_users u WHERE u.id = $1`, id))
	return u, mapErr(err)
}

// UserByUsername implements store.Users.
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.UserRecord, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM ward_users u WHERE u.username = $1`, username))
	return u, mapErr(err)
}

func (s *Store) execOne(ctx context.Context, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// SetPassword implements store.Users.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, bumpVersion bool) error {
	bump := 0
	if bumpVersion {
		bump = 1
	}
	return s.execOne(ctx, `UPDATE ward_users SET password_hash = $1, password_version = password_version + $2 WHERE id = $3`, hash, bump, id)
}

// SetActive implements store.Users.
func (s *Store) SetActive(ctx context.Context, id int64, active bool) error {
	return s.execOne(ctx, `UPDATE ward_users SET is_active = $1 WHERE id = $2`, active, id)
}

// SetPerms implements store.Users: it replaces the user's permissions.
func (s *Store) SetPerms(ctx context.Context, id int64, perms []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM ward_users WHERE id = $1 FOR UPDATE`, id).Scan(&one); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ward_user_perms WHERE user_id = $1`, id); err != nil {
			return err
		}
		return insertPerms(ctx, tx, id, perms)
	})
}

// ListUsers implements store.Users. A negative limit means no limit.
func (s *Store) ListUsers(ctx context.Context, limit, offset int) ([]*store.UserRecord, int, error) {
	if offset < 0 {
		offset = 0
	}
	var lim any = limit
	if limit < 0 {
		lim = nil // LIMIT NULL: no limit
	}
	var total int
	var out []*store.UserRecord
	err := func() error {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ward_users`).Scan(&total); err != nil {
			return err
		}
		rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM ward_users u ORDER BY u.id LIMIT $1 OFFSET $2`, lim, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, 0, mapErr(err)
	}
	return out, total, nil
}

// CreateToken implements store.Tokens. An unknown user is ErrNotFound.
func (s *Store) CreateToken(ctx context.Context, t *store.APIToken) error {
	created := t.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO ward_api_tokens (hash, user_id, created_at, expires_at, password_version) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, t.UserID, created, nullTime(t.ExpiresAt), t.PasswordVersion)
	return mapErr(err)
}

// TokenByHash implements store.Tokens.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error) {
	var t store.APIToken
	var expires sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT hash, user_id, created_at, expires_at, password_version FROM ward_api_tokens WHERE hash = $1`, hash).
		Scan(&t.Hash, &t.UserID, &t.CreatedAt, &expires, &t.PasswordVersion)
	if err != nil {
		return nil, mapErr(err)
	}
	t.ExpiresAt = fromNull(expires)
	return &t, nil
}

// DeleteToken implements store.Tokens.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	return s.execOne(ctx, `DELETE FROM ward_api_tokens WHERE hash = $1`, hash)
}

// CreateSession implements store.Sessions.
func (s *Store) CreateSession(ctx context.Context, x *store.Session) error {
	created, seen := x.CreatedAt, x.LastSeen
	if created.IsZero() {
		created = s.now()
	}
	if seen.IsZero() {
		seen = created
	}
	csrf := x.CSRFHash
	if csrf == nil {
		csrf = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO ward_sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version) VALUES ($1, $2, $3, $4, $5, $6)`,
		x.Hash, x.UserID, csrf, created, seen, x.PasswordVersion)
	return mapErr(err)
}

// SessionByHash implements store.Sessions.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	var x store.Session
	err := s.db.QueryRowContext(ctx, `SELECT hash, user_id, csrf_hash, created_at, last_seen, password_version FROM ward_sessions WHERE hash = $1`, hash).
		Scan(&x.Hash, &x.UserID, &x.CSRFHash, &x.CreatedAt, &x.LastSeen, &x.PasswordVersion)
	if err != nil {
		return nil, mapErr(err)
	}
	return &x, nil
}

// TouchSession implements store.Sessions; LastSeen never moves backwards.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return s.execOne(ctx, `UPDATE ward_sessions SET last_seen = GREATEST(last_seen, $1) WHERE hash = $2`, at, hash)
}

// DeleteSession implements store.Sessions; a missing session is ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.execOne(ctx, `DELETE FROM ward_sessions WHERE hash = $1`, hash)
}

// CreateFamily implements store.Families.
func (s *Store) CreateFamily(ctx context.Context, f *store.Family) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO ward_refresh_families (id, user_id, current, expires_at, password_version) VALUES ($1, $2, $3, $4, $5)`,
		f.ID, f.UserID, f.Current, nullTime(f.ExpiresAt), f.PasswordVersion)
	return mapErr(err)
}

const live = `(expires_at IS NULL OR expires_at > $2)`

// FamilyByID implements store.Families. An expired family is ErrNotFound.
func (s *Store) FamilyByID(ctx context.Context, id string) (*store.Family, error) {
	var f store.Family
	var expires, rotated sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT id, user_id, current, expires_at, password_version, previous, rotated_at FROM ward_refresh_families WHERE id = $1 AND `+live,
		id, s.now()).Scan(&f.ID, &f.UserID, &f.Current, &expires, &f.PasswordVersion, &f.Previous, &rotated)
	if err != nil {
		return nil, mapErr(err)
	}
	f.ExpiresAt, f.RotatedAt = fromNull(expires), fromNull(rotated)
	return &f, nil
}

// RotateFamily implements store.Families as a compare-and-swap: an UPDATE
// guarded by current = old (concurrent updates of the row queue on its lock
// and re-check the guard), then, when no row changed, a look-up that tells
// a missing family from a lost race.
func (s *Store) RotateFamily(ctx context.Context, id string, old, next []byte, at time.Time) error {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE ward_refresh_families SET current = $3, previous = $4, rotated_at = $5 WHERE id = $1 AND `+live+` AND current = $4`, id, now, next, old, at)
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = s.db.QueryRowContext(ctx, `SELECT 1 FROM ward_refresh_families WHERE id = $1 AND `+live, id, now).Scan(&one)
	if err != nil {
		return mapErr(err)
	}
	return store.ErrConflict
}

// RevokeFamily implements store.Families.
func (s *Store) RevokeFamily(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM ward_refresh_families WHERE id = $1`, id)
	return mapErr(err)
}

// hitSQL counts the key's hits inside the window (server clock, in
// microseconds), records this one when under the limit, and prunes the
// key's hits that left the window, in one statement. The caller holds the
// key's advisory lock, so concurrent hits of one key run one at a time.
const hitSQL = `WITH clock AS (
	SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now
), cur AS (
	SELECT count(h.at) AS n, min(h.at) AS oldest, clock.now
	FROM clock LEFT JOIN ward_throttle_hits h ON h.key = $1 AND h.at > clock.now - $3
	GROUP BY clock.now
), del AS (
	DELETE FROM ward_throttle_hits h USING clock WHERE h.key = $1 AND h.at <= clock.now - $3
), ins AS (
	INSERT INTO ward_throttle_hits (key, at, expires) SELECT $1, cur.now, cur.now + $3 FROM cur WHERE cur.n < $2
)
SELECT n, oldest, now FROM cur`

// Hit implements store.Counters with an exact sliding window (see Reserve).
func (s *Store) Hit(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := s.Reserve(ctx, key, limit, window)
	return ok, retry, err
}

// Reserve implements store.Reserver with an exact sliding window on the
// server's clock, atomic per key under a transaction-scoped advisory lock.
// The hit's handle is its time in microseconds.
func (s *Store) Reserve(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	w := window.Microseconds()
	var allowed bool
	var retry time.Duration
	var at int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// Hits need no durability across a server crash (losing a few
		// seconds of counts is harmless), so this transaction skips the
		// wait for the WAL flush, in the same round trip as the lock.
		if _, err := tx.ExecContext(ctx, `SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock($1, hashtext($2))`, throttleLockSpace, key); err != nil {
			return err
		}
		var n, now int64
		var oldest sql.NullInt64
		if err := tx.QueryRowContext(ctx, hitSQL, key, limit, w).Scan(&n, &oldest, &now); err != nil {
			return err
		}
		if n < int64(limit) {
			allowed, at = true, now
			return nil
		}
		retry = window
		if oldest.Valid {
			retry = time.Duration(oldest.Int64+w-now) * time.Microsecond
		}
		if retry <= 0 {
			retry = time.Millisecond
		}
		return nil
	})
	if err != nil {
		return "", false, 0, err
	}
	if s.hits.Add(1)%pruneEvery == 0 {
		// Best effort: a failure here changes no decision.
		_ = s.Prune(ctx)
	}
	if !allowed {
		return "", false, retry, nil
	}
	return strconv.FormatInt(at, 10), true, 0, nil
}

// pruneEvery is how many hits pass between sweeps of all keys' old hits.
const pruneEvery = 1024

// Prune deletes throttle hits of every key that have left their window.
// Hit prunes the key it counts; call Prune now and then (e.g. hourly) for
// keys that stopped coming.
func (s *Store) Prune(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM ward_throttle_hits WHERE expires <= (extract(epoch FROM clock_timestamp()) * 1000000)::bigint`)
	return mapErr(err)
}

// Release implements store.Reserver: it deletes one hit of key at the
// time hit names (two hits at the same microsecond are alike).
func (s *Store) Release(ctx context.Context, key, hit string) error {
	at, err := strconv.ParseInt(hit, 10, 64)
	if err != nil {
		return fmt.Errorf("postgres: bad hit handle %q", hit)
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM ward_throttle_hits WHERE ctid IN (SELECT ctid FROM ward_throttle_hits WHERE key = $1 AND at = $2 LIMIT 1)`, key, at)
	return mapErr(err)
}
