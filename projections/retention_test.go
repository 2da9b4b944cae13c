package projections_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// Pruned snapshots cost as-of reads time, never answers: at every position
// of the test city, the league table replayed through a runner that keeps
// two snapshots equals the one replayed through a runner that keeps them
// all, and a fold from zero.
func TestAsOfAnswersSurvivePruning(t *testing.T) {
	c := projectiontest.NewTestCity(t)
	newModel := func() *league.Model { return league.New(domain.DefaultRuleBook()) }
	all, pruned := projections.NewMemoryCheckpoints(), projections.NewMemoryCheckpoints()
	pruned.Keep = 2
	const every = 7
	var runners []*projections.Runner[*league.Model]
	for _, cps := range []*projections.MemoryCheckpoints{all, pruned} {
		r, err := projections.NewRunner(newModel, cps, every)
		if err != nil {
			t.Fatal(err)
		}
		projectiontest.Fold(t, c.Store, r)
		if err := r.Flush(); err != nil { // snapshots are written in the background
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	head := runners[0].Position()
	kept := pruned.Positions("league")
	if len(kept) != 2 || !slices.Equal(all.Positions("league"), spaced(every, head)) {
		t.Fatalf("kept %v of %d snapshots", kept, len(all.Positions("league")))
	}
	ctx := context.Background()
	for _, q := range []league.Query{
		{Level: league.LevelStreet, Period: mustPeriod(t, "2025")},
		{Level: league.LevelCompound, Period: mustPeriod(t, "2025-Q2")},
	} {
		for _, pos := range positions(head, kept) {
			fromZero := newModel()
			if err := projections.Fold(ctx, c.Store, fromZero, pos); err != nil {
				t.Fatal(err)
			}
			want := table(t, fromZero, q)
			for i, r := range runners {
				m, err := r.AsOf(ctx, c.Store, pos)
				if err != nil {
					t.Fatal(err)
				}
				if got := table(t, m, q); got != want {
					t.Fatalf("runner %d as of %d (kept %v): %s\nfrom zero: %s", i, pos, kept, got, want)
				}
			}
		}
	}
}

// spaced are the positions up to head at which a runner snapshots, every
// events apart or an eighth of the last snapshot's position, whichever is
// more.
func spaced(every, head uint64) []uint64 {
	var ps []uint64
	for at := every; at <= head; at += max(every, at/8) {
		ps = append(ps, at)
	}
	return ps
}

// positions are 30 random positions below head, and those on and next to
// the kept snapshots.
func positions(head uint64, kept []uint64) []uint64 {
	var ps []uint64
	for range 30 {
		ps = append(ps, 1+rand.Uint64N(head-1))
	}
	for _, k := range kept {
		ps = append(ps, k-1, k, k+1)
	}
	return ps
}

func table(t *testing.T, m *league.Model, q league.Query) string {
	t.Helper()
	b, err := json.Marshal(m.Table(league.DefaultConfig(), q))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustPeriod(t *testing.T, s string) league.Period {
	t.Helper()
	p, err := league.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
