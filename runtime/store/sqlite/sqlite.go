// Package sqlite is the embedded default store: users, API tokens, sessions,
// refresh-token families and throttle counters in one SQLite file, through
// the pure-Go driver modernc.org/sqlite (driver name "sqlite").
//
// Open sets WAL, busy_timeout and foreign_keys on every connection and makes
// every transaction BEGIN IMMEDIATE, so that several processes (createuser
// while serve runs) can share the file. New migrates the store's tables.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
)

// FileName is the database file Open creates inside its folder.
const FileName = "ward.db"

// BusyTimeout is how long a connection waits for another writer's lock.
const BusyTimeout = 5 * time.Second

// DSN returns the modernc.org/sqlite data source name for the database file
// at path: WAL journal, busy_timeout, foreign keys, immediate transactions.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating it when needed) the database <dir>/ward.db, creating
// dir with mode 0700 when it does not exist. The database file is created
// 0600 whatever the umask (its -wal and -shm files follow it), and a
// database file that group or others can read is refused with the chmod
// to run. It checks the folder and the file are usable before returning,
// with a one-line error naming the folder.
func Open(dir string) (*sql.DB, error) {
	if dir == "" {
		return nil, errors.New("sqlite: empty data folder")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data folder %s: %w", dir, unwrapPath(err))
	}
	// Probe writability: SQLite needs to create -wal and -shm files next to
	// the database.
	probe, err := os.CreateTemp(dir, ".ward-probe-*")
	if err != nil {
		return nil, fmt.Errorf("sqlite: data folder %s is not writable: %w", dir, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())

	path := filepath.Join(dir, FileName)
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*BusyTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: cannot open %s: %v", path, err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: cannot read %s: %v", path, err)
	}
	return db, nil
}

// createPrivate makes sure the database file exists with no access for
// group or others before SQLite opens it; SQLite then creates the -wal and
// -shm files with the database file's permissions. A new (empty) file is
// created 0600 whatever the umask. An existing database, -wal or -shm file
// that group or others can access is refused with the chmod to run, as
// jwt.key is: they hold password hashes and private data.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		err = f.Chmod(0o600)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sqlite: create %s: %w", path, unwrapPath(err))
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("sqlite: create %s: %w", path, unwrapPath(err))
	}
	var open []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %s: %w", p, unwrapPath(err))
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("sqlite: %s is not a regular file", p)
		}
		if st.Mode().Perm()&0o077 != 0 {
			open = append(open, p)
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("sqlite: %s can be read by group or others: run chmod 600 %s", strings.Join(open, ", "), strings.Join(open, " "))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Store implements store.Users, Tokens, Sessions, Families and Counters on
// a SQLite database. It is safe for concurrent use, also by several
// processes sharing the file.
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

// Schema is the DDL New runs; every statement is idempotent. Every name
// starts with schema.RuntimePrefix, leaving other names to resources; New
// first renames the tables of a database made before the prefix
// (schema.RenameLegacy).
var Schema = []string{
	`CREATE TABLE IF NOT EXISTS ward_users (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		username TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		is_active BOOLEAN NOT NULL DEFAULT 1,
		is_staff BOOLEAN NOT NULL DEFAULT 0,
		password_version INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS ward_user_perms (
		user_id INTEGER NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		perm TEXT NOT NULL,
		PRIMARY KEY (user_id, perm)
	)`,
	`CREATE TABLE IF NOT EXISTS ward_api_tokens (
		hash BLOB PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		password_version INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_api_tokens_user ON ward_api_tokens(user_id)`,
	`CREATE TABLE IF NOT EXISTS ward_sessions (
		hash BLOB PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		csrf_hash BLOB NOT NULL,
		created_at INTEGER NOT NULL,
		last_seen INTEGER NOT NULL,
		password_version INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_sessions_user ON ward_sessions(user_id)`,
	`CREATE TABLE IF NOT EXISTS ward_refresh_families (
		id TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES ward_users(id) ON DELETE CASCADE,
		current BLOB NOT NULL,
		expires_at INTEGER NOT NULL,
		password_version INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_refresh_families_user ON ward_refresh_families(user_id)`,
	`CREATE TABLE IF NOT EXISTS ward_throttle_hits (
		key TEXT NOT NULL,
		at INTEGER NOT NULL,
		expires INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS ward_throttle_hits_key_at ON ward_throttle_hits(key, at)`,
	`CREATE INDEX IF NOT EXISTS ward_throttle_hits_expires ON ward_throttle_hits(expires)`,
}

// Columns are added to tables of Schema after it runs, when missing (an
// older database; SQLite has no ADD COLUMN IF NOT EXISTS).
var Columns = []struct{ Table, Name, Decl string }{
	{"ward_refresh_families", "previous", "BLOB"},
	{"ward_refresh_families", "rotated_at", "INTEGER NOT NULL DEFAULT 0"},
}

// New migrates the store's tables in db (idempotently, in one transaction)
// and returns the store. db should come from Open, whose DSN makes
// transactions BEGIN IMMEDIATE; with a deferred-transaction DSN concurrent
// writers can fail with SQLITE_BUSY.
func New(db *sql.DB) (*Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*BusyTimeout)
	defer cancel()
	s := &Store{db: db, now: time.Now}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := schema.RenameLegacy(ctx, tx, schema.SQLite); err != nil {
			return err
		}
		for _, q := range Schema {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for _, c := range Columns {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`, c.Table, c.Name).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if _, err := tx.ExecContext(ctx, `ALTER TABLE `+c.Table+` ADD COLUMN `+c.Name+` `+c.Decl); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrate: %w", err)
	}
	return s, nil
}

// DB returns the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// mapErr classifies a driver error: unique and primary-key violations are
// store.ErrConflict, sql.ErrNoRows is store.ErrNotFound, a context error
// stays as it is, anything else wraps store.ErrUnavailable.
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
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return store.ErrConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return store.ErrNotFound
		}
	}
	return fmt.Errorf("%w: sqlite: %v", store.ErrUnavailable, err)
}

// tx runs f in one (immediate) transaction, rolling back when f fails.
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

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

const userCols = `u.id, u.username, u.password_hash, u.is_active, u.is_staff, u.password_version, u.created_at,
	COALESCE((SELECT group_concat(perm, char(10)) FROM (SELECT perm FROM ward_user_perms p WHERE p.user_id = u.id ORDER BY perm)), '')`

type scanner interface{ Scan(...any) error }

func scanUser(r scanner) (*store.UserRecord, error) {
	var u store.UserRecord
	var created int64
	var perms string
	if err := r.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.IsActive, &u.IsStaff, &u.PasswordVersion, &created, &perms); err != nil {
		return nil, err
	}
	u.CreatedAt = fromNano(created)
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
		res, err := tx.ExecContext(ctx, `INSERT INTO ward_users (username, password_hash, is_active, is_staff, password_version, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Username, u.PasswordHash, u.IsActive, u.IsStaff, u.PasswordVersion, unixNano(created))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
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
	for _, p := range perms {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO ward_user_perms (user_id, perm) VALUES (?, ?)`, id, p); err != nil {
			return err
		}
	}
	return nil
}

// UserByID implements store.Users.
func (s *Store) UserByID(ctx context.Context, id int64) (*store.UserRecord, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM ward_users u WHERE u.id = ?`, id))
	return u, mapErr(err)
}

// UserByUsername implements store.Users.
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.UserRecord, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM ward_users u WHERE u.username = ?`, username))
	return u, mapErr(err)
}

func (s *Store) updateUser(ctx context.Context, q string, args ...any) error {
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
	return s.updateUser(ctx, `UPDATE ward_users SET password_hash = ?, password_version = password_version + ? WHERE id = ?`, hash, bump, id)
}

// SetActive implements store.Users.
func (s *Store) SetActive(ctx context.Context, id int64, active bool) error {
	return s.updateUser(ctx, `UPDATE ward_users SET is_active = ? WHERE id = ?`, active, id)
}

// SetPerms implements store.Users: it replaces the user's permissions.
func (s *Store) SetPerms(ctx context.Context, id int64, perms []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM ward_users WHERE id = ?`, id).Scan(&one); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ward_user_perms WHERE user_id = ?`, id); err != nil {
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
	var total int
	var out []*store.UserRecord
	err := func() error {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ward_users`).Scan(&total); err != nil {
			return err
		}
		rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM ward_users u ORDER BY u.id LIMIT ? OFFSET ?`, limit, offset)
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

// CreateToken implements store.Tokens. An unknown user is ErrNotFound; a
// hash already stored is ErrConflict.
func (s *Store) CreateToken(ctx context.Context, t *store.APIToken) error {
	created := t.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO ward_api_tokens (hash, user_id, created_at, expires_at, password_version) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.UserID, unixNano(created), unixNano(t.ExpiresAt), t.PasswordVersion)
	return mapErr(err)
}

// TokenByHash implements store.Tokens.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error) {
	var t store.APIToken
	var created, expires int64
	err := s.db.QueryRowContext(ctx, `SELECT hash, user_id, created_at, expires_at, password_version FROM ward_api_tokens WHERE hash = ?`, hash).
		Scan(&t.Hash, &t.UserID, &created, &expires, &t.PasswordVersion)
	if err != nil {
		return nil, mapErr(err)
	}
	t.CreatedAt, t.ExpiresAt = fromNano(created), fromNano(expires)
	return &t, nil
}

func (s *Store) deleteOne(ctx context.Context, q string, arg any) error {
	return s.updateUser(ctx, q, arg)
}

// DeleteToken implements store.Tokens.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	return s.deleteOne(ctx, `DELETE FROM ward_api_tokens WHERE hash = ?`, hash)
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
	_, err := s.db.ExecContext(ctx, `INSERT INTO ward_sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version) VALUES (?, ?, ?, ?, ?, ?)`,
		x.Hash, x.UserID, csrf, unixNano(created), unixNano(seen), x.PasswordVersion)
	return mapErr(err)
}

// SessionByHash implements store.Sessions.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	var x store.Session
	var created, seen int64
	err := s.db.QueryRowContext(ctx, `SELECT hash, user_id, csrf_hash, created_at, last_seen, password_version FROM ward_sessions WHERE hash = ?`, hash).
		Scan(&x.Hash, &x.UserID, &x.CSRFHash, &created, &seen, &x.PasswordVersion)
	if err != nil {
		return nil, mapErr(err)
	}
	x.CreatedAt, x.LastSeen = fromNano(created), fromNano(seen)
	return &x, nil
}

// TouchSession implements store.Sessions; LastSeen never moves backwards.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ward_sessions SET last_seen = MAX(last_seen, ?) WHERE hash = ?`, unixNano(at), hash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// DeleteSession implements store.Sessions; a missing session is ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.deleteOne(ctx, `DELETE FROM ward_sessions WHERE hash = ?`, hash)
}

// CreateFamily implements store.Families.
func (s *Store) CreateFamily(ctx context.Context, f *store.Family) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO ward_refresh_families (id, user_id, current, expires_at, password_version) VALUES (?, ?, ?, ?, ?)`,
		f.ID, f.UserID, f.Current, unixNano(f.ExpiresAt), f.PasswordVersion)
	return mapErr(err)
}

// FamilyByID implements store.Families. An expired family is ErrNotFound.
func (s *Store) FamilyByID(ctx context.Context, id string) (*store.Family, error) {
	var f store.Family
	var expires, rotated int64
	err := s.db.QueryRowContext(ctx, `SELECT id, user_id, current, expires_at, password_version, previous, rotated_at FROM ward_refresh_families WHERE id = ? AND (expires_at = 0 OR expires_at > ?)`,
		id, s.now().UnixNano()).Scan(&f.ID, &f.UserID, &f.Current, &expires, &f.PasswordVersion, &f.Previous, &rotated)
	if err != nil {
		return nil, mapErr(err)
	}
	f.ExpiresAt, f.RotatedAt = fromNano(expires), fromNano(rotated)
	return &f, nil
}

// RotateFamily implements store.Families as a compare-and-swap:
// UPDATE ... WHERE id = ? AND current = ?, then, when no row changed, a
// look-up tells a missing (or expired) family from a lost race.
func (s *Store) RotateFamily(ctx context.Context, id string, old, next []byte, at time.Time) error {
	now := s.now().UnixNano()
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ward_refresh_families SET current = ?, previous = current, rotated_at = ? WHERE id = ? AND current = ? AND (expires_at = 0 OR expires_at > ?)`, next, unixNano(at), id, old, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			return nil
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM ward_refresh_families WHERE id = ? AND (expires_at = 0 OR expires_at > ?)`, id, now).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return store.ErrConflict
	})
}

// RevokeFamily implements store.Families.
func (s *Store) RevokeFamily(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM ward_refresh_families WHERE id = ?`, id)
	return mapErr(err)
}

// pruneEvery is how many hits pass between sweeps of expired hits of all
// keys (each hit already prunes its own key).
const pruneEvery = 1024

// Hit implements store.Counters with an exact sliding window (see Reserve).
func (s *Store) Hit(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := s.Reserve(ctx, key, limit, window)
	return ok, retry, err
}

// Reserve implements store.Reserver, in one immediate transaction: prune
// the key's hits older than the window, count the rest, and record this
// hit only when the count is under limit. The hit's handle is its time.
func (s *Store) Reserve(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	now := s.now()
	n, cut := now.UnixNano(), now.Add(-window).UnixNano()
	sweep := s.hits.Add(1)%pruneEvery == 0
	var allowed bool
	var retry time.Duration
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if sweep {
			if _, err := tx.ExecContext(ctx, `DELETE FROM ward_throttle_hits WHERE expires <= ?`, n); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ward_throttle_hits WHERE key = ? AND at <= ?`, key, cut); err != nil {
			return err
		}
		// Record the hit only while the window holds fewer than limit.
		res, err := tx.ExecContext(ctx, `INSERT INTO ward_throttle_hits (key, at, expires)
			SELECT ?1, ?2, ?3 WHERE (SELECT COUNT(*) FROM ward_throttle_hits WHERE key = ?1) < ?4`, key, n, n+int64(window), limit)
		if err != nil {
			return err
		}
		if added, err := res.RowsAffected(); err != nil {
			return err
		} else if added == 1 {
			allowed = true
			return nil
		}
		var oldest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(at) FROM ward_throttle_hits WHERE key = ?`, key).Scan(&oldest); err != nil {
			return err
		}
		retry = window
		if oldest.Valid {
			retry = time.Duration(oldest.Int64 + int64(window) - n)
		}
		if retry <= 0 {
			retry = time.Millisecond
		}
		return nil
	})
	if err != nil {
		return "", false, 0, err
	}
	if !allowed {
		return "", false, retry, nil
	}
	return strconv.FormatInt(n, 10), true, 0, nil
}

// Release implements store.Reserver: it deletes one hit of key at the
// time hit names (two hits at the same nanosecond are alike).
func (s *Store) Release(ctx context.Context, key, hit string) error {
	at, err := strconv.ParseInt(hit, 10, 64)
	if err != nil {
		return fmt.Errorf("sqlite: bad hit handle %q", hit)
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM ward_throttle_hits WHERE rowid IN (SELECT rowid FROM ward_throttle_hits WHERE key = ? AND at = ? LIMIT 1)`, key, at)
	return mapErr(err)
}
