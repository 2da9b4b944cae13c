package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// committeeState is the committee side of a compound: the formation in
// progress and the body currently serving.
type committeeState struct {
	appliedAt    time.Time // owners' written application (0: none pending)
	group        *PreparatoryGroupFormed
	candidates   map[string]*candidate
	votes        map[string]AssemblyVoteHeld
	serving      *servingCommittee
	outgoing     *servingCommittee // awaiting handover of archives and seal
	interim      *InterimCommissionFormed
	interimFiled bool
	terms        int // committees elected so far
}

type candidate struct {
	CandidateNominated
	vetted bool
	failed []string // failed checks, the reasons kept
}

type servingCommittee struct {
	CommitteeElected
	chair             string
	viceChairs        []string
	chairChosen       bool
	filed             bool
	filedAt           time.Time
	reelectionStarted bool
	expired           bool
	trained           map[string]bool // members who attended training
}

func (s committeeState) active() bool { return s.serving != nil && !s.serving.expired }

// ---- application and preparatory group --------------------------------

// ApplyForAssembly records the owners' written application to form the
// assembly, allowed once more than half the private area is delivered.
type ApplyForAssembly struct {
	Applicants int    `json:"applicants"`
	Note       string `json:"note,omitempty"`
}

// AssemblyApplied: owners applied in writing (书面申请).
type AssemblyApplied struct {
	Applicants int       `json:"applicants"`
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
}

func (cmd ApplyForAssembly) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if cmd.Applicants <= 0 {
		v.invalid("applicants", "committee.applicants", "at least one owner must apply", "申请业主人数须大于0")
	}
	if !r.Committee.EligibleDelivered.Met(int64(c.profile.DeliveredArea), int64(c.profile.PrivateArea)) {
		v.fail("", "committee.not_eligible", "delivered area %s of %s m² is not %s of the private area",
			"已交付面积 %s/%s 平方米未达到专有部分面积的 %s", c.profile.DeliveredArea, c.profile.PrivateArea, r.Committee.EligibleDelivered)
	}
	if c.committee.active() {
		v.fail("", "committee.already_serving", "an owners' committee is serving; start a re-election instead", "业委会在任，应启动换届")
	}
	if !c.committee.appliedAt.IsZero() {
		v.fail("", "committee.application_pending", "an application is already pending", "已有申请在办理中")
	}
	return v.emit(AssemblyApplied{Applicants: cmd.Applicants, Note: cmd.Note, At: at})
}

func (AssemblyApplied) EventType() string   { return "AssemblyApplied" }
func (e AssemblyApplied) apply(c *Compound) { c.committee.appliedAt = e.At }

// GroupRole is the side a preparatory-group member stands for.
type GroupRole string

const (
	RoleStreet    GroupRole = "street"    // 街道办事处代表
	RoleOwner     GroupRole = "owner"     // 业主代表
	RoleCommunity GroupRole = "community" // 社区居委会代表
	RoleHousing   GroupRole = "housing"   // 区住建部门代表
	RoleDeveloper GroupRole = "developer" // 建设单位代表
	RoleParty     GroupRole = "party"     // 社区党组织代表
)

// GroupMember is a member of the preparatory group.
type GroupMember struct {
	Name   string    `json:"name"`
	Role   GroupRole `json:"role"`
	Leader bool      `json:"leader,omitempty"`
}

// FormPreparatoryGroup records the preparatory group (筹备组), organised by
// the street: odd in size, owner representatives at least half, led by the
// street's representative, members posted publicly.
type FormPreparatoryGroup struct {
	Members []GroupMember `json:"members"`
	Posted  bool          `json:"posted"` // 成员名单已公示
}

// PreparatoryGroupFormed: the group is formed and posted.
type PreparatoryGroupFormed struct {
	Members []GroupMember `json:"members"`
	At      time.Time     `json:"at"`
}

func (cmd FormPreparatoryGroup) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	n, owners, leaders := len(cmd.Members), 0, 0
	for i, m := range cmd.Members {
		f := fmt.Sprintf("members[%d]", i)
		v.required(f+".name", m.Name)
		switch m.Role {
		case RoleOwner:
			owners++
		case RoleStreet, RoleCommunity, RoleHousing, RoleDeveloper, RoleParty:
		default:
			v.invalid(f+".role", "prep_group.role", "role must be street, owner, community, housing, developer or party", "成员身份须为 street、owner、community、housing、developer 或 party")
		}
		if m.Leader {
			leaders++
			if m.Role != RoleStreet {
				v.fail(f+".leader", "prep_group.leader_not_street", "the group is led by the street's representative", "筹备组组长由街道办事处代表担任")
			}
		}
	}
	if n%2 == 0 {
		v.fail("members", "prep_group.size_odd", "the group needs an odd number of members, not %d", "筹备组成员人数须为单数，现为%d人", n)
	}
	if 2*owners < n {
		v.fail("members", "prep_group.owner_share", "owner representatives must be at least half: %d of %d", "业主代表不得少于半数：现为%d/%d", owners, n)
	}
	if leaders != 1 {
		v.fail("members", "prep_group.one_leader", "the group needs exactly one leader, not %d", "筹备组须有且仅有一名组长，现为%d名", leaders)
	}
	if !cmd.Posted {
		v.fail("posted", "prep_group.not_posted", "members must be posted publicly in the compound", "筹备组成员名单须在小区公示")
	}
	reelection := c.committee.serving != nil && c.committee.serving.reelectionStarted
	if c.committee.appliedAt.IsZero() && !reelection {
		v.fail("", "prep_group.no_application", "no owners' application or re-election to prepare", "无业主申请或换届，不能成立筹备组")
	}
	if c.committee.group != nil {
		v.fail("", "prep_group.exists", "a preparatory group is already at work", "筹备组已成立")
	}
	if !v.ok() {
		return nil, v.err()
	}
	events := []Event{PreparatoryGroupFormed{Members: cmd.Members, At: at}}
	if !reelection {
		events = append(events, lateAlert("committee.preparatory_late", "preparatory group",
			addDays(c.committee.appliedAt, r.Committee.PreparatoryWithinDays), at,
			"preparatory group formed late", "筹备组成立逾期")...)
	}
	return events, nil
}

func (PreparatoryGroupFormed) EventType() string { return "PreparatoryGroupFormed" }
func (e PreparatoryGroupFormed) apply(c *Compound) {
	c.committee.group = &e
	c.committee.candidates = map[string]*candidate{}
}

// ---- candidates and vetting --------------------------------------------

// Background attributes are reported, never a condition of validity.
type Background struct {
	PartyMember              bool `json:"party_member,omitempty"`               // 党员
	CommunityCommitteeMember bool `json:"community_committee_member,omitempty"` // 社区"两委"成员（交叉任职）
	RetiredCadre             bool `json:"retired_cadre,omitempty"`              // 退休干部
	Veteran                  bool `json:"veteran,omitempty"`                    // 退役军人
	PublicInstitutionStaff   bool `json:"public_institution_staff,omitempty"`   // 机关事业单位人员
}

// NominateCandidate puts a candidate (候选人) forward.
type NominateCandidate struct {
	CandidateID            string     `json:"candidate_id"`
	Name                   string     `json:"name"`
	Unit                   string     `json:"unit"`
	BirthDate              Date       `json:"birth_date"`
	RecommendedByCommunity bool       `json:"recommended_by_community,omitempty"` // 社区党组织推荐
	Background             Background `json:"background"`
}

// CandidateNominated: the candidate awaits vetting.
type CandidateNominated struct {
	CandidateID            string     `json:"candidate_id"`
	Name                   string     `json:"name"`
	Unit                   string     `json:"unit"`
	BirthDate              Date       `json:"birth_date"`
	RecommendedByCommunity bool       `json:"recommended_by_community,omitempty"`
	Background             Background `json:"background"`
}

func (cmd NominateCandidate) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("candidate_id", cmd.CandidateID)
	v.required("name", cmd.Name)
	v.required("unit", cmd.Unit)
	if cmd.BirthDate.IsZero() || cmd.BirthDate.After(at) {
		v.invalid("birth_date", "candidate.birth_date", "a past birth date is required", "须填写出生日期")
	}
	if c.committee.group == nil {
		v.fail("", "candidate.no_group", "candidates are nominated once a preparatory group is formed", "筹备组成立后方可提名候选人")
	} else if _, dup := c.committee.candidates[cmd.CandidateID]; dup {
		v.fail("candidate_id", "candidate.duplicate", "candidate %s is already nominated", "候选人 %s 已提名", cmd.CandidateID)
	}
	return v.emit(CandidateNominated{CandidateID: cmd.CandidateID, Name: cmd.Name, Unit: cmd.Unit, BirthDate: cmd.BirthDate,
		RecommendedByCommunity: cmd.RecommendedByCommunity, Background: cmd.Background})
}

func (CandidateNominated) EventType() string { return "CandidateNominated" }
func (e CandidateNominated) apply(c *Compound) {
	c.committee.candidates[e.CandidateID] = &candidate{CandidateNominated: e}
}

// CheckResult is one vetting check with its evidence (e.g. 不动产权证号).
type CheckResult struct {
	Check    string `json:"check"`
	Passed   bool   `json:"passed"`
	Evidence string `json:"evidence"`
}

// VetCandidate records the eligibility check (资格审查) of a candidate:
// every check of the rule set, each pass or fail with evidence.
type VetCandidate struct {
	CandidateID string        `json:"candidate_id"`
	Checks      []CheckResult `json:"checks"`
}

// CandidateVetted: the checks and their outcome. A candidate who failed any
// check cannot be elected; the failed checks are the reason kept.
type CandidateVetted struct {
	CandidateID string        `json:"candidate_id"`
	Checks      []CheckResult `json:"checks"`
	Failed      []string      `json:"failed,omitempty"`
	Eligible    bool          `json:"eligible"`
}

func (cmd VetCandidate) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	cand := c.committee.candidates[cmd.CandidateID]
	if cand == nil {
		v.fail("candidate_id", "candidate.unknown", "no candidate %s is nominated", "未提名候选人 %s", cmd.CandidateID)
	}
	required := map[string]bool{}
	for _, k := range r.Committee.VettingChecks {
		required[k] = true
	}
	got := map[string]bool{}
	e := CandidateVetted{CandidateID: cmd.CandidateID, Checks: cmd.Checks, Eligible: true}
	for i, ch := range cmd.Checks {
		f := fmt.Sprintf("checks[%d]", i)
		switch {
		case !required[ch.Check]:
			v.invalid(f+".check", "vetting.unknown_check", "unknown vetting check %q", "未知审查项 %q", ch.Check)
		case got[ch.Check]:
			v.invalid(f+".check", "vetting.duplicate_check", "check %s given twice", "审查项 %s 重复", ch.Check)
		}
		got[ch.Check] = true
		v.required(f+".evidence", ch.Evidence)
		if ch.Check == CheckAge && cand != nil {
			age := cand.BirthDate.AgeAt(at)
			if inRange := age >= r.Committee.AgeMin && age <= r.Committee.AgeMax; inRange != ch.Passed {
				v.fail(f+".passed", "vetting.age_mismatch", "age %d at vetting is %s the range %d–%d", "审查时年龄%d岁，%s%d–%d岁的范围",
					age, map[bool]string{true: "within", false: "outside"}[inRange], r.Committee.AgeMin, r.Committee.AgeMax)
			}
		}
		if !ch.Passed {
			e.Eligible = false
			e.Failed = append(e.Failed, ch.Check)
		}
	}
	for _, k := range r.Committee.VettingChecks {
		if !got[k] {
			v.invalid("checks", "vetting.missing_check", "check %s is missing", "缺少审查项 %s", k)
		}
	}
	return v.emit(e)
}

func (CandidateVetted) EventType() string { return "CandidateVetted" }
func (e CandidateVetted) apply(c *Compound) {
	cand := c.committee.candidates[e.CandidateID]
	cand.vetted, cand.failed = true, e.Failed
}

// ---- election, chair, filing -------------------------------------------

// ElectCommittee records the committee the assembly elected (选举产生).
type ElectCommittee struct {
	VoteID     string   `json:"vote_id"`
	Members    []string `json:"members"`    // candidate IDs
	Alternates []string `json:"alternates"` // 候补委员
	TermYears  int      `json:"term_years"`
	Chair      string   `json:"chair,omitempty"`       // may also be chosen later, within the limit
	ViceChairs []string `json:"vice_chairs,omitempty"` // 副主任
}

// CommitteeMember is a serving member as recorded at election.
type CommitteeMember struct {
	CandidateID string     `json:"candidate_id"`
	Name        string     `json:"name"`
	Background  Background `json:"background"`
}

// CommitteeElected: a new committee serves from At until TermEnd. The due
// dates (schema v2) are those of the rule set in force at the election: a
// committee is judged by the rules it was elected under, not by later ones.
type CommitteeElected struct {
	Term          int               `json:"term"` // 第几届
	VoteID        string            `json:"vote_id"`
	Members       []CommitteeMember `json:"members"`
	Alternates    []CommitteeMember `json:"alternates,omitempty"`
	TermEnd       time.Time         `json:"term_end"`
	At            time.Time         `json:"at"`
	ChairDue      time.Time         `json:"chair_due"`      // chair chosen
	FilingDue     time.Time         `json:"filing_due"`     // 备案
	HandoverDue   time.Time         `json:"handover_due"`   // archives and seal received from the outgoing committee
	ReelectionDue time.Time         `json:"reelection_due"` // 换届 started
}

// committeeDues returns the due dates of a committee elected at with its
// term ending termEnd, under the rules cr.
func committeeDues(cr CommitteeRules, at, termEnd time.Time) (chair, filing, handover, reelection time.Time) {
	return addDays(at, cr.ChairWithinDays), addDays(at, cr.FilingWithinDays), addDays(at, cr.HandoverWithinDays),
		endOfDay(termEnd.In(China).AddDate(0, -cr.ReelectionLeadMonths, 0))
}

func (cmd ElectCommittee) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	cr := r.Committee
	vote, ok := c.committee.votes[cmd.VoteID]
	switch {
	case !ok:
		v.fail("vote_id", "committee.vote_unknown", "no assembly vote %s is recorded", "未登记表决 %s", cmd.VoteID)
	case vote.Matter != MatterElectCommittee:
		v.fail("vote_id", "committee.vote_matter", "vote %s was not an election", "表决 %s 不是选举业委会", cmd.VoteID)
	case !vote.Outcome.Passed:
		v.fail("vote_id", "committee.vote_failed", "vote %s did not pass", "表决 %s 未通过", cmd.VoteID)
	}
	min := cr.MinMembers
	if c.profile.Households < cr.SmallCompoundHouseholds {
		min = cr.SmallMinMembers
	}
	n := len(cmd.Members)
	if n < min || n > cr.MaxMembers {
		v.fail("members", "committee.size", "a committee has %d to %d members, not %d", "业委会成员应为%d至%d人，现为%d人", min, cr.MaxMembers, n)
	}
	if n%2 == 0 {
		v.fail("members", "committee.size_odd", "a committee needs an odd number of members, not %d", "业委会成员人数须为单数，现为%d人", n)
	}
	if !cr.MaxAlternates.AtMost(int64(len(cmd.Alternates)), int64(n)) {
		v.fail("alternates", "committee.alternates", "%d alternates exceed %d/%d of %d members", "候补委员%d人，超过委员人数的%d/%d（委员%d人）",
			len(cmd.Alternates), cr.MaxAlternates.Num, cr.MaxAlternates.Den, n)
	}
	if cmd.TermYears < 1 || cmd.TermYears > cr.MaxTermYears {
		v.fail("term_years", "committee.term", "a term is 1 to %d years, not %d", "任期应为1至%d年，现为%d年", cr.MaxTermYears, cmd.TermYears)
	}
	seen := map[string]bool{}
	pick := func(field string, ids []string) []CommitteeMember {
		var out []CommitteeMember
		for i, id := range ids {
			f := fmt.Sprintf("%s[%d]", field, i)
			cand := c.committee.candidates[id]
			switch {
			case seen[id]:
				v.invalid(f, "committee.member_duplicate", "candidate %s is listed twice", "候选人 %s 重复", id)
			case cand == nil:
				v.fail(f, "committee.member_not_candidate", "%s is not a nominated candidate", "%s 不是已提名的候选人", id)
			case !cand.vetted:
				v.fail(f, "committee.member_not_vetted", "candidate %s has not been vetted", "候选人 %s 未经资格审查", id)
			case len(cand.failed) > 0:
				v.fail(f, "committee.member_ineligible", "candidate %s failed vetting: %v", "候选人 %s 资格审查未通过：%v", id, cand.failed)
			default:
				out = append(out, CommitteeMember{CandidateID: id, Name: cand.Name, Background: cand.Background})
			}
			seen[id] = true
		}
		return out
	}
	e := CommitteeElected{Term: c.committee.terms + 1, VoteID: cmd.VoteID, Members: pick("members", cmd.Members),
		Alternates: pick("alternates", cmd.Alternates), At: at, TermEnd: at.In(China).AddDate(cmd.TermYears, 0, 0)}
	e.ChairDue, e.FilingDue, e.HandoverDue, e.ReelectionDue = committeeDues(cr, e.At, e.TermEnd)
	if c.committee.active() && !c.committee.serving.reelectionStarted {
		v.fail("", "committee.no_reelection", "a committee serves; its re-election must be started first", "业委会在任，须先启动换届")
	}
	chair := ChooseChair{Chair: cmd.Chair, ViceChairs: cmd.ViceChairs}
	if cmd.Chair != "" {
		chair.check(cmd.Members, &v)
	}
	if !v.ok() {
		return nil, v.err()
	}
	events := []Event{e}
	if cmd.Chair != "" {
		events = append(events, ChairChosen{Chair: cmd.Chair, ViceChairs: cmd.ViceChairs, At: at})
	}
	return events, nil
}

func (CommitteeElected) EventType() string { return "CommitteeElected" }
func (e CommitteeElected) apply(c *Compound) {
	s := &c.committee
	if s.serving != nil {
		s.outgoing = s.serving
	}
	// Own copies: seats change in place when members leave.
	e.Members = append([]CommitteeMember(nil), e.Members...)
	e.Alternates = append([]CommitteeMember(nil), e.Alternates...)
	s.serving = &servingCommittee{CommitteeElected: e, trained: map[string]bool{}}
	s.terms = e.Term
	s.appliedAt, s.group, s.interim, s.interimFiled = time.Time{}, nil, nil, false
}

// ChooseChair records the chair and vice-chairs (主任、副主任), chosen
// among the members within a few days of the election.
type ChooseChair struct {
	Chair      string   `json:"chair"`
	ViceChairs []string `json:"vice_chairs,omitempty"`
}

// ChairChosen: the committee's officers.
type ChairChosen struct {
	Chair      string    `json:"chair"`
	ViceChairs []string  `json:"vice_chairs,omitempty"`
	At         time.Time `json:"at"`
}

func (cmd ChooseChair) check(members []string, v *violations) {
	in := map[string]bool{}
	for _, m := range members {
		in[m] = true
	}
	if !in[cmd.Chair] {
		v.fail("chair", "committee.chair_not_member", "the chair must be a member", "主任须为业委会委员")
	}
	for i, vc := range cmd.ViceChairs {
		if !in[vc] || vc == cmd.Chair {
			v.fail(fmt.Sprintf("vice_chairs[%d]", i), "committee.vice_chair", "a vice-chair must be a member other than the chair", "副主任须为主任以外的委员")
		}
	}
}

func (cmd ChooseChair) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("chair", cmd.Chair)
	s := c.committee.serving
	if !c.committee.active() {
		v.fail("", "committee.none", "no committee is serving", "无在任业委会")
		return nil, v.err()
	}
	cmd.check(s.memberIDs(), &v)
	if !v.ok() {
		return nil, v.err()
	}
	events := []Event{ChairChosen{Chair: cmd.Chair, ViceChairs: cmd.ViceChairs, At: at}}
	if !s.chairChosen {
		events = append(events, lateAlert("committee.chair_late", "chair", s.ChairDue, at,
			"chair chosen late", "主任推选逾期")...)
	}
	return events, nil
}

func (ChairChosen) EventType() string { return "ChairChosen" }
func (e ChairChosen) apply(c *Compound) {
	s := c.committee.serving
	s.chair, s.chairChosen = e.Chair, true
	s.viceChairs = e.ViceChairs
}

func (s *servingCommittee) memberIDs() []string {
	out := make([]string, len(s.Members))
	for i, m := range s.Members {
		out[i] = m.CandidateID
	}
	return out
}

// FileCommittee records the filing (备案) of the elected committee with the
// street and the district housing department. Late filing is an alert.
type FileCommittee struct {
	Authority string `json:"authority"`
	FilingNo  string `json:"filing_no,omitempty"`
}

// CommitteeFiled: the committee is on file.
type CommitteeFiled struct {
	Authority string    `json:"authority"`
	FilingNo  string    `json:"filing_no,omitempty"`
	At        time.Time `json:"at"`
}

func (cmd FileCommittee) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("authority", cmd.Authority)
	s := c.committee.serving
	switch {
	case !c.committee.active():
		v.fail("", "committee.none", "no committee is serving", "无在任业委会")
	case s.filed:
		v.fail("", "committee.already_filed", "the committee is already filed", "业委会已备案")
	}
	if !v.ok() {
		return nil, v.err()
	}
	return append([]Event{CommitteeFiled{Authority: cmd.Authority, FilingNo: cmd.FilingNo, At: at}},
		lateAlert("committee.filing_late", "filing", s.FilingDue, at, "committee filed late", "业委会备案逾期")...), nil
}

func (CommitteeFiled) EventType() string { return "CommitteeFiled" }
func (e CommitteeFiled) apply(c *Compound) {
	c.committee.serving.filed, c.committee.serving.filedAt = true, e.At
}

// ---- term, re-election, handover, members ------------------------------

// StartReelection records that the re-election (换届) of the serving
// committee has begun; later than the lead time before the term ends it is
// an alert, not a rejection.
type StartReelection struct {
	Note string `json:"note,omitempty"`
}

// ReelectionStarted: the next committee is being prepared.
type ReelectionStarted struct {
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

func (cmd StartReelection) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	s := c.committee.serving
	switch {
	case s == nil:
		v.fail("", "committee.none", "no committee has been elected", "尚未选举业委会")
	case s.reelectionStarted:
		v.fail("", "committee.reelection_started", "re-election is already under way", "换届已启动")
	}
	if !v.ok() {
		return nil, v.err()
	}
	return append([]Event{ReelectionStarted{Note: cmd.Note, At: at}},
		lateAlert("committee.reelection_late", "re-election", s.ReelectionDue, at, "re-election started late", "换届启动逾期")...), nil
}

func (ReelectionStarted) EventType() string { return "ReelectionStarted" }
func (e ReelectionStarted) apply(c *Compound) {
	c.committee.serving.reelectionStarted = true
	c.committee.group = nil // a new group prepares the re-election
}

// RecordTermExpiry records that the serving committee's term has ended
// (任期届满). Without a re-election it is an alert for the street.
type RecordTermExpiry struct{}

// CommitteeTermExpired: the committee no longer serves.
type CommitteeTermExpired struct {
	Term              int       `json:"term"`
	ReelectionStarted bool      `json:"reelection_started"`
	At                time.Time `json:"at"`
}

func (RecordTermExpiry) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	s := c.committee.serving
	switch {
	case !c.committee.active():
		v.fail("", "committee.none", "no committee is serving", "无在任业委会")
	case at.Before(s.TermEnd):
		v.fail("", "committee.term_running", "the term runs until %s", "任期至%s届满", s.TermEnd.In(China).Format(time.DateOnly))
	}
	if !v.ok() {
		return nil, v.err()
	}
	events := []Event{CommitteeTermExpired{Term: s.Term, ReelectionStarted: s.reelectionStarted, At: at}}
	if !s.reelectionStarted {
		events = append(events, AlertRaised{Alert{Rule: "committee.expired_without_reelection", Subject: "term", Due: s.TermEnd, At: at,
			Message: "the committee's term ended without a re-election", MessageZH: "业委会任期届满未换届"}})
	}
	return events, nil
}

func (CommitteeTermExpired) EventType() string   { return "CommitteeTermExpired" }
func (e CommitteeTermExpired) apply(c *Compound) { c.committee.serving.expired = true }

// HandOverArchives records that the outgoing committee handed over its
// archives and seal (移交档案、印章) to the new one.
type HandOverArchives struct {
	Items string `json:"items"`
}

// ArchivesHandedOver: the handover is done.
type ArchivesHandedOver struct {
	Term  int       `json:"term"` // the outgoing committee's term
	Items string    `json:"items"`
	At    time.Time `json:"at"`
}

func (cmd HandOverArchives) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("items", cmd.Items)
	out := c.committee.outgoing
	if out == nil {
		v.fail("", "committee.no_handover", "no outgoing committee owes a handover", "无待移交的上届业委会")
	}
	if !v.ok() {
		return nil, v.err()
	}
	return append([]Event{ArchivesHandedOver{Term: out.Term, Items: cmd.Items, At: at}},
		lateAlert("committee.handover_late", "handover", c.committee.serving.HandoverDue, at,
			"archives handed over late", "档案印章移交逾期")...), nil
}

func (ArchivesHandedOver) EventType() string   { return "ArchivesHandedOver" }
func (e ArchivesHandedOver) apply(c *Compound) { c.committee.outgoing = nil }

// LeaveReason is why a membership ends.
type LeaveReason string

const (
	LeaveCeasedOwner LeaveReason = "ceased_owner" // 不再是业主
	LeaveResigned    LeaveReason = "resigned"     // 辞职
	LeaveRemoved     LeaveReason = "removed"      // 业主大会罢免
	LeaveAbsent      LeaveReason = "absent"       // 一年内缺席过半会议（北京）
)

// RecordMemberLeaving ends a membership; an alternate may fill the seat
// (候补委员递补). Removal needs a passed assembly vote.
type RecordMemberLeaving struct {
	CandidateID string      `json:"candidate_id"`
	Reason      LeaveReason `json:"reason"`
	VoteID      string      `json:"vote_id,omitempty"`     // the removal vote
	Replacement string      `json:"replacement,omitempty"` // an alternate's candidate ID
}

// MemberLeft: the seat is vacated, and filled if Replacement is set.
type MemberLeft struct {
	CandidateID string      `json:"candidate_id"`
	Reason      LeaveReason `json:"reason"`
	VoteID      string      `json:"vote_id,omitempty"`
	Replacement string      `json:"replacement,omitempty"`
}

func (cmd RecordMemberLeaving) decide(c *Compound, _ RuleSet, _ time.Time) ([]Event, error) {
	var v violations
	if !c.committee.active() {
		v.fail("", "committee.none", "no committee is serving", "无在任业委会")
		return nil, v.err()
	}
	s := c.committee.serving
	if indexOf(s.Members, cmd.CandidateID) < 0 {
		v.fail("candidate_id", "committee.not_member", "%s is not a serving member", "%s 不是在任委员", cmd.CandidateID)
	}
	switch cmd.Reason {
	case LeaveCeasedOwner, LeaveResigned, LeaveAbsent:
	case LeaveRemoved:
		if vote, ok := c.committee.votes[cmd.VoteID]; !ok || vote.Matter != MatterRemoveMember || !vote.Outcome.Passed {
			v.fail("vote_id", "committee.removal_vote", "removal needs a passed assembly vote on removing the member", "罢免须经业主大会表决通过")
		}
	default:
		v.invalid("reason", "committee.leave_reason", "reason must be ceased_owner, resigned, removed or absent", "离任原因须为 ceased_owner、resigned、removed 或 absent")
	}
	if cmd.Replacement != "" && indexOf(s.Alternates, cmd.Replacement) < 0 {
		v.fail("replacement", "committee.replacement_not_alternate", "%s is not an alternate", "%s 不是候补委员", cmd.Replacement)
	}
	return v.emit(MemberLeft{CandidateID: cmd.CandidateID, Reason: cmd.Reason, VoteID: cmd.VoteID, Replacement: cmd.Replacement})
}

func (MemberLeft) EventType() string { return "MemberLeft" }
func (e MemberLeft) apply(c *Compound) {
	s := c.committee.serving
	i := indexOf(s.Members, e.CandidateID)
	if j := indexOf(s.Alternates, e.Replacement); e.Replacement != "" && j >= 0 {
		s.Members[i] = s.Alternates[j]
		s.Alternates = append(s.Alternates[:j:j], s.Alternates[j+1:]...)
	} else {
		s.Members = append(s.Members[:i:i], s.Members[i+1:]...)
	}
	if s.chair == e.CandidateID {
		s.chair, s.chairChosen = "", false
	}
}

func indexOf(ms []CommitteeMember, id string) int {
	for i, m := range ms {
		if m.CandidateID == id {
			return i
		}
	}
	return -1
}

// ---- interim commission -------------------------------------------------

// FormInterimCommission records a property management commission (物业管理
// 委员会), chaired by the residents' committee, where no owners' committee
// can be formed.
type FormInterimCommission struct {
	Chair   string   `json:"chair"` // the residents' committee's representative
	Members []string `json:"members"`
}

// InterimCommissionFormed: the commission acts for the owners. FilingDue
// (schema v2) follows the rule set in force when it was formed.
type InterimCommissionFormed struct {
	Chair     string    `json:"chair"`
	Members   []string  `json:"members"`
	At        time.Time `json:"at"`
	FilingDue time.Time `json:"filing_due"`
}

func (cmd FormInterimCommission) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("chair", cmd.Chair)
	if len(cmd.Members) == 0 {
		v.invalid("members", "field.required", "members is required", "members 为必填项")
	}
	if c.committee.active() {
		v.fail("", "interim.committee_serving", "an owners' committee serves; no interim commission is needed", "业委会在任，无需成立物管会")
	}
	if c.committee.interim != nil {
		v.fail("", "interim.exists", "an interim commission already acts", "物管会已成立")
	}
	return v.emit(InterimCommissionFormed{Chair: cmd.Chair, Members: cmd.Members, At: at,
		FilingDue: addDays(at, r.Committee.InterimFilingWithinDays)})
}

func (InterimCommissionFormed) EventType() string { return "InterimCommissionFormed" }
func (e InterimCommissionFormed) apply(c *Compound) {
	c.committee.interim, c.committee.interimFiled = &e, false
}

// FileInterimCommission records the commission's filing; late is an alert.
type FileInterimCommission struct {
	Authority string `json:"authority"`
}

// InterimCommissionFiled: the commission is on file.
type InterimCommissionFiled struct {
	Authority string    `json:"authority"`
	At        time.Time `json:"at"`
}

func (cmd FileInterimCommission) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("authority", cmd.Authority)
	switch {
	case c.committee.interim == nil:
		v.fail("", "interim.none", "no interim commission acts", "未成立物管会")
	case c.committee.interimFiled:
		v.fail("", "interim.already_filed", "the interim commission is already filed", "物管会已备案")
	}
	if !v.ok() {
		return nil, v.err()
	}
	return append([]Event{InterimCommissionFiled{Authority: cmd.Authority, At: at}},
		lateAlert("interim.filing_late", "interim filing", c.committee.interim.FilingDue, at,
			"interim commission filed late", "物管会备案逾期")...), nil
}

func (InterimCommissionFiled) EventType() string   { return "InterimCommissionFiled" }
func (e InterimCommissionFiled) apply(c *Compound) { c.committee.interimFiled = true }

// upcastCandidateNominatedV1 lifts the first schema, which kept only a
// top-level party_member flag, into the background record of v2.
func upcastCandidateNominatedV1(data json.RawMessage) (json.RawMessage, error) {
	var v1 map[string]json.RawMessage
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, err
	}
	bg := map[string]json.RawMessage{}
	if pm, ok := v1["party_member"]; ok {
		bg["party_member"] = pm
		delete(v1, "party_member")
	}
	b, err := json.Marshal(bg)
	if err != nil {
		return nil, err
	}
	v1["background"] = b
	return json.Marshal(v1)
}

// upcastCommitteeElectedV1 adds the due dates to a v1 election. Every v1
// event was decided under the compiled-in defaults, so those give its dates.
func upcastCommitteeElectedV1(data json.RawMessage) (json.RawMessage, error) {
	return addDues(data, func(at, termEnd time.Time) map[string]time.Time {
		chair, filing, handover, reelection := committeeDues(DefaultRuleBook().At(at).Committee, at, termEnd)
		return map[string]time.Time{"chair_due": chair, "filing_due": filing, "handover_due": handover, "reelection_due": reelection}
	})
}

// upcastInterimCommissionFormedV1 adds the filing due date, under the
// compiled-in defaults every v1 event was decided by.
func upcastInterimCommissionFormedV1(data json.RawMessage) (json.RawMessage, error) {
	return addDues(data, func(at, _ time.Time) map[string]time.Time {
		return map[string]time.Time{"filing_due": addDays(at, DefaultRuleBook().At(at).Committee.InterimFilingWithinDays)}
	})
}

// addDues adds the fields dues computes from a payload's at and term_end
// (zero when absent), leaving every other field as stored.
func addDues(data json.RawMessage, dues func(at, termEnd time.Time) map[string]time.Time) (json.RawMessage, error) {
	var times struct {
		At      time.Time `json:"at"`
		TermEnd time.Time `json:"term_end"`
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &times); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, err
	}
	for k, t := range dues(times.At, times.TermEnd) {
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		fields[k] = b
	}
	return json.Marshal(fields)
}

func init() {
	registerEvent[AssemblyApplied]()
	registerEvent[PreparatoryGroupFormed]()
	registerEvent[CandidateNominated]()
	registerUpcast("CandidateNominated", 1, upcastCandidateNominatedV1)
	registerEvent[CandidateVetted]()
	registerEvent[CommitteeElected]()
	registerUpcast("CommitteeElected", 1, upcastCommitteeElectedV1)
	registerEvent[ChairChosen]()
	registerEvent[CommitteeFiled]()
	registerEvent[ReelectionStarted]()
	registerEvent[CommitteeTermExpired]()
	registerEvent[ArchivesHandedOver]()
	registerEvent[MemberLeft]()
	registerEvent[InterimCommissionFormed]()
	registerUpcast("InterimCommissionFormed", 1, upcastInterimCommissionFormedV1)
	registerEvent[InterimCommissionFiled]()
	registerCommand[ApplyForAssembly]("apply-for-assembly")
	registerCommand[FormPreparatoryGroup]("form-preparatory-group")
	registerCommand[NominateCandidate]("nominate-candidate")
	registerCommand[VetCandidate]("vet-candidate")
	registerCommand[ElectCommittee]("elect-committee")
	registerCommand[ChooseChair]("choose-chair")
	registerCommand[FileCommittee]("file-committee")
	registerCommand[StartReelection]("start-reelection")
	registerCommand[RecordTermExpiry]("record-term-expiry")
	registerCommand[HandOverArchives]("hand-over-archives")
	registerCommand[RecordMemberLeaving]("record-member-leaving")
	registerCommand[FormInterimCommission]("form-interim-commission")
	registerCommand[FileInterimCommission]("file-interim-commission")
}
