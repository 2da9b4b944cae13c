package league

import (
	"context"
	"testing"
	"time"

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
//	A moved to 西湖街道 from 2025-06-01   → live: k1 (March) stays in 东湖, 西湖 has A but none of its complaints
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
		{"live: A in 西湖, its March complaint not", 0, "城东区/西湖街道", 0, 0},
		{"live: 东湖 keeps A's March complaint", 0, "城东区/东湖街道", 1, 1},
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

// A move (区划调整) from a date splits a compound's facts by their dates;
// its own standing counts where it is on the day judged; as of before the
// move event everything is in the old street.
//
//	A (100 households) in 东湖街道, C (50) in 西湖街道; A's complaints, dispatch limit 24 h:
//	  k1 Mon 2025-02-10 09:00, accepted 11:00          in time
//	  k2 Mon 2025-03-10 09:00, accepted 11:00          in time
//	  k4 Mon 2025-06-30 09:00, accepted 07-01 10:00    late (limit 07-01 09:00, on the move day)
//	  k3 Tue 2025-08-05 09:00, accepted 11:00          in time
//	recorded 2025-09-01: A moved to 西湖街道 from 2025-07-01
//
//	            东湖: received / households, response    西湖: received / households, response
//	2025-Q1     2 / 100, 2 of 2                          0 / 50, none
//	2025-Q3     (no row: no compound, no fact)           1 / 150, 1 of 2 (k4's limit 07-01 late, k3)
//	2025        3 / 0 (k1 k2 k4), 2 of 2                 1 / 150, 1 of 2
//	2025 as of before the move: 4 / 100, 3 of 4          0 / 50, none
func TestMoveFromADate(t *testing.T) {
	book := domain.DefaultRuleBook()
	c := projectiontest.NewCity(t, book, at(2026, 1, 5, 12))
	reg := func(id, street string, households int) {
		c.Do(id, at(2025, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + id, District: "城东区", Street: street,
			Community: street + "社区", Kind: domain.KindCommercial, Households: households, PrivateArea: 10000, DeliveredArea: 10000,
			PropertyCompany: "甲物业"}})
	}
	reg("A", "东湖街道", 100)
	reg("C", "西湖街道", 50)
	complaint := func(k string, received, accepted time.Time) {
		c.Do("A", received, domain.ReceiveComplaint{ComplaintID: k, Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
			Category: domain.CategoryFees, Summary: "x"})
		c.Do("A", received.Add(time.Hour), domain.DispatchComplaint{ComplaintID: k, Unit: "甲物业"})
		c.Do("A", accepted, domain.AcceptComplaint{ComplaintID: k})
	}
	complaint("k1", at(2025, 2, 10, 9), at(2025, 2, 10, 11))
	complaint("k2", at(2025, 3, 10, 9), at(2025, 3, 10, 11))
	complaint("k4", at(2025, 6, 30, 9), at(2025, 7, 1, 10))
	complaint("k3", at(2025, 8, 5, 9), at(2025, 8, 5, 11))
	events, _ := c.Store.ReadAll(context.Background(), 0, 0)
	before := New(book)
	for _, e := range events {
		if err := before.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	c.Do("A", at(2025, 9, 1, 9), domain.MoveCompound{District: "城东区", Street: "西湖街道", Community: "西湖街道社区",
		From: domain.NewDate(at(2025, 7, 1, 0)), Reason: "区划调整"})
	live := New(book)
	c.Fold(live)
	indexed := New(book)
	c.Fold(indexed)
	indexed.Index()

	q1, q3 := Period{at(2025, 1, 1, 0), at(2025, 4, 1, 0)}, Period{at(2025, 7, 1, 0), at(2025, 10, 1, 0)}
	cases := []struct {
		name                 string
		m                    *Model
		period               Period
		unit                 string
		received, households float64 // -1: no row
		responded, responses float64
	}{
		{"Q1 in 东湖", live, q1, "城东区/东湖街道", 2, 100, 2, 2},
		{"Q1: 西湖 has C only", live, q1, "城东区/西湖街道", 0, 50, 0, 0},
		{"Q3: 东湖 has nothing left", live, q3, "城东区/东湖街道", -1, 0, 0, 0},
		{"Q3 in 西湖, k4's limit on the move day", live, q3, "城东区/西湖街道", 1, 150, 1, 2},
		{"2025: 东湖 keeps what happened before the move", live, year2025, "城东区/东湖街道", 3, 0, 2, 2},
		{"2025: 西湖 from the move day", live, year2025, "城东区/西湖街道", 1, 150, 1, 2},
		{"2025 as of before the move: all in 东湖", before, year2025, "城东区/东湖街道", 4, 100, 3, 4},
		{"2025 as of before the move: 西湖 has C only", before, year2025, "城东区/西湖街道", 0, 50, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			models := []*Model{tc.m}
			if tc.m == live {
				models = append(models, indexed)
			}
			for _, m := range models {
				for _, explain := range []bool{true, false} { // the walk, and the index if built
					tb := m.Table(allMetrics(), Query{Level: LevelStreet, Period: tc.period, Explain: explain})
					var r *Row
					for i := range tb.Rows {
						if tb.Rows[i].Unit == tc.unit {
							r = &tb.Rows[i]
						}
					}
					if tc.received < 0 {
						if r != nil {
							t.Errorf("%s has a row", tc.unit)
						}
						continue
					}
					if r == nil {
						t.Fatalf("no row %s", tc.unit)
					}
					per, resp := metric(t, *r, "complaints_per_1000"), metric(t, *r, "response_rate")
					if per.Num != tc.received || per.Den != tc.households || resp.Num != tc.responded || resp.Den != tc.responses {
						t.Errorf("explain %v: received %v / %v households, responded %v of %v; want %v / %v, %v of %v", explain,
							per.Num, per.Den, resp.Num, resp.Den, tc.received, tc.households, tc.responded, tc.responses)
					}
				}
			}
		})
	}
	// The compound's own row names where it is on the day judged.
	for _, tc := range []struct {
		period Period
		street string
	}{{q1, "东湖街道"}, {year2025, "西湖街道"}} {
		if r := row(t, live.Table(allMetrics(), Query{Level: LevelCompound, Period: tc.period}), "A"); r.Street != tc.street {
			t.Errorf("compound A in %s, want %s", r.Street, tc.street)
		}
	}
}
