package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
)

// legacySchema is the DDL of the runtime's tables before they took the
// ward_ prefix, as an existing database holds them.
var legacySchema = []string{
	`CREATE TABLE IF NOT EXISTS users (
		id BIGSERIAL PRIMARY KEY,
		username TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		is_active BOOLEAN NOT NULL DEFAULT true,
		is_staff BOOLEAN NOT NULL DEFAULT false,
		password_version BIGINT NOT NULL DEFAULT 0,
		created_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`,
	`CREATE TABLE IF NOT EXISTS user_perms (
		user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		perm TEXT NOT NULL,
		PRIMARY KEY (user_id, perm)
	)`,
	`CREATE TABLE IF NOT EXISTS api_tokens (
		hash BYTEA PRIMARY KEY,
		user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		created_at TIMESTAMPTZ NOT NULL,
		expires_at TIMESTAMPTZ,
		password_version BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens(user_id)`,
	`CREATE TABLE IF NOT EXISTS sessions (
		hash BYTEA PRIMARY KEY,
		user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		csrf_hash BYTEA NOT NULL,
		created_at TIMESTAMPTZ NOT NULL,
		last_seen TIMESTAMPTZ NOT NULL,
		password_version BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id)`,
	`CREATE TABLE IF NOT EXISTS refresh_families (
		id TEXT PRIMARY KEY,
		user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		current BYTEA NOT NULL,
		expires_at TIMESTAMPTZ,
		password_version BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS refresh_families_user ON refresh_families(user_id)`,
	`CREATE TABLE IF NOT EXISTS throttle_hits (
		key TEXT NOT NULL,
		at BIGINT NOT NULL,
		expires BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS throttle_hits_key_at ON throttle_hits(key, at)`,
	`CREATE INDEX IF NOT EXISTS throttle_hits_expires ON throttle_hits(expires)`,
}

// A database made before the ward_ prefix keeps its users, permissions,
// tokens and sessions: New renames the tables and their indexes (foreign
// keys of resource tables follow), after which "users" and "sessions" are
// free for resources, and a second New changes nothing.
func TestLegacyTablesRenamed(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append(legacySchema,
		`INSERT INTO users (username, password_hash) VALUES ('alice', 'hash-a')`,
		`INSERT INTO user_perms (user_id, perm) VALUES (1, 'blog.add_post')`,
		`INSERT INTO api_tokens (hash, user_id, created_at, password_version) VALUES ('\x0a', 1, now(), 0)`,
		`INSERT INTO sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version) VALUES ('\x0b', 1, '\x0c', now(), now(), 0)`,
		`INSERT INTO refresh_families (id, user_id, current, password_version) VALUES ('f1', 1, '\x0d', 0)`,
		// A resource table as schema.Migrate made it then.
		`CREATE TABLE "posts" ("id" BIGSERIAL PRIMARY KEY, "owner_id" BIGINT NOT NULL REFERENCES "users" ("id"))`,
		`INSERT INTO posts (owner_id) VALUES (1)`,
	) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := s.FamilyByID(ctx, "f1"); err != nil {
		t.Errorf("family: %v", err)
	}
	list := func(q string) []string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			out = append(out, n)
		}
		return out
	}
	tablesNow := list(`SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`)
	if want := []string{"posts", "ward_api_tokens", "ward_refresh_families", "ward_sessions", "ward_throttle_hits", "ward_user_perms", "ward_users"}; !slices.Equal(tablesNow, want) {
		t.Errorf("tables after the rename: %v, want %v", tablesNow, want)
	}
	indexes := list(`SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY 1`)
	if want := []string{"ward_api_tokens_user", "ward_refresh_families_user", "ward_sessions_user", "ward_throttle_hits_expires", "ward_throttle_hits_key_at"}; !slices.Equal(indexes, want) {
		t.Errorf("indexes after the rename: %v, want %v", indexes, want)
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
	if err := schema.Migrate(ctx, db, schema.Postgres, tables); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO sessions (title, owner_id) VALUES ('a talk', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO users (nickname, is_staff) VALUES ('al', true)`); err != nil {
		t.Fatal(err)
	}
	// A second start renames nothing: "users" and "sessions" are resources.
	if _, err := New(db); err != nil {
		t.Fatal(err)
	}
	if err := schema.Migrate(ctx, db, schema.Postgres, tables); err != nil {
		t.Fatal(err)
	}
	if u, err := s.UserByUsername(ctx, "alice"); err != nil || u.IsStaff {
		t.Errorf("alice after a second start: %+v %v", u, err)
	}
	if id, err := s.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "bob"}, PasswordHash: "hash-b"}); err != nil || id != 2 {
		t.Errorf("a new user after the rename: id %d, %v", id, err)
	}
	var title string
	if err := db.QueryRow(`SELECT title FROM sessions`).Scan(&title); err != nil || title != "a talk" {
		t.Errorf("resource sessions: %q %v", title, err)
	}
}
