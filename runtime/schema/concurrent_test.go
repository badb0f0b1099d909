package schema

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Instances starting together on an empty PostgreSQL schema migrate the
// same tables at once: every one of them succeeds, because Migrate takes
// the runtime's advisory lock and reads the schema inside it.
func TestMigrateConcurrentPostgres(t *testing.T) {
	admin := postgresDB(t) // skips without a server
	var schemaName string
	if err := admin.QueryRow(`SELECT current_schema()`).Scan(&schemaName); err != nil {
		t.Fatal(err)
	}
	tables := append(posts(), Table{Name: "notes", Columns: []Column{{Name: "text", Type: "text"}, {Name: "owner_id", Type: "user"}}})
	const n = 4
	for round := range 5 {
		if round > 0 {
			for _, q := range []string{`DROP TABLE posts`, `DROP TABLE notes`} {
				if _, err := admin.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}
		var dbs []*sql.DB
		for range n {
			db, err := sql.Open("pgx", fmt.Sprintf("postgres://%s@127.0.0.1:5432/test?sslmode=disable&search_path=%s", pgUser(t, admin), schemaName))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Ping(); err != nil {
				t.Fatal(err)
			}
			dbs = append(dbs, db)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = Migrate(ctx, db, Postgres, tables)
			}()
		}
		close(start)
		wg.Wait()
		cancel()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, instance %d: %v", round, i, err)
			}
		}
	}
}

func pgUser(t *testing.T, db *sql.DB) string {
	t.Helper()
	var u string
	if err := db.QueryRow(`SELECT current_user`).Scan(&u); err != nil {
		t.Fatal(err)
	}
	return u
}
