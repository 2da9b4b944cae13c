package deadlines

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

var at = projectiontest.At

const day = 24 * time.Hour

// book is the default rule book plus a local set from 2026 that files
// committees within 15 days and starts re-elections 6 months ahead
// (Shenzhen-style), so that each election is judged by its own year's rules.
func book() domain.RuleBook {
	sets := domain.DefaultRuleBook().Sets()
	local := sets[len(sets)-1]
	local.Name, local.EffectiveFrom = "local-2026", at(2026, 1, 1, 0)
	local.Committee.FilingWithinDays, local.Committee.ReelectionLeadMonths = 15, 6
	return domain.NewRuleBook(append(sets, local)...)
}

// city is a hand-made city recorded through the real command service; its
// board folds whatever was recorded since it last answered.
type city struct {
	*projectiontest.City
	t *testing.T
	m *Model
}

func newCity(t *testing.T) *city {
	c := &city{City: projectiontest.NewCity(t, book(), at(2031, 6, 1, 12)), t: t, m: New()}
	// A, B: committees; K: complaints; P: a plan; L: a listing.
	for _, x := range []struct{ id, district, street, community string }{
		{"A", "城东区", "东湖街道", "东湖社区"}, {"B", "城东区", "东湖街道", "西湖社区"}, {"K", "城东区", "望江街道", "望江社区"},
		{"P", "城西区", "河西街道", "河西社区"}, {"L", "城西区", "河西街道", "河西社区"},
	} {
		c.Do(x.id, at(2024, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + x.id, District: x.district, Street: x.street,
			Community: x.community, Kind: domain.KindCommercial, Households: 1000, PrivateArea: 100000, DeliveredArea: 100000, PropertyCompany: "甲物业"}})
	}
	return c
}

// elect takes a compound from the owners' application to an elected
// committee (5 members, 5 years) on day elected.
func (c *city) elect(id string, elected time.Time) {
	c.t.Helper()
	start := elected.AddDate(0, 0, -30)
	c.Do(id, start, domain.ApplyForAssembly{Applicants: 10})
	c.Do(id, start.AddDate(0, 0, 10), domain.FormPreparatoryGroup{Posted: true, Members: []domain.GroupMember{
		{Name: "街道", Role: domain.RoleStreet, Leader: true}, {Name: "甲", Role: domain.RoleOwner}, {Name: "乙", Role: domain.RoleOwner}}})
	var checks []domain.CheckResult
	for _, k := range domain.DefaultRuleBook().At(elected).Committee.VettingChecks {
		checks = append(checks, domain.CheckResult{Check: k, Passed: true, Evidence: "证明"})
	}
	var members []string
	for i := 1; i <= 5; i++ {
		cid := fmt.Sprintf("c%d", i)
		members = append(members, cid)
		c.Do(id, start.AddDate(0, 0, 20), domain.NominateCandidate{CandidateID: cid, Name: "委员" + cid, Unit: cid,
			BirthDate: domain.NewDate(at(1970, 1, 1, 0))}, domain.VetCandidate{CandidateID: cid, Checks: checks})
	}
	tally := domain.Tally{TotalArea: 1000, TotalOwners: 100, ParticipatingArea: 900, ParticipatingOwners: 90, YesArea: 800, YesOwners: 80}
	c.Do(id, elected, domain.HoldAssemblyVote{VoteID: "v", Matter: domain.MatterElectCommittee, Subject: "选举", Tally: &tally},
		domain.ElectCommittee{VoteID: "v", Members: members, TermYears: 5})
}

// board shows a board as lines "compound kind/subject due", due to the minute.
func (c *city) board(m *Model, when time.Time, soon time.Duration, f Filter) (overdue, dueSoon []string) {
	c.Fold(m)
	b := m.Board(when, soon, f)
	show := func(items []Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, fmt.Sprintf("%s %s/%s %s", it.Compound, it.Kind, it.Subject, it.Due.In(domain.China).Format("2006-01-02 15:04")))
		}
		return out
	}
	return show(b.Overdue), show(b.DueSoon)
}

type step struct {
	name     string
	act      func(c *city) // what is recorded before the board is asked; nil: nothing
	compound string
	at       time.Time
	soon     time.Duration
	overdue  []string
	dueSoon  []string
}

// Each step records something, then asks one compound's board; the lists
// are computed by hand from the rule set and the days.
func TestBoardByHand(t *testing.T) {
	c := newCity(t)
	steps := []step{
		// A, elected 2025-03-31 under the 2021 rules: filing within 30 days, re-election 3 months before
		// the term ends on 2030-03-31.
		{"filing due soon", func(c *city) { c.elect("A", at(2025, 3, 31, 9)) }, "A", at(2025, 4, 20, 0), 14 * day,
			nil, []string{"A committee_filing/1 2025-04-30 23:59"}},
		{"filing not yet due soon", nil, "A", at(2025, 4, 1, 0), 14 * day, nil, nil},
		{"filing overdue", nil, "A", at(2025, 5, 1, 0), 14 * day, []string{"A committee_filing/1 2025-04-30 23:59"}, nil},
		{"filed late", func(c *city) { c.Do("A", at(2025, 5, 10, 9), domain.FileCommittee{Authority: "区住建局"}) }, "A", at(2025, 5, 11, 0), 14 * day, nil, nil},
		{"re-election due soon", nil, "A", at(2029, 12, 20, 0), 14 * day, nil, []string{"A reelection_start/1 2029-12-31 23:59"}},
		{"re-election overdue", nil, "A", at(2030, 1, 1, 0), 14 * day, []string{"A reelection_start/1 2029-12-31 23:59"}, nil},
		{"re-election started", func(c *city) { c.Do("A", at(2030, 1, 5, 9), domain.StartReelection{}) }, "A", at(2030, 1, 6, 0), 14 * day, nil, nil},

		// B, elected 2026-03-31 under the local 2026 rules: filing within 15 days, re-election 6 months
		// ahead of 2031-03-31, which is "30 September" normalised to 1 October, as the domain's own alert counts.
		{"2026 rules: filing in 15 days", func(c *city) { c.elect("B", at(2026, 3, 31, 9)) }, "B", at(2026, 4, 1, 0), 15 * day,
			nil, []string{"B committee_filing/1 2026-04-15 23:59"}},
		{"2026 rules: re-election 6 months ahead", nil, "B", at(2030, 9, 20, 0), 14 * day,
			[]string{"B committee_filing/1 2026-04-15 23:59"}, []string{"B reelection_start/1 2030-10-01 23:59"}},
		// The term expires unfiled and without a re-election: filing is moot, the re-election still owed.
		{"term expired", func(c *city) { c.Do("B", at(2031, 4, 1, 9), domain.RecordTermExpiry{}) }, "B", at(2031, 4, 2, 0), 14 * day,
			[]string{"B reelection_start/1 2030-10-01 23:59"}, nil},

		// K: a consultation received Monday 2025-06-02 09:00: dispatch within 24 h, reply within 3 working days.
		{"complaint received", func(c *city) {
			c.Do("K", at(2025, 6, 2, 9), domain.ReceiveComplaint{ComplaintID: "k1", Channel: domain.ChannelHotline, Kind: domain.KindConsultation,
				Category: domain.CategoryFees, Summary: "x"})
		}, "K", at(2025, 6, 2, 10), day, nil, []string{"K complaint_dispatch/k1 2025-06-03 09:00"}},
		{"dispatch overdue", nil, "K", at(2025, 6, 3, 10), 14 * day,
			[]string{"K complaint_dispatch/k1 2025-06-03 09:00"}, []string{"K complaint_reply/k1 2025-06-05 23:59"}},
		{"dispatched late", func(c *city) {
			c.Do("K", at(2025, 6, 3, 11), domain.DispatchComplaint{ComplaintID: "k1", Unit: "城管局"})
		},
			"K", at(2025, 6, 3, 12), 14 * day, nil, []string{"K complaint_reply/k1 2025-06-05 23:59"}},
		{"returned: the dispatch limit is back", func(c *city) {
			c.Do("K", at(2025, 6, 3, 12), domain.ReturnComplaint{ComplaintID: "k1", Reason: "非本单位"})
		},
			"K", at(2025, 6, 3, 13), 14 * day, []string{"K complaint_dispatch/k1 2025-06-03 09:00"}, []string{"K complaint_reply/k1 2025-06-05 23:59"}},
		{"dispatched again and accepted", func(c *city) {
			c.Do("K", at(2025, 6, 3, 14), domain.DispatchComplaint{ComplaintID: "k1", Unit: "甲物业"}, domain.AcceptComplaint{ComplaintID: "k1"})
		}, "K", at(2025, 6, 3, 16), 14 * day, nil, []string{"K complaint_reply/k1 2025-06-05 23:59"}},
		// Two more working days from Thursday 5 June: Monday 9 June.
		{"extension granted", func(c *city) {
			c.Do("K", at(2025, 6, 4, 9), domain.RequestComplaintExtension{ComplaintID: "k1", WorkingDays: 2, Reason: "需现场查看"},
				domain.DecideComplaintExtension{ComplaintID: "k1", Granted: true})
		}, "K", at(2025, 6, 6, 0), 14 * day, nil, []string{"K complaint_reply/k1 2025-06-09 23:59"}},
		{"reply not yet due soon", nil, "K", at(2025, 6, 6, 0), day, nil, nil},
		{"resolved: the follow-up is owed the next day", func(c *city) {
			c.Do("K", at(2025, 6, 9, 9), domain.ResolveComplaint{ComplaintID: "k1", Outcome: "已答复"})
		},
			"K", at(2025, 6, 9, 10), 14 * day, nil, []string{"K complaint_follow_up/k1 2025-06-10 23:59"}},
		{"follow-up overdue", nil, "K", at(2025, 6, 11, 0), 14 * day, []string{"K complaint_follow_up/k1 2025-06-10 23:59"}, nil},
		{"followed up", func(c *city) {
			c.Do("K", at(2025, 6, 11, 9), domain.FollowUpComplaint{ComplaintID: "k1", Satisfaction: domain.Dissatisfied})
		}, "K", at(2025, 6, 11, 10), 14 * day, nil, nil},
		// Reopened on Thursday 12 June: limits counted afresh, to Friday 09:00 and Tuesday 17 June.
		{"reopened", func(c *city) {
			c.Do("K", at(2025, 6, 12, 9), domain.ReopenComplaint{ComplaintID: "k1", Reason: "不满意"})
		},
			"K", at(2025, 6, 12, 10), 14 * day, nil, []string{"K complaint_dispatch/k1 2025-06-13 09:00", "K complaint_reply/k1 2025-06-17 23:59"}},

		// P: a plan with m1 (due 30 June) and m2 (31 August), and m3 (15 July) added later.
		{"plan adopted", func(c *city) {
			c.Do("P", at(2025, 3, 20, 9), domain.FlagConflict{Reason: "投诉多"})
			c.Do("P", at(2025, 3, 25, 9), domain.AdoptPlan{Problems: []domain.Problem{{ID: "P1", Description: "服务差"}},
				Measures: []domain.Measure{
					{ID: "m1", ProblemID: "P1", Description: "保洁", ResponsibleUnit: "甲物业", Deadline: domain.NewDate(at(2025, 6, 30, 0)), Term: domain.TermShort},
					{ID: "m2", ProblemID: "P1", Description: "停车", ResponsibleUnit: "街道", Deadline: domain.NewDate(at(2025, 8, 31, 0)), Term: domain.TermLong}},
				CaseLeader: domain.CaseLeader{Name: "王", Title: "副主任"}})
		}, "P", at(2025, 6, 20, 0), 14 * day, nil, []string{"P measure/m1 2025-06-30 23:59"}},
		{"measure added", func(c *city) {
			c.Do("P", at(2025, 4, 1, 9), domain.AddMeasure{Measure: domain.Measure{ID: "m3", ProblemID: "P1", Description: "维修",
				ResponsibleUnit: "甲物业", Deadline: domain.NewDate(at(2025, 7, 15, 0)), Term: domain.TermShort}})
		}, "P", at(2025, 7, 1, 0), 15 * day, []string{"P measure/m1 2025-06-30 23:59"}, []string{"P measure/m3 2025-07-15 23:59"}},
		{"measure signed off late", func(c *city) {
			c.Do("P", at(2025, 7, 2, 9), domain.VerifyMeasure{MeasureID: "m1", Passed: true, Verifier: "住建局"}, domain.SignOffMeasure{MeasureID: "m1"})
		}, "P", at(2025, 7, 3, 0), 15 * day, nil, []string{"P measure/m3 2025-07-15 23:59"}},

		// L: listed until 31 December, extended to 31 March, then delisted.
		{"listed", func(c *city) {
			c.Do("L", at(2025, 3, 20, 9), domain.FlagConflict{Reason: "投诉多"})
			c.Do("L", at(2025, 4, 1, 9), domain.ListForSupervision{ListingID: "L1", Authority: "区住建局", Deadline: domain.NewDate(at(2025, 12, 31, 0))})
		}, "L", at(2025, 12, 20, 0), 14 * day, nil, []string{"L listing/L1 2025-12-31 23:59"}},
		{"listing overdue", nil, "L", at(2026, 1, 1, 0), 14 * day, []string{"L listing/L1 2025-12-31 23:59"}, nil},
		{"listing extended", func(c *city) {
			c.Do("L", at(2025, 10, 1, 9), domain.RequestListingExtension{ListingID: "L1", NewDeadline: domain.NewDate(at(2026, 3, 31, 0)), Reason: "工程量大"})
			c.Do("L", at(2025, 10, 10, 9), domain.DecideListingExtension{ListingID: "L1", Granted: true})
		}, "L", at(2026, 3, 20, 0), 14 * day, nil, []string{"L listing/L1 2026-03-31 23:59"}},
		{"delisted", func(c *city) {
			c.Do("L", at(2026, 3, 25, 9), domain.VerifyRemediation{ListingID: "L1", Passed: true, Verifier: "住建局"}, domain.Delist{ListingID: "L1", Published: true})
		}, "L", at(2026, 4, 1, 0), 14 * day, nil, nil},
	}
	for _, s := range steps {
		if s.act != nil {
			s.act(c)
		}
		overdue, soon := c.board(c.m, s.at, s.soon, Filter{Compound: s.compound})
		if !slices.Equal(overdue, s.overdue) || !slices.Equal(soon, s.dueSoon) {
			t.Errorf("%s: overdue %q, due soon %q; want %q, %q", s.name, overdue, soon, s.overdue, s.dueSoon)
		}
	}

	// What is still open at the end, city-wide and by unit, by due time.
	compounds := func(f Filter) []string {
		overdue, _ := c.board(c.m, at(2031, 4, 2, 0), 0, f)
		var out []string
		for _, line := range overdue {
			out = append(out, line[:1])
		}
		return out
	}
	for _, tc := range []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"K", "K", "P", "P", "B"}},
		{Filter{District: "城西区"}, []string{"P", "P"}},
		{Filter{Street: "东湖街道"}, []string{"B"}},
		{Filter{Community: "望江社区"}, []string{"K", "K"}},
		{Filter{Compound: "P"}, []string{"P", "P"}},
		{Filter{District: "城东区", Street: "河西街道"}, nil},
	} {
		if got := compounds(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("filter %+v: %v, want %v", tc.f, got, tc.want)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	c := newCity(t)
	c.elect("A", at(2025, 3, 31, 9))
	c.Do("K", at(2025, 6, 2, 9), domain.ReceiveComplaint{ComplaintID: "k1", Channel: domain.ChannelHotline, Kind: domain.KindConsultation,
		Category: domain.CategoryFees, Summary: "x"})
	c.Fold(c.m)
	b, err := c.m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := New()
	if err := r.Restore(b); err != nil {
		t.Fatal(err)
	}
	when := at(2025, 6, 3, 10)
	ja, _ := json.Marshal(c.m.Board(when, 14*day, Filter{}))
	jr, _ := json.Marshal(r.Board(when, 14*day, Filter{}))
	if string(ja) != string(jr) || r.Position() != c.m.Position() {
		t.Fatalf("restored board answers differently:\n%s\n%s", ja, jr)
	}
	// The restored model goes on folding, dispatch bookkeeping included.
	c.Do("K", at(2025, 6, 3, 11), domain.DispatchComplaint{ComplaintID: "k1", Unit: "城管局"}, domain.ReturnComplaint{ComplaintID: "k1", Reason: "非本单位"})
	overdue, _ := c.board(r, when, 0, Filter{Compound: "K"})
	if want := []string{"K complaint_dispatch/k1 2025-06-03 09:00"}; !slices.Equal(overdue, want) {
		t.Fatalf("after restore: overdue %q, want %q", overdue, want)
	}
}

// A compound's list drained after a burst of complaints gives its memory
// back: once a quarter full it is copied to one its size, its deadlines
// kept.
func TestDrainedListShrinks(t *testing.T) {
	var ds []Deadline
	for i := range 40 {
		ds = put(ds, Deadline{Kind: KindReply, Subject: fmt.Sprint(i)})
	}
	peak := cap(ds)
	for i := range 35 {
		ds = removeOf(ds, KindReply, fmt.Sprint(i))
	}
	var subjects []string
	for _, d := range ds {
		subjects = append(subjects, d.Subject)
	}
	slices.Sort(subjects)
	if want := []string{"35", "36", "37", "38", "39"}; !slices.Equal(subjects, want) || cap(ds) >= 4*len(ds) {
		t.Fatalf("drained to %v in a capacity of %d (peak %d), want %v in less than %d", subjects, cap(ds), peak, want, 4*len(ds))
	}
}
