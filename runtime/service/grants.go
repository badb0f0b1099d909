package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/wardhq/ward/runtime/store"
)

// The grant commands: model permissions ("tickets.view") for users and
// groups, as Django's user_permissions and groups, which
// DjangoModelPermissions reads.
//
//	grant  --username NAME | --group NAME PERM...
//	revoke --username NAME | --group NAME PERM...
//	group create NAME
//	group add --group NAME --username NAME

// rePerm is a model permission: resource.action, the action one of
// Django's four.
var rePerm = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.(view|add|change|delete)$`)

func withGrants(ctx context.Context, def *Definition, e env, f func(store.Users, store.Grants) error) error {
	return withUsers(ctx, def, e, func(users store.Users) error {
		g, ok := users.(store.Grants)
		if !ok {
			return errors.New("this store keeps no permissions")
		}
		return f(users, g)
	})
}

// grantFlags parses grant and revoke: one of --username and --group, then
// the permissions.
func grantFlags(name string, args []string) (username, group string, perms []string, err error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&username, "username", "", "user name")
	fs.StringVar(&group, "group", "", "group name")
	if err = fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", "", nil, err
		}
		return "", "", nil, fmt.Errorf("%w: %s: %v", errUsage, name, err)
	}
	if (username == "") == (group == "") {
		return "", "", nil, fmt.Errorf("%w: %s needs --username or --group (one of them)", errUsage, name)
	}
	perms = fs.Args()
	if len(perms) == 0 {
		return "", "", nil, fmt.Errorf("%w: %s needs permissions, e.g. tickets.view tickets.add", errUsage, name)
	}
	for _, p := range perms {
		if !rePerm.MatchString(p) {
			return "", "", nil, fmt.Errorf("%w: %s: %q is not a model permission: write RESOURCE.ACTION with ACTION view, add, change or delete (e.g. tickets.view)", errUsage, name, p)
		}
	}
	return username, group, perms, nil
}

func cmdGrant(ctx context.Context, def *Definition, e env, args []string, stdout io.Writer, revoke bool) error {
	name, verb, past := "grant", "granted", "to"
	if revoke {
		name, verb, past = "revoke", "revoked", "from"
	}
	username, group, perms, err := grantFlags(name, args)
	if err != nil {
		return err
	}
	return withGrants(ctx, def, e, func(users store.Users, g store.Grants) error {
		who := fmt.Sprintf("group %q", group)
		if group != "" {
			if revoke {
				err = g.RevokeGroup(ctx, group, perms)
			} else {
				err = g.GrantGroup(ctx, group, perms)
			}
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no group %q: make it with `group create %s`", group, group)
			}
		} else {
			who = fmt.Sprintf("%q", username)
			rec, err2 := users.UserByUsername(ctx, username)
			if err2 != nil {
				return userError(username, err2)
			}
			if revoke {
				err = g.RevokeUser(ctx, rec.ID, perms)
			} else {
				err = g.GrantUser(ctx, rec.ID, perms)
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s %s %s (in effect within 1 s)\n", verb, strings.Join(perms, " "), past, who)
		return nil
	})
}

func cmdGroup(ctx context.Context, def *Definition, e env, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: group needs a subcommand: create NAME, or add --group NAME --username NAME", errUsage)
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "create":
		if len(rest) != 1 || rest[0] == "" || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("%w: group create needs one NAME", errUsage)
		}
		return withGrants(ctx, def, e, func(_ store.Users, g store.Grants) error {
			if err := g.CreateGroup(ctx, rest[0]); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return fmt.Errorf("group %q already exists", rest[0])
				}
				return err
			}
			fmt.Fprintf(stdout, "created group %q\n", rest[0])
			return nil
		})
	case "add":
		fs := flag.NewFlagSet("group add", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		group := fs.String("group", "", "group name")
		username := fs.String("username", "", "user name")
		if err := fs.Parse(rest); err != nil || fs.NArg() > 0 || *group == "" || *username == "" {
			return fmt.Errorf("%w: group add needs --group NAME --username NAME", errUsage)
		}
		return withGrants(ctx, def, e, func(users store.Users, g store.Grants) error {
			rec, err := users.UserByUsername(ctx, *username)
			if err != nil {
				return userError(*username, err)
			}
			if err := g.AddToGroup(ctx, rec.ID, *group); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no group %q: make it with `group create %s`", *group, *group)
				}
				return err
			}
			fmt.Fprintf(stdout, "added %q to group %q\n", *username, *group)
			return nil
		})
	default:
		return fmt.Errorf("%w: unknown group subcommand %q: use create or add", errUsage, sub)
	}
}
