package league

import (
	"context"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// Tables are served stale while they are recomputed, unless the request
// names a position it must reflect (read-your-writes).
func TestServiceServesStaleWhileRevalidating(t *testing.T) {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 1, 1, 9))
	reg := func(id string) {
		c.Do(id, at(2025, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: id, District: "区", Street: "街道" + id,
			Community: "社区", Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000}})
	}
	reg("A")
	cps := projections.NewMemoryCheckpoints()
	runner, err := projections.NewRunner(func() *Model { return New(domain.DefaultRuleBook()) }, cps, 100)
	if err != nil {
		t.Fatal(err)
	}
	feed := func() {
		all, _ := c.Store.ReadAll(context.Background(), 0, 0)
		for _, e := range all {
			runner.Handle(e)
		}
	}
	feed()
	svc := NewService(runner, c.Store, DefaultConfig())
	year, _ := ParsePeriod("2025")
	req := Request{Query: Query{Level: LevelStreet, Period: year}}
	table := func(r Request) Table {
		tb, err := svc.Table(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	if tb := table(req); tb.Position != 1 || len(tb.Rows) != 1 {
		t.Fatalf("first table %+v", tb)
	}
	reg("B")
	feed()
	if tb := table(req); tb.Position != 1 || len(tb.Rows) != 1 {
		t.Fatalf("the cached table was not served while stale: %+v", tb)
	}
	fresh := req
	fresh.View.MinPosition = 2
	if tb := table(fresh); tb.Position != 2 || len(tb.Rows) != 2 {
		t.Fatalf("min_position got a stale table: %+v", tb)
	}
	for deadline := time.Now().Add(5 * time.Second); table(req).Position != 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never landed")
		}
	}
	// A new configuration applies at once.
	cfg := DefaultConfig()
	cfg.RedList = 0
	svc.SetConfig(cfg)
	for _, r := range table(req).Rows {
		if r.List == "red" {
			t.Fatal("a table of the old configuration was served")
		}
	}
}

// A table of the running period judges open items now, not at the period's
// end: a measure due next month is not overdue yet.
func TestServiceJudgesOpenItemsNow(t *testing.T) {
	cps := projections.NewMemoryCheckpoints()
	m := city(t)
	runner, err := projections.NewRunner(func() *Model { return m }, cps, 1000)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(runner, nil, allMetrics())
	cases := []struct {
		now               time.Time
		overdue, onTime   float64
		dueBy, closureDen float64
	}{
		// Four rounds due by 26 May (a2's two rounds among them): the closure count stays 4.
		{at(2025, 7, 15, 9), 0, 1, 1, 4}, // m2 is due on 31 August
		{at(2025, 9, 1, 9), 1, 1, 2, 4},  // now it is overdue
		{at(2026, 6, 1, 9), 1, 1, 2, 4},  // the period is over: judged at its end
	}
	for _, tc := range cases {
		svc.now = func() time.Time { return tc.now }
		tb, err := svc.Table(context.Background(), Request{Query: Query{Level: LevelStreet, Period: year2025}})
		if err != nil {
			t.Fatal(err)
		}
		s1 := row(t, tb, "城东区/东湖街道")
		overdue, onTime, closure := metric(t, s1, "overdue_measures"), metric(t, s1, "measures_on_time"), metric(t, s1, "closure_rate")
		if overdue.Den != tc.overdue || onTime.Num != tc.onTime || onTime.Den != tc.dueBy || closure.Den != tc.closureDen {
			t.Errorf("now %s: overdue %v, on time %v/%v, closure over %v; want %v, %v/%v, %v", tc.now.Format(time.DateOnly),
				overdue.Den, onTime.Num, onTime.Den, closure.Den, tc.overdue, tc.onTime, tc.dueBy, tc.closureDen)
		}
	}
}

// The first request of a new minute is answered with the table judged the
// minute before while this minute's is computed; then this minute's is
// served. Two minutes on, nothing is that recent: computed at once.
func TestServiceServesTheMinuteBeforeWhileComputing(t *testing.T) {
	runner, err := projections.NewRunner(func() *Model { return city(t) }, projections.NewMemoryCheckpoints(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(runner, nil, allMetrics())
	judged := func(now time.Time) time.Time {
		svc.now = func() time.Time { return now }
		tb, err := svc.Table(context.Background(), Request{Query: Query{Level: LevelStreet, Period: year2025}})
		if err != nil {
			t.Fatal(err)
		}
		return tb.JudgedAt
	}
	t0 := at(2025, 7, 15, 9)
	if got := judged(t0); !got.Equal(t0) {
		t.Fatalf("first table judged at %s, want %s", got, t0)
	}
	t1 := t0.Add(time.Minute + 10*time.Second)
	if got := judged(t1); !got.Equal(t0) {
		t.Fatalf("first request of the next minute judged at %s, want the minute before %s", got, t0)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !judged(t1).Equal(t0.Add(time.Minute)) {
		if time.Now().After(deadline) {
			t.Fatal("the new minute's table was never computed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t3 := t0.Add(3 * time.Minute)
	if got := judged(t3); !got.Equal(t3) {
		t.Fatalf("three minutes on judged at %s, want %s", got, t3)
	}
}
