// Package projectiontest records small hand-made cities through the real
// command service, so that the projections' tests fold real events.
package projectiontest

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// At is hour h of a day, China time.
func At(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, domain.China) }

// City is a memory store and a command service over it.
type City struct {
	t     testing.TB
	Store *memory.Store
	Svc   *app.Service
}

// NewCity judges commands by book; now is the service clock (recorded-at).
func NewCity(t testing.TB, book domain.RuleBook, now time.Time) *City {
	store := memory.NewStore()
	return &City{t: t, Store: store, Svc: app.NewService(store, book, app.WithClock(func() time.Time { return now }),
		app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))))}
}

// Do records commands on a compound at a business time; a rejection fails the test.
func (c *City) Do(id string, when time.Time, cmds ...domain.Command) {
	c.t.Helper()
	for _, cmd := range cmds {
		if _, err := c.Svc.Execute(context.Background(), id, cmd, app.Meta{OccurredAt: when}); err != nil {
			c.t.Fatalf("%s %T at %s: %v", id, cmd, when, err)
		}
	}
}

// Fold applies what was recorded since p's position.
func (c *City) Fold(p projections.Projection) {
	c.t.Helper()
	Fold(c.t, c.Store, p)
}

// Fold applies a store's log after p's position.
func Fold(t testing.TB, store domain.EventStore, p projections.Projection) {
	t.Helper()
	events, err := store.ReadAll(context.Background(), p.Position(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := p.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
}

// NewTestCity records the city every projection is checked on (Run): the
// demo generator's small city, and two hand-made compounds for the events
// it never makes, each left where its handlers' effects still show: X with
// a committee that lapses unfiled, an interim commission, a plan and a
// listing closed, a lost suit, complaints returned, extended and reopened;
// Y a red property with a re-election under way, a complaint (another voided, one's
// category amended), a plan and an extended listing still open, renamed, its
// households corrected and moved to another street.
func NewTestCity(t testing.TB) *City {
	t.Helper()
	c := NewCity(t, domain.DefaultRuleBook(), At(2026, 6, 1, 12))
	cfg := demo.Config{Seed: 12345, Districts: 1, StreetsPerDistrict: 2, CompoundsPerStreet: 4, Year: 2025}
	if _, err := demo.Load(context.Background(), c.Svc, cfg, 1, nil); err != nil {
		t.Fatal(err)
	}
	register := func(id string, delivered domain.Area) {
		c.Do(id, At(2019, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + id, District: "城东区", Street: "东湖街道",
			Community: "东湖社区", Kind: domain.KindCommercial, Households: 1000, PrivateArea: 100000, DeliveredArea: delivered, PropertyCompany: "甲物业"}})
	}
	register("X", 40000)
	c.Do("X", At(2019, 6, 1, 9), domain.UpdateDeliveredArea{DeliveredArea: 60000})
	c.elect("X", At(2019, 9, 2, 9))
	c.Do("X", At(2020, 6, 1, 9), domain.RecordMemberLeaving{CandidateID: "c5", Reason: domain.LeaveResigned})
	c.Do("X", At(2025, 2, 3, 9), domain.RecordTermExpiry{})
	c.Do("X", At(2025, 3, 3, 9), domain.FormInterimCommission{Chair: "居委会", Members: []string{"甲", "乙"}})
	c.Do("X", At(2025, 3, 10, 9), domain.FileInterimCommission{Authority: "东湖街道"})
	c.Do("X", At(2025, 4, 1, 9), domain.ChangePropertyCompany{Company: "乙物业"})
	c.Do("X", At(2025, 4, 2, 9), domain.RecordEnforcement{Violation: domain.ViolationOther, Penalty: "警告"})
	c.Do("X", At(2025, 4, 3, 9), domain.FileLawsuit{LawsuitFiling: domain.LawsuitFiling{LawsuitID: "S1", Plaintiff: "乙物业", Defendant: "业主",
		Cause: domain.CauseFeeArrears, AmountFen: 100000, CompanySide: domain.SidePlaintiff}})
	c.Do("X", At(2025, 5, 6, 9), domain.ConcludeLawsuit{LawsuitID: "S1", Outcome: domain.OutcomeJudged, Prevailing: domain.SideDefendant})
	c.receive("X", "k1", At(2025, 5, 5, 9))
	c.Do("X", At(2025, 5, 5, 10), domain.DispatchComplaint{ComplaintID: "k1", Unit: "城管局"},
		domain.ReturnComplaint{ComplaintID: "k1", Reason: "非本单位"})
	c.receive("X", "k2", At(2025, 5, 5, 11))
	c.Do("X", At(2025, 5, 5, 12), domain.DispatchComplaint{ComplaintID: "k2", Unit: "乙物业"}, domain.AcceptComplaint{ComplaintID: "k2"},
		domain.RequestComplaintExtension{ComplaintID: "k2", WorkingDays: 5, Reason: "工程量大"},
		domain.DecideComplaintExtension{ComplaintID: "k2", Granted: true, WorkingDays: 5})
	c.receive("X", "k3", At(2025, 5, 6, 9))
	c.Do("X", At(2025, 5, 6, 10), domain.DispatchComplaint{ComplaintID: "k3", Unit: "乙物业"}, domain.AcceptComplaint{ComplaintID: "k3"},
		domain.ResolveComplaint{ComplaintID: "k3", Outcome: "已处理"})
	c.Do("X", At(2025, 5, 7, 9), domain.FollowUpComplaint{ComplaintID: "k3", Satisfaction: domain.Dissatisfied},
		domain.ReopenComplaint{ComplaintID: "k3", Reason: "不满意"})
	c.plan("X", At(2025, 6, 2, 9))
	c.Do("X", At(2025, 7, 1, 9), domain.VerifyMeasure{MeasureID: "m1", Passed: true, Verifier: "住建局"}, domain.SignOffMeasure{MeasureID: "m1"},
		domain.VerifyMeasure{MeasureID: "m2", Passed: true, Verifier: "住建局"}, domain.SignOffMeasure{MeasureID: "m2"}, domain.SignOffPlan{})
	c.Do("X", At(2025, 8, 1, 9), domain.VerifyRemediation{ListingID: "L1", Passed: true, Verifier: "住建局"},
		domain.Delist{ListingID: "L1", Published: true}, domain.UnflagConflict{})

	register("Y", 100000)
	c.elect("Y", At(2021, 3, 1, 9))
	c.Do("Y", At(2024, 6, 1, 9), domain.SetRedFlags{RedProperty: true})
	c.Do("Y", At(2025, 10, 1, 9), domain.StartReelection{})
	c.receive("Y", "k1", At(2025, 5, 5, 9))
	c.receive("Y", "k2", At(2025, 5, 6, 9))
	c.Do("Y", At(2025, 5, 7, 9), domain.VoidComplaint{ComplaintID: "k2", Reason: "重复录入"},
		domain.AmendComplaintCategory{ComplaintID: "k1", Category: domain.CategoryParking, Reason: "类别选错"})
	households := 900
	c.Do("Y", At(2025, 11, 3, 9), domain.RenameCompound{Name: "小区Y（更名）", Reason: "更名"},
		domain.CorrectCompoundFigures{Households: &households, Reason: "普查"},
		domain.MoveCompound{District: "城东区", Street: "西湖街道", Community: "西湖社区", From: domain.NewDate(At(2025, 11, 1, 0)), Reason: "区划调整"})
	c.plan("Y", At(2025, 6, 2, 9))
	c.Do("Y", At(2025, 10, 1, 9), domain.RequestListingExtension{ListingID: "L1", NewDeadline: domain.NewDate(At(2026, 3, 31, 0)), Reason: "工程量大"},
		domain.DecideListingExtension{ListingID: "L1", Granted: true})
	return c
}

// elect elects a committee of five (c1 to c5, c1 the chair) for five years.
func (c *City) elect(id string, start time.Time) {
	c.t.Helper()
	c.Do(id, start, domain.ApplyForAssembly{Applicants: 10})
	c.Do(id, start.AddDate(0, 0, 10), domain.FormPreparatoryGroup{Posted: true, Members: []domain.GroupMember{
		{Name: "街道", Role: domain.RoleStreet, Leader: true}, {Name: "甲", Role: domain.RoleOwner}, {Name: "乙", Role: domain.RoleOwner}}})
	var checks []domain.CheckResult
	for _, k := range domain.DefaultRuleBook().At(start).Committee.VettingChecks {
		checks = append(checks, domain.CheckResult{Check: k, Passed: true, Evidence: "证明"})
	}
	for i := 1; i <= 5; i++ {
		cid := fmt.Sprintf("c%d", i)
		c.Do(id, start.AddDate(0, 0, 20), domain.NominateCandidate{CandidateID: cid, Name: "委员" + cid, Unit: cid,
			BirthDate: domain.NewDate(At(1970, 1, 1, 0)), Background: domain.Background{PartyMember: i <= 3}},
			domain.VetCandidate{CandidateID: cid, Checks: checks})
	}
	tally := domain.Tally{TotalArea: 1000, TotalOwners: 100, ParticipatingArea: 900, ParticipatingOwners: 90, YesArea: 800, YesOwners: 80}
	c.Do(id, start.AddDate(0, 0, 30), domain.HoldAssemblyVote{VoteID: "v", Matter: domain.MatterElectCommittee, Subject: "选举", Tally: &tally},
		domain.ElectCommittee{VoteID: "v", Members: []string{"c1", "c2", "c3", "c4", "c5"}, TermYears: 5, Chair: "c1"})
}

func (c *City) receive(id, complaint string, when time.Time) {
	c.t.Helper()
	c.Do(id, when, domain.ReceiveComplaint{ComplaintID: complaint, Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
		Category: domain.CategoryFees, Summary: "x"})
}

// plan flags a conflict, adopts a plan of m1, adds m2, and lists the compound (L1).
func (c *City) plan(id string, when time.Time) {
	c.t.Helper()
	c.Do(id, when, domain.FlagConflict{Reason: "投诉多"}, domain.AdoptPlan{Problems: []domain.Problem{{ID: "P", Description: "服务差"}},
		Measures: []domain.Measure{{ID: "m1", ProblemID: "P", Description: "保洁", ResponsibleUnit: "物业",
			Deadline: domain.NewDate(when.AddDate(0, 2, 0)), Term: domain.TermShort}},
		CaseLeader: domain.CaseLeader{Name: "王", Title: "副主任"}})
	c.Do(id, when.AddDate(0, 0, 1), domain.AddMeasure{Measure: domain.Measure{ID: "m2", ProblemID: "P", Description: "维修",
		ResponsibleUnit: "街道", Deadline: domain.NewDate(when.AddDate(0, 3, 0)), Term: domain.TermShort}})
	c.Do(id, when.AddDate(0, 0, 2), domain.ListForSupervision{ListingID: "L1", Authority: "区住建局", Deadline: domain.NewDate(when.AddDate(0, 6, 0))})
}
