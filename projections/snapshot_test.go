package projections_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// slowCheckpoints writes a snapshot only once the fold has gone past it:
// a runner that wrote snapshots on the fold's path would never get there.
type slowCheckpoints struct {
	*projections.MemoryCheckpoints
	handled *atomic.Uint64 // the position the fold has applied
	last    uint64         // the last snapshot's position: nothing follows it
	waited  int            // writes that did not see the fold go on
}

func (s *slowCheckpoints) Save(name string, position uint64, snapshot []byte) error {
	for deadline := time.Now().Add(5 * time.Second); position < s.last && s.handled.Load() <= position; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			s.waited++
			break
		}
	}
	return s.MemoryCheckpoints.Save(name, position, snapshot)
}

// Snapshots are written while events keep arriving and readers keep
// reading, yet each restores to exactly the state at its stated position
// (as a fold from zero to it), and none is skipped.
func TestSnapshotsWrittenWhileFolding(t *testing.T) {
	c := projectiontest.NewTestCity(t)
	ctx := context.Background()
	events, err := c.Store.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	newModel := func() *league.Model { return league.New(domain.DefaultRuleBook()) }
	const every = 7
	var handled atomic.Uint64
	want := spaced(every, uint64(len(events)))
	cps := &slowCheckpoints{MemoryCheckpoints: projections.NewMemoryCheckpoints(), handled: &handled,
		last: want[len(want)-1]}
	r, err := projections.NewRunner(newModel, cps, every)
	if err != nil {
		t.Fatal(err)
	}
	q := league.Query{Level: league.LevelCompound, Period: mustPeriod(t, "2025")}
	done := make(chan struct{})
	go func() { // a reader all along
		defer close(done)
		for r.Position() < uint64(len(events)) {
			r.Read(func(m *league.Model) { m.Table(league.DefaultConfig(), q) })
		}
	}()
	for _, e := range events {
		if err := r.Handle(e); err != nil {
			t.Fatal(err)
		}
		handled.Store(e.Position)
	}
	<-done
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if cps.waited > 0 {
		t.Errorf("%d snapshot writes held the fold", cps.waited)
	}
	saved := cps.Positions("league")
	if !slices.Equal(saved, want) || r.Checkpoint() != cps.last {
		t.Fatalf("snapshots at %v (checkpoint %d) of %d events, want %v", saved, r.Checkpoint(), len(events), want)
	}
	for _, pos := range saved {
		_, snap, err := cps.Load("league", pos)
		if err != nil {
			t.Fatal(err)
		}
		restored, fromZero := newModel(), newModel()
		if err := restored.Restore(snap); err != nil {
			t.Fatal(err)
		}
		if err := projections.Fold(ctx, c.Store, fromZero, pos); err != nil {
			t.Fatal(err)
		}
		if restored.Position() != pos {
			t.Fatalf("snapshot stated %d, restored at %d", pos, restored.Position())
		}
		if got, want := table(t, restored, q), table(t, fromZero, q); got != want {
			t.Fatalf("snapshot at %d: %s\nfrom zero: %s", pos, got, want)
		}
	}
}
