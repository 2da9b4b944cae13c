package domain

import (
	"slices"
	"testing"
	"time"
)

// The listing tests list G1 on Monday 2024-03-04, due Friday 2024-06-28.
// Thursday 2024-05-30 is exactly 20 working days before that deadline (Monday
// 2024-06-10 is the Dragon Boat holiday), and Friday 2024-06-14 the 10th
// working day after a request on 2024-05-30.
var (
	listingDeadline = Date{date(2024, 6, 28)}
	listingLead20   = fxDay(2024, 5, 30)
	listingLead19   = fxDay(2024, 5, 31)
	listingDecideBy = time.Date(2024, 6, 14, 17, 0, 0, 0, China)
	listingDecideAt = fxDay(2024, 6, 17) // one working day late
	listingExtended = Date{date(2024, 8, 30)}
)

func listG1(deadline Date) ListForSupervision {
	return ListForSupervision{ListingID: "G1", Authority: "市住建局", Deadline: deadline, Reason: "投诉量居全市前列"}
}

// listingSteps flags the compound and lists G1 on planDay, then runs cmds at at.
func listingSteps(at time.Time, cmds ...Command) func(*testing.T, *Compound) {
	return func(t *testing.T, c *Compound) {
		disputeDo(t, c, planDay, FlagConflict{Reason: "群体性投诉"}, listG1(listingDeadline))
		disputeDo(t, c, at, cmds...)
	}
}

func listingView(check func(ListingView) bool) func(*testing.T, *Compound, []Event) {
	return func(t *testing.T, c *Compound, _ []Event) {
		if l, ok := c.Listing(); !ok || !check(l) {
			t.Errorf("listing %+v", l)
		}
	}
}

func TestListingList(t *testing.T) {
	flagged := func(t *testing.T, c *Compound) { disputeDo(t, c, planDay, FlagConflict{Reason: "群体性投诉"}) }
	runDisputeCases(t, []disputeCase{
		{name: "list", setup: flagged, cmd: listG1(listingDeadline), at: planDay, check: listingView(func(l ListingView) bool {
			return l.Active && l.Number == 1 && l.ListingID == "G1" && l.ListedAt.Equal(planDay) && l.Deadline == listingDeadline
		})},
		{name: "deadline exactly 365 days on", setup: flagged, cmd: listG1(Date{date(2025, 3, 4)}), at: planDay},
		{name: "deadline 366 days on", setup: flagged, cmd: listG1(Date{date(2025, 3, 5)}), at: planDay, want: []string{"listing.deadline_too_far@deadline"}},
		{name: "deadline on the day of listing", setup: flagged, cmd: listG1(Date{date(2024, 3, 4)}), at: planDay, want: []string{"listing.deadline@deadline"}},
		{name: "not flagged, nothing given", cmd: ListForSupervision{}, at: planDay,
			want: []string{"listing.not_flagged", "field.required@listing_id", "field.required@authority", "field.required@deadline"}},
		{name: "already listed", setup: listingSteps(planDay), cmd: ListForSupervision{ListingID: "G2", Authority: "区住建局", Deadline: listingDeadline}, at: planLater,
			want: []string{"listing.already_active"}},
		{name: "listed again after delisting", setup: listingSteps(planLater, VerifyRemediation{ListingID: "G1", Passed: true}, Delist{ListingID: "G1"}),
			cmd: ListForSupervision{ListingID: "G2", Authority: "区住建局", Deadline: listingExtended}, at: planLater,
			check: listingView(func(l ListingView) bool {
				return l.Active && l.Number == 2 && l.ListingID == "G2" && l.Verification == nil
			})},
	})
	t.Run("the limit comes from the rule set", func(t *testing.T) {
		c := fxCompound(t, 100)
		disputeDo(t, c, planDay, FlagConflict{Reason: "r"})
		rules := DefaultRuleBook().At(planDay)
		rules.Plan.MaxListingDays = 90
		_, err := c.Decide(listG1(listingDeadline), rules, planDay)
		disputeWant(t, err, "listing.deadline_too_far@deadline")
	})
}

func TestListingExtension(t *testing.T) {
	request := RequestListingExtension{ListingID: "G1", NewDeadline: listingExtended, Reason: "维修资金审批未完成"}
	requested := listingSteps(listingLead20, request)
	decided := func(granted bool, deadline Date, alerts ...string) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, c *Compound, events []Event) {
			if got := fxAlerts(events); !slices.Equal(got, alerts) {
				t.Errorf("alerts %v, want %v", got, alerts)
			}
			listingView(func(l ListingView) bool {
				n := &l.ExtensionsRefused
				if granted {
					n = &l.ExtensionsGranted
				}
				return l.PendingExtension == nil && l.Deadline == deadline && *n == 1
			})(t, c, events)
		}
	}
	runDisputeCases(t, []disputeCase{
		{name: "request exactly 20 working days ahead", setup: listingSteps(planDay), cmd: request, at: listingLead20,
			check: listingView(func(l ListingView) bool {
				return l.PendingExtension != nil && l.PendingExtension.NewDeadline == listingExtended && l.Deadline == listingDeadline
			})},
		{name: "request on the weekend before", setup: listingSteps(planDay), cmd: request, at: fxDay(2024, 5, 25)},
		{name: "request 19 working days ahead", setup: listingSteps(planDay), cmd: request, at: listingLead19, want: []string{"listing.extension_too_late"}},
		{name: "request after the deadline, not later, no reason", setup: listingSteps(planDay), at: fxDay(2024, 7, 1),
			cmd:  RequestListingExtension{ListingID: "G1", NewDeadline: listingDeadline},
			want: []string{"listing.extension_too_late", "listing.extension_not_later@new_deadline", "field.required@reason"}},
		{name: "request without a new deadline", setup: listingSteps(planDay), cmd: RequestListingExtension{ListingID: "G1", Reason: "r"}, at: listingLead20,
			want: []string{"field.required@new_deadline"}},
		{name: "request while one is pending", setup: requested, cmd: request, at: listingLead20, want: []string{"listing.extension_pending@listing_id"}},
		{name: "request for an unknown listing", setup: listingSteps(planDay), cmd: RequestListingExtension{ListingID: "G9", NewDeadline: listingExtended, Reason: "r"},
			at: listingLead20, want: []string{"listing.unknown@listing_id"}, code: CodeNotFound},
		{name: "decide without a request", setup: listingSteps(planDay), cmd: DecideListingExtension{ListingID: "G1", Granted: true}, at: listingDecideBy,
			want: []string{"listing.no_extension_request@listing_id"}},
		{name: "grant on the 10th working day", setup: requested, cmd: DecideListingExtension{ListingID: "G1", Granted: true}, at: listingDecideBy,
			check: decided(true, listingExtended)},
		{name: "grant on the 11th working day", setup: requested, cmd: DecideListingExtension{ListingID: "G1", Granted: true}, at: listingDecideAt,
			check: decided(true, listingExtended, "listing.extension_decision_late")},
		{name: "refuse", setup: requested, cmd: DecideListingExtension{ListingID: "G1", Note: "理由不充分"}, at: listingDecideBy,
			check: decided(false, listingDeadline)},
	})
}

func TestListingDelist(t *testing.T) {
	pass := VerifyRemediation{ListingID: "G1", Passed: true, Verifier: "市住建局"}
	fail := VerifyRemediation{ListingID: "G1", Verifier: "市住建局", Note: "仍有积水"}
	runDisputeCases(t, []disputeCase{
		{name: "delist before verification", setup: listingSteps(planDay), cmd: Delist{ListingID: "G1", Published: true}, at: planLater,
			want: []string{"listing.not_verified@listing_id"}, code: CodeRejected},
		{name: "delist after a failed verification", setup: listingSteps(planLater, fail), cmd: Delist{ListingID: "G1", Published: true}, at: planLater,
			want: []string{"listing.not_verified@listing_id"}},
		{name: "verification fails", setup: listingSteps(planDay), cmd: fail, at: planLater,
			check: listingView(func(l ListingView) bool { return l.Verification != nil && !l.Verification.Passed })},
		{name: "verify again after a failure", setup: listingSteps(planLater, fail), cmd: pass, at: planLater,
			check: listingView(func(l ListingView) bool { return l.Verification.Passed && l.Verification.At.Equal(planLater) })},
		{name: "verify again after a pass", setup: listingSteps(planLater, pass), cmd: fail, at: planLater, want: []string{"listing.already_verified@listing_id"}},
		{name: "delist after a pass", setup: listingSteps(planLater, pass), cmd: Delist{ListingID: "G1", Published: true}, at: planLater,
			check: func(t *testing.T, c *Compound, events []Event) {
				listingView(func(l ListingView) bool { return !l.Active && l.Published && l.DelistedAt.Equal(planLater) })(t, c, events)
				if !c.Conflict().Flagged {
					t.Error("delisting unflagged the compound")
				}
			}},
		{name: "delist twice", setup: listingSteps(planLater, pass, Delist{ListingID: "G1"}), cmd: Delist{ListingID: "G1"}, at: planLater,
			want: []string{"listing.delisted@listing_id"}},
		{name: "verify without a listing", cmd: pass, at: planLater, want: []string{"listing.unknown@listing_id"}, code: CodeNotFound},
		{name: "verify without a listing ID", setup: listingSteps(planDay), cmd: VerifyRemediation{Passed: true}, at: planLater,
			want: []string{"field.required@listing_id"}, code: CodeInvalid},
	})
}

func TestEscalation(t *testing.T) {
	escalated := func(listing string, interviews, notices int) func(*testing.T, *Compound, []Event) {
		return func(t *testing.T, c *Compound, events []Event) {
			if e := events[0].(EscalationRecorded); e.ListingID != listing || !e.At.Equal(planLater) {
				t.Errorf("event %+v, want listing %q", e, listing)
			}
			if l, ok := c.Listing(); ok && (l.Interviews != interviews || l.PublicNotices != notices) {
				t.Errorf("listing %+v", l)
			}
		}
	}
	runDisputeCases(t, []disputeCase{
		{name: "interview during a listing", setup: listingSteps(planDay), cmd: RecordEscalation{Kind: EscalationInterview, Target: "某物业总经理"}, at: planLater,
			check: escalated("G1", 1, 0)},
		{name: "public notice during a listing", setup: listingSteps(planDay), cmd: RecordEscalation{Kind: EscalationPublicNotice, Target: "某街道"}, at: planLater,
			check: escalated("G1", 0, 1)},
		{name: "public notice after delisting", setup: listingSteps(planDay, VerifyRemediation{ListingID: "G1", Passed: true}, Delist{ListingID: "G1"}),
			cmd: RecordEscalation{Kind: EscalationPublicNotice, Target: "某物业"}, at: planLater, check: escalated("", 0, 0)},
		{name: "interview without a listing", cmd: RecordEscalation{Kind: EscalationInterview, Target: "某物业"}, at: planLater, check: escalated("", 0, 0)},
		{name: "bad kind, no target", cmd: RecordEscalation{Kind: "warning"}, at: planLater, want: []string{"escalation.kind@kind", "field.required@target"}},
	})
}
