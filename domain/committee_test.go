package domain

import (
	"fmt"
	"testing"
	"time"
)

var fxGroup = []GroupMember{{Name: "街道代表", Role: RoleStreet, Leader: true}, {Name: "业主甲", Role: RoleOwner},
	{Name: "业主乙", Role: RoleOwner}, {Name: "业主丙", Role: RoleOwner}, {Name: "社区代表", Role: RoleCommunity}}

// fxChecks is a full vetting with every check passed but those named.
func fxChecks(failed ...string) []CheckResult {
	var out []CheckResult
	for _, k := range DefaultRuleBook().At(fxDay(2024, 1, 1)).Committee.VettingChecks {
		passed := true
		for _, f := range failed {
			passed = passed && f != k
		}
		out = append(out, CheckResult{Check: k, Passed: passed, Evidence: "材料" + k})
	}
	return out
}

// fxCandidates applies, forms the group and nominates and vets n
// candidates c1…cn born in 1970, starting on day at.
func fxCandidates(t *testing.T, c *Compound, at time.Time, n int) {
	t.Helper()
	fxDo(t, c, ApplyForAssembly{Applicants: 20}, at)
	fxDo(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, at.AddDate(0, 0, 10))
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("c%d", i)
		fxDo(t, c, NominateCandidate{CandidateID: id, Name: "候选人" + id, Unit: "1-" + id, BirthDate: Date{time.Date(1970, 5, 1, 0, 0, 0, 0, China)},
			Background: Background{PartyMember: i%2 == 1}}, at.AddDate(0, 0, 20))
		fxDo(t, c, VetCandidate{CandidateID: id, Checks: fxChecks()}, at.AddDate(0, 0, 25))
	}
}

// fxPassedVote records a passed election vote.
func fxPassedVote(t *testing.T, c *Compound, id string, at time.Time) {
	t.Helper()
	tally := Tally{TotalArea: SquareMetres(1000), TotalOwners: 50, ParticipatingArea: SquareMetres(800), ParticipatingOwners: 40, YesArea: SquareMetres(700), YesOwners: 35}
	fxDo(t, c, HoldAssemblyVote{VoteID: id, Matter: MatterElectCommittee, Subject: "选举业委会", Tally: &tally}, at)
}

// fxElected is a compound whose first committee (c1…c5, alternates c6, c7,
// chair c1) was elected on 2024-03-01 for five years.
func fxElected(t *testing.T) *Compound {
	t.Helper()
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 7)
	fxPassedVote(t, c, "v1", fxDay(2024, 3, 1))
	fxDo(t, c, ElectCommittee{VoteID: "v1", Members: []string{"c1", "c2", "c3", "c4", "c5"}, Alternates: []string{"c6", "c7"}, TermYears: 5, Chair: "c1"}, fxDay(2024, 3, 1))
	return c
}

func TestPartyBuildingFigures(t *testing.T) {
	c := fxElected(t)
	fxDo(t, c, EstablishPartyBranch{Branch: "阳光花园党支部", Secretary: "候选人c1"}, fxDay(2024, 4, 1))
	fxDo(t, c, RecordTraining{Organiser: "区住建局", Members: []string{"c1", "c2"}, Hours: 4}, fxDay(2024, 4, 2))
	fxHasViolation(t, fxReject(t, c, RecordTraining{Organiser: "区住建局", Members: []string{"c9"}, Hours: 4}, fxDay(2024, 4, 2)), "committee.not_member", "members[0]")
	fxDo(t, c, HoldJointMeeting{MeetingID: "m1", Attendees: []string{"党支部", "业委会", "物业"}, Decisions: []string{"整改停车"}}, fxDay(2024, 4, 3))
	v := c.Committee().Serving
	if v.PartyMembers != 3 || v.TrainedMembers != 2 || !v.DualRole {
		t.Fatalf("party members %d (want 3 of c1…c5), trained %d (want 2), dual role %v (want true)", v.PartyMembers, v.TrainedMembers, v.DualRole)
	}
	fxHasViolation(t, fxReject(t, fxCompound(t, 10), HoldJointMeeting{MeetingID: "m", Attendees: []string{"a"}}, fxDay(2024, 1, 1)), "joint_meeting.no_branch", "")
}
