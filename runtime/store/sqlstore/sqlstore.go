// Package sqlstore stores users, API tokens, sessions, refresh-token
// families and throttle counters in SQLite or PostgreSQL: one
// implementation, its queries written once, with a Dialect for what the
// two databases do differently. Open a database with runtime/store/sqlite
// or runtime/store/postgres, then New migrates the store's tables through
// runtime/schema, as resource tables are.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/sqlexpr"
	"github.com/wardhq/ward/runtime/store"
)

// Store implements store.Users, Tokens, Sessions, Families, Counters and
// Reserver on a SQLite or PostgreSQL database. It is safe for concurrent
// use, also by several processes sharing the database.
type Store struct {
	db   *sql.DB
	d    Dialect
	now  func() time.Time
	hits atomic.Uint64
	// users selects users (as u) with their permissions, for scanUser.
	users string
}

var (
	_ store.Users    = (*Store)(nil)
	_ store.Tokens   = (*Store)(nil)
	_ store.Sessions = (*Store)(nil)
	_ store.Families = (*Store)(nil)
	_ store.Counters = (*Store)(nil)
	_ store.Reserver = (*Store)(nil)
	_ store.Emails   = (*Store)(nil)
	_ store.Grants   = (*Store)(nil)
)

// user is a reference to the user owning a row, which goes with its user.
func user(name string) schema.Column { return schema.Column{Name: name, Type: "user", Cascade: true} }

// Tables are the store's tables, parents first. Every name starts with
// schema.RuntimePrefix, leaving other names to resources. Times are
// "instant" columns: Unix nanoseconds on SQLite (0 for none), TIMESTAMPTZ
// on PostgreSQL (NULL for none).
var Tables = []schema.Table{
	{Name: "ward_users", Columns: []schema.Column{
		{Name: "username", Type: "string", Unique: true},
		{Name: "password_hash", Type: "string"},
		{Name: "is_active", Type: "bool", Default: true},
		{Name: "is_staff", Type: "bool", Default: false},
		{Name: "password_version", Type: "int", Default: int64(0)},
		{Name: "created_at", Type: "instant"},
		// The accounts' columns (store.Emails); added by migration to
		// databases made before them.
		{Name: "email", Type: "string", Nullable: true},
		{Name: "email_verified", Type: "bool", Default: false},
		{Name: "reset_hash", Type: "bytes", Nullable: true},
		{Name: "reset_expires", Type: "instant", Nullable: true},
	}, Indexes: []schema.Index{{Name: "ward_users_email", Columns: []string{"email"}, Unique: true}}},
	{Name: "ward_user_perms", Key: []string{"user_id", "perm"}, Columns: []schema.Column{
		user("user_id"),
		{Name: "perm", Type: "string"},
	}},
	// Groups (store.Grants): a user holds their own permissions and those
	// of their groups.
	{Name: "ward_groups", Columns: []schema.Column{
		{Name: "name", Type: "string", Unique: true},
	}},
	{Name: "ward_group_perms", Key: []string{"group_id", "perm"}, Columns: []schema.Column{
		{Name: "group_id", Type: "ref", References: "ward_groups", OnDelete: schema.OnDeleteCascade},
		{Name: "perm", Type: "string"},
	}},
	{Name: "ward_user_groups", Key: []string{"user_id", "group_id"}, Columns: []schema.Column{
		user("user_id"),
		{Name: "group_id", Type: "ref", References: "ward_groups", OnDelete: schema.OnDeleteCascade},
	}, Indexes: []schema.Index{{Name: "ward_user_groups_group", Columns: []string{"group_id"}}}},
	{Name: "ward_api_tokens", Key: []string{"hash"}, Columns: []schema.Column{
		{Name: "hash", Type: "bytes"},
		user("user_id"),
		{Name: "created_at", Type: "instant"},
		{Name: "expires_at", Type: "instant", Nullable: true},
		{Name: "password_version", Type: "int"},
		// Session management (sessions.go); added to older tables by
		// the migration, as are those of sessions and families.
		{Name: "last_used", Type: "instant", Nullable: true},
		{Name: "client_addr", Type: "string", Default: ""},
		{Name: "user_agent", Type: "string", Default: ""},
	}, Indexes: []schema.Index{{Name: "ward_api_tokens_user", Columns: []string{"user_id"}}}},
	{Name: "ward_sessions", Key: []string{"hash"}, Columns: []schema.Column{
		{Name: "hash", Type: "bytes"},
		user("user_id"),
		{Name: "csrf_hash", Type: "bytes"},
		{Name: "created_at", Type: "instant"},
		{Name: "last_seen", Type: "instant"},
		{Name: "password_version", Type: "int"},
		{Name: "client_addr", Type: "string", Default: ""},
		{Name: "user_agent", Type: "string", Default: ""},
	}, Indexes: []schema.Index{{Name: "ward_sessions_user", Columns: []string{"user_id"}}}},
	{Name: "ward_refresh_families", Key: []string{"id"}, Columns: []schema.Column{
		{Name: "id", Type: "string"},
		user("user_id"),
		{Name: "current", Type: "bytes"},
		{Name: "expires_at", Type: "instant", Nullable: true},
		{Name: "password_version", Type: "int"},
		{Name: "previous", Type: "bytes", Nullable: true},
		{Name: "rotated_at", Type: "instant", Nullable: true},
		{Name: "created_at", Type: "instant", Nullable: true},
		{Name: "client_addr", Type: "string", Default: ""},
		{Name: "user_agent", Type: "string", Default: ""},
	}, Indexes: []schema.Index{{Name: "ward_refresh_families_user", Columns: []string{"user_id"}}}},
	// MFA (mfa.go).
	{Name: "ward_mfa_totp", Key: []string{"user_id"}, Columns: []schema.Column{
		user("user_id"),
		{Name: "secret", Type: "string"},
		{Name: "confirmed", Type: "bool", Default: false},
		{Name: "last_step", Type: "int", Default: int64(0)},
		{Name: "created_at", Type: "instant"},
	}},
	{Name: "ward_mfa_recovery_codes", Key: []string{"user_id", "hash"}, Columns: []schema.Column{
		user("user_id"),
		{Name: "hash", Type: "bytes"},
	}},
	{Name: "ward_mfa_tickets", Key: []string{"hash"}, Columns: []schema.Column{
		{Name: "hash", Type: "bytes"},
		user("user_id"),
		{Name: "class", Type: "string"},
		{Name: "expires_at", Type: "instant"},
		{Name: "password_version", Type: "int"},
	}, Indexes: []schema.Index{{Name: "ward_mfa_tickets_user", Columns: []string{"user_id"}}}},
	// Hit times are in the dialect's ticks.
	{Name: "ward_throttle_hits", Keyless: true, Columns: []schema.Column{
		{Name: "key", Type: "string"},
		{Name: "at", Type: "int"},
		{Name: "expires", Type: "int"},
	}, Indexes: []schema.Index{
		{Name: "ward_throttle_hits_key_at", Columns: []string{"key", "at"}},
		{Name: "ward_throttle_hits_expires", Columns: []string{"expires"}},
	}},
}

// New migrates the store's tables in db (schema.MigrateRuntime: one
// transaction, under the migration lock on PostgreSQL, renaming the
// tables of a database made before the ward_ prefix) and returns the
// store. A SQLite db should come from sqlite.Open, whose DSN makes
// transactions BEGIN IMMEDIATE; with deferred transactions concurrent
// writers can fail with SQLITE_BUSY.
func New(db *sql.DB, d Dialect) (*Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := schema.MigrateRuntime(ctx, db, d.name, Tables); err != nil {
		return nil, fmt.Errorf("%s: migrate: %w", d.name, err)
	}
	users := `SELECT u.id, u.username, u.password_hash, u.is_active, u.is_staff, u.password_version, u.created_at, COALESCE(` + d.perms + `, '') FROM ward_users u`
	return &Store{db: db, d: d, now: time.Now, users: users}, nil
}

// DB returns the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// q writes query's ? placeholders as the dialect's.
func (s *Store) q(query string) string {
	if s.d.dollar {
		return sqlexpr.Rebind(query)
	}
	return query
}

func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, s.q(query), args...)
}

func (s *Store) row(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, s.q(query), args...)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// mapErr classifies an error: sql.ErrNoRows is store.ErrNotFound, a
// constraint violation what the dialect makes of it, a context error
// stays matchable, anything else (connection, timeout, server) wraps
// store.ErrUnavailable.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	if c := s.d.constraint(err); c != nil {
		return c
	}
	return fmt.Errorf("%w: %s: %s", store.ErrUnavailable, s.d.name, strings.Join(strings.Fields(err.Error()), " "))
}

// tx runs f in one transaction, rolling back when f fails.
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return s.mapErr(err)
	}
	return s.mapErr(tx.Commit())
}

// execOne runs a statement that changes one row; none is ErrNotFound.
func (s *Store) execOne(ctx context.Context, q querier, query string, args ...any) error {
	res, err := s.exec(ctx, q, query, args...)
	if err != nil {
		return s.mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.mapErr(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// orNow is t, or the store's time when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

type scanner interface{ Scan(...any) error }

func scanUser(r scanner) (*store.UserRecord, error) {
	var u store.UserRecord
	var perms string
	if err := r.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.IsActive, &u.IsStaff, &u.PasswordVersion, instant{&u.CreatedAt}, &perms); err != nil {
		return nil, err
	}
	if perms != "" {
		u.Perms = strings.Split(perms, "\n")
	}
	return &u, nil
}

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u *store.UserRecord) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := s.row(ctx, tx, `INSERT INTO ward_users (username, password_hash, is_active, is_staff, password_version, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, u.PasswordHash, u.IsActive, u.IsStaff, u.PasswordVersion, s.d.time(s.orNow(u.CreatedAt))).Scan(&id)
		if err != nil {
			return err
		}
		return s.insertPerms(ctx, tx, id, u.Perms)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Store) insertPerms(ctx context.Context, tx *sql.Tx, id int64, perms []string) error {
	for _, p := range perms {
		if _, err := s.exec(ctx, tx, `INSERT INTO ward_user_perms (user_id, perm) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, p); err != nil {
			return err
		}
	}
	return nil
}

// UserByID implements store.Users.
func (s *Store) UserByID(ctx context.Context, id int64) (*store.UserRecord, error) {
	u, err := scanUser(s.row(ctx, s.db, s.users+` WHERE u.id = ?`, id))
	return u, s.mapErr(err)
}

// UserByUsername implements store.Users.
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.UserRecord, error) {
	u, err := scanUser(s.row(ctx, s.db, s.users+` WHERE u.username = ?`, username))
	return u, s.mapErr(err)
}

// SetPassword implements store.Users.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, bumpVersion bool) error {
	bump := 0
	if bumpVersion {
		bump = 1
	}
	return s.execOne(ctx, s.db, `UPDATE ward_users SET password_hash = ?, password_version = password_version + ? WHERE id = ?`, hash, bump, id)
}

// SetActive implements store.Users.
func (s *Store) SetActive(ctx context.Context, id int64, active bool) error {
	return s.execOne(ctx, s.db, `UPDATE ward_users SET is_active = ? WHERE id = ?`, active, id)
}

// SetPerms implements store.Users: it replaces the user's permissions, in
// one transaction that holds the user's row.
func (s *Store) SetPerms(ctx context.Context, id int64, perms []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := s.row(ctx, tx, `SELECT 1 FROM ward_users WHERE id = ?`+s.d.forUpdate, id).Scan(&one); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM ward_user_perms WHERE user_id = ?`, id); err != nil {
			return err
		}
		return s.insertPerms(ctx, tx, id, perms)
	})
}

// ListUsers implements store.Users. A negative limit means no limit.
func (s *Store) ListUsers(ctx context.Context, limit, offset int) ([]*store.UserRecord, int, error) {
	offset = max(offset, 0)
	if limit < 0 {
		limit = math.MaxInt64
	}
	var total int
	var out []*store.UserRecord
	err := func() error {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ward_users`).Scan(&total); err != nil {
			return err
		}
		rows, err := s.db.QueryContext(ctx, s.q(s.users+` ORDER BY u.id LIMIT ? OFFSET ?`), limit, offset)
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
		return nil, 0, s.mapErr(err)
	}
	return out, total, nil
}

// CreateToken implements store.Tokens. An unknown user is ErrNotFound; a
// hash already stored is ErrConflict.
func (s *Store) CreateToken(ctx context.Context, t *store.APIToken) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO ward_api_tokens (hash, user_id, created_at, expires_at, password_version, last_used, client_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Hash, t.UserID, s.d.time(s.orNow(t.CreatedAt)), s.d.time(t.ExpiresAt), t.PasswordVersion, s.d.time(t.LastUsed),
		store.Clip(t.Client.Addr), store.Clip(t.Client.UserAgent))
	return s.mapErr(err)
}

// TokenByHash implements store.Tokens.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error) {
	t, err := scanToken(s.row(ctx, s.db, `SELECT `+tokenCols+` FROM ward_api_tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, s.mapErr(err)
	}
	return t, nil
}

// DeleteToken implements store.Tokens.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	return s.execOne(ctx, s.db, `DELETE FROM ward_api_tokens WHERE hash = ?`, hash)
}

// CreateSession implements store.Sessions.
func (s *Store) CreateSession(ctx context.Context, x *store.Session) error {
	created := s.orNow(x.CreatedAt)
	seen := x.LastSeen
	if seen.IsZero() {
		seen = created
	}
	csrf := x.CSRFHash
	if csrf == nil {
		csrf = []byte{}
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO ward_sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version, client_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		x.Hash, x.UserID, csrf, s.d.time(created), s.d.time(seen), x.PasswordVersion, store.Clip(x.Client.Addr), store.Clip(x.Client.UserAgent))
	return s.mapErr(err)
}

// SessionByHash implements store.Sessions.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	x, err := scanSession(s.row(ctx, s.db, `SELECT `+sessionCols+` FROM ward_sessions WHERE hash = ?`, hash))
	if err != nil {
		return nil, s.mapErr(err)
	}
	return x, nil
}

// TouchSession implements store.Sessions; LastSeen never moves backwards.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	t := s.d.time(at)
	return s.execOne(ctx, s.db, `UPDATE ward_sessions SET last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END WHERE hash = ?`, t, t, hash)
}

// DeleteSession implements store.Sessions; a missing session is ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.execOne(ctx, s.db, `DELETE FROM ward_sessions WHERE hash = ?`, hash)
}

// CreateFamily implements store.Families.
func (s *Store) CreateFamily(ctx context.Context, f *store.Family) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO ward_refresh_families (id, user_id, current, expires_at, password_version, created_at, client_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.UserID, f.Current, s.d.time(f.ExpiresAt), f.PasswordVersion, s.d.time(s.orNow(f.CreatedAt)),
		store.Clip(f.Client.Addr), store.Clip(f.Client.UserAgent))
	return s.mapErr(err)
}

// live restricts a query of families to those not expired; its arguments
// are the zero time (no expiry) and the time now.
const live = `(expires_at IS NOT DISTINCT FROM ? OR expires_at > ?)`

// FamilyByID implements store.Families. An expired family is ErrNotFound.
func (s *Store) FamilyByID(ctx context.Context, id string) (*store.Family, error) {
	f, err := scanFamily(s.row(ctx, s.db, `SELECT `+familyCols+` FROM ward_refresh_families WHERE id = ? AND `+live,
		id, s.d.time(time.Time{}), s.d.time(s.now())))
	if err != nil {
		return nil, s.mapErr(err)
	}
	return f, nil
}

// RotateFamily implements store.Families as a compare-and-swap, in one
// transaction: an UPDATE guarded by current = old (concurrent updates of
// the row queue on its lock and re-check the guard), then, when no row
// changed, a look-up that tells a missing (or expired) family from a lost
// race.
func (s *Store) RotateFamily(ctx context.Context, id string, old, next []byte, at time.Time) error {
	none, now := s.d.time(time.Time{}), s.d.time(s.now())
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := s.execOne(ctx, tx, `UPDATE ward_refresh_families SET current = ?, previous = current, rotated_at = ? WHERE id = ? AND current = ? AND `+live,
			next, s.d.time(at), id, old, none, now)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var one int
		if err := s.row(ctx, tx, `SELECT 1 FROM ward_refresh_families WHERE id = ? AND `+live, id, none, now).Scan(&one); err != nil {
			return err
		}
		return store.ErrConflict
	})
}

// RevokeFamily implements store.Families.
func (s *Store) RevokeFamily(ctx context.Context, id string) error {
	_, err := s.exec(ctx, s.db, `DELETE FROM ward_refresh_families WHERE id = ?`, id)
	return s.mapErr(err)
}

// pruneEvery is how many hits pass between sweeps of all keys' hits that
// left their window (Prune).
const pruneEvery = 1024

// Hit implements store.Counters with an exact sliding window (see Reserve).
func (s *Store) Hit(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := s.Reserve(ctx, key, limit, window)
	return ok, retry, err
}

// Reserve implements store.Reserver with an exact sliding window, atomic
// per key (see Dialect.lockHits): in one transaction, count the key's
// hits inside the window and record this one only when the count is under
// limit. The hit's handle is its time in the dialect's ticks. Every
// pruneEvery hits, Prune sweeps the hits that left their window.
func (s *Store) Reserve(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	w := int64(window / s.d.tick)
	var at int64
	var allowed bool
	var retry time.Duration
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if s.d.lockHits == "" {
			at = s.now().UnixNano() / int64(s.d.tick)
		} else if err := s.row(ctx, tx, s.d.lockHits, throttleLockSpace, key).Scan(&at); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `INSERT INTO ward_throttle_hits (key, at, expires)
			SELECT ?, ?, ? WHERE (SELECT COUNT(*) FROM ward_throttle_hits WHERE key = ? AND at > ?) < ?`,
			key, at, at+w, key, at-w, limit)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			allowed = err == nil
			return err
		}
		var oldest sql.NullInt64
		if err := s.row(ctx, tx, `SELECT MIN(at) FROM ward_throttle_hits WHERE key = ? AND at > ?`, key, at-w).Scan(&oldest); err != nil {
			return err
		}
		retry = window
		if oldest.Valid {
			retry = time.Duration(oldest.Int64+w-at) * s.d.tick
		}
		retry = max(retry, time.Millisecond)
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

// Prune deletes the throttle hits of every key that have left their
// window. Every pruneEvery-th hit of the store calls it; call it now and
// then (e.g. hourly) when hits stop coming.
func (s *Store) Prune(ctx context.Context) error {
	now, err := s.clock(ctx)
	if err != nil {
		return s.mapErr(err)
	}
	_, err = s.exec(ctx, s.db, `DELETE FROM ward_throttle_hits WHERE expires <= ?`, now)
	return s.mapErr(err)
}

// Release implements store.Reserver: it deletes one hit of key at the
// time hit names (two hits at the same tick are alike).
func (s *Store) Release(ctx context.Context, key, hit string) error {
	at, err := strconv.ParseInt(hit, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: bad hit handle %q", s.d.name, hit)
	}
	_, err = s.exec(ctx, s.db, `DELETE FROM ward_throttle_hits WHERE `+s.d.rowID+` IN (SELECT `+s.d.rowID+` FROM ward_throttle_hits WHERE key = ? AND at = ? LIMIT 1)`, key, at)
	return s.mapErr(err)
}
