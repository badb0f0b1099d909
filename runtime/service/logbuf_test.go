package service

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher goroutine and the test.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func TestLogBufferBatchesRequestLinesAndFlushesWarnings(t *testing.T) {
	out := new(syncBuffer)
	buf := newLogBuffer(out, time.Hour) // no periodic flush during the test
	log := slog.New(flushOnWarn{slog.NewJSONHandler(buf, nil), buf})

	for range 100 {
		log.Info("request", "path", "/api/posts/1")
	}
	if got := out.String(); got != "" {
		t.Fatalf("info lines reached the writer before a flush: %q", got)
	}
	log.Error("panic", "path", "/api/posts/2")
	got := out.String()
	if n := strings.Count(got, "\n"); n != 101 {
		t.Fatalf("after an error line the writer has %d lines, want the 100 held and the error", n)
	}
	if !strings.HasSuffix(got, "\"path\":\"/api/posts/2\"}\n") {
		t.Fatalf("the error line is not last: %q", got[len(got)-80:])
	}
	if w := out.Writes(); w != 1 {
		t.Errorf("101 lines took %d writes, want 1", w)
	}

	log.With("k", "v").WithGroup("g").Warn("slow")
	if !strings.Contains(out.String(), `"msg":"slow","k":"v"`) {
		t.Errorf("a warning through With/WithGroup was held back: %q", out.String())
	}

	log.Info("last")
	if err := buf.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"msg":"last"`) {
		t.Errorf("Close did not write the held line")
	}
}

func TestLogBufferFlushesPeriodicallyAndWhenFull(t *testing.T) {
	out := new(syncBuffer)
	buf := newLogBuffer(out, 5*time.Millisecond)
	defer buf.Close()
	buf.Write([]byte("one\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one\n" {
		if time.Now().After(deadline) {
			t.Fatal("the periodic flush never wrote the line")
		}
		time.Sleep(time.Millisecond)
	}

	big := bytes.Repeat([]byte("x"), logBufferBytes+1)
	if n, err := buf.Write(big); n != len(big) || err != nil {
		t.Fatalf("a line larger than the buffer: %d, %v", n, err)
	}
	if !strings.HasSuffix(out.String(), string(big)) {
		t.Error("a line larger than the buffer was not written through")
	}
}

func TestLogBufferConcurrentWritersKeepLinesWhole(t *testing.T) {
	out := new(syncBuffer)
	buf := newLogBuffer(out, time.Millisecond)
	line := strings.Repeat("y", 999) + "\n"
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				buf.Write([]byte(line))
			}
		})
	}
	wg.Wait()
	buf.Close()
	got := out.String()
	if len(got) != 8*200*len(line) || strings.Count(got, line) != 8*200 {
		t.Fatalf("lines were lost or torn: %d bytes", len(got))
	}
}
