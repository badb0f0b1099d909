package golang

import (
	"bytes"
	"strings"
)

// groupImports splits the import block jennifer writes (one sorted block)
// into the standard library first and everything else after a blank line,
// as goimports does, so generated files read like hand-written ones.
func groupImports(src []byte) []byte {
	start := bytes.Index(src, []byte("\nimport (\n"))
	if start < 0 {
		return src
	}
	bodyStart := start + len("\nimport (\n")
	end := bytes.Index(src[bodyStart:], []byte("\n)\n"))
	if end < 0 {
		return src
	}
	body := src[bodyStart : bodyStart+end]
	var std, other []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if isStdImport(line) {
			std = append(std, line)
		} else {
			other = append(other, line)
		}
	}
	if len(std) == 0 || len(other) == 0 {
		return src
	}
	var b bytes.Buffer
	b.Write(src[:bodyStart])
	b.WriteString(strings.Join(std, "\n"))
	b.WriteString("\n\n")
	b.WriteString(strings.Join(other, "\n"))
	b.Write(src[bodyStart+end:])
	return b.Bytes()
}

// isStdImport reports whether an import line names a standard library
// package: its path's first element has no dot.
func isStdImport(line string) bool {
	q := strings.Index(line, `"`)
	if q < 0 {
		return false
	}
	p := strings.Trim(line[q:], `"`)
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}
