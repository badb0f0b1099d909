package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wardhq/ward/runtime/store"
)

// GrantUser implements store.Grants.
func (s *Store) GrantUser(ctx context.Context, id int64, perms []string) error {
	return s.mapErr(s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.userExists(ctx, tx, id); err != nil {
			return err
		}
		return s.insertPerms(ctx, tx, id, perms)
	}))
}

// RevokeUser implements store.Grants.
func (s *Store) RevokeUser(ctx context.Context, id int64, perms []string) error {
	return s.mapErr(s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.userExists(ctx, tx, id); err != nil {
			return err
		}
		for _, p := range perms {
			if _, err := s.exec(ctx, tx, `DELETE FROM ward_user_perms WHERE user_id = ? AND perm = ?`, id, p); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (s *Store) userExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	return s.row(ctx, tx, `SELECT 1 FROM ward_users WHERE id = ?`+s.d.forUpdate, id).Scan(&one)
}

// groupID returns the id of the named group, locked in tx.
func (s *Store) groupID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := s.row(ctx, tx, `SELECT id FROM ward_groups WHERE name = ?`+s.d.forUpdate, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrNotFound
	}
	return id, err
}

// CreateGroup implements store.Grants.
func (s *Store) CreateGroup(ctx context.Context, name string) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO ward_groups (name) VALUES (?)`, name)
	return s.mapErr(err)
}

// GrantGroup implements store.Grants.
func (s *Store) GrantGroup(ctx context.Context, group string, perms []string) error {
	return s.mapErr(s.tx(ctx, func(tx *sql.Tx) error {
		gid, err := s.groupID(ctx, tx, group)
		if err != nil {
			return err
		}
		for _, p := range perms {
			if _, err := s.exec(ctx, tx, `INSERT INTO ward_group_perms (group_id, perm) VALUES (?, ?) ON CONFLICT DO NOTHING`, gid, p); err != nil {
				return err
			}
		}
		return nil
	}))
}

// RevokeGroup implements store.Grants.
func (s *Store) RevokeGroup(ctx context.Context, group string, perms []string) error {
	return s.mapErr(s.tx(ctx, func(tx *sql.Tx) error {
		gid, err := s.groupID(ctx, tx, group)
		if err != nil {
			return err
		}
		for _, p := range perms {
			if _, err := s.exec(ctx, tx, `DELETE FROM ward_group_perms WHERE group_id = ? AND perm = ?`, gid, p); err != nil {
				return err
			}
		}
		return nil
	}))
}

// AddToGroup implements store.Grants.
func (s *Store) AddToGroup(ctx context.Context, id int64, group string) error {
	return s.mapErr(s.tx(ctx, func(tx *sql.Tx) error {
		gid, err := s.groupID(ctx, tx, group)
		if err != nil {
			return err
		}
		if err := s.userExists(ctx, tx, id); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `INSERT INTO ward_user_groups (user_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, gid)
		return err
	}))
}
