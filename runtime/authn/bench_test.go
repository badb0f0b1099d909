package authn_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/golang-jwt/jwt/v5"

	"github.com/wardhq/ward/runtime/authn/internal/authtest"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/store"
)

const benchUsers = 1000

// discard is a ResponseWriter that keeps nothing, so the benchmarks
// measure the routing and authentication, not a recorder.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(c int)           { d.code = c }

// benchSetup makes benchUsers users with one access token each and one
// GET request per token.
func benchSetup(b *testing.B) (*authtest.Env, []*http.Request) {
	e := authtest.New(b, authtest.Options{})
	ctx := context.Background()
	reqs := make([]*http.Request, benchUsers)
	for i := range benchUsers {
		id, err := e.Store.CreateUser(ctx, &store.UserRecord{User: identity.User{Username: "u" + strconv.Itoa(i), IsActive: true}})
		if err != nil {
			b.Fatal(err)
		}
		// A real login's tokens: the access token belongs to a refresh
		// family, which Ward checks and the hand-written baseline does not.
		p, err := e.JWT.NewFamily(ctx, &identity.User{ID: id})
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = httptest.NewRequest("GET", "/api/posts", nil)
		reqs[i].Header.Set("Authorization", "Bearer "+p.Access)
	}
	return e, reqs
}

// isAuthenticated is the permission check every variant runs.
func isAuthenticated(w http.ResponseWriter, r *http.Request) {
	if identity.UserFrom(r.Context()) == nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func run(b *testing.B, h http.Handler, reqs []*http.Request, want int) {
	w := &discard{h: http.Header{}}
	// Warm: the first request of each token is not the steady state.
	for _, r := range reqs {
		h.ServeHTTP(w, r)
		if w.code != want {
			b.Fatalf("status %d, want %d", w.code, want)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.code = 0
		h.ServeHTTP(w, reqs[i%len(reqs)])
		if w.code != want {
			b.Fatalf("status %d", w.code)
		}
	}
}

// handJWT is what a careful hand-written golang-jwt middleware does: the
// same parser options and checks, and the same store lookup, per request.
func handJWT(users store.Users, key []byte) func(http.Handler) http.Handler {
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithIssuer(authtest.Issuer),
		jwt.WithAudience(authtest.Audience),
	)
	keyfunc := func(*jwt.Token) (any, error) { return key, nil }
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, ok, err := jwtauth.BearerToken(r.Header.Get("Authorization"))
			if !ok || err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var c jwtauth.Claims
			t, err := p.ParseWithClaims(tok, &c, keyfunc)
			if err != nil || t.Header["typ"] != "at+jwt" || (c.TokenType != "" && c.TokenType != "access") {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			id, err := strconv.ParseInt(c.Subject, 10, 64)
			if err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			u, err := users.UserByID(r.Context(), id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.IsActive || u.PasswordVersion != c.PasswordVersion)) {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			ctx := identity.WithResult(r.Context(), identity.Result{User: &u.User, Class: "jwt"})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// BenchmarkAuth compares, over 1,000 users and tokens, in one run:
// Ward's chain + IsAuthenticated, a plain chi handler, and a hand-written
// golang-jwt middleware doing the same checks.
func BenchmarkAuth(b *testing.B) {
	e, reqs := benchSetup(b)

	b.Run("ward", func(b *testing.B) {
		r := chi.NewRouter()
		r.Use(e.Chain.Middleware)
		r.Get("/api/posts", isAuthenticated)
		run(b, r, reqs, 200)
	})
	b.Run("plain-chi", func(b *testing.B) {
		r := chi.NewRouter()
		r.Get("/api/posts", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
		run(b, r, reqs, 200)
	})
	b.Run("hand-jwt", func(b *testing.B) {
		r := chi.NewRouter()
		r.Use(handJWT(e.Store, e.Key))
		r.Get("/api/posts", isAuthenticated)
		run(b, r, reqs, 200)
	})
}
