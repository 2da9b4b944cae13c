package domain

import (
	"slices"
	"testing"
	"time"
)

// The plan tests run on one calendar: flagged and adopted on Monday
// 2024-03-04; m1 is due 2024-04-30, m2 2024-06-28.
var (
	planDay       = fxDay(2024, 3, 4)
	planM1Due     = Date{date(2024, 4, 30)}
	planM2Due     = Date{date(2024, 6, 28)}
	planLater     = fxDay(2024, 4, 1)
	planDueDayEnd = time.Date(2024, 4, 30, 23, 0, 0, 0, China)
	planDayAfter  = time.Date(2024, 5, 1, 0, 0, 0, 0, China)
)

// disputePlan is a well-formed plan with two problems and two measures.
func disputePlan() AdoptPlan {
	return AdoptPlan{
		Problems: []Problem{{ID: "p1", Description: "电梯长期故障"}, {ID: "p2", Description: "公共收益不公开"}},
		Measures: []Measure{
			{ID: "m1", ProblemID: "p1", Description: "更换电梯主板", ResponsibleUnit: "某物业", Deadline: planM1Due, Term: TermShort},
			{ID: "m2", ProblemID: "p2", Description: "按季公示公共收益", ResponsibleUnit: "街道物业办", Deadline: planM2Due, Term: TermLong},
		},
		CaseLeader: CaseLeader{Name: "王某", Title: "副区长"},
		TaskForce:  []string{"街道", "社区", "区住建局"},
	}
}

// planSteps returns a setup that flags the compound, adopts disputePlan, and
// runs cmds on planLater.
func planSteps(cmds ...Command) func(*testing.T, *Compound) {
	return func(t *testing.T, c *Compound) {
		disputeDo(t, c, planDay, FlagConflict{Reason: "群体性投诉"}, disputePlan())
		disputeDo(t, c, planLater, cmds...)
	}
}

func planPassed(id string) Command {
	return VerifyMeasure{MeasureID: id, Passed: true, Verifier: "区住建局"}
}
func planFailed(id string) Command {
	return VerifyMeasure{MeasureID: id, Verifier: "区住建局", Note: "未整改到位"}
}

// planClosed: every measure passed and signed off, and the plan too.
var planClosed = planSteps(planPassed("m1"), SignOffMeasure{MeasureID: "m1"}, planPassed("m2"), SignOffMeasure{MeasureID: "m2"}, SignOffPlan{})

func TestConflictFlag(t *testing.T) {
	flagged := func(t *testing.T, c *Compound) { disputeDo(t, c, planDay, FlagConflict{Reason: "群体性投诉"}) }
	listed := func(t *testing.T, c *Compound) {
		flagged(t, c)
		disputeDo(t, c, planDay, ListForSupervision{ListingID: "G1", Authority: "市住建局", Deadline: planM2Due})
	}
	conflict := func(flagged bool, times int) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, c *Compound, _ []Event) {
			if got := c.Conflict(); got.Flagged != flagged || got.TimesFlagged != times || flagged != !got.Since.IsZero() {
				t.Errorf("conflict %+v, want flagged %v, %d times", got, flagged, times)
			}
		}
	}
	runDisputeCases(t, []disputeCase{
		{name: "flag", cmd: FlagConflict{Reason: "群体性投诉"}, at: planDay, check: conflict(true, 1)},
		{name: "flag without a reason", cmd: FlagConflict{}, at: planDay, want: []string{"field.required@reason"}},
		{name: "flag twice, no reason", setup: flagged, cmd: FlagConflict{}, at: planLater, want: []string{"conflict.already_flagged", "field.required@reason"}},
		{name: "flag again after unflagging", setup: func(t *testing.T, c *Compound) { flagged(t, c); disputeDo(t, c, planLater, UnflagConflict{}) },
			cmd: FlagConflict{Reason: "复发"}, at: planLater, check: conflict(true, 2)},
		{name: "unflag", setup: flagged, cmd: UnflagConflict{Note: "矛盾化解"}, at: planLater, check: conflict(false, 1)},
		{name: "unflag when not flagged", cmd: UnflagConflict{}, at: planLater, want: []string{"conflict.not_flagged"}},
		{name: "unflag with the plan open", setup: planSteps(), cmd: UnflagConflict{}, at: planLater, want: []string{"conflict.plan_open"}},
		{name: "unflag with the plan open and all measures signed off", setup: planSteps(planPassed("m1"), SignOffMeasure{MeasureID: "m1"}, planPassed("m2"), SignOffMeasure{MeasureID: "m2"}),
			cmd: UnflagConflict{}, at: planLater, want: []string{"conflict.plan_open"}},
		{name: "unflag after the plan is signed off", setup: planClosed, cmd: UnflagConflict{}, at: planLater, check: conflict(false, 1)},
		{name: "unflag while listed", setup: listed, cmd: UnflagConflict{}, at: planLater, want: []string{"conflict.listed"}},
		{name: "unflag with a plan and a listing", setup: func(t *testing.T, c *Compound) {
			planSteps()(t, c)
			disputeDo(t, c, planDay, ListForSupervision{ListingID: "G1", Authority: "市住建局", Deadline: planM2Due})
		}, cmd: UnflagConflict{}, at: planLater, want: []string{"conflict.plan_open", "conflict.listed"}},
	})
}

func TestPlanAdopt(t *testing.T) {
	flagged := func(t *testing.T, c *Compound) { disputeDo(t, c, planDay, FlagConflict{Reason: "群体性投诉"}) }
	with := func(change func(*AdoptPlan)) AdoptPlan {
		p := disputePlan()
		change(&p)
		return p
	}
	runDisputeCases(t, []disputeCase{
		{name: "adopt", setup: flagged, cmd: disputePlan(), at: planDay, check: func(t *testing.T, c *Compound, _ []Event) {
			p, ok := c.Plan()
			if !ok || !p.Open || !p.AdoptedAt.Equal(planDay) || len(p.Problems) != 2 || len(p.Measures) != 2 || len(p.TaskForce) != 3 ||
				p.CaseLeader.Name != "王某" || p.Measures[1].Deadline != planM2Due || p.Measures[0].Term != TermShort {
				t.Errorf("plan %+v", p)
			}
		}},
		{name: "not flagged", cmd: disputePlan(), at: planDay, want: []string{"plan.not_flagged"}, code: CodeRejected},
		{name: "a plan is already open", setup: planSteps(), cmd: disputePlan(), at: planLater, want: []string{"plan.already_open"}},
		{name: "next plan after sign-off", setup: planClosed, cmd: disputePlan(), at: planLater, check: func(t *testing.T, c *Compound, _ []Event) {
			if p, _ := c.Plan(); !p.Open || !p.AdoptedAt.Equal(planLater) || !p.Measures[0].SignedOffAt.IsZero() {
				t.Errorf("plan %+v", p)
			}
		}},
		{name: "deadline the day after adoption", setup: flagged, at: planDay,
			cmd: with(func(p *AdoptPlan) { p.Measures[0].Deadline = Date{date(2024, 3, 5)} })},
		{name: "deadline on the day of adoption", setup: flagged, at: planDay,
			cmd:  with(func(p *AdoptPlan) { p.Measures[0].Deadline = Date{date(2024, 3, 4)} }),
			want: []string{"measure.deadline@measures[0].deadline"}},
		{name: "two bad measures reported together", setup: flagged, at: planDay,
			cmd: with(func(p *AdoptPlan) {
				p.Measures[0].ProblemID = "p9"
				p.Measures[1].Deadline = Date{date(2024, 1, 31)}
			}),
			want: []string{"measure.unknown_problem@measures[0].problem_id", "measure.deadline@measures[1].deadline"}},
		{name: "empty plan", setup: flagged, cmd: AdoptPlan{}, at: planDay, code: CodeInvalid,
			want: []string{"plan.problems_required@problems", "plan.measures_required@measures", "field.required@case_leader.name", "field.required@case_leader.title"}},
		{name: "empty plan, not flagged", cmd: AdoptPlan{Problems: []Problem{{ID: "p1", Description: "d"}}, Measures: disputePlan().Measures[:1], CaseLeader: CaseLeader{Name: "王某"}}, at: planDay,
			want: []string{"plan.not_flagged", "field.required@case_leader.title"}},
		{name: "duplicates, bad term, blank task force", setup: flagged, at: planDay,
			cmd: with(func(p *AdoptPlan) {
				p.Problems[1].ID = "p1"
				p.Measures[1].ID, p.Measures[1].ProblemID = "m1", "p1"
				p.Measures[0].Term = "mid"
				p.TaskForce[1] = " "
			}),
			want: []string{"plan.problem_duplicate@problems[1].id", "measure.duplicate@measures[1].id", "measure.term@measures[0].term", "field.required@task_force[1]"}},
		{name: "blank problem and measure", setup: flagged, at: planDay,
			cmd: with(func(p *AdoptPlan) { p.Problems[0], p.Measures[0] = Problem{}, Measure{} }),
			want: []string{"field.required@problems[0].id", "field.required@problems[0].description",
				"field.required@measures[0].id", "field.required@measures[0].problem_id", "field.required@measures[0].description",
				"field.required@measures[0].responsible_unit", "field.required@measures[0].deadline", "measure.term@measures[0].term"}},
	})
}

func TestPlanMeasures(t *testing.T) {
	m3 := Measure{ID: "m3", ProblemID: "p1", Description: "加装监控", ResponsibleUnit: "某物业", Deadline: Date{date(2024, 4, 2)}, Term: TermShort}
	progress := func(id string, want int) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, c *Compound, _ []Event) {
			p, _ := c.Plan()
			if i := slices.IndexFunc(p.Measures, func(m MeasureView) bool { return m.ID == id }); i < 0 || p.Measures[i].Percent != want {
				t.Errorf("measures %+v, want %s at %d%%", p.Measures, id, want)
			}
		}
	}
	signedOff := func(late bool, alerts ...string) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, c *Compound, events []Event) {
			if e := events[0].(MeasureSignedOff); e.Late != late || e.Deadline != planM1Due {
				t.Errorf("event %+v, want late %v", e, late)
			}
			if got := fxAlerts(events); !slices.Equal(got, alerts) {
				t.Errorf("alerts %v, want %v", got, alerts)
			}
			if p, _ := c.Plan(); p.Measures[0].SignedOffAt.IsZero() || p.Measures[0].Late != late || len(c.Alerts()) != len(alerts) {
				t.Errorf("measure %+v, alerts %v", p.Measures[0], c.Alerts())
			}
		}
	}
	runDisputeCases(t, []disputeCase{
		{name: "add a measure due the next day", setup: planSteps(), cmd: AddMeasure{m3}, at: planLater, check: func(t *testing.T, c *Compound, _ []Event) {
			if p, _ := c.Plan(); len(p.Measures) != 3 || !p.Measures[2].AddedAt.Equal(planLater) {
				t.Errorf("measures %+v", p.Measures)
			}
		}},
		{name: "add a measure due today", setup: planSteps(), cmd: AddMeasure{Measure{ID: "m3", ProblemID: "p1", Description: "d", ResponsibleUnit: "u", Deadline: Date{date(2024, 4, 1)}, Term: TermLong}},
			at: planLater, want: []string{"measure.deadline@deadline"}},
		{name: "add a duplicate measure for an unknown problem", setup: planSteps(), cmd: AddMeasure{Measure{ID: "m1", ProblemID: "p9", Description: "d", ResponsibleUnit: "u", Deadline: planM2Due, Term: TermLong}},
			at: planLater, want: []string{"measure.duplicate@id", "measure.unknown_problem@problem_id"}},
		{name: "add a measure without a plan", cmd: AddMeasure{m3}, at: planLater, want: []string{"plan.none_open"}},
		{name: "add a measure to a signed-off plan", setup: planClosed, cmd: AddMeasure{m3}, at: planLater, want: []string{"plan.none_open"}},

		{name: "change the case leader", setup: planSteps(), cmd: ChangeCaseLeader{CaseLeader: CaseLeader{Name: "李某", Title: "区长"}, Reason: "工作调整"}, at: planLater,
			check: func(t *testing.T, c *Compound, events []Event) {
				if e := events[0].(CaseLeaderChanged); e.Previous.Name != "王某" {
					t.Errorf("event %+v", e)
				}
				if p, _ := c.Plan(); p.CaseLeader.Name != "李某" {
					t.Errorf("leader %+v", p.CaseLeader)
				}
			}},
		{name: "change to the same leader", setup: planSteps(), cmd: ChangeCaseLeader{CaseLeader: CaseLeader{Name: "王某", Title: "副区长"}}, at: planLater,
			want: []string{"plan.same_case_leader@case_leader"}},
		{name: "change to a leader without a title, no plan", cmd: ChangeCaseLeader{CaseLeader: CaseLeader{Name: "李某"}}, at: planLater,
			want: []string{"field.required@case_leader.title", "plan.none_open"}},

		{name: "progress 0%", setup: planSteps(), cmd: ReportMeasureProgress{MeasureID: "m1"}, at: planLater, check: progress("m1", 0)},
		{name: "progress 100%", setup: planSteps(), cmd: ReportMeasureProgress{MeasureID: "m2", Percent: 100, Note: "已公示"}, at: planLater, check: progress("m2", 100)},
		{name: "progress -1%", setup: planSteps(), cmd: ReportMeasureProgress{MeasureID: "m1", Percent: -1}, at: planLater, want: []string{"measure.percent@percent"}},
		{name: "progress 101%", setup: planSteps(), cmd: ReportMeasureProgress{MeasureID: "m1", Percent: 101}, at: planLater, want: []string{"number.range@percent"}},
		{name: "progress of an unknown measure", setup: planSteps(), cmd: ReportMeasureProgress{MeasureID: "m9", Percent: -1}, at: planLater,
			want: []string{"measure.percent@percent", "measure.unknown@measure_id"}, code: CodeNotFound},
		{name: "progress without a measure or a plan", cmd: ReportMeasureProgress{Percent: 50}, at: planLater, want: []string{"field.required@measure_id", "plan.none_open"}},
		{name: "progress of a signed-off measure", setup: planSteps(planPassed("m1"), SignOffMeasure{MeasureID: "m1"}), cmd: ReportMeasureProgress{MeasureID: "m1", Percent: 100}, at: planLater,
			want: []string{"measure.signed_off@measure_id"}},

		{name: "verification fails", setup: planSteps(), cmd: planFailed("m1"), at: planLater, check: func(t *testing.T, c *Compound, _ []Event) {
			if p, _ := c.Plan(); p.Measures[0].Verification == nil || p.Measures[0].Verification.Passed {
				t.Errorf("measure %+v", p.Measures[0])
			}
		}},
		{name: "verify again after a failure", setup: planSteps(planFailed("m1")), cmd: planPassed("m1"), at: planLater, check: func(t *testing.T, c *Compound, _ []Event) {
			if p, _ := c.Plan(); p.Measures[0].Verifications != 2 || !p.Measures[0].Verification.Passed {
				t.Errorf("measure %+v", p.Measures[0])
			}
		}},
		{name: "verify again after a pass", setup: planSteps(planPassed("m1")), cmd: planFailed("m1"), at: planLater, want: []string{"measure.already_verified@measure_id"}},
		{name: "verify without a verifier", setup: planSteps(), cmd: VerifyMeasure{MeasureID: "m1", Passed: true}, at: planLater, want: []string{"field.required@verifier"}},

		{name: "sign off before verification", setup: planSteps(), cmd: SignOffMeasure{MeasureID: "m1"}, at: planLater, want: []string{"measure.not_verified@measure_id"}},
		{name: "sign off after a failed verification", setup: planSteps(planFailed("m1")), cmd: SignOffMeasure{MeasureID: "m1"}, at: planLater, want: []string{"measure.not_verified@measure_id"}},
		{name: "sign off late on the deadline day", setup: planSteps(planPassed("m1")), cmd: SignOffMeasure{MeasureID: "m1"}, at: planDueDayEnd, check: signedOff(false)},
		{name: "sign off the day after the deadline", setup: planSteps(planPassed("m1")), cmd: SignOffMeasure{MeasureID: "m1"}, at: planDayAfter, check: signedOff(true, "measure.late")},
		{name: "sign off twice", setup: planSteps(planPassed("m1"), SignOffMeasure{MeasureID: "m1"}), cmd: SignOffMeasure{MeasureID: "m1"}, at: planLater, want: []string{"measure.signed_off@measure_id"}},
		{name: "sign off an unknown measure", setup: planSteps(), cmd: SignOffMeasure{MeasureID: "m9"}, at: planLater, want: []string{"measure.unknown@measure_id"}, code: CodeNotFound},

		{name: "sign off the plan with a measure open", setup: planSteps(planPassed("m1"), SignOffMeasure{MeasureID: "m1"}, planPassed("m2")), cmd: SignOffPlan{}, at: planLater,
			want: []string{"plan.open_measures"}},
		{name: "sign off the plan", setup: planSteps(planPassed("m1"), SignOffMeasure{MeasureID: "m1"}, planPassed("m2"), SignOffMeasure{MeasureID: "m2"}), cmd: SignOffPlan{Note: "全部整改完成"}, at: planLater,
			check: func(t *testing.T, c *Compound, _ []Event) {
				if p, ok := c.Plan(); !ok || p.Open || !p.SignedOffAt.Equal(planLater) {
					t.Errorf("plan %+v", p)
				}
			}},
		{name: "sign off a signed-off plan", setup: planClosed, cmd: SignOffPlan{}, at: planLater, want: []string{"plan.none_open"}},
		{name: "verify a measure of a signed-off plan", setup: planClosed, cmd: planPassed("m1"), at: planLater, want: []string{"plan.none_open"}},
	})
}

func TestPlanOverdueMeasures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		signOff time.Time // when m1 is signed off; zero: still open
		asOf    time.Time
		overdue []string
	}{
		{name: "the day before the deadline", asOf: fxDay(2024, 4, 29)},
		{name: "the deadline day starts", asOf: date(2024, 4, 30)},
		{name: "the deadline day ends", asOf: endOfDay(date(2024, 4, 30))},
		{name: "the day after the deadline", asOf: planDayAfter, overdue: []string{"m1"}},
		{name: "both deadlines passed, m2 signed off", asOf: fxDay(2024, 7, 1), overdue: []string{"m1"}},
		{name: "signed off late, asked before the sign-off", signOff: fxDay(2024, 5, 10), asOf: fxDay(2024, 5, 5), overdue: []string{"m1"}},
		{name: "signed off late, asked after the sign-off", signOff: fxDay(2024, 5, 10), asOf: fxDay(2024, 5, 11)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fxCompound(t, 100)
			planSteps(planPassed("m2"), SignOffMeasure{MeasureID: "m2"}, planPassed("m1"))(t, c)
			if !tc.signOff.IsZero() {
				fxDo(t, c, SignOffMeasure{MeasureID: "m1"}, tc.signOff)
			}
			var got []string
			for _, m := range c.OverdueMeasures(tc.asOf) {
				got = append(got, m.ID)
			}
			if !slices.Equal(got, tc.overdue) {
				t.Errorf("overdue at %s: %v, want %v", tc.asOf, got, tc.overdue)
			}
		})
	}
	if got := fxCompound(t, 100).OverdueMeasures(planDayAfter); len(got) != 0 {
		t.Errorf("no plan, overdue %v", got)
	}
}
