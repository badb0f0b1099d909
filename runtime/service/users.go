package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
)

// userFlags parses the flags of the user commands.
// email, when not nil, takes --email.
func userFlags(name string, args []string, withPassword, withStaff bool, email *string) (username, pw string, staff bool, err error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&username, "username", "", "user name")
	if email != nil {
		fs.StringVar(email, "email", "", "email address (verified: the operator vouches for it)")
	}
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
	var email string
	username, pw, staff, err := userFlags("createuser", args, true, true, &email)
	if err != nil {
		return err
	}
	if email != "" {
		if email, err = accounts.NormalizeEmail(email); err != nil {
			return fmt.Errorf("%w: createuser: --email %s", errUsage, accounts.InvalidEmail)
		}
	}
	if pw, err = readPassword(pw, stdin); err != nil {
		return err
	}
	return withUsers(ctx, def, e, func(users store.Users) error {
		id, err := createUser(ctx, users, username, pw, email, staff)
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
	username, pw, _, err := userFlags("changepassword", args, true, false, nil)
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
	username, _, _, err := userFlags("deactivate", args, false, false, nil)
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

// createUser makes the user, with a verified email when one is given (the
// operator vouches for it).
func createUser(ctx context.Context, users store.Users, username, pw, email string, staff bool) (int64, error) {
	h := password.New(password.Default, 0)
	if email == "" {
		return accounts.CreateUser(ctx, users, h, username, pw, staff)
	}
	emails, ok := users.(store.Emails)
	if !ok {
		return 0, errors.New("this store keeps no emails")
	}
	if !accounts.ValidUsername(username) {
		return 0, accounts.ErrInvalidUsername
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return 0, err
	}
	id, err := emails.CreateUserWithEmail(ctx, &store.UserRecord{
		User:         identity.User{Username: username, IsActive: true, IsStaff: staff},
		PasswordHash: hash,
		CreatedAt:    time.Now(),
	}, email)
	if errors.Is(err, store.ErrConflict) {
		return 0, fmt.Errorf("user %q or email %q already exists", username, email)
	}
	if err != nil {
		return 0, err
	}
	return id, emails.VerifyEmail(ctx, id, email)
}
