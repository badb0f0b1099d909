package throttle

import (
	"context"
	"fmt"
	"strconv"
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
	_ store.Reserver = (*MemoryCounters)(nil)
)

// NewMemoryCounters returns empty in-memory counters.
func NewMemoryCounters() *MemoryCounters {
	return &MemoryCounters{keys: map[string]*window{}, now: time.Now}
}

// sweepEvery is how many hits pass between sweeps of idle keys.
const sweepEvery = 4096

// Hit implements store.Counters.
func (m *MemoryCounters) Hit(ctx context.Context, key string, limit int, length time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := m.Reserve(ctx, key, limit, length)
	return ok, retry, err
}

// Reserve implements store.Reserver; the hit's handle is its time.
func (m *MemoryCounters) Reserve(ctx context.Context, key string, limit int, length time.Duration) (string, bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return "", false, 0, err
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
		return "", false, retry, nil
	}
	w.hits = append(w.hits, now)
	return strconv.FormatInt(now.UnixNano(), 10), true, 0, nil
}

// Release implements store.Reserver: it removes one hit of key at the
// time hit names.
func (m *MemoryCounters) Release(ctx context.Context, key, hit string) error {
	at, err := strconv.ParseInt(hit, 10, 64)
	if err != nil {
		return fmt.Errorf("throttle: bad hit handle %q", hit)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if w := m.keys[key]; w != nil {
		for i, t := range w.hits {
			if t.UnixNano() == at {
				w.hits = append(w.hits[:i], w.hits[i+1:]...)
				break
			}
		}
	}
	return nil
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
