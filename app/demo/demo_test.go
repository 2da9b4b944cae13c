package demo

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

func small() Config {
	c := DefaultConfig()
	c.Districts, c.StreetsPerDistrict, c.CompoundsPerStreet = 1, 3, 20
	return c
}

// Every generated command obeys the domain rules: loading the city through
// the command service rejects none of them.
func TestDemoCityLoadsThroughTheCommandService(t *testing.T) {
	ctx := context.Background()
	store := memory.NewStore()
	svc := app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))))
	n, err := Load(ctx, svc, small(), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := store.ReadAll(ctx, 0, 0)
	if n != len(all) || n < 60*40 {
		t.Fatalf("loaded %d events, store has %d; want the same, and at least 40 per compound", n, len(all))
	}
	// The city has what the campaign tracks: committees, alerts, complaints
	// with follow-ups, suits, plans and listings.
	seen := map[string]int{}
	for _, e := range all {
		seen[e.Type]++
	}
	for _, typ := range []string{"CommitteeElected", "CommitteeFiled", "ReelectionStarted", "AlertRaised", "ComplaintFollowedUp",
		"ComplaintReopened", "LawsuitFiled", "LawsuitConcluded", "PlanAdopted", "MeasureSignedOff", "ListedForSupervision", "InterimCommissionFormed"} {
		if seen[typ] == 0 {
			t.Errorf("no %s in the demo city (%v)", typ, seen)
		}
	}
	// Each fact is known at the end of the day it happened (simulated for the
	// demo), so recorded times rise with positions and as-of reads over the
	// demo's years find the record as it stood.
	for i, e := range all {
		if day := domain.NewDate(e.OccurredAt).End(); !e.RecordedAt.Equal(day) {
			t.Fatalf("%s at %s recorded %s, want %s", e.Type, e.OccurredAt, e.RecordedAt, day)
		}
		if i > 0 && e.RecordedAt.Before(all[i-1].RecordedAt) {
			t.Fatalf("position %d recorded %s, before position %d (%s)", e.Position, e.RecordedAt, all[i-1].Position, all[i-1].RecordedAt)
		}
	}
	// Loading again is idempotent: the same command IDs write nothing new.
	if n2, err := Load(ctx, svc, small(), 4, nil); err != nil || n2 != 0 {
		t.Fatalf("second load wrote %d events (err %v)", n2, err)
	}
	if again, _ := store.ReadAll(ctx, 0, 0); len(again) != len(all) {
		t.Fatalf("store grew from %d to %d events", len(all), len(again))
	}
}

func TestDemoCityIsDeterministic(t *testing.T) {
	a, b := City(small()), City(small())
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same config generated two different cities")
	}
	other := small()
	other.Seed++
	if reflect.DeepEqual(a, City(other)) {
		t.Fatal("another seed generated the same city")
	}
}

// Loaded a few days at a time, the city is the same: every compound's
// stream holds the same events, and recorded times still rise with
// positions.
func TestDemoCityLoadsTheSameInWindows(t *testing.T) {
	ctx := context.Background()
	load := func(window int) *memory.Store {
		defer func(w int) { windowSteps = w }(windowSteps)
		windowSteps = window
		store := memory.NewStore()
		svc := app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))))
		if _, err := Load(ctx, svc, small(), 4, nil); err != nil {
			t.Fatal(err)
		}
		return store
	}
	whole, windowed := load(1<<20), load(500)
	all, _ := windowed.ReadAll(ctx, 0, 0)
	streams := map[string]bool{}
	for i, e := range all {
		streams[e.StreamID] = true
		if i > 0 && e.RecordedAt.Before(all[i-1].RecordedAt) {
			t.Fatalf("position %d recorded %s, before position %d (%s)", e.Position, e.RecordedAt, all[i-1].Position, all[i-1].RecordedAt)
		}
	}
	if len(streams) != 60 {
		t.Fatalf("%d compounds loaded in windows, want 60", len(streams))
	}
	for id := range streams {
		a, _ := whole.ReadStream(ctx, id, domain.StreamQuery{})
		b, _ := windowed.ReadStream(ctx, id, domain.StreamQuery{})
		if len(a) != len(b) {
			t.Fatalf("%s: %d events in one window, %d in many", id, len(a), len(b))
		}
		for i := range a {
			if a[i].EventID != b[i].EventID || a[i].Type != b[i].Type || !a[i].OccurredAt.Equal(b[i].OccurredAt) {
				t.Fatalf("%s version %d: %s %s in one window, %s %s in many", id, i+1, a[i].Type, a[i].EventID, b[i].Type, b[i].EventID)
			}
		}
	}
}

// Every compound's history starts with its registration. Compound C93654
// of the 10M-event city (96,000 compounds) once drew a party branch on
// 2018-12-03, before its registration that week, and its load failed.
func TestCompoundHistoryStartsWithRegistration(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 6, 16, 1000
	// C93654 is the 654th compound (k = 653) of street 13 of district 5.
	c := compoundAt(cfg, 93654, 5, 13, 653)
	if c.ID != "C93654" {
		t.Fatalf("compound %s, want C93654", c.ID)
	}
	if _, ok := c.Steps[0].Cmd.(domain.RegisterCompound); !ok {
		t.Fatalf("%s starts with %T at %s", c.ID, c.Steps[0].Cmd, c.Steps[0].At)
	}
	for _, c := range City(small()) {
		if _, ok := c.Steps[0].Cmd.(domain.RegisterCompound); !ok {
			t.Fatalf("%s starts with %T", c.ID, c.Steps[0].Cmd)
		}
	}
}
