package league

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// The month index answers exactly what the walk over every item answers:
// for whole and cut months, periods of every kind, and judging times inside
// a month; also when it was built half-way and kept up by the fold since,
// and when built on a model restored from a snapshot.
func TestIndexAgreesWithWalk(t *testing.T) {
	events := demoEvents(t)
	walked, indexed := New(domain.DefaultRuleBook()), New(domain.DefaultRuleBook())
	for i, e := range events {
		if i == len(events)/2 {
			indexed.Index()
		}
		if err := walked.Apply(e); err != nil {
			t.Fatal(err)
		}
		if err := indexed.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	if !indexed.ix.counted.Load() || walked.ix.counted.Load() {
		t.Fatal("the index was not built where it should have been")
	}
	restored := restoredFrom(t, walked)
	restored.Index()
	periods := []string{"2024", "2025", "2026", "2025-Q1", "2025-Q4", "2025-02", "2025-07", "2024-12-15..2025-03-10", "2025-06-01..2025-06-01"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, domain.China).AddDate(0, 0, rng.IntN(700))
		periods = append(periods, from.Format(time.DateOnly)+".."+from.AddDate(0, 0, rng.IntN(400)).Format(time.DateOnly))
	}
	var judged []time.Time
	for range 5 {
		judged = append(judged, time.Date(2025, 1, 1, 0, 0, 0, 0, domain.China).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))))
	}
	compared := 0
	for _, s := range periods {
		p, err := ParsePeriod(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []Level{LevelStreet, LevelCommunity, LevelCompound, LevelCompany} {
			for _, at := range append([]time.Time{{}}, judged...) {
				q := Query{Level: level, Period: p, At: at}
				want, _ := json.Marshal(walked.Table(allMetrics(), q))
				for name, m := range map[string]*Model{"kept up": indexed, "restored": restored} {
					if got, _ := json.Marshal(m.Table(allMetrics(), q)); string(got) != string(want) {
						t.Fatalf("%s %s judged at %s, index %s:\n%s\nwalk:\n%s", level, s, at, name, got, want)
					}
				}
				compared++
			}
		}
	}
	t.Logf("%d tables agree over %d events", compared, len(events))
}

// A month's running totals are kept in 16 bits until a count outgrows
// them; then that month's and the later months' carry on in 32, exactly.
func TestRunningTotalsOutgrow16Bits(t *testing.T) {
	months := []running{runningOf(2, nil)}
	for range math.MaxUint16 {
		months[0].add(1, cReceived, 1, 1)
	}
	months[0].add(0, cResponse, 0, 1)
	months = append(months, runningOf(3, &months[0]))
	months[1].add(1, cReceived, 1, 1)
	months[1].add(2, cClosure, 1, 1)
	months = append(months, runningOf(0, &months[1]))
	months[2].add(1, cReceived, -1, -1)
	if months[0].wide != nil || months[1].wide == nil || months[2].wide == nil {
		t.Fatalf("widened: %v %v %v, want false true true", months[0].wide != nil, months[1].wide != nil, months[2].wide != nil)
	}
	for _, c := range []struct {
		month, cell int
		k           counter
		want        pair
	}{
		{0, 1, cReceived, pair{math.MaxUint16, math.MaxUint16}}, {0, 0, cResponse, pair{0, 1}}, {0, 2, cClosure, pair{}},
		{1, 1, cReceived, pair{math.MaxUint16 + 1, math.MaxUint16 + 1}}, {1, 0, cResponse, pair{0, 1}}, {1, 2, cClosure, pair{1, 1}},
		{2, 1, cReceived, pair{math.MaxUint16, math.MaxUint16}}, {2, 2, cClosure, pair{1, 1}}, {2, 7, cClosure, pair{}},
	} {
		if got := months[c.month].at(c.cell)[c.k]; got != c.want {
			t.Errorf("month %d, cell %d, counter %d: %v, want %v", c.month, c.cell, c.k, got, c.want)
		}
	}
	if got := (*running)(nil).at(0); got != ([nCounters]pair{}) {
		t.Errorf("no month: %v", got)
	}
}

// Readers build the index and lay out levels while the fold goes on; the
// tables they end with are the walk's. Run under -race.
func TestIndexUnderConcurrentReaders(t *testing.T) {
	events := demoEvents(t)
	cps := projections.NewMemoryCheckpoints()
	runner, err := projections.NewRunner(func() *Model { return New(domain.DefaultRuleBook()) }, cps, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(runner, nil, allMetrics())
	year, _ := ParsePeriod("2025")
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, level := range []Level{LevelStreet, LevelCompany, LevelCompound} {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := svc.Table(context.Background(), Request{Query: Query{Level: level, Period: year}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for _, e := range events {
		if err := runner.Handle(e); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	walked := New(domain.DefaultRuleBook())
	for _, e := range events {
		walked.Apply(e)
	}
	at := time.Now()
	for _, level := range []Level{LevelStreet, LevelCompany, LevelCompound} {
		q := Query{Level: level, Period: year, At: at}
		got, err := svc.Table(context.Background(), Request{Query: q, View: projections.Query{MinPosition: uint64(len(events))}})
		if err != nil {
			t.Fatal(err)
		}
		want := walked.Table(allMetrics(), q)
		if a, b := mustJSON(got), mustJSON(want); a != b {
			t.Fatalf("%s: served\n%s\nwalked\n%s", level, a, b)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// demoEvents is the log of a small demo city, and then moves (区划调整) of
// three compounds of different streets: one from 2025-07-01; one from
// 2025-03-15 replaced by a move from 2024-11-01; one from 2025-05-10 and
// again from 2025-09-20; then complaints in the moved compounds, backdated
// across their effective days; then corrections of those compounds: a
// new name and household count, a complaint voided, one recategorised.
func demoEvents(t testing.TB) []domain.Envelope {
	t.Helper()
	_, events := demoLog(t)
	return events
}

// indexedDemo is a model folded from demoEvents and indexed, and the events.
func indexedDemo(t testing.TB) (*Model, []domain.Envelope) {
	t.Helper()
	events := demoEvents(t)
	m := New(domain.DefaultRuleBook())
	for _, e := range events {
		if err := m.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	m.Index()
	return m, events
}

// demoLog is the store of demoEvents, and its events.
func demoLog(t testing.TB) (*memory.Store, []domain.Envelope) {
	t.Helper()
	ctx := context.Background()
	store := memory.NewStore()
	cfg := demo.DefaultConfig()
	cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 1, 3, 20
	svc := app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))))
	if _, err := demo.Load(ctx, svc, cfg, 4, nil); err != nil {
		t.Fatal(err)
	}
	events, _ := store.ReadAll(ctx, 0, 0)
	var ids []string                                                // one compound of each street
	streets, seen := map[string]domain.Profile{}, map[string]bool{} // by compound; by street
	for _, e := range events {
		id := domain.CompoundIDOf(e.StreamID)
		p, _, err := svc.Profile(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !seen[p.Street] && p.Street != "" {
			seen[p.Street], streets[id] = true, p
			ids = append(ids, id)
		}
	}
	if len(ids) < 3 {
		t.Fatalf("%d streets in the demo", len(ids))
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, domain.China) }
	do := func(id string, when time.Time, cmd domain.Command) {
		if _, err := svc.Execute(ctx, id, cmd, app.Meta{OccurredAt: when}); err != nil {
			t.Fatalf("%s %T: %v", id, cmd, err)
		}
	}
	move := func(id string, to int, from time.Time) {
		p := streets[ids[to]]
		do(id, time.Now(), domain.MoveCompound{District: p.District, Street: p.Street, Community: p.Community,
			From: domain.NewDate(from), Reason: "区划调整"})
	}
	move(ids[0], 1, day(2025, 7, 1))
	move(ids[1], 2, day(2025, 3, 15))
	move(ids[1], 0, day(2024, 11, 1))
	move(ids[2], 0, day(2025, 5, 10))
	move(ids[2], 1, day(2025, 9, 20))
	for i, id := range ids[:3] {
		for j, when := range []time.Time{day(2025, 6, 30), day(2025, 7, 1), day(2025, 3, 14), day(2025, 9, 19)} {
			k := fmt.Sprintf("moved-%d-%d", i, j)
			do(id, when, domain.ReceiveComplaint{ComplaintID: k, Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
				Category: domain.CategoryFees, Summary: "x"})
			do(id, when.Add(time.Hour), domain.DispatchComplaint{ComplaintID: k, Unit: "物业"})
			do(id, when.Add(30*time.Hour), domain.AcceptComplaint{ComplaintID: k})
		}
	}
	for i, id := range ids[:3] {
		households := 50 + 7*i
		do(id, time.Now(), domain.RenameCompound{Name: fmt.Sprintf("更名小区%d", i), Reason: "更正"})
		do(id, time.Now(), domain.CorrectCompoundFigures{Households: &households, Reason: "更正"})
		do(id, time.Now(), domain.VoidComplaint{ComplaintID: fmt.Sprintf("moved-%d-0", i), Reason: "录入错误"})
		do(id, time.Now(), domain.AmendComplaintCategory{ComplaintID: fmt.Sprintf("moved-%d-1", i), Category: domain.CategoryParking, Reason: "更正"})
	}
	events, _ = store.ReadAll(ctx, 0, 0)
	return store, events
}

// BenchmarkLeagueQuery: the street table of 2025, all metrics, read from
// the month index of the small demo city (with its moves).
func BenchmarkLeagueQuery(b *testing.B) {
	m, _ := indexedDemo(b)
	q, cfg := Query{Level: LevelStreet, Period: year2025}, allMetrics()
	for b.Loop() {
		m.Table(cfg, q)
	}
}

// An item with facts more than 16 months apart (a complaint resolved and
// followed up long after it was received) is on the list of each month it
// has a fact in, beyond its place's mask too: a period that cuts such a
// month counts it from the index as the walk does.
func TestIndexListsFactsFarApart(t *testing.T) {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 1, 1, 12))
	c.Do("A", at(2024, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区A", District: "城东区", Street: "东湖街道",
		Community: "东湖社区", Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000, PropertyCompany: "甲物业"}})
	c.Do("A", at(2024, 1, 10, 9), domain.ReceiveComplaint{ComplaintID: "k", Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
		Category: domain.CategoryFees, Summary: "x"})
	c.Do("A", at(2024, 1, 10, 10), domain.DispatchComplaint{ComplaintID: "k", Unit: "甲物业"})
	c.Do("A", at(2024, 1, 10, 11), domain.AcceptComplaint{ComplaintID: "k"})
	c.Do("A", at(2025, 9, 10, 9), domain.ResolveComplaint{ComplaintID: "k", Outcome: "fixed"})
	c.Do("A", at(2025, 9, 12, 9), domain.FollowUpComplaint{ComplaintID: "k", Satisfaction: domain.Satisfied, Solved: true})
	walked, indexed := New(domain.DefaultRuleBook()), New(domain.DefaultRuleBook())
	c.Fold(walked)
	c.Fold(indexed)
	indexed.Index()
	if len(indexed.ix.far) == 0 {
		t.Fatal("no item is listed beyond its place's mask")
	}
	cut, err := ParsePeriod("2025-09-05..2025-09-20")
	if err != nil {
		t.Fatal(err)
	}
	q := Query{Level: LevelStreet, Period: cut}
	got, want := indexed.Table(allMetrics(), q), walked.Table(allMetrics(), q)
	if a, b := mustJSON(got), mustJSON(want); a != b {
		t.Fatalf("index:\n%s\nwalk:\n%s", a, b)
	}
	for _, key := range []string{"reopen_rate", "resolution_rate"} {
		if v := metric(t, row(t, got, "城东区/东湖街道"), key); v.Den != 1 {
			t.Errorf("%s counts %v resolutions or calls, want 1", key, v.Den)
		}
	}
}
