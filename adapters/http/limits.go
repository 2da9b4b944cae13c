package http

import (
	"sync"
	"time"
)

// lockout counts failed sign-ins per key (an address, an account name) and
// locks the key out for a while once max failures came within window.
type lockout struct {
	max     int
	window  time.Duration // failures older than this are forgotten
	lockFor time.Duration
	now     func() time.Time

	mu      sync.Mutex
	entries map[string]*failures
}

type failures struct {
	count       int
	first       time.Time
	lockedUntil time.Time
}

func newLockout(max int, window, lockFor time.Duration, now func() time.Time) *lockout {
	return &lockout{max: max, window: window, lockFor: lockFor, now: now, entries: map[string]*failures{}}
}

// locked reports whether key is locked out, and for how long still.
func (l *lockout) locked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.entries[key]
	if f == nil {
		return false, 0
	}
	if left := f.lockedUntil.Sub(l.now()); left > 0 {
		return true, left
	}
	return false, 0
}

// fail records a failure of key, locking it out at the max-th.
func (l *lockout) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(now)
	f := l.entries[key]
	if f == nil || now.Sub(f.first) > l.window {
		f = &failures{first: now}
		l.entries[key] = f
	}
	if f.count++; f.count >= l.max {
		f.lockedUntil, f.count, f.first = now.Add(l.lockFor), 0, now
	}
}

// reset forgets the failures of key (a successful sign-in), not its lockout.
func (l *lockout) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.entries[key]; f != nil && !f.lockedUntil.After(l.now()) {
		delete(l.entries, key)
	}
}

// prune drops forgotten entries once the map grows, so that a flood of
// made-up names cannot fill the memory.
func (l *lockout) prune(now time.Time) {
	if len(l.entries) < 10000 {
		return
	}
	for k, f := range l.entries {
		if now.Sub(f.first) > l.window && !f.lockedUntil.After(now) {
			delete(l.entries, k)
		}
	}
}

// rateLimit allows limit requests per key in each fixed window.
type rateLimit struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

func newRateLimit(limit int, window time.Duration, now func() time.Time) *rateLimit {
	return &rateLimit{limit: limit, window: window, now: now, counts: map[string]int{}}
}

// allow counts a request of key; false when over the limit, with the time
// until the window turns.
func (r *rateLimit) allow(key string) (bool, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.start) >= r.window {
		r.start, r.counts = now, map[string]int{}
	}
	r.counts[key]++
	if r.counts[key] > r.limit {
		return false, r.start.Add(r.window).Sub(now)
	}
	return true, 0
}
