package projections

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Runner keeps one projection up to date. It applies delivered events under
// a lock, snapshots the model with its position every SnapshotEvery events
// (or more, in proportion to the position: see snapshotGrowth; written to
// the checkpoints in the background: see saveLocked), and lets
// readers wait for a position (read-your-writes). A failed event halts
// it at the last good position: later events are not applied, so none is
// ever skipped; a restart delivers again from the saved position. Readers
// get the model as its own type M.
type Runner[M Projection] struct {
	newModel      func() M
	p             M        // swapped by Rebuild: read it under mu
	name          string   // the model's, fixed: read without the lock
	handled       []string // likewise
	cps           Checkpoints
	snapshotEvery uint64

	store     domain.EventStore // set by FillGapsFrom: where missed events are read
	discarded error

	mu      sync.RWMutex
	encoded uint64 // the position of the latest snapshot taken, written or not
	halted  error
	stuckAt uint64 // the position it halted on
	changed chan struct{}

	// Snapshots are written in the background, one at a time and in order:
	// the fold goes on while one is written, and waits only when the next
	// is taken before the last is written.
	writing chan struct{} // holds a token while a snapshot is written
	wmu     sync.Mutex
	saved   uint64 // the position of the latest snapshot written
	failed  error  // the last write's failure, until a later write succeeds
}

// Live is a runner whatever its model: what the bus delivers to, and
// what the API reports on and rebuilds.
type Live interface {
	Name() string
	Status() (position uint64, halted error)
	FillGapsFrom(store domain.EventStore)
	Handle(e domain.Envelope) error
	CatchUp(ctx context.Context, store domain.EventStore) error
	Rebuild(ctx context.Context, store domain.EventStore) error
	Save() error
}

// NewRunner runs a model made by newModel, restored from its latest
// snapshot, if any; newModel also makes the empty models of rebuilds and
// of reads as of the past. A snapshot that does not decode (one of an
// older model, say) is only a cache: the model starts empty and catches up
// from the log; Discarded says why.
func NewRunner[M Projection](newModel func() M, cps Checkpoints, snapshotEvery uint64) (*Runner[M], error) {
	p := newModel()
	r := &Runner[M]{newModel: newModel, p: p, name: p.Name(), handled: p.Handled(), cps: cps, snapshotEvery: max(snapshotEvery, 1),
		changed: make(chan struct{}), writing: make(chan struct{}, 1)}
	pos, snap, err := cps.Load(p.Name(), 0)
	if err != nil {
		return nil, fmt.Errorf("projection %s: load snapshot: %w", p.Name(), err)
	}
	if snap != nil {
		if err := p.Restore(snap); err != nil {
			r.discarded = fmt.Errorf("projection %s: snapshot at %d discarded, folding from the start: %w", p.Name(), pos, err)
		}
	}
	r.encoded, r.saved = p.Position(), p.Position()
	return r, nil
}

// Discarded is why the latest snapshot was not restored, if it was not.
func (r *Runner[M]) Discarded() error { return r.discarded }

// Name is the projection's name.
func (r *Runner[M]) Name() string { return r.name }

// FillGapsFrom makes the runner read from store any events that delivery
// skipped: a bus shared by instances may hand it an event before one that
// another instance's relay published late.
func (r *Runner[M]) FillGapsFrom(store domain.EventStore) { r.store = store }

// Handle applies one delivered event. Events at or below the position were
// applied before (at-least-once delivery) and are ignored. An event beyond
// the next one is preceded by the events in between, read from the store,
// so delivery order can never make the projection skip one.
func (r *Runner[M]) Handle(e domain.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.halted != nil && e.Position == r.stuckAt:
		return r.halted // the retry of the event it halted on fails again, and goes to the poison queue
	case r.halted != nil || e.Position <= r.p.Position():
		return nil // halted: later events wait for a restart; or applied before
	}
	if r.store != nil && e.Position > r.p.Position()+1 {
		if err := r.fillLocked(e.Position); err != nil {
			return err
		}
	}
	return r.applyLocked(e)
}

// fillLocked applies the stored events between the position and before.
func (r *Runner[M]) fillLocked(before uint64) error {
	for {
		page, err := r.store.ReadAll(context.Background(), r.p.Position(), 1000)
		if err != nil {
			return err
		}
		for _, m := range page {
			if m.Position >= before {
				return nil
			}
			if err := r.applyLocked(m); err != nil {
				return err
			}
		}
		if len(page) == 0 {
			return nil
		}
	}
}

func (r *Runner[M]) applyLocked(e domain.Envelope) error {
	if err := r.p.Apply(e); err != nil {
		r.halted, r.stuckAt = fmt.Errorf("halted before position %d: %w", e.Position, err), e.Position
		return r.halted
	}
	close(r.changed)
	r.changed = make(chan struct{})
	if r.p.Position()-r.encoded >= r.snapshotInterval() {
		return r.saveLocked()
	}
	return nil
}

// snapshotGrowth spaces snapshots by at least 1/snapshotGrowth of the
// position of the last one. A snapshot encodes the whole model, which
// grows with the log: at a fixed interval a catch-up of N events would
// encode O(N²) bytes (at 10M events, 500 snapshots of up to the whole
// model; 90% of a 1M catch-up's CPU). Spaced in proportion, their sum stays
// within snapshotGrowth+1 encodings of the final model, and a restart
// replays at most that share of the log beyond the latest.
const snapshotGrowth = 8

// snapshotInterval is how many events may pass after the latest snapshot
// taken before the next is.
func (r *Runner[M]) snapshotInterval() uint64 {
	return max(r.snapshotEvery, r.encoded/snapshotGrowth)
}

// A Runner is itself a Projection (the one it runs, behind its lock), so
// that a backlog can be folded into it like into any projection.

func (r *Runner[M]) Apply(e domain.Envelope) error { return r.Handle(e) }

func (r *Runner[M]) Position() uint64 {
	pos, _ := r.Status()
	return pos
}

func (r *Runner[M]) Snapshot() ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.p.Snapshot()
}

func (r *Runner[M]) Restore(b []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p.Restore(b)
}

func (r *Runner[M]) Handled() []string { return r.handled }

// Save writes a snapshot now (at shutdown, say), and returns once it and
// every snapshot taken before it are written.
func (r *Runner[M]) Save() error {
	r.mu.Lock()
	var err error
	if r.p.Position() != r.encoded {
		err = r.saveLocked()
	}
	r.mu.Unlock()
	return errors.Join(err, r.Flush())
}

// Flush waits until the snapshots taken so far are written, and reports
// the last write's failure, if no later write succeeded.
func (r *Runner[M]) Flush() error {
	r.writing <- struct{}{} // the token is free once the last write is done
	<-r.writing
	r.wmu.Lock()
	defer r.wmu.Unlock()
	return r.failed
}

// saveLocked takes a snapshot of the model and writes it in the
// background. Encoding needs the model still, so it happens under the
// fold's lock: the snapshot is then exactly the state at its position.
// Writing it (a large row and a sync to disk) does not; the fold waits for
// it only when the previous snapshot is still being written, so at most
// two are in memory. A write failure is reported by the next snapshot,
// and by Flush and Save.
func (r *Runner[M]) saveLocked() error {
	snap, err := r.p.Snapshot()
	if err != nil {
		return fmt.Errorf("projection %s: save snapshot: %w", r.name, err)
	}
	position := r.p.Position()
	r.encoded = position
	r.writing <- struct{}{} // after the previous write: in order
	go func() {
		err := r.cps.Save(r.name, position, snap)
		r.wmu.Lock()
		if err != nil {
			r.failed = fmt.Errorf("projection %s: save snapshot at %d: %w", r.name, position, err)
		} else {
			r.saved, r.failed = position, nil
		}
		r.wmu.Unlock()
		<-r.writing
	}()
	r.wmu.Lock()
	defer r.wmu.Unlock()
	return r.failed
}

// Status reports the position and, if halted, why.
func (r *Runner[M]) Status() (position uint64, halted error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.p.Position(), r.halted
}

// Checkpoint is the position of the last snapshot written.
func (r *Runner[M]) Checkpoint() uint64 {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	return r.saved
}

// Read runs f with the model while no event is being applied.
func (r *Runner[M]) Read(f func(M)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f(r.p)
}

// WaitFor returns once the projection has applied position, or when ctx ends.
func (r *Runner[M]) WaitFor(ctx context.Context, position uint64) error {
	for {
		r.mu.RLock()
		pos, ch, halted := r.p.Position(), r.changed, r.halted
		r.mu.RUnlock()
		switch {
		case pos >= position:
			return nil
		case halted != nil:
			return domain.Errorf(domain.CodeUnavailable, "projection %s is %v", r.name, halted)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return domain.Errorf(domain.CodeUnavailable, "projection %s is at position %d, not yet %d", r.name, pos, position)
		}
	}
}

// Rebuild replays fresh from the start of the log while the current
// projection keeps serving, then swaps it in (blue/green): readers see the
// old model until the new one has caught up. Only the last few events are
// applied under the lock.
func (r *Runner[M]) Rebuild(ctx context.Context, store domain.EventStore) error {
	fresh := r.newModel()
	for {
		target, _ := r.Status()
		if err := Fold(ctx, store, fresh, target); err != nil {
			return err
		}
		if now, _ := r.Status(); now-fresh.Position() < 1000 {
			break // close enough to finish under the lock
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := Fold(ctx, store, fresh, r.p.Position()); err != nil {
		return err
	}
	r.p, r.halted, r.stuckAt = fresh, nil, 0
	close(r.changed)
	r.changed = make(chan struct{})
	return r.saveLocked()
}

// Replay folds a fresh projection up to position (time travel): from the
// nearest saved snapshot at or below it, then the events after it.
func Replay(ctx context.Context, store domain.EventStore, cps Checkpoints, fresh Projection, position uint64) error {
	_, snap, err := cps.Load(fresh.Name(), position)
	if err != nil {
		return err
	}
	if snap != nil {
		if err := fresh.Restore(snap); err != nil {
			return err
		}
	}
	return Fold(ctx, store, fresh, position)
}

// AsOf is the model as it stood at position, folded from the runner's
// nearest snapshot.
func (r *Runner[M]) AsOf(ctx context.Context, store domain.EventStore, position uint64) (M, error) {
	m := r.newModel()
	return m, Replay(ctx, store, r.cps, m, position)
}

// PositionAt is the last position recorded at or before t, at most head,
// found by binary search on the log (recorded times rise with positions).
func PositionAt(ctx context.Context, store domain.EventStore, head uint64, t time.Time) (uint64, error) {
	var err error
	n := sort.Search(int(head), func(after int) bool {
		if err != nil {
			return true
		}
		var page []domain.Envelope
		page, err = store.ReadAll(ctx, uint64(after), 1)
		return err == nil && (len(page) == 0 || page[0].RecordedAt.After(t))
	})
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, domain.Errorf(domain.CodeNotFound, "nothing was recorded by %s", t.Format(time.RFC3339))
	}
	page, err := store.ReadAll(ctx, uint64(n-1), 1)
	if err != nil || len(page) == 0 {
		return 0, err
	}
	return page[0].Position, nil
}

// Scanner is the optional fast path of a store for rebuilds: it streams
// the log to fn instead of returning pages.
type Scanner interface {
	ScanAll(ctx context.Context, after uint64, fn func(domain.Envelope) error) error
}

// errReached stops a scan at the target position.
var errReached = errors.New("target position reached")

// Fold applies the log after p's position up to position (0: to the
// end). Reading and folding run on two goroutines, so a rebuild uses both
// cores: one scans the store, the other decodes and folds.
func Fold(ctx context.Context, store domain.EventStore, p Projection, position uint64) error {
	return pipeline(ctx, store, p.Position(), position, p.Apply)
}

// CatchUp brings the runner's projection up to the end of the log straight
// from the store, event by event under its lock: the fast way through a
// backlog (at start-up, after a long stop), before live delivery takes over.
func (r *Runner[M]) CatchUp(ctx context.Context, store domain.EventStore) error {
	return Fold(ctx, store, r, 0)
}

func pipeline(ctx context.Context, store domain.EventStore, after, position uint64, apply func(domain.Envelope) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const batch, inFlight = 512, 8
	batches := make(chan []domain.Envelope, inFlight)
	// Batches go back to the reader once folded: envelopes are hundreds of
	// bytes, and a rebuild's garbage is most of its collector's work.
	free := make(chan []domain.Envelope, inFlight+2)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		buf := make([]domain.Envelope, 0, batch)
		send := func(e domain.Envelope) error {
			if position > 0 && e.Position > position {
				return errReached
			}
			if buf = append(buf, e); len(buf) == batch {
				select {
				case batches <- buf:
				case <-ctx.Done():
					return ctx.Err()
				}
				select {
				case buf = <-free:
				default:
					buf = make([]domain.Envelope, 0, batch)
				}
			}
			return nil
		}
		err := scan(ctx, store, after, send)
		if errors.Is(err, errReached) {
			err = nil
		}
		if err == nil && len(buf) > 0 {
			select {
			case batches <- buf:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		readErr <- err
	}()
	for b := range batches {
		// A cancelled request stops its replay between batches: the reader
		// may have read ahead, and a store need not check ctx itself.
		if err := ctx.Err(); err != nil {
			for range batches { // let the reader finish
			}
			return err
		}
		for _, e := range b {
			if err := apply(e); err != nil {
				cancel()
				for range batches { // let the reader finish
				}
				return err
			}
		}
		clear(b) // let the payloads go
		select {
		case free <- b[:0]:
		default:
		}
	}
	return <-readErr
}

// scan streams the log after a position, through the store's fast path
// when it has one.
func scan(ctx context.Context, store domain.EventStore, after uint64, fn func(domain.Envelope) error) error {
	if s, ok := store.(Scanner); ok {
		return s.ScanAll(ctx, after, fn)
	}
	for {
		var full bool
		var err error
		if after, full, err = readPage(ctx, store, after, 1000, fn); err != nil || !full {
			return err
		}
	}
}

// readPage hands one page of the log after a position to fn. It returns the
// last position handed on and whether the page was full (more may follow).
func readPage(ctx context.Context, store domain.EventStore, after uint64, size int, fn func(domain.Envelope) error) (uint64, bool, error) {
	events, err := store.ReadAll(ctx, after, size)
	if err != nil {
		return after, false, err
	}
	for _, e := range events {
		if err := fn(e); err != nil {
			return after, false, err
		}
		after = e.Position
	}
	return after, len(events) == size, nil
}

// Tail follows the global log: it hands every event after a position to fn
// in order, then waits for appends, until ctx ends or fn or the store
// fails. The bus relay and the bus-less followers both stand on it.
func Tail(ctx context.Context, store domain.EventStore, after uint64, fn func(domain.Envelope) error) error {
	for {
		changed := store.Changed() // taken before the read, so no append is missed
		var full bool
		var err error
		if after, full, err = readPage(ctx, store, after, 500, fn); err != nil {
			return err
		}
		if full {
			continue
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
