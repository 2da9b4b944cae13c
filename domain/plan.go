package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ---- Conflict flag (矛盾突出小区) ----

// ConflictView is the conflict-compound designation (矛盾突出小区).
type ConflictView struct {
	Flagged      bool      `json:"flagged"`
	Reason       string    `json:"reason,omitempty"`
	Since        time.Time `json:"since,omitzero"`
	TimesFlagged int       `json:"times_flagged"` // over the compound's whole history
}

// conflictState is the designation as the aggregate keeps it.
type conflictState ConflictView

// Conflict returns the compound's conflict designation.
func (c *Compound) Conflict() ConflictView { return ConflictView(c.conflict) }

// FlagConflict designates the compound as a conflict compound (列为矛盾突出小区).
type FlagConflict struct {
	Reason string `json:"reason"`
}

// ConflictFlagged: the compound is a conflict compound from At.
type ConflictFlagged struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

func (cmd FlagConflict) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	if c.conflict.Flagged {
		v.fail("", "conflict.already_flagged", "the compound is already flagged as a conflict compound", "小区已列为矛盾突出小区")
	}
	return v.emit(ConflictFlagged{Reason: cmd.Reason, At: at})
}

func (ConflictFlagged) EventType() string { return "ConflictFlagged" }
func (e ConflictFlagged) apply(c *Compound) {
	c.conflict = conflictState{Flagged: true, Reason: e.Reason, Since: e.At, TimesFlagged: c.conflict.TimesFlagged + 1}
}

// UnflagConflict lifts the designation. Not while remediation is under way:
// an open plan or an active listing would lose the reason it exists.
type UnflagConflict struct {
	Note string `json:"note,omitempty"`
}

// ConflictUnflagged: the compound is no longer a conflict compound.
type ConflictUnflagged struct {
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

func (cmd UnflagConflict) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if !c.conflict.Flagged {
		v.fail("", "conflict.not_flagged", "the compound is not flagged as a conflict compound", "小区未列为矛盾突出小区")
	}
	if c.plan.open() {
		v.fail("", "conflict.plan_open", "the compound's plan is not signed off yet", "小区一区一策方案尚未销号")
	}
	if c.listing.active() {
		v.fail("", "conflict.listed", "the compound is listed for supervision (%s)", "小区处于挂牌督办中（%s）", c.listing.ListingID)
	}
	return v.emit(ConflictUnflagged{Note: cmd.Note, At: at})
}

func (ConflictUnflagged) EventType() string { return "ConflictUnflagged" }
func (e ConflictUnflagged) apply(c *Compound) {
	c.conflict = conflictState{TimesFlagged: c.conflict.TimesFlagged}
}

// ---- One-compound-one-plan (一区一策) ----

// MeasureTerm says whether a measure is a quick fix or lasting work.
type MeasureTerm string

const (
	TermShort MeasureTerm = "short" // 短期
	TermLong  MeasureTerm = "long"  // 长效
)

var measureTerms = vocabulary[MeasureTerm]{TermShort, TermLong}

// Problem is an item of the plan's problem list (问题清单).
type Problem struct {
	ID          string `json:"id"`
	Description string `json:"description"`
}

// Measure is a remediation measure (整改措施) against one listed problem.
type Measure struct {
	ID              string      `json:"id"`
	ProblemID       string      `json:"problem_id"`
	Description     string      `json:"description"`
	ResponsibleUnit string      `json:"responsible_unit"` // 责任单位
	Deadline        Date        `json:"deadline"`         // met all that day
	Term            MeasureTerm `json:"term"`
}

// CaseLeader is the official personally responsible for the case (包案领导).
type CaseLeader struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// Verification is one acceptance check (验收) of a measure or a listing's
// remediation; only the latest counts.
type Verification struct {
	Passed   bool      `json:"passed"`
	Verifier string    `json:"verifier,omitempty"`
	Note     string    `json:"note,omitempty"`
	At       time.Time `json:"at"`
}

func (x *Verification) passed() bool { return x != nil && x.Passed }

// MeasureView is the read side of a measure.
type MeasureView struct {
	Measure
	AddedAt       time.Time     `json:"added_at"`
	Percent       int           `json:"percent"` // latest reported progress
	ProgressNote  string        `json:"progress_note,omitempty"`
	Verification  *Verification `json:"verification,omitempty"` // the latest
	Verifications int           `json:"verifications"`
	SignedOffAt   time.Time     `json:"signed_off_at,omitzero"` // 销号
	Late          bool          `json:"late"`                   // signed off after its deadline
}

// measure is a measure's state; views copy it (Verification is replaced,
// never changed in place, so the copies may share it).
type measure MeasureView

// openAt reports whether the measure was still open at t.
func (m *measure) openAt(t time.Time) bool { return m.SignedOffAt.IsZero() || m.SignedOffAt.After(t) }

// PlanView is the read side of the compound's latest plan.
type PlanView struct {
	Open        bool          `json:"open"`
	AdoptedAt   time.Time     `json:"adopted_at"`
	SignedOffAt time.Time     `json:"signed_off_at,omitzero"`
	CaseLeader  CaseLeader    `json:"case_leader"`
	TaskForce   []string      `json:"task_force,omitempty"` // 工作专班
	Problems    []Problem     `json:"problems"`
	Measures    []MeasureView `json:"measures"`
}

// plan is the compound's latest plan; a signed-off plan stays until the next.
type plan struct {
	adoptedAt, signedOffAt time.Time
	caseLeader             CaseLeader
	taskForce              []string
	problems               []Problem
	measures               []*measure // in adoption order
}

func (p *plan) open() bool { return p != nil && p.signedOffAt.IsZero() }

func (p *plan) measure(id string) *measure {
	if p == nil {
		return nil
	}
	for _, m := range p.measures {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func (p *plan) problemIDs() map[string]bool {
	ids := map[string]bool{}
	for _, pr := range p.problems {
		ids[pr.ID] = true
	}
	return ids
}

// Plan returns the compound's latest plan, open or signed off.
func (c *Compound) Plan() (PlanView, bool) {
	p := c.plan
	if p == nil {
		return PlanView{}, false
	}
	view := PlanView{Open: p.open(), AdoptedAt: p.adoptedAt, SignedOffAt: p.signedOffAt, CaseLeader: p.caseLeader,
		TaskForce: slices.Clone(p.taskForce), Problems: slices.Clone(p.problems), Measures: make([]MeasureView, len(p.measures))}
	for i, m := range p.measures {
		view.Measures[i] = MeasureView(*m)
	}
	return view, true
}

// OverdueMeasures lists the measures of the latest plan that were open after
// the end of their deadline day at asOf (an alert, never a rejection). A
// measure signed off after asOf still counts as open at asOf.
func (c *Compound) OverdueMeasures(asOf time.Time) []MeasureView {
	var out []MeasureView
	if c.plan == nil {
		return out
	}
	for _, m := range c.plan.measures {
		if m.openAt(asOf) && asOf.After(m.Deadline.End()) {
			out = append(out, MeasureView(*m))
		}
	}
	return out
}

// AdoptPlan adopts a remediation plan (一区一策) for a conflict compound.
type AdoptPlan struct {
	Problems   []Problem  `json:"problems"`
	Measures   []Measure  `json:"measures"`
	CaseLeader CaseLeader `json:"case_leader"`
	TaskForce  []string   `json:"task_force,omitempty"`
}

// PlanAdopted: the plan is open from At.
type PlanAdopted struct {
	Problems   []Problem  `json:"problems"`
	Measures   []Measure  `json:"measures"`
	CaseLeader CaseLeader `json:"case_leader"`
	TaskForce  []string   `json:"task_force,omitempty"`
	At         time.Time  `json:"at"`
}

func (cmd AdoptPlan) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if !c.conflict.Flagged {
		v.fail("", "plan.not_flagged", "a plan is adopted only for a compound flagged as a conflict compound", "一区一策方案仅针对矛盾突出小区制定")
	}
	if c.plan.open() {
		v.fail("", "plan.already_open", "the compound already has an open plan", "小区已有未销号的一区一策方案")
	}
	if len(cmd.Problems) == 0 {
		v.invalid("problems", "plan.problems_required", "a plan lists at least one problem", "方案须至少列明一个问题")
	}
	problems := map[string]bool{}
	for i, p := range cmd.Problems {
		f := fieldAt(itemAt("problems", i), "id")
		v.required(f, p.ID)
		v.required(fieldAt(itemAt("problems", i), "description"), p.Description)
		if problems[p.ID] {
			v.invalid(f, "plan.problem_duplicate", "problem %s is listed twice", "问题 %s 重复列出", p.ID)
		}
		problems[p.ID] = p.ID != "" // a blank ID is reported as missing, not as a duplicate
	}
	if len(cmd.Measures) == 0 {
		v.invalid("measures", "plan.measures_required", "a plan has at least one measure", "方案须至少有一项整改措施")
	}
	seen := map[string]bool{}
	for i, m := range cmd.Measures {
		pre := itemAt("measures", i)
		if seen[m.ID] {
			v.invalid(fieldAt(pre, "id"), "measure.duplicate", "measure %s is listed twice", "措施 %s 重复", m.ID)
		}
		seen[m.ID] = m.ID != ""
		checkMeasure(&v, pre, m, problems, at)
	}
	checkCaseLeader(&v, cmd.CaseLeader)
	for i, name := range cmd.TaskForce {
		v.required(itemAt("task_force", i), name)
	}
	return v.emit(PlanAdopted{Problems: cmd.Problems, Measures: cmd.Measures, CaseLeader: cmd.CaseLeader, TaskForce: cmd.TaskForce, At: at})
}

func (PlanAdopted) EventType() string { return "PlanAdopted" }
func (e PlanAdopted) apply(c *Compound) {
	p := &plan{adoptedAt: e.At, caseLeader: e.CaseLeader, taskForce: e.TaskForce, problems: e.Problems}
	for _, m := range e.Measures {
		p.measures = append(p.measures, &measure{Measure: m, AddedAt: e.At})
	}
	c.plan = p
}

// checkMeasure validates one measure (prefix is its field path) against the
// plan's problems; nil problems skips the reference (no plan to refer to).
func checkMeasure(v *violations, prefix string, m Measure, problems map[string]bool, at time.Time) {
	f := func(name string) string { return fieldAt(prefix, name) }
	v.required(f("id"), m.ID)
	v.required(f("problem_id"), m.ProblemID)
	if m.ProblemID != "" && problems != nil && !problems[m.ProblemID] {
		v.fail(f("problem_id"), "measure.unknown_problem", "problem %s is not on the plan's problem list", "问题 %s 不在方案的问题清单中", m.ProblemID)
	}
	v.required(f("description"), m.Description)
	v.required(f("responsible_unit"), m.ResponsibleUnit)
	oneOf(v, f("term"), "measure.term", m.Term, measureTerms)
	checkDeadline(v, f("deadline"), "measure.deadline", m.Deadline, at)
}

func checkCaseLeader(v *violations, l CaseLeader) {
	v.required("case_leader.name", l.Name)
	v.required("case_leader.title", l.Title)
}

// AddMeasure adds a measure to the open plan, against a listed problem.
type AddMeasure struct{ Measure }

// MeasureAdded: the plan has one more measure.
type MeasureAdded struct {
	Measure
	At time.Time `json:"at"`
}

func (cmd AddMeasure) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	var problems map[string]bool
	if p := openPlan(&v, c); p != nil {
		problems = p.problemIDs()
		if cmd.ID != "" && p.measure(cmd.ID) != nil {
			v.fail("id", "measure.duplicate", "the plan already has measure %s", "方案已有措施 %s", cmd.ID)
		}
	}
	checkMeasure(&v, "", cmd.Measure, problems, at)
	return v.emit(MeasureAdded{Measure: cmd.Measure, At: at})
}

func (MeasureAdded) EventType() string { return "MeasureAdded" }
func (e MeasureAdded) apply(c *Compound) {
	c.plan.measures = append(c.plan.measures, &measure{Measure: e.Measure, AddedAt: e.At})
}

// ChangeCaseLeader hands the case to another leader (更换包案领导).
type ChangeCaseLeader struct {
	CaseLeader CaseLeader `json:"case_leader"`
	Reason     string     `json:"reason,omitempty"`
}

// CaseLeaderChanged: the case has a new leader from At.
type CaseLeaderChanged struct {
	Previous   CaseLeader `json:"previous"`
	CaseLeader CaseLeader `json:"case_leader"`
	Reason     string     `json:"reason,omitempty"`
	At         time.Time  `json:"at"`
}

func (cmd ChangeCaseLeader) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	checkCaseLeader(&v, cmd.CaseLeader)
	p := openPlan(&v, c)
	if p != nil && p.caseLeader == cmd.CaseLeader {
		v.fail("case_leader", "plan.same_case_leader", "%s already leads the case", "%s 已是包案领导", cmd.CaseLeader.Name)
	}
	if !v.ok() {
		return nil, v.err()
	}
	return []Event{CaseLeaderChanged{Previous: p.caseLeader, CaseLeader: cmd.CaseLeader, Reason: cmd.Reason, At: at}}, nil
}

func (CaseLeaderChanged) EventType() string   { return "CaseLeaderChanged" }
func (e CaseLeaderChanged) apply(c *Compound) { c.plan.caseLeader = e.CaseLeader }

// ReportMeasureProgress reports how far a measure has come (进度).
type ReportMeasureProgress struct {
	MeasureID string `json:"measure_id"`
	Percent   int    `json:"percent"`
	Note      string `json:"note,omitempty"`
}

// MeasureProgressReported: the measure's latest progress.
type MeasureProgressReported struct {
	MeasureID string    `json:"measure_id"`
	Percent   int       `json:"percent"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

func (cmd ReportMeasureProgress) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if cmd.Percent < 0 || cmd.Percent > 100 {
		v.invalid("percent", "measure.percent", "percent must be between 0 and 100", "进度百分比须在0到100之间")
	}
	if _, err := openMeasure(&v, c, cmd.MeasureID); err != nil {
		return nil, err
	}
	return v.emit(MeasureProgressReported{MeasureID: cmd.MeasureID, Percent: cmd.Percent, Note: cmd.Note, At: at})
}

func (MeasureProgressReported) EventType() string { return "MeasureProgressReported" }
func (e MeasureProgressReported) apply(c *Compound) {
	if m := c.plan.measure(e.MeasureID); m != nil {
		m.Percent, m.ProgressNote = e.Percent, e.Note
	}
}

// VerifyMeasure records an acceptance check of a measure (验收). A failed
// check may be repeated; a passed one waits for the sign-off.
type VerifyMeasure struct {
	MeasureID string `json:"measure_id"`
	Passed    bool   `json:"passed"`
	Verifier  string `json:"verifier"`
	Note      string `json:"note,omitempty"`
}

// MeasureVerified: the outcome of the check.
type MeasureVerified struct {
	MeasureID string    `json:"measure_id"`
	Passed    bool      `json:"passed"`
	Verifier  string    `json:"verifier"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

func (cmd VerifyMeasure) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("verifier", cmd.Verifier)
	m, err := openMeasure(&v, c, cmd.MeasureID)
	if err != nil {
		return nil, err
	}
	if m != nil && m.Verification.passed() {
		v.fail("measure_id", "measure.already_verified", "measure %s already passed verification; sign it off", "措施 %s 已验收合格，请办理销号", cmd.MeasureID)
	}
	return v.emit(MeasureVerified{MeasureID: cmd.MeasureID, Passed: cmd.Passed, Verifier: cmd.Verifier, Note: cmd.Note, At: at})
}

func (MeasureVerified) EventType() string { return "MeasureVerified" }
func (e MeasureVerified) apply(c *Compound) {
	if m := c.plan.measure(e.MeasureID); m != nil {
		m.Verification = &Verification{Passed: e.Passed, Verifier: e.Verifier, Note: e.Note, At: e.At}
		m.Verifications++
	}
}

// SignOffMeasure closes a measure that passed verification (销号).
type SignOffMeasure struct {
	MeasureID string `json:"measure_id"`
	Note      string `json:"note,omitempty"`
}

// MeasureSignedOff: the measure is closed; Late when after its deadline (the
// on-time share of the league tables).
type MeasureSignedOff struct {
	MeasureID string    `json:"measure_id"`
	Note      string    `json:"note,omitempty"`
	Deadline  Date      `json:"deadline"`
	Late      bool      `json:"late"`
	At        time.Time `json:"at"`
}

func (cmd SignOffMeasure) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	m, err := openMeasure(&v, c, cmd.MeasureID)
	if err != nil {
		return nil, err
	}
	if m != nil && !m.Verification.passed() {
		v.fail("measure_id", "measure.not_verified", "measure %s has not passed verification", "措施 %s 尚未验收合格，不能销号", cmd.MeasureID)
	}
	if !v.ok() {
		return nil, v.err()
	}
	due := m.Deadline.End()
	late := lateAlert("measure.late", "measure "+m.ID, due, at, "measure "+m.ID+" signed off after its deadline", "整改措施 "+m.ID+" 逾期销号")
	return append([]Event{MeasureSignedOff{MeasureID: cmd.MeasureID, Note: cmd.Note, Deadline: m.Deadline, Late: len(late) > 0, At: at}}, late...), nil
}

func (MeasureSignedOff) EventType() string { return "MeasureSignedOff" }
func (e MeasureSignedOff) apply(c *Compound) {
	if m := c.plan.measure(e.MeasureID); m != nil {
		m.SignedOffAt, m.Late = e.At, e.Late
	}
}

// SignOffPlan closes the plan once every measure is signed off (方案销号).
type SignOffPlan struct {
	Note string `json:"note,omitempty"`
}

// PlanSignedOff: the plan is closed.
type PlanSignedOff struct {
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

func (cmd SignOffPlan) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if p := openPlan(&v, c); p != nil {
		var open []string
		for _, m := range p.measures {
			if m.SignedOffAt.IsZero() {
				open = append(open, m.ID)
			}
		}
		if len(open) > 0 {
			list := strings.Join(open, ", ")
			v.fail("", "plan.open_measures", "measures not signed off yet: %s", "以下措施尚未销号：%s", list)
		}
	}
	return v.emit(PlanSignedOff{Note: cmd.Note, At: at})
}

func (PlanSignedOff) EventType() string   { return "PlanSignedOff" }
func (e PlanSignedOff) apply(c *Compound) { c.plan.signedOffAt = e.At }

// openPlan returns the open plan, or records that there is none.
func openPlan(v *violations, c *Compound) *plan {
	if !c.plan.open() {
		v.fail("", "plan.none_open", "the compound has no open plan", "小区没有未销号的一区一策方案")
		return nil
	}
	return c.plan
}

// openMeasure returns the measure a command acts on if it is still open. An
// unknown measure is a not-found error: nothing else can be judged without
// it. Otherwise m is nil exactly when v holds the reason.
func openMeasure(v *violations, c *Compound, id string) (*measure, error) {
	v.required("measure_id", id)
	p := openPlan(v, c)
	if p == nil || id == "" {
		return nil, nil
	}
	m := p.measure(id)
	switch {
	case m == nil:
		notFound(v, "measure_id", "measure.unknown", nounMeasure, id)
		return nil, v.err()
	case !m.SignedOffAt.IsZero():
		v.fail("measure_id", "measure.signed_off", "measure %s is already signed off", "措施 %s 已销号", id)
		return nil, nil
	}
	return m, nil
}

// ---- Helpers shared by lawsuits, plans and listings ----

// fieldAt joins a field path: fieldAt("measures[1]", "deadline").
func fieldAt(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// itemAt names the i-th item of a list field: itemAt("measures", 1).
func itemAt(list string, i int) string { return fmt.Sprintf("%s[%d]", list, i) }

// requireDate records a missing date and reports whether d is set.
func requireDate(v *violations, field string, d Date) bool {
	if d.IsZero() {
		v.invalid(field, "field.required", "%s is required", "%s 为必填项", field)
	}
	return !d.IsZero()
}

// checkDeadline requires a deadline on a later day than at: a deadline on the
// day of the decision leaves no time to act.
func checkDeadline(v *violations, field, rule string, d Date, at time.Time) {
	if requireDate(v, field, d) && !d.End().After(endOfDay(at)) {
		today := at.In(China).Format(time.DateOnly)
		v.fail(field, rule, "deadline %s must be after %s", "期限 %s 须晚于 %s", d, today)
	}
}

func init() {
	registerEvent[ConflictFlagged]()
	registerEvent[ConflictUnflagged]()
	registerEvent[PlanAdopted]()
	registerEvent[MeasureAdded]()
	registerEvent[CaseLeaderChanged]()
	registerEvent[MeasureProgressReported]()
	registerEvent[MeasureVerified]()
	registerEvent[MeasureSignedOff]()
	registerEvent[PlanSignedOff]()
	registerCommand[FlagConflict]("flag-conflict")
	registerCommand[UnflagConflict]("unflag-conflict")
	registerCommand[AdoptPlan]("adopt-plan")
	registerCommand[AddMeasure]("add-measure")
	registerCommand[ChangeCaseLeader]("change-case-leader")
	registerCommand[ReportMeasureProgress]("report-measure-progress")
	registerCommand[VerifyMeasure]("verify-measure")
	registerCommand[SignOffMeasure]("sign-off-measure")
	registerCommand[SignOffPlan]("sign-off-plan")
}
