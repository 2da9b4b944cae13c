package domain

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

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

// An interim commission's filing is judged by the limit in force when it
// was formed.
func TestInterimFilingIsJudgedByTheRulesItWasFormedUnder(t *testing.T) {
	formed := fxDay(2024, 3, 1)
	under := DefaultRuleBook().At(formed)
	under.Committee.InterimFilingWithinDays = 30
	later := under
	later.Committee.InterimFilingWithinDays = 60

	c := fxCompound(t, 50)
	events, err := c.Decide(FormInterimCommission{Chair: "居委会", Members: []string{"甲"}}, under, formed)
	if err != nil {
		t.Fatal(err)
	}
	c.Evolve(events...)
	done := formed.AddDate(0, 0, 45)
	got, err := c.Decide(FileInterimCommission{Authority: "街道"}, later, done)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Event{InterimCommissionFiled{Authority: "街道", At: done}},
		lateAlert("interim.filing_late", "interim filing", addDays(formed, 30), done, "interim commission filed late", "物管会备案逾期")...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
