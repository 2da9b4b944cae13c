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
	r, err := projections.NewRunner(directory.New(), projections.NewMemoryCheckpoints(), 100)
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
	r.Read(func(p projections.Projection) {
		if got := len(p.(*directory.Model).List(directory.Filter{})); got != 3 || p.Position() != 3 {
			t.Fatalf("%d compounds at position %d, want 3 at 3", got, p.Position())
		}
	})
}
