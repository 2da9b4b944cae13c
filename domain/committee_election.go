// Election, chair and filing of a committee (选举、推选主任、备案):
//   - a committee is elected by a passed assembly vote on the election, from
//     nominated candidates who passed vetting, each listed once;
//   - it has an odd number of members within the rule set's range (a smaller
//     minimum for small compounds), alternates within their cap, and a term
//     of at most the rule set's years;
//   - a serving committee is replaced only after its re-election started;
//   - the chair and vice-chairs are members, the vice-chairs not the chair;
//   - the chair, the filing, the handover and the start of the re-election
//     are due by the dates the election fixed under the rules then in
//     force; late is an alert, never a rejection.

package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

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
	vote, ok := lookup(&v, c.committee.votes, "vote_id", "committee.vote_unknown", nounVote, cmd.VoteID)
	switch {
	case !ok:
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

// upcastCommitteeElectedV1 adds the due dates to a v1 election. Every v1
// event was decided under the compiled-in defaults, so those give its dates.
func upcastCommitteeElectedV1(data json.RawMessage) (json.RawMessage, error) {
	return addDues(data, func(at, termEnd time.Time) map[string]time.Time {
		chair, filing, handover, reelection := committeeDues(DefaultRuleBook().At(at).Committee, at, termEnd)
		return map[string]time.Time{"chair_due": chair, "filing_due": filing, "handover_due": handover, "reelection_due": reelection}
	})
}

func init() {
	registerEvent[CommitteeElected]()
	registerUpcast("CommitteeElected", 1, upcastCommitteeElectedV1)
	registerEvent[ChairChosen]()
	registerEvent[CommitteeFiled]()
	registerCommand[ElectCommittee]("elect-committee")
	registerCommand[ChooseChair]("choose-chair")
	registerCommand[FileCommittee]("file-committee")
}
