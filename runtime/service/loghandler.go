package service

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/wardhq/ward/runtime/jsonw"
)

// lineHandler writes the default log's JSON lines. It writes exactly the
// bytes slog.JSONHandler writes (FuzzLineHandler compares them), but
// appends the common record itself: a flat list of string, integer, bool
// and finite float attributes whose strings need no escaping, which is what
// the request log writes on every request. Any other record (groups,
// attributes added with With, other kinds, strings to escape) goes to the
// JSONHandler. slog.JSONHandler formats floats through encoding/json and
// was a twentieth of an authenticated GET's CPU time.
type lineHandler struct {
	json *slog.JSONHandler
	w    io.Writer
	mu   *sync.Mutex // one Write per line, as JSONHandler does
}

func newLineHandler(w io.Writer) *lineHandler {
	return &lineHandler{json: slog.NewJSONHandler(w, nil), w: w, mu: new(sync.Mutex)}
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.json.WithAttrs(attrs) }

func (h *lineHandler) WithGroup(name string) slog.Handler { return h.json.WithGroup(name) }

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (h *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := linePool.Get().(*[]byte)
	defer linePool.Put(bp)
	buf, ok := appendLine((*bp)[:0], r)
	if !ok {
		return h.json.Handle(ctx, r)
	}
	*bp = buf
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(buf)
	return err
}

// appendLine appends r as slog.JSONHandler writes it, or reports false when
// r holds something it leaves to the JSONHandler.
func appendLine(buf []byte, r slog.Record) ([]byte, bool) {
	ok := true
	if !r.Time.IsZero() {
		if y := r.Time.Year(); y < 0 || y >= 10000 {
			return buf, false
		}
		buf = append(buf, `{"time":"`...)
		buf = r.Time.Round(0).AppendFormat(buf, time.RFC3339Nano)
		buf = append(buf, `","level":`...)
	} else {
		buf = append(buf, `{"level":`...)
	}
	if buf, ok = appendPlainString(buf, r.Level.String()); !ok {
		return buf, false
	}
	buf = append(buf, `,"msg":`...)
	if buf, ok = appendPlainString(buf, r.Message); !ok {
		return buf, false
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Equal(slog.Attr{}) {
			return true // JSONHandler leaves empty attributes out
		}
		buf = append(buf, ',')
		if buf, ok = appendPlainString(buf, a.Key); !ok {
			return false
		}
		buf = append(buf, ':')
		buf, ok = appendValue(buf, a.Value)
		return ok
	})
	if !ok {
		return buf, false
	}
	return append(buf, "}\n"...), true
}

func appendValue(buf []byte, v slog.Value) ([]byte, bool) {
	switch v.Kind() {
	case slog.KindString:
		return appendPlainString(buf, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(buf, v.Int64(), 10), true
	case slog.KindUint64:
		return strconv.AppendUint(buf, v.Uint64(), 10), true
	case slog.KindBool:
		return strconv.AppendBool(buf, v.Bool()), true
	case slog.KindFloat64:
		// As encoding/json writes it, which JSONHandler calls; NaN and
		// the infinities are left to JSONHandler.
		b, err := jsonw.AppendFloat(buf, v.Float64())
		if err != nil {
			return buf, false
		}
		return b, true
	}
	return buf, false
}

// appendPlainString quotes s when no byte of it needs escaping in JSON
// (printable ASCII other than ", \, <, > and &), else reports false.
func appendPlainString(buf []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return buf, false
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"'), true
}
