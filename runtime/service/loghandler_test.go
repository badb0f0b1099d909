package service

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"testing"
	"time"
)

// lines returns what lineHandler and slog.JSONHandler write for r.
func lines(t testing.TB, r slog.Record) (fast, std string) {
	var a, b bytes.Buffer
	if err := newLineHandler(&a).Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := slog.NewJSONHandler(&b, nil).Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String()
}

func TestLineHandlerWritesWhatJSONHandlerWrites(t *testing.T) {
	now := time.Date(2026, 11, 29, 21, 50, 1, 123456789, time.UTC)
	cases := map[string][]slog.Attr{
		"request": {slog.String("method", "GET"), slog.String("path", "/api/posts/1"), slog.Int("status", 200),
			slog.Float64("duration_ms", 0.123), slog.Int64("user_id", 7)},
		"floats":   {slog.Float64("a", 1e21), slog.Float64("b", 1e-7), slog.Float64("c", 0), slog.Float64("d", -2.5), slog.Float64("e", 123456789.125)},
		"escapes":  {slog.String("path", "/a\"b\\c\n<&>\u00e9\x7f")},
		"kinds":    {slog.Bool("ok", true), slog.Uint64("u", math.MaxUint64), slog.Duration("d", time.Second), slog.Time("t", now), slog.Any("m", map[string]int{"x": 1})},
		"nan":      {slog.Float64("x", math.NaN())},
		"empty":    {{}, slog.String("k", "")},
		"group":    {slog.Group("g", slog.Int("a", 1))},
		"no attrs": nil,
	}
	for name, attrs := range cases {
		r := slog.NewRecord(now, slog.LevelInfo, "request", 0)
		r.AddAttrs(attrs...)
		fast, std := lines(t, r)
		if fast != std {
			t.Errorf("%s:\n got %s\nwant %s", name, fast, std)
		}
	}
	// A zero time is left out, as JSONHandler does.
	fast, std := lines(t, slog.NewRecord(time.Time{}, slog.LevelWarn+1, "m", 0))
	if fast != std {
		t.Errorf("zero time: got %s want %s", fast, std)
	}
}

func TestLineHandlerDerivedLoggersAndLevels(t *testing.T) {
	var a, b bytes.Buffer
	fast := slog.New(newLineHandler(&a)).With("svc", "blog").WithGroup("g")
	std := slog.New(slog.NewJSONHandler(&b, nil)).With("svc", "blog").WithGroup("g")
	for _, l := range []*slog.Logger{fast, std} {
		l.Debug("hidden")
		l.Info("shown", "k", 1)
	}
	// The time differs between the two calls: compare from "level".
	ga, gb := a.String(), b.String()
	if i, j := bytes.Index(a.Bytes(), []byte(`"level"`)), bytes.Index(b.Bytes(), []byte(`"level"`)); i < 0 || j < 0 || ga[i:] != gb[j:] {
		t.Errorf("derived logger:\n got %s\nwant %s", ga, gb)
	}
}

func FuzzLineHandler(f *testing.F) {
	f.Add("request", "path", "/api/posts/1", int64(200), 0.25, true, int64(1700000000123456789))
	f.Add("m\x00", "k\"", "\xff<>", int64(-1), 1e-9, false, int64(0))
	f.Fuzz(func(t *testing.T, msg, key, s string, i int64, fl float64, b bool, nanos int64) {
		r := slog.NewRecord(time.Unix(0, nanos).UTC(), slog.LevelInfo, msg, 0)
		r.AddAttrs(slog.String(key, s), slog.Int64("i", i), slog.Float64("f", fl), slog.Bool("b", b))
		fast, std := lines(t, r)
		if fast != std {
			t.Fatalf("\n got %q\nwant %q", fast, std)
		}
	})
}

func BenchmarkRequestLine(b *testing.B) {
	for _, h := range []struct {
		name string
		h    slog.Handler
	}{{"JSONHandler", slog.NewJSONHandler(discard{}, nil)}, {"lineHandler", newLineHandler(discard{})}} {
		b.Run(h.name, func(b *testing.B) {
			log := slog.New(h.h)
			b.ReportAllocs()
			for b.Loop() {
				log.LogAttrs(context.Background(), slog.LevelInfo, "request", slog.String("method", "GET"),
					slog.String("path", "/api/posts/1"), slog.Int("status", 200), slog.Float64("duration_ms", 0.532), slog.Int64("user_id", 1))
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
