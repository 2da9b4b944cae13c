package credit

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

var at = projectiontest.At

// city records a small hand-made city through the real command service and
// returns the folded ledger. Compounds and their companies:
//
//	A, B 甲物业 (B passes to 己物业 on 2025-04-01); C 乙物业; D 丙物业; E 丁物业; F 戊物业
func city(t *testing.T) *Model {
	t.Helper()
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 6, 1, 12))
	do := func(id string, when time.Time, cmd domain.Command) { t.Helper(); c.Do(id, when, cmd) }
	for id, company := range map[string]string{"A": "甲物业", "B": "甲物业", "C": "乙物业", "D": "丙物业", "E": "丁物业", "F": "戊物业"} {
		do(id, at(2024, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + id, District: "城东区", Street: "东湖街道",
			Community: "东湖社区", Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000, PropertyCompany: company}})
	}
	// complaint takes a complaint through one round up to its follow-up call on day d.
	complaint := func(id, cid string, d time.Time, s domain.Satisfaction, solved bool) {
		do(id, d, domain.ReceiveComplaint{ComplaintID: cid, Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "x"})
		round(do, id, cid, d, s, solved)
	}

	// 甲物业: red property in A (+5) and in B (+5, withdrawn when B changes companies);
	// a1 verified (−1), once although dissatisfied twice; a2 dissatisfied but solved (no item);
	// b1 received under 甲物业 and verified under 己物业 (−1 for 甲物业); L1 lost (−3), L2 won (no item).
	do("A", at(2025, 1, 10, 9), domain.SetRedFlags{RedProperty: true})
	do("B", at(2025, 2, 1, 9), domain.SetRedFlags{RedProperty: true})
	complaint("A", "a1", at(2025, 2, 3, 9), domain.Dissatisfied, false) // verified on 2025-02-04 09:00
	do("A", at(2025, 2, 5, 9), domain.ReopenComplaint{ComplaintID: "a1", Reason: "不满意"})
	round(do, "A", "a1", at(2025, 2, 6, 9), domain.Dissatisfied, false)
	complaint("A", "a2", at(2025, 2, 10, 9), domain.Dissatisfied, true)
	complaint("A", "a3", at(2025, 2, 12, 9), domain.Satisfied, false)
	do("B", at(2025, 3, 3, 9), domain.ReceiveComplaint{ComplaintID: "b1", Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "x"})
	do("B", at(2025, 4, 1, 9), domain.ChangePropertyCompany{Company: "己物业"})
	round(do, "B", "b1", at(2025, 4, 2, 9), domain.Dissatisfied, false) // verified on 2025-04-03 09:00
	suit := func(id string, prevailing domain.LawsuitSide, d time.Time) {
		do("A", d, domain.FileLawsuit{LawsuitFiling: domain.LawsuitFiling{LawsuitID: id, Plaintiff: "业主", Defendant: "甲物业",
			Cause: domain.CauseServiceQuality, CompanySide: domain.SideDefendant}})
		do("A", d.AddDate(0, 1, 0), domain.ConcludeLawsuit{LawsuitID: id, Outcome: domain.OutcomeJudged, Prevailing: prevailing})
	}
	suit("L1", domain.SidePlaintiff, at(2025, 2, 10, 9)) // lost on 2025-03-10
	suit("L2", domain.SideDefendant, at(2025, 2, 10, 9))

	// Enforcement on 2025-05-01: 乙物业 misused the fund; 丙物业 cut service; 丁物业 occupied common land;
	// 戊物业 forced prepayment and something else, and has a verified complaint.
	enforce := func(id string, v domain.CompanyViolation) {
		do(id, at(2025, 5, 1, 9), domain.RecordEnforcement{Violation: v, Penalty: "罚款"})
	}
	enforce("C", domain.ViolationMisuseMaintenanceFund)
	enforce("D", domain.ViolationUnauthorisedServiceCut)
	enforce("E", domain.ViolationOccupyCommonLand)
	enforce("F", domain.ViolationForcedPrepayment)
	enforce("F", domain.ViolationOther)
	complaint("F", "f1", at(2025, 5, 5, 9), domain.Dissatisfied, false)

	m := New(domain.DefaultRuleBook())
	c.Fold(m)
	return m
}

// round dispatches, resolves and follows up a complaint received or reopened
// before d: resolved on day d, called back the next day.
func round(do func(string, time.Time, domain.Command), id, cid string, d time.Time, s domain.Satisfaction, solved bool) {
	do(id, d.Add(time.Hour), domain.DispatchComplaint{ComplaintID: cid, Unit: "物业"})
	do(id, d.Add(2*time.Hour), domain.AcceptComplaint{ComplaintID: cid})
	do(id, d.Add(3*time.Hour), domain.ResolveComplaint{ComplaintID: cid, Outcome: "done"})
	do(id, d.AddDate(0, 0, 1), domain.FollowUpComplaint{ComplaintID: cid, Satisfaction: s, Solved: solved})
}

func kinds(l Ledger) []Kind {
	var out []Kind
	for _, it := range l.Items {
		out = append(out, it.Kind)
	}
	return out
}

// Scores and grades on the hand-made city, against values computed by hand.
func TestLedgersByHand(t *testing.T) {
	m := city(t)
	cases := []struct {
		name, company string
		at            time.Time
		score         int
		grade         string
		black         bool
		kinds         []Kind
	}{
		{"before anything", "甲物业", at(2025, 1, 1, 0), 80, "AA", false, nil},
		{"red A: 80+5, AAA at its bound", "甲物业", at(2025, 1, 20, 0), 85, "AAA", false, []Kind{KindRedProperty}},
		{"red A and B, a1 verified: 80+5+5−1", "甲物业", at(2025, 3, 1, 0), 89, "AAA", false,
			[]Kind{KindRedProperty, KindRedProperty, KindVerifiedComplaint}},
		// B's red item ended with the change of company; L1 lost, b1 verified: 80+5−1−3−1.
		{"AA at its bound", "甲物业", at(2025, 6, 1, 0), 80, "AA", false,
			[]Kind{KindRedProperty, KindVerifiedComplaint, KindLawsuitLost, KindVerifiedComplaint}},
		{"red A still valid the hour before", "甲物业", at(2026, 1, 10, 8), 80, "AA", false,
			[]Kind{KindRedProperty, KindVerifiedComplaint, KindLawsuitLost, KindVerifiedComplaint}},
		{"red A gone 12 months after", "甲物业", at(2026, 1, 10, 9), 75, "A", false,
			[]Kind{KindVerifiedComplaint, KindLawsuitLost, KindVerifiedComplaint}},
		{"all gone", "甲物业", at(2026, 4, 3, 9), 80, "AA", false, nil},
		{"misuse of the fund: 80−41, blacklisted", "乙物业", at(2025, 6, 1, 0), 39, "C", true, []Kind{KindMisuseFund}},
		{"the blacklist item the hour before it expires", "乙物业", at(2026, 5, 1, 8), 39, "C", true, []Kind{KindMisuseFund}},
		{"off the blacklist 12 months after", "乙物业", at(2026, 5, 1, 9), 80, "AA", false, nil},
		{"service cut: 80−20, B at its bound", "丙物业", at(2025, 6, 1, 0), 60, "B", false, []Kind{KindServiceCut}},
		{"common land: 80−10, A at its bound", "丁物业", at(2025, 6, 1, 0), 70, "A", false, []Kind{KindCommonLand}},
		{"prepayment, other, complaint: 80−5−5−1, B below 70", "戊物业", at(2025, 6, 1, 0), 69, "B", false,
			[]Kind{KindForcedPrepayment, KindOtherViolation, KindVerifiedComplaint}},
		{"a company without items", "己物业", at(2025, 6, 1, 0), 80, "AA", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.company+" "+tc.name, func(t *testing.T) {
			l, ok := m.Ledger(tc.company, tc.at)
			if !ok {
				t.Fatal("no ledger")
			}
			if l.Score != tc.score || l.Grade != tc.grade || l.Blacklisted != tc.black || !slices.Equal(kinds(l), tc.kinds) {
				t.Errorf("score %d %s blacklisted %v items %v, want %d %s %v %v", l.Score, l.Grade, l.Blacklisted, kinds(l),
					tc.score, tc.grade, tc.black, tc.kinds)
			}
		})
	}
	if _, ok := m.Ledger("庚物业", at(2025, 6, 1, 0)); ok {
		t.Error("a ledger for a company never seen")
	}
}

// Every kind with its points, and each item's window.
func TestItems(t *testing.T) {
	m := city(t)
	want := map[Kind]int{KindMisuseFund: -41, KindServiceCut: -20, KindCommonLand: -10, KindForcedPrepayment: -5,
		KindOtherViolation: -5, KindLawsuitLost: -3, KindVerifiedComplaint: -1, KindRedProperty: 5}
	got := map[Kind]int{}
	june := at(2025, 6, 1, 0)
	for _, s := range m.Companies(june) {
		l, _ := m.Ledger(s.Company, june)
		for _, it := range l.Items {
			got[it.Kind] = it.Points
			if it.EventID == "" || it.Compound == "" {
				t.Errorf("untraceable item %+v", it)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("kinds %v, want %v", got, want)
	}
	for k, p := range want {
		if got[k] != p {
			t.Errorf("%s: %d points, want %d", k, got[k], p)
		}
	}

	l, _ := m.Ledger("甲物业", at(2025, 3, 1, 0))
	windows := []struct {
		compound  string
		at, until time.Time
	}{
		{"A", at(2025, 1, 10, 9), at(2026, 1, 10, 9)},
		{"B", at(2025, 2, 1, 9), at(2025, 4, 1, 9)}, // withdrawn when 己物业 took over
		{"A", at(2025, 2, 4, 9), at(2026, 2, 4, 9)},
	}
	for i, w := range windows {
		if it := l.Items[i]; it.Compound != w.compound || !it.At.Equal(w.at) || !it.ValidUntil.Equal(w.until) {
			t.Errorf("item %d: %s %s until %s, want %s %s until %s", i, it.Compound, it.At, it.ValidUntil, w.compound, w.at, w.until)
		}
	}
}

func TestCompaniesByScore(t *testing.T) {
	var got []string
	for _, s := range city(t).Companies(at(2025, 6, 1, 0)) {
		got = append(got, s.Company)
	}
	// 甲 and 己 tie at 80 and are ordered by name.
	if want := []string{"己物业", "甲物业", "丁物业", "戊物业", "丙物业", "乙物业"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// Lower bounds are inclusive: 85 is AAA, 84 AA, and so on down to C.
func TestGradeBoundaries(t *testing.T) {
	r := domain.DefaultRuleBook().At(at(2025, 1, 1, 0)).Credit
	for score, want := range map[int]string{86: "AAA", 85: "AAA", 84: "AA", 81: "AA", 80: "AA", 79: "A", 71: "A", 70: "A",
		69: "B", 61: "B", 60: "B", 59: "C", -100: "C"} {
		if got := r.Grade(score); got != want {
			t.Errorf("grade of %d is %s, want %s", score, got, want)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := city(t)
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := New(domain.DefaultRuleBook())
	if err := r.Restore(b); err != nil {
		t.Fatal(err)
	}
	june := at(2025, 6, 1, 0)
	ja, _ := json.Marshal(m.Companies(june))
	jr, _ := json.Marshal(r.Companies(june))
	la, _ := m.Ledger("甲物业", at(2025, 3, 1, 0))
	lr, _ := r.Ledger("甲物业", at(2025, 3, 1, 0))
	if string(ja) != string(jr) || !slices.EqualFunc(la.Items, lr.Items, func(a, b Item) bool { return a.ValidUntil.Equal(b.ValidUntil) }) ||
		r.Position() != m.Position() {
		t.Fatalf("restored ledger answers differently:\n%s\n%s", ja, jr)
	}
}
