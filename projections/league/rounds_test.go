package league

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A complaint resolved late and reopened stays late in the period its first
// round was due; its second round is due in its own period, for every
// metric that judges handling (response, return, closure, reopen).
//
//	received  Mon 2025-03-03 09:00: dispatch limit 03-04 09:00, reply limit (15 working days) Mon 03-24
//	dispatched 03-03 10:00, accepted 11:00 (in time), not returned
//	resolved  Tue 04-01 (late), dissatisfied 04-02, reopened Thu 04-03 09:00
//	round 2   dispatch limit Fri 04-04 09:00; Qingming 04-04..04-06 off: 04-07..04-25 is 15 working days: due Fri 04-25
//	dispatched 04-04 10:00 to the wrong unit, returned 11:00, dispatched again 12:00, accepted Mon 04-07 (late)
//	resolved  Thu 04-10 (on time)
func TestReopenedLateComplaint(t *testing.T) {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 1, 1, 12))
	c.Do("A", at(2025, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区A", District: "城东区", Street: "东湖街道",
		Community: "东湖社区", Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000, PropertyCompany: "甲物业"}})
	c.Do("A", at(2025, 3, 3, 9), domain.ReceiveComplaint{ComplaintID: "k", Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
		Category: domain.CategoryFees, Summary: "x"})
	c.Do("A", at(2025, 3, 3, 10), domain.DispatchComplaint{ComplaintID: "k", Unit: "甲物业"})
	c.Do("A", at(2025, 3, 3, 11), domain.AcceptComplaint{ComplaintID: "k"})
	c.Do("A", at(2025, 4, 1, 9), domain.ResolveComplaint{ComplaintID: "k", Outcome: "late"})
	c.Do("A", at(2025, 4, 2, 9), domain.FollowUpComplaint{ComplaintID: "k", Satisfaction: domain.Dissatisfied})
	c.Do("A", at(2025, 4, 3, 9), domain.ReopenComplaint{ComplaintID: "k", Reason: "不满意"})
	c.Do("A", at(2025, 4, 4, 10), domain.DispatchComplaint{ComplaintID: "k", Unit: "城管局"})
	c.Do("A", at(2025, 4, 4, 11), domain.ReturnComplaint{ComplaintID: "k", Reason: "非本单位"})
	c.Do("A", at(2025, 4, 4, 12), domain.DispatchComplaint{ComplaintID: "k", Unit: "甲物业"})
	c.Do("A", at(2025, 4, 7, 9), domain.AcceptComplaint{ComplaintID: "k"})
	c.Do("A", at(2025, 4, 10, 9), domain.ResolveComplaint{ComplaintID: "k", Outcome: "fixed"})
	m := New(domain.DefaultRuleBook())
	c.Fold(m)

	if x := m.Complaints["A/k"]; !x.ReplyDue.time().Equal(at(2025, 4, 25, 0).Add(24*time.Hour-time.Second)) || len(x.Rounds) != 1 ||
		!x.Rounds[0].ReplyDue.time().Equal(at(2025, 3, 24, 0).Add(24*time.Hour-time.Second)) {
		t.Fatalf("rounds %+v, due %s", x.Rounds, x.ReplyDue.time())
	}
	q1, q2 := Period{at(2025, 1, 1, 0), at(2025, 4, 1, 0)}, Period{at(2025, 4, 1, 0), at(2025, 7, 1, 0)}
	cases := []struct {
		name     string
		period   Period
		key      string
		num, den float64
	}{
		{"first round late in Q1", q1, "closure_rate", 0, 1},
		{"second round on time in Q2", q2, "closure_rate", 1, 1},
		{"both rounds in the year", year2025, "closure_rate", 1, 2},
		{"one of two resolutions reopened", year2025, "reopen_rate", 1, 2},
		{"the reopened resolution is in Q2", q2, "reopen_rate", 1, 2},
		{"first dispatch in time in Q1", q1, "response_rate", 1, 1},
		{"second dispatch late in Q2", q2, "response_rate", 0, 1},
		{"both dispatches in the year", year2025, "response_rate", 1, 2},
		{"first round not returned", q1, "return_rate", 0, 1},
		{"second round returned", q2, "return_rate", 1, 1},
		{"one of two rounds returned in the year", year2025, "return_rate", 1, 2},
		{"a table judged before the second limit passed leaves it out", Period{at(2025, 4, 1, 0), at(2025, 4, 4, 8)}, "response_rate", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, explain := range []bool{true, false} { // the walk and the month index
				v := metric(t, row(t, m.Table(allMetrics(), Query{Level: LevelStreet, Period: tc.period, Explain: explain}), "城东区/东湖街道"), tc.key)
				if v.Num != tc.num || v.Den != tc.den {
					t.Errorf("explain %v: %v/%v, want %v/%v", explain, v.Num, v.Den, tc.num, tc.den)
				}
			}
		})
	}
}

// An explanation names the events behind each side: the closure rate's
// denominator both rounds, its numerator the round that passed; a metric
// with nothing counted still shows its (empty) lists.
func TestExplanationSeparatesNumeratorAndDenominator(t *testing.T) {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2028, 1, 1, 12))
	c.Do("A", at(2025, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区A", District: "城东区", Street: "东湖街道",
		Community: "东湖社区", Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000, PropertyCompany: "甲物业"}})
	receive := func(id string, when time.Time) {
		c.Do("A", when, domain.ReceiveComplaint{ComplaintID: id, Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "x"})
	}
	receive("k", at(2025, 3, 3, 9))
	c.Do("A", at(2025, 3, 3, 10), domain.DispatchComplaint{ComplaintID: "k", Unit: "甲物业"})
	c.Do("A", at(2025, 3, 3, 11), domain.AcceptComplaint{ComplaintID: "k"})
	c.Do("A", at(2025, 4, 1, 9), domain.ResolveComplaint{ComplaintID: "k", Outcome: "late"})
	c.Do("A", at(2025, 4, 2, 9), domain.FollowUpComplaint{ComplaintID: "k", Satisfaction: domain.Dissatisfied})
	c.Do("A", at(2025, 4, 3, 9), domain.ReopenComplaint{ComplaintID: "k", Reason: "不满意"})
	c.Do("A", at(2025, 4, 4, 10), domain.DispatchComplaint{ComplaintID: "k", Unit: "甲物业"})
	c.Do("A", at(2025, 4, 7, 9), domain.AcceptComplaint{ComplaintID: "k"})
	c.Do("A", at(2025, 4, 10, 9), domain.ResolveComplaint{ComplaintID: "k", Outcome: "fixed"})
	receive("n", at(2027, 3, 1, 9)) // 2027 is not in the calendar
	m := New(domain.DefaultRuleBook())
	c.Fold(m)
	x := m.Complaints["A/k"]
	received, reopened := x.receivedEvent().String(), x.StartEvent.String()

	s1 := row(t, m.Table(allMetrics(), Query{Level: LevelStreet, Period: year2025, Explain: true}), "城东区/东湖街道")
	closure := metric(t, s1, "closure_rate").Explain
	if !slices.Equal(closure.Numerator, []string{reopened}) || !slices.Equal(closure.Denominator, sortedIDs([]string{received, reopened})) {
		t.Errorf("closure explained %+v; want numerator [%s], denominator both rounds", closure, reopened)
	}
	b, err := json.Marshal(metric(t, s1, "listings"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"explain":{"numerator_events":[],"denominator_events":[],"weekdays_only_events":[],"against":[]}`; !strings.Contains(string(b), want) {
		t.Errorf("nothing counted: %s, want %s", b, want)
	}
	y2027 := Period{at(2027, 1, 1, 0), at(2028, 1, 1, 0)}
	late := metric(t, row(t, m.Table(allMetrics(), Query{Level: LevelStreet, Period: y2027, Explain: true}), "城东区/东湖街道"), "closure_rate").Explain
	if n := m.Complaints["A/n"]; len(late.WeekdaysOnly) != 1 || late.WeekdaysOnly[0] != n.receivedEvent().String() {
		t.Errorf("2027's limit is not marked weekdays only: %+v", late)
	}
}
