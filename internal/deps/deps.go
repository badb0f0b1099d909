// Package deps pins the modules Ward uses until code imports them all.
package deps

import (
	_ "github.com/dave/jennifer/jen"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/redis/go-redis/v9"
	_ "golang.org/x/crypto/argon2"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)
