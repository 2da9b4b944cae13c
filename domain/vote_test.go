package domain

import (
	"testing"
	"time"
)

// tallyOf builds a tally of 1,000 owners holding 100,000 m² (in hundredths).
func tallyOf(partArea, partOwners, yesArea, yesOwners int64) Tally {
	return Tally{TotalArea: Area(10_000_000), TotalOwners: 1000,
		ParticipatingArea: Area(partArea), ParticipatingOwners: partOwners, YesArea: Area(yesArea), YesOwners: yesOwners}
}

type voteCase struct {
	name   string
	matter Matter
	tally  Tally
	quorum bool
	passed bool
}

func runVoteCases(t *testing.T, r VoteRules, cases []voteCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := r.Decide(tc.matter, tc.tally)
			if o.Quorum != tc.quorum || o.Passed != tc.passed {
				t.Fatalf("got quorum=%v passed=%v (%+v), want quorum=%v passed=%v", o.Quorum, o.Passed, o, tc.quorum, tc.passed)
			}
		})
	}
}

func TestVoteThresholdsCivilCode(t *testing.T) {
	r := DefaultRuleBook().At(date(2021, 1, 1)).Vote
	// Quorum: ≥ 2/3 of total area (6,666,667 of 10,000,000 hundredths) and of owners (667 of 1000).
	const qa, qo = 6_666_667, 667
	cases := []voteCase{
		{"quorum at both boundaries, ordinary just over half", MatterElectCommittee, tallyOf(qa, qo, qa/2+1, qo/2+1), true, true},
		{"area one short of quorum", MatterElectCommittee, tallyOf(qa-1, qo, qa, qo), false, false},
		{"owners one short of quorum", MatterElectCommittee, tallyOf(qa, qo-1, qa, qo-1), false, false},
		{"exactly two thirds of owners is quorum", MatterHireCompany, tallyOf(qa, 667, qa, 400), true, true},
		// Ordinary: more than half of participating, on both axes.
		{"ordinary: area exactly half fails", MatterHireCompany, tallyOf(8_000_000, 800, 4_000_000, 401), true, false},
		{"ordinary: area one over half passes", MatterHireCompany, tallyOf(8_000_000, 800, 4_000_001, 401), true, true},
		{"ordinary: owners exactly half fails", MatterHireCompany, tallyOf(8_000_000, 800, 4_000_001, 400), true, false},
		{"ordinary: using the fund is ordinary", MatterUseFund, tallyOf(8_000_000, 800, 4_000_001, 401), true, true},
		// Major: at least 3/4 of participating, on both axes.
		{"major: area exactly 3/4 passes", MatterRaiseFund, tallyOf(8_000_000, 800, 6_000_000, 600), true, true},
		{"major: area one below 3/4 fails", MatterRaiseFund, tallyOf(8_000_000, 800, 5_999_999, 600), true, false},
		{"major: owners one below 3/4 fails", MatterRebuild, tallyOf(8_000_000, 800, 6_000_000, 599), true, false},
		{"major: change of common use", MatterChangeCommonUse, tallyOf(8_000_000, 800, 6_000_000, 600), true, true},
		{"no quorum never passes", MatterOther, tallyOf(1_000_000, 100, 1_000_000, 100), false, false},
	}
	runVoteCases(t, r, cases)
}

func TestVoteThresholdsRegulation2018(t *testing.T) {
	r := DefaultRuleBook().At(date(2020, 1, 1)).Vote
	cases := []voteCase{
		// Quorum: more than half of total area and of all owners.
		{"quorum: exactly half the area is not enough", MatterOther, tallyOf(5_000_000, 600, 5_000_000, 600), false, false},
		{"quorum: exactly half the owners is not enough", MatterOther, tallyOf(6_000_000, 500, 6_000_000, 500), false, false},
		{"quorum just over half on both", MatterOther, tallyOf(5_000_001, 501, 5_000_001, 501), true, true},
		// Ordinary: more than half of the TOTAL, not of participants.
		{"ordinary: most participants but half the total fails", MatterElectCommittee, tallyOf(9_000_000, 900, 5_000_000, 500), true, false},
		{"ordinary: one over half the total passes", MatterElectCommittee, tallyOf(9_000_000, 900, 5_000_001, 501), true, true},
		// Major: at least 2/3 of the total; using the fund is major here.
		{"major: using the fund at 2/3 of total", MatterUseFund, tallyOf(9_000_000, 900, 6_666_667, 667), true, true},
		{"major: using the fund one owner short", MatterUseFund, tallyOf(9_000_000, 900, 6_666_667, 666), true, false},
		{"major: raising the fund one hundredth short", MatterRaiseFund, tallyOf(9_000_000, 900, 6_666_666, 667), true, false},
		{"change of common use is ordinary here", MatterChangeCommonUse, tallyOf(9_000_000, 900, 5_000_001, 501), true, true},
	}
	runVoteCases(t, r, cases)
}

func TestTallyUnitsHeadcountRules(t *testing.T) {
	m := SquareMetres
	units := []UnitVote{
		{Unit: "1-101", Owner: "王", Area: m(100), Choice: ChoiceYes},
		{Unit: "1-102", Owner: "王", Area: m(80), Choice: ChoiceYes},     // second unit of one owner: one head
		{Unit: "1-201", Owner: "李", Area: m(90), Choice: ChoiceNo},      //
		{Unit: "1-202", Owner: "张", Area: m(90)},                        // absent
		{Unit: "2-101", DeveloperUnsold: true, Area: m(120)},            // developer's unsold units:
		{Unit: "2-102", DeveloperUnsold: true, Area: m(120)},            // one head together
		{Unit: "2-201", Owner: "赵", Area: m(60), Choice: ChoiceAbstain}, // abstaining still participates
	}
	var v violations
	got := TallyUnits("units", units, &v)
	if !v.ok() {
		t.Fatal(v.err())
	}
	want := Tally{TotalArea: m(660), TotalOwners: 5, ParticipatingArea: m(330), ParticipatingOwners: 3, YesArea: m(180), YesOwners: 1}
	if got != want {
		t.Fatalf("tally = %+v, want %+v", got, want)
	}
	// The developer voting on its unsold units counts once too.
	units[4].Choice, units[5].Choice = ChoiceYes, ChoiceYes
	if got = TallyUnits("units", units, &v); got.ParticipatingOwners != 4 || got.YesOwners != 2 || got.YesArea != m(420) {
		t.Fatalf("with developer voting: %+v", got)
	}
}

func TestTallyUnitsRejectsBadRolls(t *testing.T) {
	cases := []struct {
		name  string
		units []UnitVote
		rule  string
		field string
	}{
		{"owner split", []UnitVote{{Unit: "a", Owner: "王", Area: 1, Choice: ChoiceYes}, {Unit: "b", Owner: "王", Area: 1, Choice: ChoiceNo}}, "vote.owner_split", "units[1].choice"},
		{"duplicate unit", []UnitVote{{Unit: "a", Owner: "王", Area: 1}, {Unit: "a", Owner: "李", Area: 1}}, "vote.unit_duplicate", "units[1].unit"},
		{"no owner", []UnitVote{{Unit: "a", Area: 1}}, "field.required", "units[0].owner"},
		{"zero area", []UnitVote{{Unit: "a", Owner: "王"}}, "vote.unit_area", "units[0].area"},
		{"bad choice", []UnitVote{{Unit: "a", Owner: "王", Area: 1, Choice: "maybe"}}, "vote.choice", "units[0].choice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v violations
			TallyUnits("units", tc.units, &v)
			fxHasViolation(t, v.err(), tc.rule, tc.field)
		})
	}
}

// The same tally passes under the Civil Code and fails under the 2018
// regulation: the rule set is chosen by the vote's effective date.
func TestRuleSetChosenByEffectiveDate(t *testing.T) {
	book := DefaultRuleBook()
	if got := book.At(time.Date(2020, 12, 31, 23, 0, 0, 0, China)).Name; got != "property-regulation-2018" {
		t.Fatalf("2020-12-31: %s", got)
	}
	if got := book.At(time.Date(2021, 1, 1, 0, 0, 0, 0, China)).Name; got != "civil-code-2021" {
		t.Fatalf("2021-01-01: %s", got)
	}
	if got := book.At(time.Date(2010, 1, 1, 0, 0, 0, 0, China)).Name; got != "property-regulation-2018" {
		t.Fatalf("before the first set: %s", got)
	}
	// 70% of area and owners take part; 40% of the total (57% of participants) say yes.
	cmd := HoldAssemblyVote{VoteID: "v1", Matter: MatterElectCommittee, Subject: "选举第一届业委会",
		Tally: &Tally{TotalArea: SquareMetres(1000), TotalOwners: 100, ParticipatingArea: SquareMetres(700),
			ParticipatingOwners: 70, YesArea: SquareMetres(400), YesOwners: 40}}
	for _, tc := range []struct {
		at     time.Time
		passed bool
		set    string
	}{
		{time.Date(2020, 6, 1, 10, 0, 0, 0, China), false, "property-regulation-2018"},
		{time.Date(2021, 6, 1, 10, 0, 0, 0, China), true, "civil-code-2021"},
	} {
		c := fxCompound(t, 500)
		events := fxDo(t, c, cmd, tc.at)
		held := events[0].(AssemblyVoteHeld)
		if held.Outcome.Passed != tc.passed || held.RuleSet != tc.set {
			t.Errorf("at %s: passed=%v under %s, want %v under %s", tc.at, held.Outcome.Passed, held.RuleSet, tc.passed, tc.set)
		}
	}
}

func TestHoldAssemblyVoteValidation(t *testing.T) {
	c := fxCompound(t, 1000) // 1,000 households, 100,000 m²: what tallyOf counts
	at := fxDay(2024, 3, 1)
	tally := tallyOf(8_000_000, 800, 6_000_000, 600)
	err := fxReject(t, c, HoldAssemblyVote{VoteID: "v", Matter: "party", Subject: "x", Tally: &tally,
		Units: []UnitVote{{Unit: "a", Owner: "b", Area: 1}}}, at)
	fxHasViolation(t, err, "vote.matter", "matter")
	fxHasViolation(t, err, "vote.units_or_tally", "units")
	bad := tally
	bad.YesOwners = 900
	fxHasViolation(t, fxReject(t, c, HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Tally: &bad}, at), "vote.tally_inconsistent", "tally")
	fxDo(t, c, HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Tally: &tally}, at)
	fxHasViolation(t, fxReject(t, c, HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Tally: &tally}, at), "vote.duplicate", "vote_id")
}
