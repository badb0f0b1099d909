// Package spec loads a Ward spec (api.yaml): it parses the YAML, validates
// every key and value with its file:line:col position, and resolves the
// result into the plan model (package plan) with every default applied.
//
// Load and LoadFile are the entry points. On invalid input they return an
// ErrorList holding every problem found, sorted by position; they never
// panic. Dump renders a resolved plan as stable text (the golden files in
// testdata/valid are Dump's output). The language is documented in
// docs/spec.md and described by docs/ward.schema.json.
package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a spec, at a position in its file.
type Error struct {
	File string // the file name as given to Load
	Line int    // 1-based; 0 when the problem has no position
	Col  int    // 1-based; 0 when the problem has no position
	Msg  string // what is wrong
	Hint string // what to write instead; may be empty
}

// Error renders the problem as "file:line:col: msg; hint".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// ErrorList is every problem found in a spec, sorted by position.
type ErrorList []*Error

// Error renders one problem per line, in order.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// sortErrors orders the list by line, column and message and drops exact
// duplicates.
func sortErrors(l ErrorList) ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
	out := l[:0]
	for i, e := range l {
		if i > 0 && *e == *l[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// levenshtein is the edit distance between a and b, in bytes.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nearest returns the candidate closest to s, or "" when none is close
// enough to be a plausible typo.
func nearest(s string, candidates []string) string {
	// Suggestions are for typos in short names; bounding the work keeps a
	// hostile spec from costing quadratic time.
	if len(s) > 64 || len(candidates) > 256 {
		return ""
	}
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := levenshtein(ls, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(s)/3)
	if bestD <= limit && best != "" {
		return best
	}
	return ""
}
