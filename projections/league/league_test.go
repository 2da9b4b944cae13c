package league

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

var at = projectiontest.At

// city records a small hand-made city through the real command service:
//
//	street 东湖 (S1): A (1,000 households, 甲物业), B (500, 乙物业)
//	street 望江 (S2): C (2,000, 丙物业)
//
// and returns the folded model.
func city(t *testing.T) *Model {
	t.Helper()
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 6, 1, 12))
	do := func(id string, when time.Time, cmd domain.Command) { t.Helper(); c.Do(id, when, cmd) }
	reg := func(id, street string, households int, company string) {
		area := domain.SquareMetres(int64(households) * 100)
		do(id, at(2019, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + id, District: "城东区", Street: street,
			Community: street + "社区", Kind: domain.KindCommercial, Households: households, PrivateArea: area, DeliveredArea: area, PropertyCompany: company}})
	}
	reg("A", "东湖街道", 1000, "甲物业")
	reg("B", "东湖街道", 500, "乙物业")
	reg("C", "望江街道", 2000, "丙物业")

	// Committees: A's is filed, its chair (c1) is the branch secretary, 3 of 5 members are party members;
	// C's term (2020-01-10 to 2025-01-10) expired without re-election.
	committee := func(id string, start time.Time, secretaryChairs bool) {
		do(id, start, domain.ApplyForAssembly{Applicants: 10})
		do(id, start.AddDate(0, 0, 10), domain.FormPreparatoryGroup{Posted: true, Members: []domain.GroupMember{
			{Name: "街道", Role: domain.RoleStreet, Leader: true}, {Name: "甲", Role: domain.RoleOwner}, {Name: "乙", Role: domain.RoleOwner}}})
		for i := 1; i <= 5; i++ {
			cid := fmt.Sprintf("c%d", i)
			do(id, start.AddDate(0, 0, 20), domain.NominateCandidate{CandidateID: cid, Name: "委员" + cid, Unit: cid,
				BirthDate: domain.NewDate(at(1970, 1, 1, 0)), Background: domain.Background{PartyMember: i <= 3}})
			do(id, start.AddDate(0, 0, 21), domain.VetCandidate{CandidateID: cid, Checks: passAll()})
		}
		tally := domain.Tally{TotalArea: 1000, TotalOwners: 100, ParticipatingArea: 900, ParticipatingOwners: 90, YesArea: 800, YesOwners: 80}
		do(id, start.AddDate(0, 0, 30), domain.HoldAssemblyVote{VoteID: "v", Matter: domain.MatterElectCommittee, Subject: "选举", Tally: &tally})
		do(id, start.AddDate(0, 0, 30), domain.ElectCommittee{VoteID: "v", Members: []string{"c1", "c2", "c3", "c4", "c5"}, TermYears: 5, Chair: "c1"})
		do(id, start.AddDate(0, 0, 40), domain.FileCommittee{Authority: "区住建局"})
		if secretaryChairs {
			do(id, start.AddDate(0, 0, 50), domain.EstablishPartyBranch{Branch: "党支部", Secretary: "委员c1"})
		}
	}
	committee("A", at(2021, 3, 1, 9), true)
	committee("C", at(2019, 12, 1, 9), false)
	do("C", at(2025, 2, 1, 9), domain.RecordTermExpiry{})
	do("A", at(2024, 6, 1, 9), domain.SetRedFlags{RedProperty: true})

	// Complaints of 2025 in A (Mon 3 March onwards):
	//   a1 on time all along, satisfied and solved;
	//   a2 dispatched and accepted late, resolved after its reply limit, dissatisfied, reopened, still open;
	//   a3 a petition, first sent to a wrong unit and returned, accepted in time, resolved in time, basically satisfied.
	receive := func(id, cid string, when time.Time, ch domain.Channel) {
		do(id, when, domain.ReceiveComplaint{ComplaintID: cid, Channel: ch, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "x"})
	}
	receive("A", "a1", at(2025, 3, 3, 9), domain.ChannelHotline)
	do("A", at(2025, 3, 3, 11), domain.DispatchComplaint{ComplaintID: "a1", Unit: "甲物业"})
	do("A", at(2025, 3, 3, 14), domain.AcceptComplaint{ComplaintID: "a1"})
	do("A", at(2025, 3, 5, 9), domain.ResolveComplaint{ComplaintID: "a1", Outcome: "ok"})
	do("A", at(2025, 3, 6, 9), domain.FollowUpComplaint{ComplaintID: "a1", Satisfaction: domain.Satisfied, Solved: true})

	receive("A", "a2", at(2025, 3, 4, 9), domain.ChannelHotline)
	do("A", at(2025, 3, 5, 15), domain.DispatchComplaint{ComplaintID: "a2", Unit: "甲物业"})
	do("A", at(2025, 3, 5, 16), domain.AcceptComplaint{ComplaintID: "a2"})
	do("A", at(2025, 4, 30, 9), domain.ResolveComplaint{ComplaintID: "a2", Outcome: "late"})
	do("A", at(2025, 5, 1, 9), domain.FollowUpComplaint{ComplaintID: "a2", Satisfaction: domain.Dissatisfied})
	do("A", at(2025, 5, 2, 9), domain.ReopenComplaint{ComplaintID: "a2", Reason: "不满意"})

	receive("A", "a3", at(2025, 3, 5, 9), domain.ChannelPetition)
	do("A", at(2025, 3, 5, 10), domain.DispatchComplaint{ComplaintID: "a3", Unit: "城管局"})
	do("A", at(2025, 3, 5, 11), domain.ReturnComplaint{ComplaintID: "a3", Reason: "非本单位"})
	do("A", at(2025, 3, 5, 12), domain.DispatchComplaint{ComplaintID: "a3", Unit: "甲物业"})
	do("A", at(2025, 3, 5, 13), domain.AcceptComplaint{ComplaintID: "a3"})
	do("A", at(2025, 3, 10, 9), domain.ResolveComplaint{ComplaintID: "a3", Outcome: "ok"})
	do("A", at(2025, 3, 11, 9), domain.FollowUpComplaint{ComplaintID: "a3", Satisfaction: domain.BasicallySatisfied, Solved: true})

	// 2024, for year-on-year: one complaint in A, two in B; C has one petition in 2024 and none in 2025.
	receive("A", "p1", at(2024, 5, 6, 9), domain.ChannelHotline)
	receive("B", "p2", at(2024, 6, 3, 9), domain.ChannelHotline)
	receive("B", "p3", at(2024, 7, 1, 9), domain.ChannelOnline)
	receive("C", "p4", at(2024, 8, 5, 9), domain.ChannelVisit)

	// A lawsuit in A in 2025: with a3 (a petition) A's petitions and suits rise from 0 to 2.
	do("A", at(2025, 4, 1, 9), domain.FileLawsuit{LawsuitFiling: domain.LawsuitFiling{LawsuitID: "L1", Plaintiff: "甲物业", Defendant: "业主",
		Cause: domain.CauseFeeArrears, AmountFen: 100000, CompanySide: domain.SidePlaintiff}})

	// A is a conflict compound with a plan: m1 (due 30 June) signed off in time, m2 (due 31 August) still open; A is listed.
	do("A", at(2025, 3, 20, 9), domain.FlagConflict{Reason: "投诉多"})
	do("A", at(2025, 3, 25, 9), domain.AdoptPlan{Problems: []domain.Problem{{ID: "P", Description: "服务差"}},
		Measures: []domain.Measure{
			{ID: "m1", ProblemID: "P", Description: "保洁", ResponsibleUnit: "甲物业", Deadline: domain.NewDate(at(2025, 6, 30, 0)), Term: domain.TermShort},
			{ID: "m2", ProblemID: "P", Description: "停车", ResponsibleUnit: "街道", Deadline: domain.NewDate(at(2025, 8, 31, 0)), Term: domain.TermLong}},
		CaseLeader: domain.CaseLeader{Name: "王", Title: "副主任"}})
	do("A", at(2025, 6, 19, 9), domain.VerifyMeasure{MeasureID: "m1", Passed: true, Verifier: "住建局"})
	do("A", at(2025, 6, 20, 9), domain.SignOffMeasure{MeasureID: "m1"})
	do("A", at(2025, 4, 1, 10), domain.ListForSupervision{ListingID: "L", Authority: "区住建局", Deadline: domain.NewDate(at(2025, 12, 31, 0))})

	m := New(domain.DefaultRuleBook())
	c.Fold(m)
	return m
}

func passAll() []domain.CheckResult {
	var out []domain.CheckResult
	for _, k := range domain.DefaultRuleBook().At(time.Now()).Committee.VettingChecks {
		out = append(out, domain.CheckResult{Check: k, Passed: true, Evidence: "证明"})
	}
	return out
}

var year2025 = Period{at(2025, 1, 1, 0), at(2026, 1, 1, 0)}

func row(t *testing.T, tb Table, unit string) Row {
	t.Helper()
	for _, r := range tb.Rows {
		if r.Unit == unit {
			return r
		}
	}
	t.Fatalf("no unit %s in %+v", unit, tb.Rows)
	return Row{}
}

func metric(t *testing.T, r Row, key string) Value {
	t.Helper()
	for _, v := range r.Metrics {
		if v.Key == key {
			return v
		}
	}
	t.Fatalf("no metric %s", key)
	return Value{}
}

// Every metric on the hand-made city, against values computed by hand.
func TestEveryMetricByHand(t *testing.T) {
	m := city(t)
	tb := m.Table(allMetrics(), Query{Level: LevelStreet, Period: year2025, Explain: true})
	s1, s2 := row(t, tb, "城东区/东湖街道"), row(t, tb, "城东区/望江街道")
	cases := []struct {
		r        Row
		key      string
		value    float64 // NaN: no figure
		num, den float64
		numEv    int // events behind the numerator
		denEv    int // and the denominator (this year's and last year's for year-on-year)
	}{
		// 3 complaints in 2025 over 1,500 households (A's and B's registrations); S2 none over 2,000.
		{s1, "complaints_per_1000", 2, 3, 1500, 3, 2},
		{s2, "complaints_per_1000", 0, 0, 2000, 0, 1},
		// S1: 3 in 2025 against 3 in 2024 (A 1, B 2); S2: 0 against 1.
		{s1, "complaints_yoy", 0, 3, 3, 3, 3},
		{s2, "complaints_yoy", -1, 0, 1, 0, 1},
		// Petitions and suits: S1 rises from 0 to 2 (a3 and L1): +100%; S2 falls from 1 (p4, a visit) to 0.
		{s1, "petitions_lawsuits_yoy", 1, 2, 0, 2, 0},
		{s2, "petitions_lawsuits_yoy", -1, 0, 1, 0, 1},
		// Dispatch limits of 2025: a1 accepted in time, a2 late (33 h after receipt, limit 24 h), a3 in
		// time; a2's second round (reopened 5-2, limit 5-3 09:00) never dispatched again: late.
		{s1, "response_rate", 2.0 / 4, 2, 4, 2, 4},
		{s2, "response_rate", math.NaN(), 0, 0, 0, 0},
		// Handling rounds due in 2025: a1 and a3 resolved in time; a2's first round (due 3-25)
		// resolved late on 4-30, then reopened on 5-2, and its second round (15 working days
		// after the May Day holiday: 5-26) still open. Reopening keeps the late round.
		{s1, "closure_rate", 2.0 / 4, 2, 4, 2, 4},
		// Follow-up calls: a1 solved, a2 not, a3 solved; satisfied, dissatisfied, basically satisfied.
		{s1, "resolution_rate", 2.0 / 3, 2, 3, 2, 3},
		{s1, "satisfaction_rate", 2.0 / 3, 2, 3, 2, 3},
		// a3 was returned once among three rounds dispatched (a2's second never was); of three
		// resolutions, a2's was reopened.
		{s1, "return_rate", 1.0 / 3, 1, 3, 1, 3},
		{s1, "reopen_rate", 1.0 / 3, 1, 3, 1, 3},
		// Measures due in 2025: m1 signed off in time, m2 not; m2 overdue at the end of the year.
		{s1, "measures_on_time", 0.5, 1, 2, 1, 2},
		{s1, "overdue_measures", 1, 1, 1, 1, 1},
		{s1, "listings", 1, 1, 1, 1, 1},
		{s2, "listings", 0, 0, 0, 0, 0},
		// Coverage: A has a filed committee, B none: 1 of 2 eligible. C's expired: 0 of 1.
		{s1, "committee_coverage", 0.5, 1, 2, 1, 2},
		{s2, "committee_coverage", 0, 0, 1, 0, 1},
		{s1, "expired_committees", 0, 0, 0, 0, 0},
		{s2, "expired_committees", 1, 1, 1, 1, 1},
		// A's committee: 3 party members of 5; its chair is the branch secretary (一肩挑).
		{s1, "party_member_share", 0.6, 3, 5, 1, 1},
		{s1, "dual_role_share", 1, 1, 1, 1, 1},
		{s2, "party_member_share", math.NaN(), 0, 0, 0, 0},
		// Red property: A of A and B.
		{s1, "red_property_share", 0.5, 1, 2, 1, 2},
		{s2, "red_property_share", 0, 0, 1, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.r.Name+" "+tc.key, func(t *testing.T) {
			v := metric(t, tc.r, tc.key)
			switch {
			case math.IsNaN(tc.value) && v.Value != nil:
				t.Errorf("value %v, want none", *v.Value)
			case !math.IsNaN(tc.value) && (v.Value == nil || math.Abs(*v.Value-tc.value) > 1e-9):
				t.Errorf("value %v, want %v", v.Value, tc.value)
			}
			if v.Num != tc.num || v.Den != tc.den || len(v.Explain.Numerator) != tc.numEv || len(v.Explain.Denominator) != tc.denEv {
				t.Errorf("%v/%v from %d/%d events, want %v/%v from %d/%d", v.Num, v.Den, len(v.Explain.Numerator), len(v.Explain.Denominator),
					tc.num, tc.den, tc.numEv, tc.denEv)
			}
		})
	}
	if !s1.Rising || s2.Rising {
		t.Errorf("只降不升: S1 rising %v (want true), S2 rising %v (want false)", s1.Rising, s2.Rising)
	}
}

func allMetrics() Config {
	c := Config{Name: "test", Normalisation: "minmax", RedList: 1, BlackList: 1}
	for _, d := range Metrics {
		c.Metrics = append(c.Metrics, MetricWeight{Key: d.Key, Weight: 1})
	}
	return c
}

// Companies are ranked by the facts of the compounds they served when
// the facts happened.
func TestCompanyTable(t *testing.T) {
	m := city(t)
	tb := m.Table(allMetrics(), Query{Level: LevelCompany, Period: year2025})
	if got := metric(t, row(t, tb, "甲物业"), "response_rate"); *got.Value != 2.0/4 {
		t.Errorf("甲物业 response %v", *got.Value)
	}
	if got := metric(t, row(t, tb, "乙物业"), "complaints_yoy"); *got.Value != -1 {
		t.Errorf("乙物业 yoy %v", *got.Value)
	}
	if len(tb.Rows) != 3 {
		t.Errorf("%d companies, want 3", len(tb.Rows))
	}
}

// The composite weighs normalised scores; the best unit heads the red list.
func TestCompositeScoreAndLists(t *testing.T) {
	m := city(t)
	cfg := Config{Name: "t", Normalisation: "minmax", RedList: 1, BlackList: 1, Metrics: []MetricWeight{
		{Key: "complaints_per_1000", Weight: 3}, {Key: "committee_coverage", Weight: 1}}}
	tb := m.Table(cfg, Query{Level: LevelStreet, Period: year2025})
	// S2: complaints 0 (best → 100), coverage 0 (worst → 0): (300+0)/4 = 75.
	// S1: complaints 2 (worst → 0), coverage 0.5 (best → 100): (0+100)/4 = 25.
	if tb.Rows[0].Name != "望江街道" || tb.Rows[0].Score != 75 || tb.Rows[1].Score != 25 {
		t.Fatalf("rows %+v", tb.Rows)
	}
	if tb.Rows[0].List != "red" || tb.Rows[1].List != "black" || tb.Rows[0].Rank != 1 {
		t.Fatalf("lists %+v", tb.Rows)
	}
	worst := m.Table(cfg, Query{Level: LevelStreet, Period: year2025, WorstFirst: true})
	if worst.Rows[0].Name != "东湖街道" {
		t.Fatalf("worst first: %+v", worst.Rows)
	}
	rank := cfg
	rank.Normalisation = "rank"
	if tb := m.Table(rank, Query{Level: LevelStreet, Period: year2025}); tb.Rows[0].Score != 75 {
		t.Fatalf("rank normalisation: %+v", tb.Rows)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := city(t)
	r := restoredFrom(t, m)
	a, c := m.Table(allMetrics(), Query{Level: LevelStreet, Period: year2025, Explain: true}), r.Table(allMetrics(), Query{Level: LevelStreet, Period: year2025, Explain: true})
	ja, _ := json.Marshal(a)
	jc, _ := json.Marshal(c)
	if string(ja) != string(jc) || r.Position() != m.Position() {
		t.Fatal("restored model answers differently")
	}
}

func TestConfig(t *testing.T) {
	d := DefaultConfig()
	if d.RedList != 5 || len(d.Metrics) != len(Metrics) {
		t.Fatalf("default config %+v", d)
	}
	for _, bad := range []string{
		`name="x"` + "\n[[metric]]\nkey=\"nope\"\nweight=1",
		`name="x"` + "\n[[metric]]\nkey=\"response_rate\"\nweight=0",
		`name="x"` + "\nnormalisation=\"zscore\"\n[[metric]]\nkey=\"response_rate\"\nweight=1",
		`name="x"` + "\ncolour=1\n[[metric]]\nkey=\"response_rate\"\nweight=1",
		`name="x"` + "\n[[metric]]\nkey=\"response_rate\"\nweight=1\ndirection=\"up\"",
	} {
		if _, err := ParseConfig(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// Eligibility for a committee is the rule book's, as in force when a table
// is judged: a stricter share from mid-2025 leaves no compound of the city
// (all delivered, not more) eligible in 2025's table, while 2024's keeps
// the old share.
func TestEligibilityFollowsTheRuleBook(t *testing.T) {
	old := domain.DefaultRuleBook().At(time.Time{})
	stricter := old
	stricter.EffectiveFrom = at(2025, 7, 1, 0)
	stricter.Committee.EligibleDelivered = domain.Fraction{Num: 1, Den: 1, Strict: true}
	snap, err := city(t).Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	m := New(domain.NewRuleBook(old, stricter))
	if err := m.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		period Period
		den    float64
	}{{Period{at(2024, 1, 1, 0), at(2025, 1, 1, 0)}, 2}, {year2025, 0}} {
		tb := m.Table(allMetrics(), Query{Level: LevelStreet, Period: tc.period})
		if got := metric(t, row(t, tb, "城东区/东湖街道"), "committee_coverage").Den; got != tc.den {
			t.Errorf("%s: %v eligible compounds, want %v", tc.period.From.Format("2006"), got, tc.den)
		}
	}
}

// Explaining marks the events that count against the unit, per rate: the
// late, unsolved or unsatisfied outside the numerator, the returned or
// reopened inside it; counts and shares mark none.
func TestExplainMarksEventsAgainst(t *testing.T) {
	m := city(t)
	s1 := row(t, m.Table(allMetrics(), Query{Level: LevelStreet, Period: year2025, Explain: true}), "城东区/东湖街道")
	for key, want := range map[string]int{
		"resolution_rate": 1, "satisfaction_rate": 1, // a2
		// a2 in both its handling rounds: the first dispatched and resolved
		// late, the reopened one neither dispatched nor resolved in time.
		"response_rate": 2, "closure_rate": 2,
		"return_rate": 1, "reopen_rate": 1, // a3 returned, a2 reopened
		"measures_on_time": 1, "committee_coverage": 1, // m2 late, B without a committee
		"complaints_per_1000": 0, "complaints_yoy": 0, "party_member_share": 0,
	} {
		x := metric(t, s1, key).Explain
		if len(x.Against) != want {
			t.Errorf("%s: %d events against, want %d", key, len(x.Against), want)
		}
		for _, e := range x.Against {
			if !slices.Contains(x.Denominator, e) {
				t.Errorf("%s: %s is against but not counted", key, e)
			}
		}
	}
	plain := row(t, m.Table(allMetrics(), Query{Level: LevelStreet, Period: year2025}), "城东区/东湖街道")
	if v := metric(t, plain, "response_rate"); v.Explain != nil {
		t.Error("not explaining, yet an explanation")
	}
}
