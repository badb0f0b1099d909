package templates

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Comment renders text as Go line comments, one "//" line per line of
// text. It is the only way Ward writes a comment into Go code, generated or
// scaffolded, because nothing in text can end the comment: a line break in
// text (\n, \r, U+0085, U+2028, U+2029) starts a new "//" line, and what
// Go's scanner refuses or what could make code read other than it compiles
// (other control characters, bidirectional controls, the byte order mark,
// invalid UTF-8) is written as an escape such as \x00 or \u202e. ("*/"
// cannot end a line comment.) A tab counts as a space and trailing spaces
// are dropped; an empty text gives "//".
func Comment(text string) string {
	var b strings.Builder
	b.WriteString("//")
	started := false // a character was written on the current line
	spaces := 0      // spaces seen since the last character
	put := func(s string) {
		if !started {
			spaces++ // "// x"
		}
		b.WriteString(strings.Repeat(" ", spaces))
		b.WriteString(s)
		started, spaces = true, 0
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			put(fmt.Sprintf(`\x%02x`, text[i]))
			i++
			continue
		}
		i += size
		switch {
		case r == '\r' && strings.HasPrefix(text[i:], "\n"):
			// \r\n is one line break: the \n ends the line.
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			b.WriteString("\n//")
			started, spaces = false, 0
		case r == ' ' || r == '\t':
			spaces++
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\ufeff':
			q := strconv.QuoteRuneToASCII(r)
			put(q[1 : len(q)-1])
		default:
			put(string(r))
		}
	}
	return b.String()
}
