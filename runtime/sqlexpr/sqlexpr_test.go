package sqlexpr

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestWhereCombinators(t *testing.T) {
	a := Where{SQL: `"a" = ?`, Args: []any{int64(1)}}
	b := Where{SQL: `"b" = ? OR "c" = ?`, Args: []any{"x", true}}
	all := Where{}
	cases := []struct {
		name string
		got  Where
		want Where
	}{
		{"and", a.And(b), Where{SQL: `("a" = ?) AND ("b" = ? OR "c" = ?)`, Args: []any{int64(1), "x", true}}},
		{"or", a.Or(b), Where{SQL: `("a" = ?) OR ("b" = ? OR "c" = ?)`, Args: []any{int64(1), "x", true}}},
		{"and all", a.And(all), a},
		{"all and", all.And(a), a},
		{"or all", a.Or(all), all},
		{"all or", all.Or(a), all},
		{"and nothing", a.And(Nothing), Nothing},
		{"nothing and", Nothing.And(a), Nothing},
		{"or nothing", a.Or(Nothing), a},
		{"nothing or", Nothing.Or(b), b},
		{"nothing or all", Nothing.Or(all), all},
		{"all and nothing", all.And(Nothing), Nothing},
	}
	for _, c := range cases {
		if c.got.SQL != c.want.SQL || !reflect.DeepEqual(c.got.Args, c.want.Args) {
			t.Errorf("%s: got %+v, want %+v", c.name, c.got, c.want)
		}
	}
	// Combining never aliases the operands' argument slices.
	x := Where{SQL: "x = ?", Args: make([]any, 1, 4)}
	y := Where{SQL: "y = ?", Args: []any{2}}
	z := Where{SQL: "z = ?", Args: []any{3}}
	xy, xz := x.And(y), x.And(z)
	if xy.Args[1] != 2 || xz.Args[1] != 3 {
		t.Fatalf("args aliased: %v %v", xy.Args, xz.Args)
	}
}

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"owner_id":       `"owner_id"`,
		"posts.owner_id": `"posts"."owner_id"`,
		`we"ird`:         `"we""ird"`,
		"order":          `"order"`,
	} {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestRebind(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"a = ?", "a = $1"},
		{"(a = ?) AND (b = ? OR c = ?)", "(a = $1) AND (b = $2 OR c = $3)"},
		{"a = '?' AND b = ?", "a = '?' AND b = $1"},
		{"a = 'it''s ?' AND b = ?", "a = 'it''s ?' AND b = $1"},
		{`"we?ird" = ?`, `"we?ird" = $1`},
		{"a = ? -- why?\nAND b = ?", "a = $1 -- why?\nAND b = $2"},
		{"a = ? /* ? */ AND b = ?", "a = $1 /* ? */ AND b = $2"},
		{"a = 'unterminated ?", "a = 'unterminated ?"},
		{"a = ? -- trailing ?", "a = $1 -- trailing ?"},
		{"a = ? /* open ?", "a = $1 /* open ?"},
		{strings.Repeat("? ", 11), "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11 "},
	}
	for _, c := range cases {
		if got := Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// blankQuoted blanks the quoted and commented spans of s (independently of
// Rebind), so the ? left are the placeholders.
func blankQuoted(s string) string {
	b := []byte(s)
	blank := func(from, to int) {
		for k := from; k < to && k < len(b); k++ {
			b[k] = ' '
		}
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' || s[i] == '"':
			j := strings.IndexByte(s[i+1:], s[i])
			if j < 0 {
				blank(i, len(s))
				return string(b)
			}
			blank(i, i+j+2)
			i += j + 1
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				blank(i, len(s))
				return string(b)
			}
			blank(i, i+j)
			i += j
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				blank(i, len(s))
				return string(b)
			}
			blank(i, i+j+4)
			i += j + 3
		}
	}
	return string(b)
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{"a = ?", "'?' ?", `"?" = ?`, "? -- ?\n?", "/* ? */ ?", "'it''s' ?", "?\x00?", "-/*?*/-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The expected output: each ? left after blanking quotes and
		// comments becomes $n, everything else is copied.
		blanked := blankQuoted(s)
		var want strings.Builder
		n := 0
		for i := 0; i < len(s); i++ {
			if blanked[i] == '?' {
				n++
				want.WriteString("$" + strconv.Itoa(n))
				continue
			}
			want.WriteByte(s[i])
		}
		if got := Rebind(s); got != want.String() {
			t.Fatalf("Rebind(%q) = %q, want %q", s, got, want.String())
		}
	})
}
