package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/wardhq/ward/templates"
)

const (
	wardModule = "github.com/wardhq/ward"
	wardTool   = wardModule + "/cmd/ward"
)

// cmdInit writes a starter spec and generate.go into a folder of a module,
// makes `go tool ward` run the module's Ward, and generates.
func cmdInit(args []string, stdout io.Writer) error {
	dir := "."
	if len(args) > 1 {
		return errors.New("init: at most one folder")
	}
	if len(args) == 1 {
		dir = args[0]
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	root, _, err := findModule(abs)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	specPath, genPath := filepath.Join(dir, "api.yaml"), filepath.Join(dir, "generate.go")
	for _, p := range []string{specPath, genPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("init: %s exists", p)
		}
	}
	n := starterNames(filepath.Base(abs))
	specSrc, err := templates.Render("api.yaml.tmpl", n)
	if err != nil {
		return err
	}
	genSrc, err := templates.Render("generate.go.tmpl", n)
	if err != nil {
		return err
	}
	if err := addTool(root, stdout); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		b    []byte
	}{{specPath, specSrc}, {genPath, genSrc}} {
		if err := os.WriteFile(f.path, f.b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-9s %s\n", "created", f.path)
	}
	if err := generate(specPath, stdout); err != nil {
		return err
	}
	cmdDir := filepath.Join(dir, filepath.FromSlash(n.Main))
	if !filepath.IsAbs(cmdDir) && !strings.HasPrefix(cmdDir, "..") {
		cmdDir = "." + string(filepath.Separator) + cmdDir
	}
	fmt.Fprintf(stdout, "next:     go mod tidy, then go run %s serve\n", cmdDir)
	return nil
}

// starter holds the names of a starter spec, derived from its folder's name.
type starter struct {
	Name    string // service.name: a Go identifier, words joined by _
	Package string // the generated package: the words joined, ending in one "api"
	Main    string // the main package's folder: cmd/ and the words joined by -
	Env     string // service.env_prefix
	Folder  string // the package of generate.go in the spec's folder
}

// starterNames derives the names from a folder name: "billing-api" gives the
// service billing_api, the package billingapi (not billingapiapi), the main
// package cmd/billing-api and the prefix BILLING_API.
func starterNames(folder string) starter {
	words := strings.FieldsFunc(strings.ToLower(folder), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	if len(words) == 0 || words[0][0] <= '9' {
		words = append([]string{"app"}, words...)
	}
	joined := strings.Join(words, "")
	n := starter{
		Name:    strings.Join(words, "_"),
		Package: joined,
		Main:    "cmd/" + strings.Join(words, "-"),
		Folder:  joined,
	}
	n.Env = strings.ToUpper(n.Name)
	if !strings.HasSuffix(joined, "api") {
		n.Package += "api"
	}
	if token.IsKeyword(joined) || joined == "main" {
		n.Folder = n.Package
	}
	return n
}

// goMod is the part of `go mod edit -json`'s answer that init reads.
type goMod struct {
	Module  struct{ Path string }
	Require []struct{ Path, Version string }
	Tool    []struct{ Path string }
}

// addTool makes ward a tool of the module at root (the tool directive), so
// that the scaffolded `//go:generate go tool ward generate` runs it.
func addTool(root string, stdout io.Writer) error {
	out, err := goCmd(root, "mod", "edit", "-json")
	if err != nil {
		return err
	}
	var m goMod
	if err := json.Unmarshal(out, &m); err != nil {
		return fmt.Errorf("init: reading go.mod: %w", err)
	}
	args := toolArgs(m, buildVersion())
	if args == nil {
		return nil
	}
	if _, err := goCmd(root, args...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-9s tool %s to %s\n", "added", wardTool, filepath.Join(root, "go.mod"))
	return nil
}

// toolArgs returns the go command that adds ward as a tool of module m, or
// nil when m names it already. A module that is Ward or requires it keeps
// its version; otherwise the running version is required (the latest when
// the running ward is not a released module, e.g. a local build), so that
// `go generate` later runs the generator that wrote the files.
func toolArgs(m goMod, version string) []string {
	for _, t := range m.Tool {
		if t.Path == wardTool {
			return nil
		}
	}
	required := m.Module.Path == wardModule
	for _, r := range m.Require {
		required = required || r.Path == wardModule
	}
	switch {
	case required:
		return []string{"mod", "edit", "-tool=" + wardTool}
	case version != "":
		return []string{"get", "-tool", wardTool + "@" + version}
	default:
		return []string{"get", "-tool", wardTool}
	}
}

// buildVersion is the module version of the running ward, or "" when it
// was not built from a downloaded module.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != wardModule {
		return ""
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" || strings.Contains(v, "+") {
		return ""
	}
	return v
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("init: go %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
