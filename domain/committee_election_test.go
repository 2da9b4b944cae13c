package domain

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

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

func TestElectionWhileServingNeedsReelection(t *testing.T) {
	c := fxElected(t)
	fxPassedVote(t, c, "v2", fxDay(2025, 1, 1))
	fxHasViolation(t, fxReject(t, c, ElectCommittee{VoteID: "v2", Members: []string{"c1", "c2", "c3", "c4", "c5"}, TermYears: 5}, fxDay(2025, 1, 1)), "committee.no_reelection", "")
	fxHasViolation(t, fxReject(t, c, ApplyForAssembly{Applicants: 3}, fxDay(2025, 1, 1)), "committee.already_serving", "")
}

// A committee is judged by the due dates of the rules it was elected under:
// a later rule set with longer limits neither excuses nor condemns it.
func TestCommitteeIsJudgedByTheRulesItWasElectedUnder(t *testing.T) {
	under := DefaultRuleBook().At(fxDay(2029, 1, 10))
	under.Committee.FilingWithinDays = 30
	later := under
	later.Name = "later-rules"
	later.Committee.FilingWithinDays, later.Committee.ChairWithinDays, later.Committee.ReelectionLeadMonths = 60, 60, 1
	later.Committee.HandoverWithinDays = 60

	// given: a compound whose second committee was elected under `under`
	at := fxDay(2029, 1, 10)
	given := func() *Compound {
		c := fxElected(t)
		fxDo(t, c, StartReelection{}, fxDay(2028, 11, 1))
		fxDo(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, fxDay(2028, 11, 10))
		for i := 1; i <= 5; i++ {
			id := fmt.Sprintf("n%d", i)
			fxDo(t, c, NominateCandidate{CandidateID: id, Name: id, Unit: id, BirthDate: Date{time.Date(1980, 1, 1, 0, 0, 0, 0, China)}}, fxDay(2028, 12, 1))
			fxDo(t, c, VetCandidate{CandidateID: id, Checks: fxChecks()}, fxDay(2028, 12, 5))
		}
		fxPassedVote(t, c, "v2", at)
		events, err := c.Decide(ElectCommittee{VoteID: "v2", Members: []string{"n1", "n2", "n3", "n4", "n5"}, TermYears: 5}, under, at)
		if err != nil {
			t.Fatal(err)
		}
		c.Evolve(events...)
		return c
	}
	e := given().committee.serving.CommitteeElected
	if e.FilingDue != addDays(at, 30) || e.ChairDue != addDays(at, under.Committee.ChairWithinDays) ||
		e.HandoverDue != addDays(at, under.Committee.HandoverWithinDays) ||
		e.ReelectionDue != endOfDay(e.TermEnd.In(China).AddDate(0, -under.Committee.ReelectionLeadMonths, 0)) {
		t.Fatalf("dues of the election: %+v", e)
	}

	for _, tc := range []struct {
		name string
		when Command
		on   int // days after the election
		then func(on int) []Event
	}{
		{"filing judged against 30 days, not 60", FileCommittee{Authority: "街道"}, 45, func(on int) []Event {
			done := at.AddDate(0, 0, on)
			return append([]Event{CommitteeFiled{Authority: "街道", At: done}},
				lateAlert("committee.filing_late", "filing", addDays(at, 30), done, "committee filed late", "业委会备案逾期")...)
		}},
		{"chair judged against the election's limit", ChooseChair{Chair: "n2"}, 20, func(on int) []Event {
			done := at.AddDate(0, 0, on)
			return append([]Event{ChairChosen{Chair: "n2", At: done}},
				lateAlert("committee.chair_late", "chair", addDays(at, under.Committee.ChairWithinDays), done, "chair chosen late", "主任推选逾期")...)
		}},
		{"handover judged against the election's limit", HandOverArchives{Items: "档案、印章"}, 20, func(on int) []Event {
			done := at.AddDate(0, 0, on)
			return append([]Event{ArchivesHandedOver{Term: 1, Items: "档案、印章", At: done}},
				lateAlert("committee.handover_late", "handover", addDays(at, under.Committee.HandoverWithinDays), done, "archives handed over late", "档案印章移交逾期")...)
		}},
		{"re-election judged against the election's lead time", StartReelection{}, 365*5 - 60, func(on int) []Event {
			done := at.AddDate(0, 0, on)
			due := endOfDay(at.In(China).AddDate(5, -under.Committee.ReelectionLeadMonths, 0))
			return append([]Event{ReelectionStarted{At: done}},
				lateAlert("committee.reelection_late", "re-election", due, done, "re-election started late", "换届启动逾期")...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := given()
			got, err := c.Decide(tc.when, later, at.AddDate(0, 0, tc.on))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.then(tc.on)
			if len(fxAlerts(want)) == 0 {
				t.Fatal("the case must be late under the election's rules")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
