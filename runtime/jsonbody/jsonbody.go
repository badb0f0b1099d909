// Package jsonbody holds the rules every JSON request body in Ward obeys,
// the resource endpoints' and the login endpoints' alike, so that nothing
// corrupt gets past one of them:
//
//   - the body is application/json in UTF-8: a Content-Type naming another
//     charset is refused (415), since decoding it as UTF-8 would corrupt it;
//   - the bytes are valid UTF-8: Go's encoding/json would silently replace
//     invalid bytes with U+FFFD, so they are a parse error (400) instead;
//   - strings hold no NUL character, which PostgreSQL cannot store and
//     SQLite would: DRF's CharField refuses them ("Null characters are not
//     allowed."), and so does Ward, on every backend.
package jsonbody

import (
	"encoding/json"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IsJSON reports whether ct, a Content-Type header, is application/json in
// UTF-8: without a charset, or with charset utf-8 (any case; "utf8" too,
// as Python's codecs and so DRF accept it). Any other charset is refused
// rather than decoded as UTF-8; answer it with drf.UnsupportedMediaType.
func IsJSON(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	if !ok {
		return true
	}
	switch strings.ToLower(cs) {
	case "utf-8", "utf8":
		return true
	}
	return false
}

// Problems with a body, as the part of DRF's "JSON parse error - ..."
// detail after the dash. They never quote the body.
const (
	InvalidUTF8 = "invalid UTF-8"
	InvalidJSON = "invalid JSON"
)

// Check returns "" when body is one valid JSON value in valid UTF-8, else
// InvalidUTF8 or InvalidJSON.
func Check(body []byte) string {
	if !utf8.Valid(body) {
		return InvalidUTF8
	}
	if !json.Valid(body) {
		return InvalidJSON
	}
	return ""
}

// NullCharacters is DRF's message for a string holding NUL (its
// ProhibitNullCharactersValidator, which every CharField runs).
const NullCharacters = "Null characters are not allowed."

// HasNull reports whether s holds a NUL character.
func HasNull(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// Surrogate returns the first lone UTF-16 surrogate escaped in raw, one
// valid JSON string token: a \uD800-\uDBFF escape not followed by a
// \uDC00-\uDFFF one, or the latter alone. Go's encoding/json decodes it as
// U+FFFD, which would store something the client did not send; DRF's
// CharField refuses it (SurrogateMessage).
func Surrogate(raw []byte) (rune, bool) {
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // an escaped character, possibly a backslash
			continue
		}
		r := hex4(raw, i+2)
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if lo := hex4(raw, i+8); i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 11
				continue
			}
			return r, true
		case r >= 0xDC00 && r <= 0xDFFF:
			return r, true
		}
		i += 5
	}
	return 0, false
}

// hex4 decodes the four hex digits at raw[i:], or returns -1.
func hex4(raw []byte, i int) rune {
	if i < 0 || i+4 > len(raw) {
		return -1
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}

// SurrogateMessage is DRF's message for a string holding the lone
// surrogate r (its ProhibitSurrogateCharactersValidator).
func SurrogateMessage(r rune) string {
	return "Surrogate characters are not allowed: U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + "."
}
