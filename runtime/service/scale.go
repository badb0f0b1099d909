package service

import (
	"context"
	"errors"
)

func openPostgres(ctx context.Context, s *stores, e env) error {
	return errors.New("PostgreSQL is not wired yet")
}

func openRedis(ctx context.Context, s *stores, def *Definition, e env) error {
	return errors.New("Redis is not wired yet")
}
