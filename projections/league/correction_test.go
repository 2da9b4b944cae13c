package league

import (
	"context"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// Corrections through as-of: a table as the log stood before a correction
// shows the old state, the live table the corrected one.
//
//	A (东湖街道, 100 households) receives k1 and k2 in March 2025; k2 is late.
//	position p1: both counted: 东湖 2 complaints, closure 1 of 2 (k2 late)
//	k2 voided (entered in error)          → position p2: 东湖 1 complaint, closure 1 of 1
//	A moved to 西湖街道 from 2025-06-01   → live: 东湖 has only B (0), 西湖 A's 1 complaint
func TestCorrectionsSeenThroughAsOf(t *testing.T) {
	book := domain.DefaultRuleBook()
	c := projectiontest.NewCity(t, book, at(2026, 1, 5, 12))
	reg := func(id string) {
		c.Do(id, at(2025, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + id, District: "城东区", Street: "东湖街道",
			Community: "东湖社区", Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000, PropertyCompany: "甲物业"}})
	}
	reg("A")
	reg("B")
	for _, k := range []string{"k1", "k2"} {
		c.Do("A", at(2025, 3, 3, 9), domain.ReceiveComplaint{ComplaintID: k, Channel: domain.ChannelHotline, Kind: domain.KindConsultation,
			Category: domain.CategoryFees, Summary: "x"},
			domain.DispatchComplaint{ComplaintID: k, Unit: "甲物业"}, domain.AcceptComplaint{ComplaintID: k})
	}
	c.Do("A", at(2025, 3, 4, 9), domain.ResolveComplaint{ComplaintID: "k1", Outcome: "ok"})    // due 03-06
	c.Do("A", at(2025, 3, 20, 9), domain.ResolveComplaint{ComplaintID: "k2", Outcome: "late"}) // late
	position := func() uint64 {
		all, _ := c.Store.ReadAll(context.Background(), 0, 0)
		return all[len(all)-1].Position
	}
	p1 := position()
	c.Do("A", at(2025, 4, 1, 9), domain.VoidComplaint{ComplaintID: "k2", Reason: "重复录入"})
	p2 := position()
	c.Do("A", at(2025, 6, 2, 9), domain.MoveCompound{District: "城东区", Street: "西湖街道", Community: "西湖社区",
		From: domain.NewDate(at(2025, 6, 1, 0)), Reason: "区划调整"})

	runner, err := projections.NewRunner(func() *Model { return New(book) }, projections.NewMemoryCheckpoints(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := c.Store.ReadAll(context.Background(), 0, 0)
	for _, e := range all {
		if err := runner.Handle(e); err != nil {
			t.Fatal(err)
		}
	}
	svc := NewService(runner, c.Store, allMetrics())
	table := func(asOf uint64) Table {
		tb, err := svc.Table(context.Background(), Request{Query: Query{Level: LevelStreet, Period: year2025},
			View: projections.Query{AsOfPosition: asOf}})
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	received := func(tb Table, unit string) (float64, float64, bool) {
		for _, r := range tb.Rows {
			if r.Unit == unit {
				return metric(t, r, "complaints_per_1000").Num, metric(t, r, "closure_rate").Den, true
			}
		}
		return 0, 0, false
	}
	cases := []struct {
		name      string
		asOf      uint64
		unit      string
		n, closed float64
	}{
		{"before the void: both complaints, both due", p1, "城东区/东湖街道", 2, 2},
		{"after the void: k2 counts nowhere", p2, "城东区/东湖街道", 1, 1},
		{"before the move: no 西湖 yet", p2, "城东区/西湖街道", -1, -1},
		{"live: A and its complaint in 西湖", 0, "城东区/西湖街道", 1, 1},
		{"live: 东湖 keeps B only", 0, "城东区/东湖街道", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, closed, ok := received(table(tc.asOf), tc.unit)
			if tc.n < 0 {
				if ok {
					t.Errorf("%s is in the table", tc.unit)
				}
				return
			}
			if !ok || n != tc.n || closed != tc.closed {
				t.Errorf("%s: %v received, %v due (present %v); want %v, %v", tc.unit, n, closed, ok, tc.n, tc.closed)
			}
		})
	}
}
