package files

import (
	"fmt"
	"strings"
)

// Diff is a unified diff of old and new text for file name, with three
// lines of context; "" when they are equal. It uses a longest common
// subsequence over lines, which is fine for generated files.
func Diff(name string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	ops := editScript(lines(string(old)), lines(string(new)))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- a/%s\n+++ b/%s\n", name, name)
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start, end := max(k-diffContext, 0), hunkEnd(ops, k)
		writeHunk(&sb, ops[start:end])
		k = end
	}
	return sb.String()
}

// diffContext is the number of unchanged lines around a change.
const diffContext = 3

// diffOp is one line of an edit script: kept (' '), removed ('-') or
// added ('+'), with its line index in the old (ai) and new (bi) text.
type diffOp struct {
	kind   byte
	text   string
	ai, bi int
}

// editScript turns a into b, through their longest common subsequence.
func editScript(a, b []string) []diffOp {
	n, m := len(a), len(b)
	// lcs[i][j] = LCS length of a[i:], b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i], i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j], i, j})
			j++
		}
	}
	return ops
}

// hunkEnd is the end of the hunk whose first change is ops[k]: changes
// closer than twice the context share a hunk.
func hunkEnd(ops []diffOp, k int) int {
	end := k
	for end < len(ops) {
		if ops[end].kind != ' ' {
			end++
			continue
		}
		run := end
		for run < len(ops) && ops[run].kind == ' ' {
			run++
		}
		if run-end > 2*diffContext || run == len(ops) {
			return min(end+diffContext, len(ops))
		}
		end = run
	}
	return end
}

// writeHunk writes one hunk: its @@ line, then its lines.
func writeHunk(sb *strings.Builder, ops []diffOp) {
	var la, lb int
	for _, o := range ops {
		if o.kind != '+' {
			la++
		}
		if o.kind != '-' {
			lb++
		}
	}
	// An empty side names the line before it, as diff -u does.
	sa, sb2 := ops[0].ai+1, ops[0].bi+1
	if la == 0 {
		sa--
	}
	if lb == 0 {
		sb2--
	}
	fmt.Fprintf(sb, "@@ -%d,%d +%d,%d @@\n", sa, la, sb2, lb)
	for _, o := range ops {
		sb.WriteByte(o.kind)
		sb.WriteString(o.text)
		sb.WriteByte('\n')
	}
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}
