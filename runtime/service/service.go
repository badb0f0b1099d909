package service

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
)

// Service is one instance of a generated service: its stores, its
// authentication classes, its throttle and its HTTP handler. The serve
// command runs one; a team may embed one in a server of its own, add its own
// middleware and test it with net/http/httptest:
//
//	svc, err := service.New(ctx, blogapi.Definition(), service.WithMiddleware(audit))
//	if err != nil { ... }
//	defer svc.Close()
//	mux.Handle("/", svc.Handler())
type Service struct {
	handler   http.Handler
	stores    *stores
	drain     func() // waits for the mails queued by the accounts endpoints
	closeOnce sync.Once
	closeErr  error
}

// Option configures New (and Main and Run, which pass theirs on to New).
type Option func(*options)

type options struct {
	getenv     func(string) string
	log        *slog.Logger
	middleware []func(http.Handler) http.Handler
}

func newOptions(opts []Option) options {
	o := options{getenv: os.Getenv}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithEnv makes the service read its configuration (BLOG_DATA,
// BLOG_JWT_KEY, BLOG_DATABASE_URL, ...; see Main's usage) through getenv
// instead of os.Getenv.
func WithEnv(getenv func(string) string) Option {
	return func(o *options) { o.getenv = getenv }
}

// WithLogger sets the log of requests, panics and the server's own lines.
// New's default is slog.Default(); Main's is JSON lines on stderr.
func WithLogger(log *slog.Logger) Option {
	return func(o *options) { o.log = log }
}

// WithMiddleware adds middleware of chi's shape, func(http.Handler)
// http.Handler, so chi's own middleware and a team's fit as they are. Each
// runs on every request, in the order given (the first is outermost),
// after the runtime's own middleware (request log, panic recovery, security
// headers, CORS, body limit) and before the routes, so its panics are
// recovered and the requests it answers itself are logged. Several
// WithMiddleware options add up.
func WithMiddleware(mw ...func(http.Handler) http.Handler) Option {
	return func(o *options) { o.middleware = append(o.middleware, mw...) }
}

// New opens the stores the environment selects, creating and migrating
// their tables, and builds the service's handler. The caller must Close it.
// ctx bounds the start only (connecting, migrating), not the service's life.
func New(ctx context.Context, def *Definition, opts ...Option) (*Service, error) {
	o := newOptions(opts)
	if o.log == nil {
		o.log = slog.Default()
	}
	if err := checkDefinition(def); err != nil {
		return nil, err
	}
	e, err := loadEnv(def, o.getenv)
	if err != nil {
		return nil, err
	}
	in, err := open(ctx, def, e, o.log)
	if err != nil {
		return nil, err
	}
	h, err := in.handler(o.middleware)
	if err != nil {
		in.stores.Close()
		return nil, err
	}
	svc := &Service{handler: h, stores: in.stores, drain: func() {}}
	if in.accounts != nil {
		svc.drain = in.accounts.Wait
	}
	return svc, nil
}

// Handler returns the service's HTTP handler: the runtime's middleware, the
// middleware given by WithMiddleware, the authentication endpoints, the
// liveness endpoint and the generated routes. It is the same handler on
// every call and serves requests concurrently.
func (s *Service) Handler() http.Handler { return s.handler }

// Close waits for the account mails already queued, then releases the
// stores: the database's connections (and the SQLite file) and the Redis
// client. Call it once the server has drained; later calls return the
// first's result.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.drain()
		s.closeErr = s.stores.Close()
	})
	return s.closeErr
}
