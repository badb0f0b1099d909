package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
)

// userFlags parses the flags of the user commands.
func userFlags(name string, args []string, withPassword, withStaff bool) (username, pw string, staff bool, err error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&username, "username", "", "user name")
	if withPassword {
		fs.StringVar(&pw, "password", "", "password (default: read from stdin)")
	}
	if withStaff {
		fs.BoolVar(&staff, "staff", false, "make the user staff (is_staff)")
	}
	if err = fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", "", false, err
		}
		return "", "", false, fmt.Errorf("%w: %s: %v", errUsage, name, err)
	}
	if fs.NArg() > 0 {
		return "", "", false, fmt.Errorf("%w: %s: unexpected argument %q", errUsage, name, fs.Arg(0))
	}
	if username == "" {
		return "", "", false, fmt.Errorf("%w: %s needs --username", errUsage, name)
	}
	return username, pw, staff, nil
}

// withUsers opens the user store the environment selects (it may be in use
// by a running serve) and runs f.
func withUsers(ctx context.Context, def *Definition, e env, f func(store.Users) error) error {
	if e.DatabaseURL == "" {
		if err := os.MkdirAll(e.DataDir, 0o700); err != nil {
			return fmt.Errorf("data folder %s: %v", e.DataDir, errors.Unwrap(err))
		}
	}
	s := &stores{}
	defer s.Close()
	if err := openData(ctx, s, e); err != nil {
		return err
	}
	return f(s.users)
}

func userError(username string, err error) error {
	switch {
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("user %q already exists", username)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no user %q", username)
	case errors.Is(err, accounts.ErrInvalidUsername):
		return fmt.Errorf("%q is not a valid username", username)
	}
	return err
}

func cmdCreateUser(ctx context.Context, def *Definition, e env, args []string, stdin io.Reader, stdout io.Writer) error {
	username, pw, staff, err := userFlags("createuser", args, true, true)
	if err != nil {
		return err
	}
	if pw, err = readPassword(pw, stdin); err != nil {
		return err
	}
	return withUsers(ctx, def, e, func(users store.Users) error {
		id, err := accounts.CreateUser(ctx, users, password.New(password.Default, 0), username, pw, staff)
		if err != nil {
			return userError(username, err)
		}
		kind := "user"
		if staff {
			kind = "staff user"
		}
		fmt.Fprintf(stdout, "created %s %q (id %d)\n", kind, username, id)
		return nil
	})
}

func cmdChangePassword(ctx context.Context, def *Definition, e env, args []string, stdin io.Reader, stdout io.Writer) error {
	username, pw, _, err := userFlags("changepassword", args, true, false)
	if err != nil {
		return err
	}
	if pw, err = readPassword(pw, stdin); err != nil {
		return err
	}
	return withUsers(ctx, def, e, func(users store.Users) error {
		if err := accounts.ChangePassword(ctx, users, password.New(password.Default, 0), username, pw); err != nil {
			return userError(username, err)
		}
		fmt.Fprintf(stdout, "changed the password of %q; its sessions, tokens and refresh tokens are revoked\n", username)
		return nil
	})
}

func cmdDeactivate(ctx context.Context, def *Definition, e env, args []string, stdout io.Writer) error {
	username, _, _, err := userFlags("deactivate", args, false, false)
	if err != nil {
		return err
	}
	return withUsers(ctx, def, e, func(users store.Users) error {
		if err := accounts.Deactivate(ctx, users, username); err != nil {
			return userError(username, err)
		}
		fmt.Fprintf(stdout, "deactivated %q\n", username)
		return nil
	})
}
