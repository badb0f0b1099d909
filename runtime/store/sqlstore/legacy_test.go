package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
)

// legacy is, per database, what an existing one held before the runtime's
// tables took the ward_ prefix and refresh families recorded their last
// rotation: the tables as the store made them then, a user with a
// permission, a token, a session, a refresh family, a throttle hit, and a
// resource table as schema.Migrate made it then. names lists the tables
// and indexes of the current schema.
var legacy = map[string]struct{ setup, names string }{
	"sqlite": {setup: `
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
	is_active BOOLEAN NOT NULL DEFAULT 1, is_staff BOOLEAN NOT NULL DEFAULT 0, password_version INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE user_perms (user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, perm TEXT NOT NULL, PRIMARY KEY (user_id, perm));
CREATE TABLE api_tokens (hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, password_version INTEGER NOT NULL);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE TABLE sessions (hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, csrf_hash BLOB NOT NULL,
	created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, password_version INTEGER NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE refresh_families (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	current BLOB NOT NULL, expires_at INTEGER NOT NULL, password_version INTEGER NOT NULL);
CREATE INDEX refresh_families_user ON refresh_families(user_id);
CREATE TABLE throttle_hits (key TEXT NOT NULL, at INTEGER NOT NULL, expires INTEGER NOT NULL);
CREATE INDEX throttle_hits_key_at ON throttle_hits(key, at);
CREATE INDEX throttle_hits_expires ON throttle_hits(expires);
INSERT INTO users (username, password_hash, created_at) VALUES ('alice', 'hash-a', 1);
INSERT INTO user_perms (user_id, perm) VALUES (1, 'blog.add_post');
INSERT INTO api_tokens (hash, user_id, created_at, expires_at, password_version) VALUES (x'0a', 1, 1, 0, 0);
INSERT INTO sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version) VALUES (x'0b', 1, x'0c', 1, 1, 0);
INSERT INTO refresh_families (id, user_id, current, expires_at, password_version) VALUES ('f1', 1, x'0d', 0, 0);
INSERT INTO throttle_hits (key, at, expires) VALUES ('k', 1, 9223372036854775807);
CREATE TABLE "posts" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "owner_id" INTEGER NOT NULL REFERENCES "users" ("id"));`,
		names: `SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`},
	"postgres": {setup: `
CREATE TABLE users (id BIGSERIAL PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
	is_active BOOLEAN NOT NULL DEFAULT true, is_staff BOOLEAN NOT NULL DEFAULT false, password_version BIGINT NOT NULL DEFAULT 0, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE user_perms (user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE, perm TEXT NOT NULL, PRIMARY KEY (user_id, perm));
CREATE TABLE api_tokens (hash BYTEA PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ, password_version BIGINT NOT NULL);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE TABLE sessions (hash BYTEA PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE, csrf_hash BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL, password_version BIGINT NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE refresh_families (id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	current BYTEA NOT NULL, expires_at TIMESTAMPTZ, password_version BIGINT NOT NULL);
CREATE INDEX refresh_families_user ON refresh_families(user_id);
CREATE TABLE throttle_hits (key TEXT NOT NULL, at BIGINT NOT NULL, expires BIGINT NOT NULL);
CREATE INDEX throttle_hits_key_at ON throttle_hits(key, at);
CREATE INDEX throttle_hits_expires ON throttle_hits(expires);
INSERT INTO users (username, password_hash) VALUES ('alice', 'hash-a');
INSERT INTO user_perms (user_id, perm) VALUES (1, 'blog.add_post');
INSERT INTO api_tokens (hash, user_id, created_at, password_version) VALUES ('\x0a', 1, now(), 0);
INSERT INTO sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version) VALUES ('\x0b', 1, '\x0c', now(), now(), 0);
INSERT INTO refresh_families (id, user_id, current, password_version) VALUES ('f1', 1, '\x0d', 0);
INSERT INTO throttle_hits (key, at, expires) VALUES ('k', 1, 9223372036854775807);
CREATE TABLE "posts" ("id" BIGSERIAL PRIMARY KEY, "owner_id" BIGINT NOT NULL REFERENCES "users" ("id"));`,
		names: `SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()
			UNION ALL SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY 1`},
}

// A database made before the ward_ prefix keeps its users, permissions,
// tokens, sessions and refresh families: New renames the tables and their
// indexes (foreign keys of resource tables follow) and adds the columns
// of a family's last rotation, after which "users" and "sessions" are
// free for resources, and a second New changes nothing.
func TestLegacyTablesRenamed(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			for _, q := range strings.Split(legacy[b.name].setup, ";") {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			s := newStore(t, db, b.d)
			u, err := s.UserByUsername(ctx, "alice")
			if err != nil || u.ID != 1 || u.PasswordHash != "hash-a" || !slices.Equal(u.Perms, []string{"blog.add_post"}) {
				t.Fatalf("alice after the rename: %+v %v", u, err)
			}
			if _, err := s.TokenByHash(ctx, []byte{0x0a}); err != nil {
				t.Errorf("token: %v", err)
			}
			if _, err := s.SessionByHash(ctx, []byte{0x0b}); err != nil {
				t.Errorf("session: %v", err)
			}
			f, err := s.FamilyByID(ctx, "f1")
			if err != nil || f.Previous != nil || !f.RotatedAt.IsZero() {
				t.Fatalf("family: %+v, %v", f, err)
			}
			at := time.Now()
			if err := s.RotateFamily(ctx, "f1", []byte{0x0d}, []byte{0x0e}, at); err != nil {
				t.Fatal(err)
			}
			if f, err = s.FamilyByID(ctx, "f1"); err != nil || string(f.Previous) != "\x0d" || f.RotatedAt.Sub(at).Abs() >= time.Microsecond {
				t.Fatalf("family after a rotation: %+v, %v", f, err)
			}
			// A family made before session management lists, with no
			// creation time or client.
			if fs, err := s.ListFamilies(ctx, f.UserID); err != nil || len(fs) != 1 || !fs[0].CreatedAt.IsZero() || fs[0].Client != (store.Client{}) {
				t.Fatalf("legacy family listed: %+v, %v", fs, err)
			}
			var names []string
			rows, err := db.Query(legacy[b.name].names)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n string
				rows.Scan(&n)
				names = append(names, n)
			}
			rows.Close()
			want := []string{"posts", "ward_api_tokens", "ward_api_tokens_user", "ward_group_perms", "ward_groups",
				"ward_mfa_recovery_codes", "ward_mfa_tickets", "ward_mfa_tickets_user", "ward_mfa_totp",
				"ward_refresh_families", "ward_refresh_families_user", "ward_sessions", "ward_sessions_user",
				"ward_throttle_hits", "ward_throttle_hits_expires", "ward_throttle_hits_key_at", "ward_user_groups", "ward_user_groups_group", "ward_user_perms", "ward_users", "ward_users_email"}
			if !slices.Equal(names, want) {
				t.Errorf("schema after the rename:\n%v\nwant\n%v", names, want)
			}
			// The resource's foreign key follows the users table.
			if _, err := db.Exec(`INSERT INTO posts (owner_id) VALUES (1)`); err != nil {
				t.Errorf("post of alice: %v", err)
			}
			if _, err := db.Exec(`INSERT INTO posts (owner_id) VALUES (99)`); err == nil {
				t.Error("post of no user accepted")
			}
			// The old names are free for resources now.
			tables := []schema.Table{
				{Name: "users", Columns: []schema.Column{{Name: "nickname", Type: "string"}, {Name: "is_staff", Type: "bool", Default: false}}},
				{Name: "sessions", Columns: []schema.Column{{Name: "title", Type: "string"}, {Name: "owner_id", Type: "user"}}},
			}
			if err := schema.Migrate(ctx, db, b.d.name, tables); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`INSERT INTO sessions (title, owner_id) VALUES ('a talk', 1)`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`INSERT INTO users (nickname, is_staff) VALUES ('al', true)`); err != nil {
				t.Fatal(err)
			}
			// A second start renames nothing: "users" and "sessions" are resources.
			newStore(t, db, b.d)
			if err := schema.Migrate(ctx, db, b.d.name, tables); err != nil {
				t.Fatal(err)
			}
			if u, err := s.UserByUsername(ctx, "alice"); err != nil || u.IsStaff {
				t.Errorf("alice after a second start: %+v %v", u, err)
			}
			if _, err := s.SessionByHash(ctx, []byte{0x0b}); err != nil {
				t.Errorf("session after a second start: %v", err)
			}
			if id, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "bob"}, PasswordHash: "hash-b"}); err != nil || id != 2 {
				t.Errorf("a new user after the rename: id %d, %v", id, err)
			}
			var title string
			if err := db.QueryRow(`SELECT title FROM sessions`).Scan(&title); err != nil || title != "a talk" {
				t.Errorf("resource sessions: %q %v", title, err)
			}
		})
	}
}
