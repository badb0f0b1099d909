package service

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/identity"
)

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// The runtime's middleware has chi's shape, func(http.Handler)
// http.Handler, one concern each; instance.handler chains it (see
// WithMiddleware for the caller's).

// logRequests logs one structured line per request: method, path, status,
// duration and the caller's user id, and client_gone=true when the client
// went away before the answer. The status is what the handler answered, so
// what really happened: a write that began before the client left still
// finishes (rest.WriteTimeout) and logs its 201. It never logs headers,
// cookies, query strings or bodies, so credentials and tokens stay out of
// the log. It does not recover panics (recoverPanics does); a panic passing
// through is logged with the status written so far and goes on.
func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	h := log.Handler()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ctx, slot := identity.WithSlot(r.Context())
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				if !h.Enabled(context.Background(), slog.LevelInfo) {
					return
				}
				// The record is built here, not by Logger.LogAttrs, which
				// would also look up this function's caller for a source
				// the log does not write. One clock reading is the line's
				// time and the end of its duration.
				end := time.Now()
				rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
				rec.AddAttrs(
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", sw.status),
					slog.Float64("duration_ms", float64(end.Sub(start).Microseconds())/1000),
				)
				if u := slot.Result.User; u != nil {
					rec.AddAttrs(slog.Int64("user_id", u.ID))
				}
				if r.Context().Err() != nil {
					rec.AddAttrs(slog.Bool("client_gone", true))
				}
				h.Handle(context.Background(), rec)
			}()
			next.ServeHTTP(sw, r.WithContext(ctx))
		})
	}
}

// recoverPanics turns a handler's panic into 500 {"detail": ...} (unless
// the answer had begun, which is then cut short) and one error line with
// the method, the path and the panic, never the request's headers or body.
// http.ErrAbortHandler goes on, as net/http expects it to.
func recoverPanics(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Inside logRequests, its status writer already tells whether
			// the answer began.
			sw, ok := w.(*statusWriter)
			if !ok {
				sw = &statusWriter{ResponseWriter: w}
			}
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					drf.Internal(sw)
				}
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// The values of the headers secureHeaders sets.
var (
	nosniff    = []string{"nosniff"}
	deny       = []string{"DENY"}
	sameOrigin = []string{"same-origin"}
	noStore    = []string{"no-store"}
)

// secureHeaders sets headers every response carries.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The keys are canonical and the values shared: no canonicalising
		// and no allocation per response. net/http only reads them.
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		h["X-Frame-Options"] = deny
		h["Referrer-Policy"] = sameOrigin
		if strings.HasPrefix(r.URL.Path, "/auth/") {
			h["Cache-Control"] = noStore
		}
		next.ServeHTTP(w, r)
	})
}

// limitBodies caps request bodies at max bytes. A handler reading past the
// cap gets an *http.MaxBytesError, which rest answers with 413; a request
// that announces a larger body is refused at once.
func limitBodies(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				drf.Detail(w, http.StatusRequestEntityTooLarge, drf.RequestTooLarge)
				return
			}
			// A request without a body has http.NoBody (always, from
			// net/http's server): nothing to cap.
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// allowOrigins allows the listed origins, with credentials, and exposes the
// Authorization header so a browser app can read a refreshed access token.
// With no origins it does nothing: CORS is off by default.
func allowOrigins(origins []string) func(http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[strings.TrimRight(o, "/")] = true
	}
	return func(next http.Handler) http.Handler {
		if len(allowed) == 0 {
			return next
		}
		return corsHandler(allowed, next)
	}
}

func corsHandler(allowed map[string]bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		if origin == "" || !allowed[origin] {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Expose-Headers", "Authorization, Retry-After")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-CSRFToken")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
