package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// MaxSize is the largest spec Load accepts, in bytes.
const MaxSize = 1 << 20

// LoadFile reads, validates and resolves the spec at path. Error positions
// name the file as path is written.
func LoadFile(path string) (*plan.Service, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: "cannot read spec: " + describeIOError(err)}}
	}
	return Load(path, data)
}

func describeIOError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Load parses, validates and resolves a spec. filename is used as given in
// error positions and its base name becomes plan.Service.SpecFile. On
// invalid input the error is an ErrorList with every problem found.
func Load(filename string, data []byte) (svc *plan.Service, err error) {
	l := &loader{file: filename}
	defer func() {
		// Load must never panic; a bug in the loader reports as an error
		// rather than crashing the caller.
		if r := recover(); r != nil {
			svc = nil
			err = ErrorList{{File: filename, Msg: "internal error while loading the spec; please report it"}}
		}
	}()
	svc = l.load(data)
	if len(l.errs) > 0 {
		return nil, sortErrors(l.errs)
	}
	return svc, nil
}

// loader loads one spec in three steps, a section at a time:
//
//  1. decode (decode.go): a mapping becomes its struct of value nodes,
//     each keeping its position; duplicate and unknown keys are refused;
//  2. validate (service.go, auth.go, permissions.go, resources.go,
//     fields.go): one small function per section, and per key where a
//     key needs more than a line, reads each value into the plan or
//     reports it at its file:line:col;
//  3. resolve (resolve.go): endpoints get their permissions and the
//     checks that need a whole resource run.
//
// Sections load in the order later ones depend on: throttle scopes and
// classes before the resources naming them, and the settings of
// authentication classes once the resources have named theirs.
type loader struct {
	file string
	errs ErrorList
	svc  *plan.Service

	prefix     string
	classes    map[string]*plan.Class
	classNodes map[string]*yaml.Node // class name -> its rule or read_scope node
	classKeys  map[string]*yaml.Node // class name -> its name in permissions.classes
	broken     map[string]bool       // classes declared with an error already reported
	scopeNames map[string]bool       // named throttle scopes
	authUsed   map[plan.AuthClass]bool
	routes     map[string]string // concrete route -> what declared it
	pending    []pendingRoute    // resource routes, registered after the auth routes
	lines      []string          // the source, for positions inside scalars
	meNode     *yaml.Node
	// refs are the reference fields of the resource loading, and
	// resourceKeys every name under resources:, true until it is loaded,
	// for refTargets.
	refs         []pendingRef
	resourceKeys map[string]bool
	// funcs are the Go functions a person writes for hooks and extra
	// actions, by name: what each is, for clashes.
	funcs map[string]string
}

type pendingRoute struct {
	node         *yaml.Node
	route, owner string
}

func (l *loader) errAt(n *yaml.Node, hint, format string, args ...any) {
	e := &Error{File: l.file, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

func (l *loader) errPos(line, col int, hint, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) load(data []byte) *plan.Service {
	if len(data) > MaxSize {
		l.errPos(1, 1, "split the API into smaller specs", "spec is larger than %d bytes", MaxSize)
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			l.errPos(1, 1, "start the file with \"version: 1\"", "spec is empty")
			return nil
		}
		l.yamlError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errAt(&extra, "keep one document per spec file", "spec has more than one YAML document")
		return nil
	} else if err != io.EOF {
		l.yamlError(err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		l.errPos(1, 1, "start the file with \"version: 1\"", "spec is empty")
		return nil
	}
	root := doc.Content[0]
	l.lines = strings.Split(string(data), "\n")
	if l.findAliases(root, 0) {
		return nil
	}
	return l.service(root)
}

func (l *loader) yamlError(err error) {
	msg := err.Error()
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if m := yamlErrLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			l.errPos(n, 1, "", "invalid YAML: %s", m[2])
			continue
		}
		if line == "" || line == "yaml: unmarshal errors:" {
			continue
		}
		l.errPos(1, 1, "", "invalid YAML: %s", strings.TrimPrefix(line, "yaml: "))
	}
	if len(l.errs) == 0 {
		l.errPos(1, 1, "", "invalid YAML")
	}
}

// findAliases reports every alias (*name) and overly deep nesting. Aliases
// are refused so that a spec reads as written and cannot expand.
func (l *loader) findAliases(n *yaml.Node, depth int) bool {
	if depth > 32 {
		l.errAt(n, "flatten the document", "YAML nested too deeply")
		return true
	}
	found := false
	if n.Kind == yaml.AliasNode {
		l.errAt(n, "write the value out instead of *"+n.Value, "YAML aliases are not supported")
		return true
	}
	for _, c := range n.Content {
		if l.findAliases(c, depth+1) {
			found = true
		}
	}
	return found
}
