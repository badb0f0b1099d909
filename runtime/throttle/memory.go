package throttle

import (
	"context"
	"sync"
	"time"

	"github.com/wardhq/ward/runtime/store"
)

// MemoryCounters is a store.Counters in process memory: exact sliding
// windows under one mutex. It suits a single process and tests; several
// processes need a shared store (SQLite, PostgreSQL, Redis).
type MemoryCounters struct {
	mu    sync.Mutex
	keys  map[string]*window
	calls uint64
	now   func() time.Time
}

type window struct {
	hits   []time.Time // ascending
	length time.Duration
}

var (
	_ store.Counters = (*MemoryCounters)(nil)
	_ store.Peeker   = (*MemoryCounters)(nil)
)

// NewMemoryCounters returns empty in-memory counters.
func NewMemoryCounters() *MemoryCounters {
	return &MemoryCounters{keys: map[string]*window{}, now: time.Now}
}

// sweepEvery is how many hits pass between sweeps of idle keys.
const sweepEvery = 4096

// Hit implements store.Counters.
func (m *MemoryCounters) Hit(ctx context.Context, key string, limit int, length time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.calls++
	if m.calls%sweepEvery == 0 {
		for k, w := range m.keys {
			if len(w.hits) == 0 || !w.hits[len(w.hits)-1].Add(w.length).After(now) {
				delete(m.keys, k)
			}
		}
	}
	w := m.keys[key]
	if w == nil {
		w = &window{}
		m.keys[key] = w
	}
	w.length = length
	if ok, retry := w.check(now, limit, length); !ok {
		return false, retry, nil
	}
	w.hits = append(w.hits, now)
	return true, 0, nil
}

// Peek implements store.Peeker: Hit's answer, recording nothing.
func (m *MemoryCounters) Peek(ctx context.Context, key string, limit int, length time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.keys[key]
	if w == nil {
		w = &window{}
	}
	ok, retry := w.check(m.now(), limit, length)
	return ok, retry, nil
}

// check drops the hits that left the window ending at now and reports
// whether one more fits under limit, or how long until it would.
func (w *window) check(now time.Time, limit int, length time.Duration) (bool, time.Duration) {
	cut := now.Add(-length)
	i := 0
	for i < len(w.hits) && !w.hits[i].After(cut) {
		i++
	}
	if i > 0 {
		w.hits = append(w.hits[:0], w.hits[i:]...)
	}
	if len(w.hits) < limit {
		return true, 0
	}
	retry := length
	if len(w.hits) > 0 {
		retry = w.hits[0].Add(length).Sub(now)
	}
	if retry <= 0 {
		retry = time.Millisecond
	}
	return false, retry
}

// Len returns the number of keys held (for tests and metrics).
func (m *MemoryCounters) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
