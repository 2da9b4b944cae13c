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
	tally := Tally{TotalArea: SquareMetres(1000), TotalOwners: 100, ParticipatingArea: SquareMetres(800), ParticipatingOwners: 80, YesArea: SquareMetres(700), YesOwners: 70}
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

func TestApplyForAssemblyNeedsMoreThanHalfDelivered(t *testing.T) {
	for _, tc := range []struct {
		delivered Area
		ok        bool
	}{{SquareMetres(500), false}, {SquareMetres(500) + 1, true}} {
		c := fxCompound(t, 10) // 1,000 m²
		c.Evolve(DeliveredAreaUpdated{DeliveredArea: tc.delivered})
		_, err := c.Decide(ApplyForAssembly{Applicants: 5}, DefaultRuleBook().At(fxDay(2024, 1, 1)), fxDay(2024, 1, 1))
		if (err == nil) != tc.ok {
			t.Errorf("delivered %s of 1000: err=%v, want ok=%v", tc.delivered, err, tc.ok)
		}
		if !tc.ok {
			fxHasViolation(t, err, "committee.not_eligible", "")
		}
	}
}

func TestPreparatoryGroupComposition(t *testing.T) {
	street := GroupMember{Name: "街", Role: RoleStreet, Leader: true}
	owner := func(n string) GroupMember { return GroupMember{Name: n, Role: RoleOwner} }
	other := func(n string) GroupMember { return GroupMember{Name: n, Role: RoleCommunity} }
	cases := []struct {
		name    string
		members []GroupMember
		posted  bool
		rule    string // "" means accepted
	}{
		{"five, three owners, led by the street", []GroupMember{street, owner("a"), owner("b"), owner("c"), other("d")}, true, ""},
		{"three, two owners", []GroupMember{street, owner("a"), owner("b")}, true, ""},
		{"even size", []GroupMember{street, owner("a"), owner("b"), other("d")}, true, "prep_group.size_odd"},
		{"owners below half: 2 of 5", []GroupMember{street, owner("a"), owner("b"), other("c"), other("d")}, true, "prep_group.owner_share"},
		{"led by an owner", []GroupMember{{Name: "街", Role: RoleStreet}, {Name: "a", Role: RoleOwner, Leader: true}, owner("b")}, true, "prep_group.leader_not_street"},
		{"no leader", []GroupMember{{Name: "街", Role: RoleStreet}, owner("a"), owner("b")}, true, "prep_group.one_leader"},
		{"not posted", []GroupMember{street, owner("a"), owner("b")}, false, "prep_group.not_posted"},
		{"unknown role", []GroupMember{street, owner("a"), {Name: "x", Role: "mayor"}}, true, "prep_group.role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fxCompound(t, 500)
			fxDo(t, c, ApplyForAssembly{Applicants: 3}, fxDay(2024, 1, 2))
			cmd := FormPreparatoryGroup{Members: tc.members, Posted: tc.posted}
			if tc.rule == "" {
				fxDo(t, c, cmd, fxDay(2024, 1, 20))
				return
			}
			fxHasViolation(t, fxReject(t, c, cmd, fxDay(2024, 1, 20)), tc.rule, "")
		})
	}
	c := fxCompound(t, 500)
	fxHasViolation(t, fxReject(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, fxDay(2024, 1, 2)), "prep_group.no_application", "")
}

func TestPreparatoryGroupLateIsAnAlert(t *testing.T) {
	for _, tc := range []struct {
		days  int
		alert bool
	}{{60, false}, {61, true}} {
		c := fxCompound(t, 500)
		fxDo(t, c, ApplyForAssembly{Applicants: 3}, fxDay(2024, 1, 2))
		events := fxDo(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, fxDay(2024, 1, 2).AddDate(0, 0, tc.days))
		if got := len(fxAlerts(events)) == 1; got != tc.alert {
			t.Errorf("group after %d days: alert=%v, want %v", tc.days, got, tc.alert)
		}
	}
}

func TestVettingChecks(t *testing.T) {
	rules := DefaultRuleBook().At(fxDay(2024, 1, 1)).Committee
	for _, check := range rules.VettingChecks {
		t.Run("failing "+check, func(t *testing.T) {
			c := fxCompound(t, 500)
			fxCandidates(t, c, fxDay(2024, 1, 2), 0)
			fxDo(t, c, NominateCandidate{CandidateID: "x", Name: "甲", Unit: "1-1", BirthDate: Date{time.Date(1940, 1, 1, 0, 0, 0, 0, China)}}, fxDay(2024, 2, 1))
			checks := fxChecks(check)
			if check != CheckAge {
				checks = fxChecks(check, CheckAge) // born 1940: 84, outside the age range
			}
			events := fxDo(t, c, VetCandidate{CandidateID: "x", Checks: checks}, fxDay(2024, 2, 2))
			vetted := events[0].(CandidateVetted)
			if vetted.Eligible || len(vetted.Failed) == 0 {
				t.Fatalf("candidate failing %s is eligible: %+v", check, vetted)
			}
			fxPassedVote(t, c, "v", fxDay(2024, 3, 1))
			err := fxReject(t, c, ElectCommittee{VoteID: "v", Members: []string{"x"}, TermYears: 5}, fxDay(2024, 3, 1))
			fxHasViolation(t, err, "committee.member_ineligible", "members[0]")
		})
	}
}

func TestVettingValidation(t *testing.T) {
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 0)
	born := func(y, m, d int) Date { return Date{time.Date(y, time.Month(m), d, 0, 0, 0, 0, China)} }
	fxDo(t, c, NominateCandidate{CandidateID: "old", Name: "老", Unit: "1", BirthDate: born(1949, 3, 1)}, fxDay(2024, 2, 1))
	fxDo(t, c, NominateCandidate{CandidateID: "young", Name: "少", Unit: "2", BirthDate: born(2006, 3, 2)}, fxDay(2024, 2, 1))
	// On 2024-03-01: "old" is 75 (in range), "young" is 17 (one day short of 18).
	at := fxDay(2024, 3, 1)
	fxDo(t, c, VetCandidate{CandidateID: "old", Checks: fxChecks()}, at)
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "young", Checks: fxChecks()}, at), "vetting.age_mismatch", "checks[2].passed")
	fxDo(t, c, VetCandidate{CandidateID: "young", Checks: fxChecks(CheckAge)}, at)
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: fxChecks(CheckAge)}, at), "vetting.age_mismatch", "")
	// Turning 76 puts "old" outside the range.
	fxDo(t, c, VetCandidate{CandidateID: "old", Checks: fxChecks(CheckAge)}, fxDay(2025, 3, 1))

	missing := fxChecks()[1:]
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: missing}, at), "vetting.missing_check", "checks")
	unknown := append(fxChecks(), CheckResult{Check: "likes_dogs", Passed: true, Evidence: "x"})
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: unknown}, at), "vetting.unknown_check", "checks[9].check")
	noEvidence := fxChecks()
	noEvidence[4].Evidence = ""
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: noEvidence}, at), "field.required", "checks[4].evidence")
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "nobody", Checks: fxChecks()}, at), "candidate.unknown", "candidate_id")
}

func TestCommitteeSizeOddnessAlternatesAndTerm(t *testing.T) {
	ids := func(n int) []string {
		var out []string
		for i := 1; i <= n; i++ {
			out = append(out, fmt.Sprintf("c%d", i))
		}
		return out
	}
	cases := []struct {
		name       string
		households int
		members    int
		alternates int
		term       int
		rules      []string
	}{
		{"five members", 500, 5, 0, 5, nil},
		{"eleven members", 500, 11, 0, 5, nil},
		{"three members in a big compound", 500, 3, 0, 5, []string{"committee.size"}},
		{"three members under 100 households", 99, 3, 0, 5, nil},
		{"three members at exactly 100 households", 100, 3, 0, 5, []string{"committee.size"}},
		{"thirteen members", 500, 13, 0, 5, []string{"committee.size"}},
		{"six members", 500, 6, 0, 5, []string{"committee.size_odd"}},
		{"two alternates for five (40%)", 500, 5, 2, 5, nil},
		{"three alternates for five (60%)", 500, 5, 3, 5, []string{"committee.alternates"}},
		{"four alternates for eleven (36%)", 500, 11, 4, 5, nil},
		{"five alternates for eleven (45%)", 500, 11, 5, 5, []string{"committee.alternates"}},
		{"six-year term", 500, 5, 0, 6, []string{"committee.term"}},
		{"zero-year term", 500, 5, 0, 0, []string{"committee.term"}},
		{"everything wrong at once", 500, 4, 3, 6, []string{"committee.size_odd", "committee.alternates", "committee.term"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fxCompound(t, tc.households)
			fxCandidates(t, c, fxDay(2024, 1, 2), 16)
			fxPassedVote(t, c, "v", fxDay(2024, 3, 1))
			all := ids(tc.members + tc.alternates)
			cmd := ElectCommittee{VoteID: "v", Members: all[:tc.members], Alternates: all[tc.members:], TermYears: tc.term}
			if tc.rules == nil {
				e := fxDo(t, c, cmd, fxDay(2024, 3, 1))[0].(CommitteeElected)
				if want := fxDay(2024, 3, 1).AddDate(tc.term, 0, 0); !e.TermEnd.Equal(want) {
					t.Errorf("term end %s, want %s", e.TermEnd, want)
				}
				return
			}
			err := fxReject(t, c, cmd, fxDay(2024, 3, 1))
			for _, r := range tc.rules {
				fxHasViolation(t, err, r, "")
			}
		})
	}
}

func TestElectionNeedsAPassedElectionVoteAndVettedCandidates(t *testing.T) {
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 5)
	fxDo(t, c, NominateCandidate{CandidateID: "new", Name: "新", Unit: "9", BirthDate: Date{time.Date(1980, 1, 1, 0, 0, 0, 0, China)}}, fxDay(2024, 2, 1))
	failed := Tally{TotalArea: SquareMetres(1000), TotalOwners: 100, ParticipatingArea: SquareMetres(800), ParticipatingOwners: 80, YesArea: SquareMetres(300), YesOwners: 30}
	fxDo(t, c, HoldAssemblyVote{VoteID: "lost", Matter: MatterElectCommittee, Subject: "选举", Tally: &failed}, fxDay(2024, 3, 1))
	fxPassedVote(t, c, "rules", fxDay(2024, 3, 1))
	c.committee.votes["rules"] = func() AssemblyVoteHeld { v := c.committee.votes["rules"]; v.Matter = MatterAmendRules; return v }()
	five := []string{"c1", "c2", "c3", "c4", "c5"}
	at := fxDay(2024, 3, 2)
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "lost", Members: five, TermYears: 5}, at), "committee.vote_failed", "vote_id")
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "rules", Members: five, TermYears: 5}, at), "committee.vote_matter", "vote_id")
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "none", Members: five, TermYears: 5}, at), "committee.vote_unknown", "vote_id")
	fxPassedVote(t, c, "v", at)
	err := fxReject(t, c, ElectCommittee{VoteID: "v", Members: []string{"c1", "c2", "c3", "new", "ghost"}, TermYears: 5}, at)
	fxHasViolation(t, err, "committee.member_not_vetted", "members[3]")
	fxHasViolation(t, err, "committee.member_not_candidate", "members[4]")
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "v", Members: []string{"c1", "c1", "c3", "c4", "c5"}, TermYears: 5}, at), "committee.member_duplicate", "members[1]")
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "v", Members: five, TermYears: 5, Chair: "c9"}, at), "committee.chair_not_member", "chair")
}

func TestChairFilingAndTheirDeadlines(t *testing.T) {
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 5)
	fxPassedVote(t, c, "v", fxDay(2024, 3, 1))
	fxDo(t, c, ElectCommittee{VoteID: "v", Members: []string{"c1", "c2", "c3", "c4", "c5"}, TermYears: 5}, fxDay(2024, 3, 1))
	if a := fxAlerts(fxDo(t, c, ChooseChair{Chair: "c2", ViceChairs: []string{"c3"}}, fxDay(2024, 3, 8))); len(a) != 0 {
		t.Errorf("chair on day 7: alerts %v", a)
	}
	fxHasViolation(t, fxReject(t, c, ChooseChair{Chair: "c2", ViceChairs: []string{"c2"}}, fxDay(2024, 3, 9)), "committee.vice_chair", "vice_chairs[0]")

	late := fxElected(t)
	late.committee.serving.chair, late.committee.serving.chairChosen = "", false
	if a := fxAlerts(fxDo(t, late, ChooseChair{Chair: "c2"}, fxDay(2024, 3, 9))); len(a) != 1 || a[0] != "committee.chair_late" {
		t.Errorf("chair on day 8: alerts %v", a)
	}

	for _, tc := range []struct {
		day   int
		alert bool
	}{{30, false}, {31, true}} {
		c := fxElected(t)
		events := fxDo(t, c, FileCommittee{Authority: "区住建局"}, fxDay(2024, 3, 1).AddDate(0, 0, tc.day))
		if got := fxAlerts(events); (len(got) == 1) != tc.alert {
			t.Errorf("filing on day %d: alerts %v, want alert=%v", tc.day, got, tc.alert)
		}
		if !c.Committee().Serving.Filed {
			t.Error("not filed")
		}
		fxHasViolation(t, fxReject(t, c, FileCommittee{Authority: "区住建局"}, fxDay(2024, 5, 1)), "committee.already_filed", "")
	}
}

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

func TestElectionWhileServingNeedsReelection(t *testing.T) {
	c := fxElected(t)
	fxPassedVote(t, c, "v2", fxDay(2025, 1, 1))
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "v2", Members: []string{"c1", "c2", "c3", "c4", "c5"}, TermYears: 5}, fxDay(2025, 1, 1)), "committee.no_reelection", "")
	fxHasViolation(t, fxReject(t, c, ApplyForAssembly{Applicants: 3}, fxDay(2025, 1, 1)), "committee.already_serving", "")
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

func TestInterimCommission(t *testing.T) {
	fxHasViolation(t, fxReject(t, fxElected(t), FormInterimCommission{Chair: "居委会主任", Members: []string{"a"}}, fxDay(2025, 1, 1)), "interim.committee_serving", "")
	for _, tc := range []struct {
		day   int
		alert bool
	}{{30, false}, {31, true}} {
		c := fxCompound(t, 500)
		fxDo(t, c, FormInterimCommission{Chair: "居委会主任", Members: []string{"a", "b", "c"}}, fxDay(2024, 1, 1))
		got := fxAlerts(fxDo(t, c, FileInterimCommission{Authority: "街道"}, fxDay(2024, 1, 1).AddDate(0, 0, tc.day)))
		if (len(got) == 1) != tc.alert {
			t.Errorf("interim filing on day %d: %v", tc.day, got)
		}
		if v := c.Committee(); v.Phase != "interim" || !v.Interim.Filed {
			t.Errorf("view %+v", v)
		}
	}
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
