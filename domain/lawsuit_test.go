package domain

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// disputeCase is one command against a compound prepared by setup. want
// lists every violation expected, as "rule@field" or just "rule" when the
// violation names no field; nil want means the command is accepted.
type disputeCase struct {
	name  string
	setup func(t *testing.T, c *Compound)
	cmd   Command
	at    time.Time
	want  []string
	code  Code // the error code expected with want; empty: not checked
	check func(t *testing.T, c *Compound, events []Event)
}

func runDisputeCases(t *testing.T, cases []disputeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fxCompound(t, 100)
			if tc.setup != nil {
				tc.setup(t, c)
			}
			if tc.want != nil {
				err := fxReject(t, c, tc.cmd, tc.at)
				disputeWant(t, err, tc.want...)
				if tc.code != "" && ErrorCode(err) != tc.code {
					t.Errorf("code %s, want %s", ErrorCode(err), tc.code)
				}
				return
			}
			events := fxDo(t, c, tc.cmd, tc.at)
			if tc.check != nil {
				tc.check(t, c, events)
			}
		})
	}
}

// disputeWant checks that err reports exactly the violations want (all of
// them at once), each with a message in both languages.
func disputeWant(t *testing.T, err error, want ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want an application error, got %v", err)
	}
	var got []string
	for _, v := range e.Violations {
		key := v.Rule
		if v.Field != "" {
			key += "@" + v.Field
		}
		got = append(got, key)
		if v.Message == "" || v.MessageZH == "" {
			t.Errorf("%s lacks a message in both languages: %+v", key, v)
		}
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("violations\n got %q\nwant %q", got, want)
	}
}

// disputeDo runs setup commands in order, each at its own time.
func disputeDo(t *testing.T, c *Compound, at time.Time, cmds ...Command) {
	t.Helper()
	for _, cmd := range cmds {
		fxDo(t, c, cmd, at)
	}
}

func disputeSuit(id string, side LawsuitSide) LawsuitFiling {
	return LawsuitFiling{LawsuitID: id, Plaintiff: "某物业", Defendant: "业主张三", Cause: CauseFeeArrears, AmountFen: 360000, CompanySide: side}
}

func TestLawsuitFile(t *testing.T) {
	day := fxDay(2024, 3, 4)
	noCompany := func(t *testing.T, c *Compound) { c.profile.PropertyCompany = "" }
	runDisputeCases(t, []disputeCase{
		{name: "company as plaintiff defaults to the current company", cmd: FileLawsuit{disputeSuit("L1", SidePlaintiff)}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				e := events[0].(LawsuitFiled)
				if e.Company != "某物业" || !e.At.Equal(day) {
					t.Errorf("event %+v", e)
				}
				if got := c.Lawsuits(); len(got) != 1 || got[0].Outcome != "" || got[0].Company != "某物业" {
					t.Errorf("view %+v", got)
				}
			}},
		{name: "zero amount, company no party", cmd: FileLawsuit{LawsuitFiling{LawsuitID: "L1", Plaintiff: "业主", Defendant: "开发商", Cause: CauseHandover}}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				if e := events[0].(LawsuitFiled); e.Company != "" || e.CompanySide != "" {
					t.Errorf("company recorded for a suit it is no party to: %+v", e)
				}
			}},
		{name: "named company kept", cmd: FileLawsuit{LawsuitFiling{LawsuitID: "L1", Plaintiff: "业主", Defendant: "前物业", Cause: CauseHandover, CompanySide: SideDefendant, Company: "前物业"}}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				if e := events[0].(LawsuitFiled); e.Company != "前物业" {
					t.Errorf("company %q", e.Company)
				}
			}},
		{name: "negative amount", cmd: FileLawsuit{LawsuitFiling{LawsuitID: "L1", Plaintiff: "a", Defendant: "b", Cause: CauseOther, AmountFen: -1}}, at: day,
			want: []string{"lawsuit.amount@amount_fen"}, code: CodeInvalid},
		{name: "everything missing at once", cmd: FileLawsuit{LawsuitFiling{Cause: "rent", CompanySide: "judge"}}, at: day,
			want: []string{"field.required@lawsuit_id", "field.required@plaintiff", "field.required@defendant", "lawsuit.cause@cause", "lawsuit.company_side@company_side"}},
		{name: "company named without a side", cmd: FileLawsuit{LawsuitFiling{LawsuitID: "L1", Plaintiff: "a", Defendant: "b", Cause: CauseOther, Company: "某物业"}}, at: day,
			want: []string{"lawsuit.company_side_required@company_side"}},
		{name: "company party but none on record", setup: noCompany, cmd: FileLawsuit{disputeSuit("L1", SideDefendant)}, at: day,
			want: []string{"lawsuit.company_required@company"}, code: CodeRejected},
		{name: "duplicate ID", setup: func(t *testing.T, c *Compound) { disputeDo(t, c, day, FileLawsuit{disputeSuit("L1", "")}) },
			cmd: FileLawsuit{disputeSuit("L1", "")}, at: day, want: []string{"lawsuit.duplicate@lawsuit_id"}},
	})
}

func TestLawsuitFileBatch(t *testing.T) {
	day := fxDay(2024, 3, 4)
	bad := disputeSuit("L3", SidePlaintiff)
	bad.AmountFen = -5
	runDisputeCases(t, []disputeCase{
		{name: "batch of three", cmd: FileLawsuits{[]LawsuitFiling{disputeSuit("L1", SidePlaintiff), disputeSuit("L2", SidePlaintiff), disputeSuit("L3", SidePlaintiff)}}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				if len(events) != 3 || len(c.Lawsuits()) != 3 || c.Lawsuits()[2].LawsuitID != "L3" {
					t.Errorf("events %d, lawsuits %+v", len(events), c.Lawsuits())
				}
			}},
		{name: "two bad suits reported together, none recorded", cmd: FileLawsuits{[]LawsuitFiling{disputeSuit("L1", SidePlaintiff), disputeSuit("L1", SidePlaintiff), bad}}, at: day,
			want: []string{"lawsuit.duplicate@lawsuits[1].lawsuit_id", "lawsuit.amount@lawsuits[2].amount_fen"}},
		{name: "clash with a recorded suit", setup: func(t *testing.T, c *Compound) { disputeDo(t, c, day, FileLawsuit{disputeSuit("L2", "")}) },
			cmd: FileLawsuits{[]LawsuitFiling{disputeSuit("L1", ""), disputeSuit("L2", "")}}, at: day, want: []string{"lawsuit.duplicate@lawsuits[1].lawsuit_id"}},
		{name: "empty batch", cmd: FileLawsuits{}, at: day, want: []string{"lawsuit.batch_empty@lawsuits"}},
	})
	t.Run("over the batch limit", func(t *testing.T) {
		err := fxReject(t, fxCompound(t, 100), FileLawsuits{make([]LawsuitFiling, maxLawsuitBatch+1)}, day)
		disputeWant(t, err, "lawsuit.batch_too_large@lawsuits")
		if ErrorCode(err) != CodeTooLarge {
			t.Errorf("code %s, want too_large", ErrorCode(err))
		}
	})
}

func TestLawsuitConclude(t *testing.T) {
	filed, day := fxDay(2024, 3, 4), fxDay(2024, 9, 2)
	file := func(t *testing.T, c *Compound) {
		disputeDo(t, c, filed, FileLawsuits{[]LawsuitFiling{disputeSuit("P", SidePlaintiff), disputeSuit("D", SideDefendant), disputeSuit("N", "")}})
	}
	concluded := func(t *testing.T, c *Compound) {
		file(t, c)
		disputeDo(t, c, day, ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeMediated})
	}
	lost := func(want bool) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, c *Compound, events []Event) {
			e := events[0].(LawsuitConcluded)
			if e.CompanyLost != want || !e.At.Equal(day) {
				t.Errorf("event %+v, want company lost %v", e, want)
			}
			for _, s := range c.Lawsuits() {
				if s.LawsuitID == e.LawsuitID && (s.Outcome != e.Outcome || s.CompanyLost != want || !s.ConcludedAt.Equal(day)) {
					t.Errorf("view %+v", s)
				}
			}
		}
	}
	runDisputeCases(t, []disputeCase{
		{name: "company plaintiff loses judgment", setup: file, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeJudged, Prevailing: SideDefendant}, at: day, check: lost(true)},
		{name: "company plaintiff wins judgment", setup: file, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeJudged, Prevailing: SidePlaintiff}, at: day, check: lost(false)},
		{name: "company defendant loses judgment", setup: file, cmd: ConcludeLawsuit{LawsuitID: "D", Outcome: OutcomeJudged, Prevailing: SidePlaintiff}, at: day, check: lost(true)},
		{name: "company no party", setup: file, cmd: ConcludeLawsuit{LawsuitID: "N", Outcome: OutcomeJudged, Prevailing: SidePlaintiff}, at: day, check: lost(false)},
		{name: "mediated is no loss", setup: file, cmd: ConcludeLawsuit{LawsuitID: "D", Outcome: OutcomeMediated}, at: day, check: lost(false)},
		{name: "withdrawn is no loss", setup: file, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeWithdrawn}, at: day, check: lost(false)},
		{name: "judgment without a prevailing side", setup: file, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeJudged}, at: day,
			want: []string{"lawsuit.prevailing_required@prevailing"}},
		{name: "judgment with a bad side", setup: file, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeJudged, Prevailing: "court"}, at: day,
			want: []string{"lawsuit.prevailing@prevailing"}},
		{name: "prevailing side on a mediation", setup: file, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeMediated, Prevailing: SidePlaintiff}, at: day,
			want: []string{"lawsuit.prevailing_not_judged@prevailing"}},
		{name: "bad outcome and no ID", setup: file, cmd: ConcludeLawsuit{Outcome: "settled"}, at: day,
			want: []string{"field.required@lawsuit_id", "lawsuit.outcome@outcome"}},
		{name: "unknown suit", setup: file, cmd: ConcludeLawsuit{LawsuitID: "X", Outcome: OutcomeWithdrawn}, at: day,
			want: []string{"lawsuit.unknown@lawsuit_id"}, code: CodeNotFound},
		{name: "concluded twice", setup: concluded, cmd: ConcludeLawsuit{LawsuitID: "P", Outcome: OutcomeWithdrawn}, at: day,
			want: []string{"lawsuit.concluded@lawsuit_id"}, code: CodeRejected},
	})
}

func TestEnforcementRecord(t *testing.T) {
	day := fxDay(2024, 5, 6)
	company := func(want string) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, _ *Compound, events []Event) {
			if e := events[0].(EnforcementRecorded); e.Company != want || !e.At.Equal(day) {
				t.Errorf("event %+v, want company %s", e, want)
			}
		}
	}
	runDisputeCases(t, []disputeCase{
		{name: "defaults to the current company", cmd: RecordEnforcement{Violation: ViolationMisuseMaintenanceFund, Penalty: "罚款5万元", Authority: "区住建局"}, at: day, check: company("某物业")},
		{name: "named company", cmd: RecordEnforcement{Violation: ViolationForcedPrepayment, Penalty: "责令改正", Company: "前物业"}, at: day, check: company("前物业")},
		{name: "bad violation and no penalty", cmd: RecordEnforcement{Violation: "rudeness"}, at: day,
			want: []string{"enforcement.violation@violation", "field.required@penalty"}},
		{name: "no company on record", setup: func(t *testing.T, c *Compound) { c.profile.PropertyCompany = "" },
			cmd: RecordEnforcement{Violation: ViolationOccupyCommonLand, Penalty: "责令改正"}, at: day, want: []string{"enforcement.company_required@company"}},
	})
}

// Every command parses from JSON by its name and every event survives its
// stored form, including the business time apply() depends on.
func TestLawsuitPlanListingRegistered(t *testing.T) {
	for _, name := range []string{"file-lawsuit", "file-lawsuits", "conclude-lawsuit", "record-enforcement", "flag-conflict",
		"unflag-conflict", "adopt-plan", "add-measure", "change-case-leader", "report-measure-progress", "verify-measure",
		"sign-off-measure", "sign-off-plan", "list-for-supervision", "request-listing-extension", "decide-listing-extension",
		"verify-remediation", "delist", "record-escalation"} {
		if _, err := ParseCommand(name, []byte(`{}`)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	cmd, err := ParseCommand("add-measure", []byte(`{"id":"m1","problem_id":"p1","description":"d","responsible_unit":"u","deadline":"2024-04-30","term":"short"}`))
	if err != nil || cmd.(AddMeasure).Deadline.String() != "2024-04-30" {
		t.Errorf("add-measure: %+v, %v", cmd, err)
	}
	at := fxDay(2024, 3, 4)
	plan := disputePlan()
	for _, e := range []Event{
		LawsuitFiled{disputeSuit("L1", SidePlaintiff), at}, EnforcementRecorded{Violation: ViolationOther, At: at},
		PlanAdopted{Problems: plan.Problems, Measures: plan.Measures, CaseLeader: plan.CaseLeader, TaskForce: plan.TaskForce, At: at},
		MeasureSignedOff{MeasureID: "m1", Deadline: NewDate(at), Late: true, At: at},
		ListedForSupervision{ListingID: "G1", Deadline: NewDate(at), At: at}, EscalationRecorded{Kind: EscalationInterview, ListingID: "G1", At: at},
	} {
		typ, ver, data, err := EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeEvent(typ, ver, data)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if typ2, _, data2, _ := EncodeEvent(back); typ2 != typ || string(data2) != string(data) {
			t.Errorf("%s does not round-trip:\n%s\n%s", typ, data, data2)
		}
	}
}
