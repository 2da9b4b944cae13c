package projections

import (
	"context"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Query says which state of a read model a request reads: the live model
// once it has applied MinPosition (read-your-writes), or the model as the
// log stood at a past time or position (time travel).
type Query struct {
	AsOf         time.Time     // as the log stood at this time (recorded time)
	AsOfPosition uint64        // or at this position; 0 (and no AsOf): now
	MinPosition  uint64        // wait until the live model has applied this
	Wait         time.Duration // how long to wait for it; 0: as long as the context lasts
}

// View is the model a query asked for: the live one, or one replayed.
type View[M Projection] struct {
	live *Runner[M]
	past M
}

// Live reports whether the view is the runner's live model.
func (v View[M]) Live() bool { return v.live != nil }

// Read runs f with the model: the live one while no event is being applied.
func (v View[M]) Read(f func(M)) {
	if v.live != nil {
		v.live.Read(f)
		return
	}
	f(v.past)
}

// At answers a query: it finds the position the query reads (Resolve), and
// replays a fresh model to an as-of position the live model has passed
// (from the nearest snapshot); as of now or later, the view is the live
// model.
func (r *Runner[M]) At(ctx context.Context, store domain.EventStore, q Query) (View[M], error) {
	pos, live, err := r.Resolve(ctx, store, q)
	switch {
	case err != nil:
		return View[M]{}, err
	case live:
		return View[M]{live: r}, nil
	}
	m, err := r.AsOf(ctx, store, pos)
	if err != nil {
		return View[M]{}, err
	}
	return View[M]{past: m}, nil
}

// Resolve waits for q.MinPosition and finds the position of q.AsOf (or
// q.AsOfPosition); live: the query reads the live model (as of now, or of
// a position it has not passed). A model that can answer as of a past
// position itself (a league table from its known facts) need not replay.
func (r *Runner[M]) Resolve(ctx context.Context, store domain.EventStore, q Query) (pos uint64, live bool, err error) {
	if q.MinPosition > 0 {
		wait := ctx
		if q.Wait > 0 {
			var cancel context.CancelFunc
			wait, cancel = context.WithTimeout(ctx, q.Wait)
			defer cancel()
		}
		if err := r.WaitFor(wait, q.MinPosition); err != nil {
			return 0, false, err
		}
	}
	pos = q.AsOfPosition
	head, _ := r.Status()
	if !q.AsOf.IsZero() {
		if pos, err = PositionAt(ctx, store, head, q.AsOf); err != nil {
			return 0, false, err
		}
	}
	return pos, pos == 0 || pos >= head, nil
}
