package sqlite

import (
	"context"
	"slices"
	"testing"

	"github.com/wardhq/ward/runtime/schema"
)

// legacySchema is the DDL of the runtime's tables before they took the
// ward_ prefix, as an existing data folder holds them.
var legacySchema = []string{
	`CREATE TABLE IF NOT EXISTS users (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		username TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		is_active BOOLEAN NOT NULL DEFAULT 1,
		is_staff BOOLEAN NOT NULL DEFAULT 0,
		password_version INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS user_perms (
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		perm TEXT NOT NULL,
		PRIMARY KEY (user_id, perm)
	)`,
	`CREATE TABLE IF NOT EXISTS api_tokens (
		hash BLOB PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		password_version INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens(user_id)`,
	`CREATE TABLE IF NOT EXISTS sessions (
		hash BLOB PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		csrf_hash BLOB NOT NULL,
		created_at INTEGER NOT NULL,
		last_seen INTEGER NOT NULL,
		password_version INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id)`,
	`CREATE TABLE IF NOT EXISTS refresh_families (
		id TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		current BLOB NOT NULL,
		expires_at INTEGER NOT NULL,
		password_version INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS refresh_families_user ON refresh_families(user_id)`,
	`CREATE TABLE IF NOT EXISTS throttle_hits (
		key TEXT NOT NULL,
		at INTEGER NOT NULL,
		expires INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS throttle_hits_key_at ON throttle_hits(key, at)`,
	`CREATE INDEX IF NOT EXISTS throttle_hits_expires ON throttle_hits(expires)`,
}

// A database made before the ward_ prefix keeps its users, permissions,
// tokens and sessions: New renames the tables (foreign keys of resource
// tables follow), after which "users" and "sessions" are free for
// resources, and a second New changes nothing.
func TestLegacyTablesRenamed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append(legacySchema,
		`INSERT INTO users (username, password_hash, created_at) VALUES ('alice', 'hash-a', 1)`,
		`INSERT INTO user_perms (user_id, perm) VALUES (1, 'blog.add_post')`,
		`INSERT INTO api_tokens (hash, user_id, created_at, expires_at, password_version) VALUES (x'0a', 1, 1, 0, 0)`,
		`INSERT INTO sessions (hash, user_id, csrf_hash, created_at, last_seen, password_version) VALUES (x'0b', 1, x'0c', 1, 1, 0)`,
		`INSERT INTO refresh_families (id, user_id, current, expires_at, password_version) VALUES ('f1', 1, x'0d', 0, 0)`,
		`INSERT INTO throttle_hits (key, at, expires) VALUES ('k', 1, 9223372036854775807)`,
		// A resource table as schema.Migrate made it then.
		`CREATE TABLE "posts" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "owner_id" INTEGER NOT NULL REFERENCES "users" ("id"))`,
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
	var names []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	want := []string{"posts", "ward_api_tokens", "ward_api_tokens_user", "ward_refresh_families", "ward_refresh_families_user", "ward_sessions", "ward_sessions_user",
		"ward_throttle_hits", "ward_throttle_hits_expires", "ward_throttle_hits_key_at", "ward_user_perms", "ward_users"}
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
	if err := schema.Migrate(ctx, db, schema.SQLite, tables); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO sessions (title, owner_id) VALUES ('a talk', 1)`); err != nil {
		t.Fatal(err)
	}
	// A second start renames nothing: "users" and "sessions" are resources.
	if _, err := New(db); err != nil {
		t.Fatal(err)
	}
	if err := schema.Migrate(ctx, db, schema.SQLite, tables); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, []byte{0x0b}); err != nil {
		t.Errorf("session after a second start: %v", err)
	}
	var title string
	if err := db.QueryRow(`SELECT title FROM sessions`).Scan(&title); err != nil || title != "a talk" {
		t.Errorf("resource sessions: %q %v", title, err)
	}
}
