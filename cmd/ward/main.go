// Command ward generates a secured HTTP API service from a YAML spec.
//
//	ward generate [-spec api.yaml]   write the generated package and missing scaffolds
//	ward check    [-spec api.yaml]   exit 1 with a diff when generated files are stale
//	ward vet      [-spec api.yaml]   check the spec only
//	ward matrix   [-spec api.yaml] [-format md|json|html]
//	                                 print who may do what (PERMISSIONS.md, which generate writes)
//	ward diff     OLD.yaml [NEW.yaml] | -base GITREV [-spec api.yaml] [-json]
//	                                 compare the access of two specs; exit 1 when it widened
//	ward explain  'METHOD /route' [-as CALLER] [-spec api.yaml]
//	                                 print one decision step by step
//	ward init     [folder]           write a starter api.yaml and generate.go, add ward
//	                                 to go.mod as a tool, and generate
//	ward version
//
// A module names ward in a tool directive (`tool github.com/wardhq/ward/cmd/ward`
// in go.mod; `ward init` adds it), and a spec's folder holds
// `//go:generate go tool ward generate`, so `go generate ./...` regenerates
// with the version go.mod pins.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardhq/ward/generator/access"
	"github.com/wardhq/ward/generator/files"
	"github.com/wardhq/ward/generator/golang"
	"github.com/wardhq/ward/generator/plan"
	"github.com/wardhq/ward/generator/policy"
	"github.com/wardhq/ward/generator/spec"
)

// Version is the generator's version. It is never written into output.
const Version = "0.1.0"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, args := args[0], args[1:]
	var err error
	switch cmd {
	case "generate":
		err = cmdGenerate(args, stdout)
	case "check":
		var stale bool
		stale, err = cmdCheck(args, stdout)
		if err == nil && stale {
			return 1
		}
	case "vet":
		err = cmdVet(args, stdout)
	case "matrix":
		err = cmdMatrix(args, stdout)
	case "diff":
		err = cmdDiff(args, stdout)
		if errors.Is(err, errWidened) {
			return 1
		}
	case "explain":
		err = cmdExplain(args, stdout)
	case "init":
		err = cmdInit(args, stdout)
	case "version":
		fmt.Fprintln(stdout, "ward", Version)
	case "help", "-h", "--help":
		usage(stdout)
	default:
		fmt.Fprintf(stderr, "ward: unknown command %q\n", cmd)
		usage(stderr)
		return 2
	}
	if err != nil {
		var list spec.ErrorList
		if errors.As(err, &list) {
			// One "file:line:col: message" per line, as compilers print them,
			// so editors and CI annotate the spec.
			fmt.Fprintln(stderr, err)
		} else {
			fmt.Fprintln(stderr, "ward:", err)
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: ward <command> [flags]

commands:
  generate [-spec api.yaml]  write the generated package and missing scaffolds
  check    [-spec api.yaml]  exit 1 with a unified diff when generated files are stale
  vet      [-spec api.yaml]  check the spec without writing anything
  matrix   [-spec api.yaml] [-format md|json|html]
                             print who may do what: every endpoint and kind of caller
  diff     OLD.yaml [NEW.yaml] | -base GITREV [-spec api.yaml] [-json]
                             compare the access of two specs; exit 1 when it widened
  explain  'METHOD /route' [-as CALLER] [-spec api.yaml]
                             print one decision step by step (CALLER: anonymous,
                             authenticated, owner, staff, perm:RESOURCE.CODE)
  init     [folder]          write a starter api.yaml and generate.go in folder, add ward
                             to go.mod as a tool (go tool ward), and generate
  version                    print the version
`)
}

func specFlag(name string, args []string) (string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	p := fs.String("spec", "api.yaml", "the spec file")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return *p, nil
}

// load reads the spec and generates; it returns the spec's folder.
func load(specPath string) (string, *golang.Output, error) {
	svc, err := spec.LoadFile(specPath)
	if err != nil {
		return "", nil, err
	}
	if err := policy.Vet(specPath, svc); err != nil {
		return "", nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(specPath))
	if err != nil {
		return "", nil, err
	}
	imp, err := importPath(dir, svc)
	if err != nil {
		return "", nil, err
	}
	out, err := golang.Generate(svc, golang.Config{ImportPath: imp})
	if err != nil {
		return "", nil, err
	}
	// The permission matrix, beside the spec: Ward's, so check keeps it fresh.
	out.Files[access.File] = access.Markdown(access.Build(svc), files.MarkdownHeader(svc.SpecFile))
	return dir, out, nil
}

// importPath computes the import path of the generated package from the
// nearest go.mod above dir.
func importPath(dir string, svc *plan.Service) (string, error) {
	root, mod, err := findModule(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, filepath.Join(dir, filepath.FromSlash(svc.Output)))
	if err != nil {
		return "", err
	}
	if rel == "." {
		return mod, nil
	}
	return mod + "/" + filepath.ToSlash(rel), nil
}

// findModule returns the folder of the nearest go.mod at or above dir (an
// absolute path) and its module path.
func findModule(dir string) (root, mod string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			if mod = modulePath(b); mod == "" {
				return "", "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
			}
			return d, mod, nil
		}
		if filepath.Dir(d) == d {
			return "", "", errors.New("no go.mod found above " + dir + ": run `go mod init` first")
		}
	}
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

func plan_(dir string, out *golang.Output) ([]files.Change, error) {
	return files.Plan(os.DirFS(dir), out.Files, out.Scaffolds, out.Dir)
}

func cmdGenerate(args []string, stdout io.Writer) error {
	p, err := specFlag("generate", args)
	if err != nil {
		return err
	}
	return generate(p, stdout)
}

func generate(specPath string, stdout io.Writer) error {
	dir, out, err := load(specPath)
	if err != nil {
		return err
	}
	changes, err := plan_(dir, out)
	if err != nil {
		return err
	}
	var conflicts []string
	for _, c := range changes {
		if c.Op == files.Conflict {
			conflicts = append(conflicts, c.Path)
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("refusing to overwrite files without ward's header: %s", strings.Join(conflicts, ", "))
	}
	for _, c := range changes {
		full := filepath.Join(dir, filepath.FromSlash(c.Path))
		switch c.Op {
		case files.Write, files.Create:
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(full, c.Content, 0o644); err != nil {
				return err
			}
		case files.Remove:
			if err := os.Remove(full); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "%-9s %s\n", c.Op, c.Path)
	}
	return nil
}

func cmdCheck(args []string, stdout io.Writer) (bool, error) {
	p, err := specFlag("check", args)
	if err != nil {
		return false, err
	}
	dir, out, err := load(p)
	if err != nil {
		return false, err
	}
	changes, err := plan_(dir, out)
	if err != nil {
		return false, err
	}
	stale := files.Stale(changes)
	for _, c := range stale {
		switch c.Op {
		case files.Create:
			fmt.Fprintf(stdout, "missing scaffold %s: run `ward generate`\n", c.Path)
		case files.Remove:
			fmt.Fprint(stdout, files.Diff(c.Path, c.Old, nil))
		default:
			fmt.Fprint(stdout, files.Diff(c.Path, c.Old, c.Content))
		}
	}
	for _, c := range changes {
		if c.Op == files.Orphan {
			fmt.Fprintf(stdout, "orphaned %s: its class left the spec; delete it when done\n", c.Path)
		}
	}
	if len(stale) > 0 {
		cmd := "ward generate"
		if p != "api.yaml" {
			cmd += " -spec " + p
		}
		fmt.Fprintf(stdout, "%d file(s) out of date with %s: run `%s` (or `go generate`) to update them\n", len(stale), p, cmd)
	}
	return len(stale) > 0, nil
}

func cmdVet(args []string, stdout io.Writer) error {
	p, err := specFlag("vet", args)
	if err != nil {
		return err
	}
	svc, err := spec.LoadFile(p)
	if err != nil {
		return err
	}
	if err := policy.Vet(p, svc); err != nil {
		return err
	}
	fmt.Fprintln(stdout, p+": ok")
	return nil
}
