package access

import (
	"fmt"
	"strings"
)

// CellText writes a cell in a few words: the outcome on every object
// when it is the same, else each case's.
func CellText(c *Cell) string {
	if len(c.Cases) == 0 {
		return "—"
	}
	same := true
	for _, k := range c.Cases[1:] {
		if !equalOutcomes(k.Outcomes, c.Cases[0].Outcomes) {
			same = false
		}
	}
	if same {
		return outcomesText(c.Cases[0])
	}
	parts := make([]string, len(c.Cases))
	for i, k := range c.Cases {
		parts[i] = k.Object + ": " + outcomesText(k)
	}
	return strings.Join(parts, "; ")
}

func outcomesText(k *Case) string {
	s := make([]string, len(k.Outcomes))
	for i, o := range k.Outcomes {
		s[i] = o.String()
	}
	t := strings.Join(s, " or ")
	if len(k.Review) > 0 {
		t += " (review by hand: " + strings.Join(k.Review, ", ") + ")"
	}
	return t
}

// Markdown renders m as PERMISSIONS.md; header is its first line.
func Markdown(m *Matrix, header string) []byte {
	var b strings.Builder
	b.WriteString(header + "\n\n")
	fmt.Fprintf(&b, "# Who may do what: %s\n\n", m.Service)
	fmt.Fprintf(&b, "Ward computed this page from %s alone, as the generated handlers decide: for every\n", m.Spec)
	b.WriteString("endpoint and every kind of caller, the answer to a valid request. The steps are the\n")
	b.WriteString("runtime's: authentication, the request check (401 when the caller is anonymous and the\n")
	b.WriteString("chain's first class has a challenge, else 403), 405 for a method the route does not\n")
	b.WriteString("support, the lookup through the read scope (404: the object is out of the caller's\n")
	b.WriteString("scope), the object check (403), on the object as stored and as it will be written.\n")
	b.WriteString("A list answers 200 and shows the object (listed) or not (not listed). OPTIONS answers\n")
	b.WriteString("200 to every caller. \"review by hand\" names the `check: go` classes and `func` scopes\n")
	b.WriteString("whose answers decide. `ward diff` compares two versions; `ward explain` prints one decision.\n")
	for _, r := range m.Resources {
		markdownResource(&b, r)
	}
	return []byte(b.String())
}

func markdownResource(b *strings.Builder, r *Resource) {
	fmt.Fprintf(b, "\n## %s\n\n", r.Name)
	fmt.Fprintf(b, "- route: `%s`\n", r.Path)
	fmt.Fprintf(b, "- authentication: %s\n", chainText(r.Auth, r.Challenge))
	fmt.Fprintf(b, "- permission: `%s`\n", r.Permission)
	fmt.Fprintf(b, "- read scope: %s\n", r.ReadScope)
	for _, c := range r.Classes {
		fmt.Fprintf(b, "- class %s\n", c)
	}
	fmt.Fprintf(b, "- acknowledged: public: %v, allow_anonymous_writes: %v", r.Public, r.AnonymousWrites)
	if r.Reason != "" {
		fmt.Fprintf(b, ", because %s", r.Reason)
	}
	b.WriteString("\n")
	for _, k := range sortedKeys(r.Acknowledged) {
		fmt.Fprintf(b, "- acknowledged check `%s`: %s\n", k, r.Acknowledged[k])
	}
	for _, f := range r.Fields {
		fmt.Fprintf(b, "- field `%s`: %s\n", f.Name, fieldRuleText(f))
	}
	b.WriteString("\nCallers:\n\n")
	for _, c := range r.Callers {
		fmt.Fprintf(b, "- `%s`: %s\n", c.Name, c.Text)
	}
	b.WriteString("\n| endpoint | permission |")
	sep := "|---|---|"
	for _, c := range r.Callers {
		b.WriteString(" " + c.Name + " |")
		sep += "---|"
	}
	b.WriteString("\n" + sep + "\n")
	for _, e := range r.Endpoints {
		perm := "`" + e.Permission + "`"
		switch {
		case e.Action == "":
			perm += " (not supported)"
		case e.Extra != "":
			perm += " (extra action " + e.Extra + ": 200 or 204 as it returns, unless it refuses)"
		}
		fmt.Fprintf(b, "| %s | %s |", e.Key(), escapeCell(perm))
		for _, c := range e.Cells {
			b.WriteString(" " + escapeCell(CellText(c)) + " |")
		}
		b.WriteString("\n")
	}
	markdownMoves(b, r)
	markdownFields(b, r)
	markdownThrottles(b, r)
}

func chainText(auth []string, challenge string) string {
	if len(auth) == 0 {
		return "none: every caller is anonymous"
	}
	s := strings.Join(auth, ", ")
	if challenge != "" {
		return s + "; an anonymous caller who is refused gets 401 with `WWW-Authenticate: " + challenge + "`"
	}
	return s + "; no challenge: an anonymous caller who is refused gets 403"
}

func fieldRuleText(f FieldRule) string {
	var s []string
	if f.Read != "" {
		s = append(s, "shown to `"+f.Read+"`")
	}
	if f.Write != "" {
		s = append(s, "set by `"+f.Write+"` (403 when another caller sends it)")
	}
	return strings.Join(s, ", ")
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// markdownMoves lists the updates whose answer changes with what they
// change: the object check runs on the object as it will be written.
func markdownMoves(b *strings.Builder, r *Resource) {
	first := true
	for _, e := range r.Endpoints {
		for _, c := range e.Cells {
			for _, k := range c.Cases {
				for _, mv := range k.Moves {
					if first {
						b.WriteString("\nUpdates that change what the rules look at (the object check runs on the object as written):\n\n")
						first = false
					}
					obj := ""
					if k.Object != "" {
						obj = " on " + k.Object
					}
					fmt.Fprintf(b, "- %s by `%s`%s, making %s: %s\n", e.Key(), c.Caller, obj, mv.To, outcomesText(&Case{Outcomes: mv.Outcomes}))
				}
			}
		}
	}
}

// markdownFields is a table of the field rules per caller, from the
// first endpoint that reads and the first that writes.
func markdownFields(b *strings.Builder, r *Resource) {
	if len(r.Fields) == 0 {
		return
	}
	var read, write *Endpoint
	for _, e := range r.Endpoints {
		if e.Action == "" || len(e.Cells) == 0 || len(e.Cells[0].Fields) == 0 {
			continue
		}
		if read == nil && e.Method == "GET" {
			read = e
		}
		if write == nil && e.Cells[0].Fields[0].Write != nil {
			write = e
		}
	}
	b.WriteString("\nFields with rules (seen / may send):\n\n| field |")
	sep := "|---|"
	for _, c := range r.Callers {
		b.WriteString(" " + c.Name + " |")
		sep += "---|"
	}
	b.WriteString("\n" + sep + "\n")
	for i, f := range r.Fields {
		fmt.Fprintf(b, "| %s |", f.Name)
		for j := range r.Callers {
			fmt.Fprintf(b, " %s |", fieldCell(read, write, i, j))
		}
		b.WriteString("\n")
	}
}

func fieldCell(read, write *Endpoint, i, j int) string {
	s := "—"
	if read != nil {
		s = "sees: " + read.Cells[j].Fields[i].Read.String()
	}
	if write != nil {
		s += ", sends: " + write.Cells[j].Fields[i].Write.String()
	}
	return s
}

func markdownThrottles(b *strings.Builder, r *Resource) {
	if len(r.Endpoints) == 0 {
		return
	}
	var parts []string
	for _, c := range r.Endpoints[0].Cells {
		if len(c.Throttles) > 0 {
			parts = append(parts, "`"+c.Caller+"`: "+strings.Join(c.Throttles, ", "))
		}
	}
	if len(parts) > 0 {
		b.WriteString("\nThrottles: " + strings.Join(parts, "; ") + ".\n")
	}
}
