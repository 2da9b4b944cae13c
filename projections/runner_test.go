package projections_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
)

// An event delivered ahead of its predecessors (a shared bus, a late
// relay) is preceded by them, read from the store: nothing is skipped.
func TestRunnerFillsGapsFromTheStore(t *testing.T) {
	c := city(t, "甲")
	all, _ := c.Store.ReadAll(context.Background(), 0, 0)
	r, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 100)
	if err != nil {
		t.Fatal(err)
	}
	r.FillGapsFrom(c.Store)
	if err := r.Handle(all[2]); err != nil {
		t.Fatal(err)
	}
	if err := r.Handle(all[1]); err != nil { // delivered late: applied already
		t.Fatal(err)
	}
	r.Read(func(m *directory.Model) {
		if got := len(m.List(directory.Filter{})); got != 3 || m.Position() != 3 {
			t.Fatalf("%d compounds at position %d, want 3 at 3", got, m.Position())
		}
	})
}

// A snapshot that no longer decodes costs a fold from the start, not a
// server that will not start.
func TestRunnerDiscardsAnUnreadableSnapshot(t *testing.T) {
	c := city(t, "甲")
	cps := projections.NewMemoryCheckpoints()
	if err := cps.Save("directory", 3, []byte("not a snapshot of this model")); err != nil {
		t.Fatal(err)
	}
	r, err := projections.NewRunner(directory.New, cps, 100)
	if err != nil {
		t.Fatal(err)
	}
	if r.Discarded() == nil || r.Position() != 0 {
		t.Fatalf("discarded %v, position %d", r.Discarded(), r.Position())
	}
	if err := r.CatchUp(context.Background(), c.Store); err != nil {
		t.Fatal(err)
	}
	r.Read(func(m *directory.Model) {
		if got := len(m.List(directory.Filter{})); got != 3 {
			t.Fatalf("%d compounds after catching up, want 3", got)
		}
	})
}

// At reads the live model, or replays one as of a past position; a
// position the model has not reached is waited for, within the query's
// wait.
func TestRunnerAt(t *testing.T) {
	c := city(t, "甲")
	r, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CatchUp(context.Background(), c.Store); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q         projections.Query
		live      bool
		compounds int
	}{
		{projections.Query{}, true, 3},
		{projections.Query{AsOfPosition: 1}, false, 1},
		{projections.Query{AsOfPosition: 9}, true, 3},
		{projections.Query{MinPosition: 3}, true, 3},
	} {
		v, err := r.At(context.Background(), c.Store, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		v.Read(func(m *directory.Model) { n = len(m.List(directory.Filter{})) })
		if v.Live() != tc.live || n != tc.compounds {
			t.Errorf("%+v: live %v with %d compounds, want %v with %d", tc.q, v.Live(), n, tc.live, tc.compounds)
		}
	}
	if _, err := r.At(context.Background(), c.Store, projections.Query{MinPosition: 4, Wait: time.Millisecond}); domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Errorf("waiting for a position never reached: %v", err)
	}
}

// A cancelled request stops its replay: no past model is made.
func TestRunnerAtCancelled(t *testing.T) {
	c := city(t, "甲")
	r, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CatchUp(context.Background(), c.Store); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 { // the reader and the fold race; whichever wins, the replay stops
		if _, err := r.At(ctx, c.Store, projections.Query{AsOfPosition: 1}); !errors.Is(err, context.Canceled) {
			t.Fatalf("replay under a cancelled context: %v", err)
		}
		if err := projections.Fold(ctx, c.Store, directory.New(), 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("fold under a cancelled context: %v", err)
		}
	}
}
