package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wardhq/ward/generator/access"
	"github.com/wardhq/ward/generator/files"
	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/spec"
)

// errWidened makes ward diff exit 1 after printing its report.
var errWidened = errors.New("access widened")

func cmdMatrix(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("matrix", flag.ContinueOnError)
	p := fs.String("spec", "api.yaml", "the spec file")
	format := fs.String("format", "md", "md, json or html")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("matrix: unexpected argument %q", fs.Arg(0))
	}
	svc, err := spec.LoadFile(*p)
	if err != nil {
		return err
	}
	m := access.Build(svc)
	switch *format {
	case "md":
		// The bytes of PERMISSIONS.md, header included.
		_, err = stdout.Write(access.Markdown(m, files.MarkdownHeader(svc.SpecFile)))
	case "json":
		_, err = stdout.Write(access.JSON(m))
	case "html":
		_, err = stdout.Write(access.HTML(m))
	default:
		return fmt.Errorf("matrix: unknown -format %q: write md, json or html", *format)
	}
	return err
}

// cmdDiff compares two specs: OLD and NEW (default api.yaml), or the spec
// at a git revision (-base) and the working copy.
func cmdDiff(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	base := fs.String("base", "", "compare the spec at this git revision with the working copy")
	p := fs.String("spec", "api.yaml", "the spec file (with -base, or as NEW)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	old, nw, err := diffInputs(fs.Args(), *base, *p)
	if err != nil {
		return err
	}
	rep := access.Diff(old, nw)
	if *asJSON {
		_, err = stdout.Write(access.ReportJSON(rep))
	} else {
		_, err = io.WriteString(stdout, access.ReportText(rep))
	}
	if err != nil {
		return err
	}
	if rep.Widened() {
		return errWidened
	}
	return nil
}

// reorder moves flags before the positional arguments, so that
// `ward diff old.yaml new.yaml -json` works as `ward diff -json old.yaml new.yaml`.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && (name == "base" || name == "spec" || name == "as") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(flags, pos...)
}

func diffInputs(pos []string, base, specPath string) (*plan.Service, *plan.Service, error) {
	switch {
	case base != "" && len(pos) > 0:
		return nil, nil, errors.New("diff: give -base REV or OLD.yaml [NEW.yaml], not both")
	case base != "":
		data, err := gitShow(base, specPath)
		if err != nil {
			return nil, nil, err
		}
		old, err := spec.Load(base+":"+specPath, data)
		if err != nil {
			return nil, nil, err
		}
		nw, err := spec.LoadFile(specPath)
		return old, nw, err
	case len(pos) == 1 || len(pos) == 2:
		if len(pos) == 1 {
			pos = append(pos, specPath)
		}
		old, err := spec.LoadFile(pos[0])
		if err != nil {
			return nil, nil, err
		}
		nw, err := spec.LoadFile(pos[1])
		return old, nw, err
	}
	return nil, nil, errors.New("diff: usage: ward diff OLD.yaml [NEW.yaml] | ward diff -base GITREV [-spec api.yaml]")
}

// gitShow reads path (relative to the working folder) as it is at git
// revision rev: `git show REV:./path`, run where the spec is.
func gitShow(rev, path string) ([]byte, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("diff: invalid -base %q", rev)
	}
	dir, file := filepath.Split(path)
	cmd := exec.Command("git", "show", rev+":./"+filepath.ToSlash(file))
	cmd.Dir = dir
	if dir == "" {
		cmd.Dir = "."
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("diff: git show %s:%s: %s", rev, path, strings.TrimSpace(errb.String()+" "+err.Error()))
	}
	return out, nil
}

func cmdExplain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	p := fs.String("spec", "api.yaml", "the spec file")
	as := fs.String("as", "authenticated", "the caller: anonymous, authenticated, owner, staff, perm:RESOURCE.CODE, or a name `ward matrix` lists")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("explain: usage: ward explain 'METHOD /route' -as CALLER [-spec api.yaml]")
	}
	svc, err := spec.LoadFile(*p)
	if err != nil {
		return err
	}
	out, err := access.Explain(svc, fs.Arg(0), *as)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, out)
	return err
}
