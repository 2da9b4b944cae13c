// The term of a committee, its re-election, handover and members (换届、移交、委员离任):
//   - re-election starts once, for an elected committee; later than the
//     elected due date it is an alert;
//   - a term expires at its end, not before; without a started re-election
//     the expiry is an alert for the street;
//   - the outgoing committee hands over archives and seal to the new one,
//     by the new committee's due date (late is an alert);
//   - a serving member leaves for a known reason; removal needs a passed
//     assembly vote on removing a member; only an alternate fills the seat.

package domain

import "time"

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

var leaveReasons = vocabulary[LeaveReason]{LeaveCeasedOwner, LeaveResigned, LeaveRemoved, LeaveAbsent}

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
	if oneOf(&v, "reason", "committee.leave_reason", cmd.Reason, leaveReasons) && cmd.Reason == LeaveRemoved {
		if vote, ok := c.committee.votes[cmd.VoteID]; !ok || vote.Matter != MatterRemoveMember || !vote.Outcome.Passed {
			v.fail("vote_id", "committee.removal_vote", "removal needs a passed assembly vote on removing the member", "罢免须经业主大会表决通过")
		}
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

func init() {
	registerEvent[ReelectionStarted]()
	registerEvent[CommitteeTermExpired]()
	registerEvent[ArchivesHandedOver]()
	registerEvent[MemberLeft]()
	registerCommand[StartReelection]("start-reelection")
	registerCommand[RecordTermExpiry]("record-term-expiry")
	registerCommand[HandOverArchives]("hand-over-archives")
	registerCommand[RecordMemberLeaving]("record-member-leaving")
}
