package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestReelectionExpiryAndHandover(t *testing.T) {
	// Term ends 2029-03-01; re-election is due three months ahead, by 2028-12-01.
	for _, tc := range []struct {
		at    time.Time
		alert bool
	}{{fxDay(2028, 12, 1), false}, {fxDay(2028, 12, 2), true}} {
		c := fxElected(t)
		if got := fxAlerts(fxDo(t, c, StartReelection{}, tc.at)); (len(got) == 1) != tc.alert {
			t.Errorf("re-election on %s: alerts %v, want alert=%v", tc.at.Format(time.DateOnly), got, tc.alert)
		}
		if c.Committee().Phase != "reelection" {
			t.Errorf("phase %s", c.Committee().Phase)
		}
	}

	c := fxElected(t)
	fxHasViolation(t, fxReject(t, c, RecordTermExpiry{}, fxDay(2029, 2, 28)), "committee.term_running", "")
	events := fxDo(t, c, RecordTermExpiry{}, fxDay(2029, 3, 2))
	if a := fxAlerts(events); len(a) != 1 || a[0] != "committee.expired_without_reelection" {
		t.Fatalf("expiry without re-election: alerts %v", a)
	}
	if v := c.Committee(); v.Phase != "expired" || !v.Serving.Expired {
		t.Fatalf("after expiry: %+v", v)
	}
	fxHasViolation(t, fxReject(t, c, FileCommittee{Authority: "x"}, fxDay(2029, 3, 3)), "committee.none", "")

	// A second term: re-election, new group and candidates, election, handover.
	c = fxElected(t)
	fxDo(t, c, StartReelection{}, fxDay(2028, 11, 1))
	if a := fxAlerts(fxDo(t, c, RecordTermExpiry{}, fxDay(2029, 3, 2))); len(a) != 0 {
		t.Errorf("expiry after a started re-election raised %v", a)
	}
	fxDo(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, fxDay(2028, 11, 10))
	fxHasViolation(t, fxReject(t, c, HandOverArchives{Items: "档案、印章"}, fxDay(2028, 11, 11)), "committee.no_handover", "")
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("n%d", i)
		fxDo(t, c, NominateCandidate{CandidateID: id, Name: id, Unit: id, BirthDate: Date{time.Date(1980, 1, 1, 0, 0, 0, 0, China)}}, fxDay(2028, 12, 1))
		fxDo(t, c, VetCandidate{CandidateID: id, Checks: fxChecks()}, fxDay(2028, 12, 5))
	}
	fxPassedVote(t, c, "v2", fxDay(2029, 1, 10))
	e := fxDo(t, c, ElectCommittee{VoteID: "v2", Members: []string{"n1", "n2", "n3", "n4", "n5"}, TermYears: 5, Chair: "n1"}, fxDay(2029, 1, 10))
	if e[0].(CommitteeElected).Term != 2 {
		t.Errorf("second election is term %d", e[0].(CommitteeElected).Term)
	}
	if !c.Committee().HandoverPending {
		t.Fatal("no handover pending after a new committee")
	}
	if a := fxAlerts(fxDo(t, c, HandOverArchives{Items: "档案、印章"}, fxDay(2029, 1, 21))); len(a) != 1 || a[0] != "committee.handover_late" {
		t.Errorf("handover after 11 days: alerts %v", a)
	}
}

func TestMembersLeavingAndAlternates(t *testing.T) {
	c := fxElected(t)
	at := fxDay(2025, 5, 1)
	fxDo(t, c, RecordMemberLeaving{CandidateID: "c3", Reason: LeaveResigned, Replacement: "c6"}, at)
	v := c.Committee().Serving
	if len(v.Members) != 5 || v.Members[2].CandidateID != "c6" || len(v.Alternates) != 1 {
		t.Fatalf("after c3 resigned for c6: %+v", v)
	}
	fxHasViolation(t, fxReject(t, c, RecordMemberLeaving{CandidateID: "c3", Reason: LeaveResigned}, at), "committee.not_member", "candidate_id")
	fxHasViolation(t, fxReject(t, c, RecordMemberLeaving{CandidateID: "c2", Reason: LeaveRemoved}, at), "committee.removal_vote", "vote_id")
	fxHasViolation(t, fxReject(t, c, RecordMemberLeaving{CandidateID: "c2", Reason: "bored"}, at), "committee.leave_reason", "reason")
	fxHasViolation(t, fxReject(t, c, RecordMemberLeaving{CandidateID: "c2", Reason: LeaveAbsent, Replacement: "c4"}, at), "committee.replacement_not_alternate", "replacement")
	tally := Tally{TotalArea: SquareMetres(1000), TotalOwners: 100, ParticipatingArea: SquareMetres(800), ParticipatingOwners: 80, YesArea: SquareMetres(700), YesOwners: 70}
	fxDo(t, c, HoldAssemblyVote{VoteID: "rm", Matter: MatterRemoveMember, Subject: "罢免c1", Tally: &tally}, at)
	fxDo(t, c, RecordMemberLeaving{CandidateID: "c1", Reason: LeaveRemoved, VoteID: "rm"}, at)
	if v := c.Committee().Serving; len(v.Members) != 4 || v.Chair != "" {
		t.Fatalf("after removing the chair: %+v", v)
	}
}
