// Package rest holds what generated resource handlers share: the App they
// are mounted with, JSON decoding with DRF-shaped errors, pagination, and
// the request pipeline (authenticate, throttle, permissions) in plain
// net/http terms.
package rest

import (
	"database/sql"
	"log/slog"
	"net/http"
	"time"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
)

// Dialect is the SQL dialect of App.DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// App is what the runtime hands to a generated Mount function.
type App struct {
	DB      *sql.DB
	Dialect Dialect
	Log     *slog.Logger
	// Authenticators holds the configured classes by name ("jwt", "token",
	// "session", "basic"). Generated code builds each endpoint's chain from it.
	Authenticators map[string]authn.Authenticator
	// Throttle decides rate limits; nil when no rate is configured.
	Throttle Throttler
	// CursorKey signs pagination cursors (HMAC-SHA256). Instances that
	// share it accept each other's cursors; without it a cursor-paginated
	// list answers 503 (fail closed). The service derives it from the JWT
	// key (see service.cursorKey).
	CursorKey []byte
}

// Throttler decides whether a request fits a throttle scope ("anon", "user"
// or a named scope). It keys anonymous callers by client address and
// authenticated ones by user id.
type Throttler interface {
	Allow(r *http.Request, user *identity.User, scope string) (ok bool, retryAfter time.Duration, err error)
}
