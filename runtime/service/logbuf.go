package service

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// The default log batches its lines: one write to stderr per logFlushEvery
// (or per logBufferBytes of lines) instead of one per request. The write is
// a system call that cost a tenth of an authenticated GET's CPU time. What
// a crash (SIGKILL, the OOM killer) can lose is bounded: at most the
// request lines of the last logFlushEvery. A line at level Warn or above
// (panics, server errors) is written at once, with the lines before it, and
// shutting down writes everything.
const (
	logFlushEvery  = 50 * time.Millisecond
	logBufferBytes = 64 << 10
)

// NewLogger returns the log serve writes to stderr: JSON lines, byte for
// byte as slog.JSONHandler writes them (see lineHandler), batched into one
// write to w every 50 ms (see logBuffer). Call closeLog when done with it:
// it writes what is held.
func NewLogger(w io.Writer) (log *slog.Logger, closeLog func() error) {
	buf := newLogBuffer(w, logFlushEvery)
	return slog.New(flushOnWarn{newLineHandler(buf), buf}), buf.Close
}

// logBuffer is an io.Writer that keeps whole lines in memory until Flush,
// which a goroutine calls every logFlushEvery until Close. It is safe for
// concurrent use; slog handlers write one whole line per Write.
type logBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte

	stop chan struct{}
	done chan struct{}
}

func newLogBuffer(w io.Writer, every time.Duration) *logBuffer {
	b := &logBuffer{w: w, buf: make([]byte, 0, logBufferBytes), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop(every)
	return b
}

func (b *logBuffer) loop(every time.Duration) {
	defer close(b.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Write keeps p for the next Flush; when the buffer would overflow it
// writes what it holds first, and a line larger than the buffer goes
// straight through.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > cap(b.buf) {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(b.buf) {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes the lines held so far.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// Close stops the periodic flush and writes what is left. Writes after
// Close still reach the writer, at the next Flush or at once when large.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}

// flushOnWarn is a slog.Handler that writes the buffer out after every
// record at level Warn or above, so that an error is never held back.
type flushOnWarn struct {
	slog.Handler
	buf *logBuffer
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.buf.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.buf}
}
