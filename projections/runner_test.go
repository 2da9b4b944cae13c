package projections_test

import (
	"context"
	"testing"

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
