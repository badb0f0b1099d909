package blogapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/jwtauth"
	"github.com/wardhq/ward/runtime/authn/kit"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/rest"
	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/sqlite"
)

// benchHandler is the blog's routes over a fresh SQLite database, with
// alice's post 1 and note 1, and a Bearer token of alice.
func benchHandler(b *testing.B) (http.Handler, string) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	st, err := sqlite.New(db)
	if err != nil {
		b.Fatal(err)
	}
	if err := schema.Migrate(ctx, db, "sqlite", Definition().Tables); err != nil {
		b.Fatal(err)
	}
	key, err := jwtauth.HMACKey("", []byte("bench-signing-key-0123456789abcdef!!"))
	if err != nil {
		b.Fatal(err)
	}
	k, err := kit.New(kit.Config{JWT: &jwtauth.Config{Keys: []*jwtauth.Key{key}, Issuer: "blog", Audience: "blog", AccessTTL: time.Hour, RefreshTTL: time.Hour}},
		kit.Stores{Users: st, Tokens: st, Sessions: st, Families: st})
	if err != nil {
		b.Fatal(err)
	}
	u := &store.UserRecord{User: identity.User{Username: "alice", IsActive: true}}
	if u.ID, err = st.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	tok, err := k.JWT.AccessToken(&u.User, "")
	if err != nil {
		b.Fatal(err)
	}
	r := chi.NewRouter()
	Mount(r, &rest.App{DB: db, Dialect: rest.SQLite, Authenticators: map[string]authn.Authenticator{"jwt": k.JWT}})
	for _, p := range []string{"/api/posts", "/api/notes"} {
		req := httptest.NewRequest("POST", p, strings.NewReader(`{"title": "t", "body": "b", "text": "x"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("POST %s: %d %s", p, w.Code, w.Body)
		}
	}
	return r, tok
}

// BenchmarkGet is an authenticated GET of one object through the blog's
// handler, in process: JWT, permission checks, SQL read, JSON.
func BenchmarkGet(b *testing.B) {
	h, tok := benchHandler(b)
	for _, p := range []string{"/api/posts/1", "/api/notes/1"} {
		b.Run(p, func(b *testing.B) {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
