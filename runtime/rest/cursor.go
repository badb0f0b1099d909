package rest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// A cursor is a position in a list's order: the sort key of one row (the
// values of the order's columns, id last), the ordering it was issued
// for, and which way it reads. It travels as base64url(payload || mac),
// mac = HMAC-SHA256(key, "ward cursor" NUL resource NUL payload): opaque to
// the client and tamper-evident, so a value the service did not issue, or
// one issued for another resource, is refused before it is read. The key
// (App.CursorKey) is the same on every instance given the same secret, so
// a cursor issued by one is valid on the others.

// cursorMAC is the length of a cursor's MAC.
const cursorMAC = sha256.Size

// maxCursor bounds the length of a cursor read from a request.
const maxCursor = 4096

// position is a cursor's payload.
type position struct {
	Ordering  string    // the ordering it was issued for: "-total,-id"
	Reverse   bool      // the rows before the position (a previous page)
	Inclusive bool      // the row at the position too
	Key       []*string // the row's sort key, encoded by encodeValue; nil is NULL
}

// cursorVersion is the first byte of a payload.
const cursorVersion = 1

// marshal writes p as version, flags (1 reverse, 2 inclusive), the
// ordering and the key values, each length-prefixed (uvarint); a NULL is
// the byte 0, a value 1 and its bytes.
func (p *position) marshal() []byte {
	b := []byte{cursorVersion, 0}
	if p.Reverse {
		b[1] |= 1
	}
	if p.Inclusive {
		b[1] |= 2
	}
	b = binary.AppendUvarint(b, uint64(len(p.Ordering)))
	b = append(b, p.Ordering...)
	b = binary.AppendUvarint(b, uint64(len(p.Key)))
	for _, k := range p.Key {
		if k == nil {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(*k)))
		b = append(b, *k...)
	}
	return b
}

// unmarshalPosition reads what marshal wrote, and nothing else.
func unmarshalPosition(b []byte) (*position, error) {
	if len(b) < 2 || b[0] != cursorVersion || b[1] > 3 {
		return nil, errInvalidCursor
	}
	p := &position{Reverse: b[1]&1 != 0, Inclusive: b[1]&2 != 0}
	whole := b
	b = b[2:]
	str := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, true
	}
	var ok bool
	if p.Ordering, ok = str(); !ok {
		return nil, errInvalidCursor
	}
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)) {
		return nil, errInvalidCursor
	}
	b = b[w:]
	for range n {
		if len(b) == 0 || b[0] > 1 {
			return nil, errInvalidCursor
		}
		null := b[0] == 0
		b = b[1:]
		if null {
			p.Key = append(p.Key, nil)
			continue
		}
		s, ok := str()
		if !ok {
			return nil, errInvalidCursor
		}
		p.Key = append(p.Key, &s)
	}
	// Nothing after it, and no overlong length: one payload per position.
	if len(b) != 0 || !bytes.Equal(p.marshal(), whole) {
		return nil, errInvalidCursor
	}
	return p, nil
}

var errInvalidCursor = errors.New("rest: invalid cursor")

func cursorMACOf(key []byte, resource string, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ward cursor\x00" + resource + "\x00"))
	m.Write(payload)
	return m.Sum(nil)
}

// encodeCursor signs p for resource with key.
func encodeCursor(key []byte, resource string, p *position) string {
	payload := p.marshal()
	return base64.RawURLEncoding.EncodeToString(append(payload, cursorMACOf(key, resource, payload)...))
}

// decodeCursor checks and reads a cursor issued for resource with key. Any
// value the service did not issue (made up, truncated, extended, changed
// in any character, or issued for another resource) is errInvalidCursor.
func decodeCursor(key []byte, resource, s string) (*position, error) {
	if len(key) == 0 || len(s) > maxCursor {
		return nil, errInvalidCursor
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	// The decoder skips CR and LF: only the one encoding of raw is the cursor.
	if err != nil || len(raw) <= cursorMAC || base64.RawURLEncoding.EncodeToString(raw) != s {
		return nil, errInvalidCursor
	}
	payload, mac := raw[:len(raw)-cursorMAC], raw[len(raw)-cursorMAC:]
	if !hmac.Equal(mac, cursorMACOf(key, resource, payload)) {
		return nil, errInvalidCursor
	}
	return unmarshalPosition(payload)
}

// encodeValue writes a sort key value as the store binds it, tagged with
// its type: "i12", "s...", "t2026-...", "d2:59.97"; nil for NULL.
func encodeValue(v any) (*string, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		s = "i" + strconv.FormatInt(x, 10)
	case float64:
		s = "f" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		s = "s" + x
	case bool:
		s = "b" + strconv.FormatBool(x)
	case time.Time:
		s = "t" + x.UTC().Format(time.RFC3339Nano)
	case DecimalArg:
		if x.V == nil {
			return nil, nil
		}
		s = "d" + strconv.Itoa(x.Places) + ":" + x.V.Text('f')
	case *int64, *float64, *string, *bool, *time.Time:
		return encodeValue(deref(x))
	default:
		return nil, errors.New("rest: a sort key of an unknown type")
	}
	return &s, nil
}

func deref(v any) any {
	switch x := v.(type) {
	case *int64:
		if x != nil {
			return *x
		}
	case *float64:
		if x != nil {
			return *x
		}
	case *string:
		if x != nil {
			return *x
		}
	case *bool:
		if x != nil {
			return *x
		}
	case *time.Time:
		if x != nil {
			return *x
		}
	}
	return nil
}

// decodeValue reads what encodeValue wrote.
func decodeValue(p *string) (any, error) {
	if p == nil {
		return nil, nil
	}
	s := *p
	if s == "" {
		return nil, errInvalidCursor
	}
	tag, text := s[0], s[1:]
	switch tag {
	case 'i':
		return strconv.ParseInt(text, 10, 64)
	case 'f':
		return strconv.ParseFloat(text, 64)
	case 's':
		return text, nil
	case 'b':
		return strconv.ParseBool(text)
	case 't':
		return time.Parse(time.RFC3339Nano, text)
	case 'd':
		places, num, ok := strings.Cut(text, ":")
		n, err := strconv.Atoi(places)
		if !ok || err != nil || n < 0 || n > MaxDecimalDigits {
			return nil, errInvalidCursor
		}
		d, _, err := apd.NewFromString(num)
		if err != nil || d.Form != apd.Finite {
			return nil, errInvalidCursor
		}
		return BindDecimal(d, n), nil
	}
	return nil, errInvalidCursor
}
