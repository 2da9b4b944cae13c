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
	runner, err := projections.NewRunner(New(), cps, 100)
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
	svc := NewService(runner, c.Store, cps, DefaultConfig())
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
	fresh.MinPosition = 2
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
