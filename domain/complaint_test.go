package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// ctMonday is a working Monday morning in China; the tests count from it.
var ctMonday = time.Date(2024, 3, 4, 9, 0, 0, 0, China)

// ctDecide decides cmd under the default rules in force at at and applies
// what it decides.
func ctDecide(c *Compound, cmd Command, at time.Time) ([]Event, error) {
	events, err := c.Decide(cmd, DefaultRuleBook().At(at), at)
	if err == nil {
		c.Evolve(events...)
	}
	return events, err
}

// steps runs cmds one hour apart after at and returns the last time used.
func ctSteps(t *testing.T, c *Compound, at time.Time, cmds ...Command) time.Time {
	t.Helper()
	for _, cmd := range cmds {
		at = at.Add(time.Hour)
		if _, err := ctDecide(c, cmd, at); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	return at
}

// ctWantViolation checks err has the code and a violation of rule on field.
func ctWantViolation(t *testing.T, err error, code Code, rule, field string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s %s, got %v", code, rule, err)
	}
	if e.Code != code {
		t.Errorf("code = %s, want %s (%v)", e.Code, code, err)
	}
	for _, v := range e.Violations {
		if v.Rule == rule && v.Field == field {
			if v.Message == "" || v.MessageZH == "" {
				t.Errorf("%s: message missing in a language: %+v", rule, v)
			}
			return e
		}
	}
	t.Errorf("no violation %s on %q in %v", rule, field, err)
	return e
}

func ctView(t *testing.T, c *Compound, id string) ComplaintView {
	t.Helper()
	v, ok := c.Complaint(id)
	if !ok {
		t.Fatalf("complaint %s not found", id)
	}
	return v
}

// Commands on complaint W1, valid in the state that allows them.
var (
	receiveW1   = ReceiveComplaint{ComplaintID: "W1", Channel: ChannelHotline, Kind: KindComplaint, Category: CategoryFees, Summary: "物业费上涨未公示"}
	dispatchW1  = DispatchComplaint{ComplaintID: "W1", Unit: "阳光物业"}
	acceptW1    = AcceptComplaint{ComplaintID: "W1"}
	returnW1    = ReturnComplaint{ComplaintID: "W1", Reason: "不属于本单位职责"}
	requestW1   = RequestComplaintExtension{ComplaintID: "W1", WorkingDays: 5, Reason: "需要维修报价"}
	grantW1     = DecideComplaintExtension{ComplaintID: "W1", Granted: true}
	refuseW1    = DecideComplaintExtension{ComplaintID: "W1", Reason: "理由不充分"}
	resolveW1   = ResolveComplaint{ComplaintID: "W1", Outcome: "已公示收费标准"}
	satisfiedW1 = FollowUpComplaint{ComplaintID: "W1", Satisfaction: Satisfied, Solved: true}
	unhappyW1   = FollowUpComplaint{ComplaintID: "W1", Satisfaction: Dissatisfied}
	reopenW1    = ReopenComplaint{ComplaintID: "W1", Reason: "仍未公示"}
)

func TestComplaintHappyPath(t *testing.T) {
	c := fxCompound(t, 800)
	ctSteps(t, c, ctMonday, receiveW1, dispatchW1, acceptW1, requestW1, grantW1, resolveW1, satisfiedW1)
	v := ctView(t, c, "W1")
	yes := true
	want := ComplaintView{ID: "W1", Channel: ChannelHotline, Kind: KindComplaint, Category: CategoryFees,
		Summary: receiveW1.Summary, State: ComplaintStateFollowedUp, Unit: "阳光物业",
		ReceivedAt: ctMonday.Add(time.Hour), DispatchedAt: ctMonday.Add(2 * time.Hour), AcceptedAt: ctMonday.Add(3 * time.Hour),
		ResolvedAt: ctMonday.Add(6 * time.Hour), FollowedUpAt: ctMonday.Add(7 * time.Hour),
		DispatchDue: ctMonday.Add(25 * time.Hour), ReplyDue: date(2024, 4, 1).Add(ctEndOfDay),
		FollowUpDue: date(2024, 3, 5).Add(ctEndOfDay), Satisfaction: Satisfied, Solved: &yes,
		ExtensionsRequested: 1, ExtensionsGranted: 1,
		DispatchedOnTime: &yes, AcceptedOnTime: &yes, ResolvedOnTime: &yes, FollowedUpOnTime: &yes}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("view\n got %+v\nwant %+v", v, want)
	}
	if n := c.OpenComplaints(); n != 0 {
		t.Errorf("open complaints = %d, want 0", n)
	}
}

const ctEndOfDay = 23*time.Hour + 59*time.Minute + 59*time.Second

// TestComplaintTransitions tries every action in every state: the legal ones
// move to the right state, the others are rejected as illegal transitions.
func TestComplaintTransitions(t *testing.T) {
	states := []struct {
		name string
		path []Command
		want ComplaintState
	}{
		{"received", []Command{receiveW1}, ComplaintStateReceived},
		{"dispatched", []Command{receiveW1, dispatchW1}, ComplaintStateDispatched},
		{"accepted", []Command{receiveW1, dispatchW1, acceptW1}, ComplaintStateAccepted},
		{"returned", []Command{receiveW1, dispatchW1, returnW1}, ComplaintStateReturned},
		{"extension_requested", []Command{receiveW1, dispatchW1, acceptW1, requestW1}, ComplaintStateExtensionRequested},
		{"resolved", []Command{receiveW1, dispatchW1, acceptW1, resolveW1}, ComplaintStateResolved},
		{"followed_up_satisfied", []Command{receiveW1, dispatchW1, acceptW1, resolveW1, satisfiedW1}, ComplaintStateFollowedUp},
		{"followed_up_dissatisfied", []Command{receiveW1, dispatchW1, acceptW1, resolveW1, unhappyW1}, ComplaintStateFollowedUp},
		{"reopened", []Command{receiveW1, dispatchW1, acceptW1, resolveW1, unhappyW1, reopenW1}, ComplaintStateReopened},
	}
	actions := []struct {
		name string
		cmd  Command
	}{
		{"dispatch", dispatchW1}, {"accept", acceptW1}, {"return", returnW1},
		{"request_extension", requestW1}, {"decide_extension", grantW1}, {"resolve", resolveW1},
		{"follow_up", satisfiedW1}, {"reopen", reopenW1},
	}
	legal := map[[2]string]ComplaintState{
		{"received", "dispatch"}:                    ComplaintStateDispatched,
		{"returned", "dispatch"}:                    ComplaintStateDispatched,
		{"reopened", "dispatch"}:                    ComplaintStateDispatched,
		{"dispatched", "accept"}:                    ComplaintStateAccepted,
		{"dispatched", "return"}:                    ComplaintStateReturned,
		{"accepted", "request_extension"}:           ComplaintStateExtensionRequested,
		{"extension_requested", "decide_extension"}: ComplaintStateAccepted,
		{"accepted", "resolve"}:                     ComplaintStateResolved,
		{"resolved", "follow_up"}:                   ComplaintStateFollowedUp,
		{"followed_up_dissatisfied", "reopen"}:      ComplaintStateReopened,
	}
	for _, s := range states {
		// Receiving the same work order again is a duplicate in any state.
		t.Run(s.name+"/receive", func(t *testing.T) {
			c := fxCompound(t, 800)
			at := ctSteps(t, c, ctMonday, s.path...)
			_, err := ctDecide(c, receiveW1, at.Add(time.Hour))
			ctWantViolation(t, err, CodeRejected, "complaint.duplicate", "complaint_id")
		})
		for _, a := range actions {
			t.Run(s.name+"/"+a.name, func(t *testing.T) {
				c := fxCompound(t, 800)
				at := ctSteps(t, c, ctMonday, s.path...)
				if got := ctView(t, c, "W1").State; got != s.want {
					t.Fatalf("setup state = %s, want %s", got, s.want)
				}
				_, err := ctDecide(c, a.cmd, at.Add(time.Hour))
				next, ok := legal[[2]string{s.name, a.name}]
				if !ok {
					e := ctWantViolation(t, err, CodeRejected, "complaint.illegal_transition", "")
					if m := e.Violations[0]; !strings.Contains(m.Message, string(s.want)) || !strings.Contains(m.MessageZH, complaintStateZH[s.want]) {
						t.Errorf("message does not name the state: %+v", m)
					}
					return
				}
				if err != nil {
					t.Fatalf("legal step rejected: %v", err)
				}
				if got := ctView(t, c, "W1").State; got != next {
					t.Errorf("state = %s, want %s", got, next)
				}
			})
		}
	}
}

func TestComplaintDueDates(t *testing.T) {
	friday := time.Date(2024, 3, 8, 16, 0, 0, 0, China)
	city := DefaultRuleBook().At(ctMonday)
	city.Complaint.ComplaintReplyWorkingDays = 13 // another city's rule set
	tests := []struct {
		name         string
		kind         ComplaintKind
		urgent       bool
		at           time.Time
		rules        *RuleSet
		dispatchDue  time.Time
		replyDueDate time.Time
	}{
		{"complaint on Monday", KindComplaint, false, ctMonday, nil, ctMonday.Add(24 * time.Hour), date(2024, 3, 25)},
		{"urgent complaint", KindComplaint, true, ctMonday, nil, ctMonday.Add(time.Hour), date(2024, 3, 25)},
		{"consultation on Monday", KindConsultation, false, ctMonday, nil, ctMonday.Add(24 * time.Hour), date(2024, 3, 7)},
		{"consultation on Friday skips the weekend", KindConsultation, false, friday, nil, friday.Add(24 * time.Hour), date(2024, 3, 13)},
		{"complaint on Friday", KindComplaint, false, friday, nil, friday.Add(24 * time.Hour), date(2024, 3, 29)},
		{"consultation on Saturday", KindConsultation, false, friday.Add(20 * time.Hour), nil, friday.Add(44 * time.Hour), date(2024, 3, 13)},
		{"urgent dispatch runs through the night", KindConsultation, true, friday.Add(7*time.Hour + 30*time.Minute), nil,
			time.Date(2024, 3, 9, 0, 30, 0, 0, China), date(2024, 3, 13)},
		{"limits come from the rule set", KindComplaint, false, ctMonday, &city, ctMonday.Add(24 * time.Hour), date(2024, 3, 21)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fxCompound(t, 800)
			r := DefaultRuleBook().At(tt.at)
			if tt.rules != nil {
				r = *tt.rules
			}
			cmd := receiveW1
			cmd.Kind, cmd.Urgent = tt.kind, tt.urgent
			events, err := c.Decide(cmd, r, tt.at.UTC()) // the service passes UTC
			if err != nil {
				t.Fatal(err)
			}
			e := events[0].(ComplaintReceived)
			if !e.DispatchDue.Equal(tt.dispatchDue) {
				t.Errorf("dispatch due = %s, want %s", e.DispatchDue, tt.dispatchDue)
			}
			if want := tt.replyDueDate.Add(ctEndOfDay); !e.ReplyDue.Equal(want) {
				t.Errorf("reply due = %s, want %s", e.ReplyDue.In(China), want)
			}
		})
	}
}

func TestComplaintExtension(t *testing.T) {
	replyDue := date(2024, 3, 25).Add(ctEndOfDay) // 15 working days after ctMonday
	tests := []struct {
		name   string
		before []Command // after the complaint was accepted
		cmd    Command
		rule   string // expected rejection; "" when it succeeds
		due    time.Time
	}{
		{"granted as requested", []Command{requestW1}, grantW1, "", date(2024, 4, 1).Add(ctEndOfDay)},
		{"granted fewer days", []Command{requestW1}, DecideComplaintExtension{ComplaintID: "W1", Granted: true, WorkingDays: 3}, "", date(2024, 3, 28).Add(ctEndOfDay)},
		{"refused keeps the due date", []Command{requestW1}, refuseW1, "", replyDue},
		{"more than requested", []Command{requestW1}, DecideComplaintExtension{ComplaintID: "W1", Granted: true, WorkingDays: 6}, "complaint.extension_over_request", replyDue},
		{"over the maximum", nil, RequestComplaintExtension{ComplaintID: "W1", WorkingDays: 16, Reason: "x"}, "complaint.extension_limit", replyDue},
		{"over the maximum in all", []Command{RequestComplaintExtension{ComplaintID: "W1", WorkingDays: 10, Reason: "x"}, grantW1},
			// 10 working days after 2024-03-25 skip Qingming (4-4..4-6) and count Sunday 4-7, worked
			RequestComplaintExtension{ComplaintID: "W1", WorkingDays: 6, Reason: "x"}, "complaint.extension_limit", date(2024, 4, 9).Add(ctEndOfDay)},
		{"again after a refusal", []Command{requestW1, refuseW1}, RequestComplaintExtension{ComplaintID: "W1", WorkingDays: 15, Reason: "x"}, "", replyDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fxCompound(t, 800)
			at := ctSteps(t, c, ctMonday.Add(-time.Hour), receiveW1, dispatchW1, acceptW1)
			at = ctSteps(t, c, at, tt.before...)
			_, err := ctDecide(c, tt.cmd, at.Add(time.Hour))
			if tt.rule != "" {
				ctWantViolation(t, err, CodeRejected, tt.rule, "working_days")
			} else if err != nil {
				t.Fatal(err)
			}
			if got := ctView(t, c, "W1").ReplyDue; !got.Equal(tt.due) {
				t.Errorf("reply due = %s, want %s", got.In(China), tt.due)
			}
		})
	}
	t.Run("counts", func(t *testing.T) {
		c := fxCompound(t, 800)
		ctSteps(t, c, ctMonday, receiveW1, dispatchW1, acceptW1, requestW1, refuseW1, requestW1, grantW1)
		if v := ctView(t, c, "W1"); v.ExtensionsRequested != 2 || v.ExtensionsGranted != 1 || v.State != ComplaintStateAccepted {
			t.Errorf("requested %d, granted %d, state %s", v.ExtensionsRequested, v.ExtensionsGranted, v.State)
		}
	})
}

func TestComplaintReturnAndReopen(t *testing.T) {
	c := fxCompound(t, 800)
	at := ctSteps(t, c, ctMonday, receiveW1, dispatchW1, returnW1)
	if v := ctView(t, c, "W1"); v.Returns != 1 || v.Unit != "" || v.State != ComplaintStateReturned {
		t.Fatalf("after return: %+v", v)
	}
	at = ctSteps(t, c, at, DispatchComplaint{ComplaintID: "W1", Unit: "街道城管科"}, acceptW1, resolveW1, unhappyW1)
	if c.OpenComplaints() != 0 {
		t.Errorf("a followed-up complaint counts as open")
	}
	reopenAt := at.Add(24 * time.Hour) // Tuesday
	if _, err := ctDecide(c, reopenW1, reopenAt); err != nil {
		t.Fatal(err)
	}
	v := ctView(t, c, "W1")
	if v.Reopens != 1 || v.Returns != 1 || v.State != ComplaintStateReopened || !v.ReopenedAt.Equal(reopenAt) {
		t.Errorf("after reopen: %+v", v)
	}
	// The new round has new limits counted from the reopening; its steps start afresh.
	if !v.DispatchDue.Equal(reopenAt.Add(24*time.Hour)) || !v.ReplyDue.Equal(date(2024, 3, 26).Add(ctEndOfDay)) {
		t.Errorf("new dues: dispatch %s, reply %s", v.DispatchDue, v.ReplyDue)
	}
	if !v.AcceptedAt.IsZero() || v.Satisfaction != "" || v.AcceptedOnTime != nil || c.OpenComplaints() != 1 {
		t.Errorf("round not reset: %+v", v)
	}
	ctSteps(t, c, reopenAt, dispatchW1, acceptW1, resolveW1, satisfiedW1)
	if v := ctView(t, c, "W1"); v.State != ComplaintStateFollowedUp || v.Satisfaction != Satisfied || v.Unit != dispatchW1.Unit {
		t.Errorf("second round: %+v", v)
	}
	_, err := ctDecide(c, reopenW1, reopenAt.Add(time.Hour*24))
	e := ctWantViolation(t, err, CodeRejected, "complaint.illegal_transition", "")
	if m := e.Violations[0]; !strings.Contains(m.Message, "satisfied") || !strings.Contains(m.MessageZH, "重办") || !strings.Contains(m.MessageZH, "（满意）") {
		t.Errorf("message: %+v", m)
	}
}

// Lateness is recorded in the times and dues, never rejected.
func TestComplaintLatenessIsRecorded(t *testing.T) {
	c := fxCompound(t, 800)
	ctSteps(t, c, ctMonday, receiveW1, dispatchW1) // dispatched at 11:00, due Tuesday 10:00
	if _, err := ctDecide(c, acceptW1, ctMonday.Add(30*time.Hour)); err != nil {
		t.Fatal(err)
	}
	replyDue := ctView(t, c, "W1").ReplyDue
	if v := ctView(t, c, "W1"); v.Overdue(replyDue) || !v.Overdue(replyDue.Add(time.Second)) {
		t.Errorf("overdue only after the reply due")
	}
	resolvedAt := replyDue.Add(48 * time.Hour)
	events, err := ctDecide(c, resolveW1, resolvedAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || !events[0].(ComplaintResolved).Due.Equal(replyDue) {
		t.Errorf("resolution does not carry its limit: %+v", events)
	}
	if _, err := ctDecide(c, satisfiedW1, resolvedAt.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	v := ctView(t, c, "W1")
	if !*v.DispatchedOnTime || *v.AcceptedOnTime || *v.ResolvedOnTime || *v.FollowedUpOnTime || v.Overdue(resolvedAt.Add(time.Hour)) {
		t.Errorf("on-time flags: dispatched %v accepted %v resolved %v followed up %v",
			*v.DispatchedOnTime, *v.AcceptedOnTime, *v.ResolvedOnTime, *v.FollowedUpOnTime)
	}
}

func TestComplaintValidation(t *testing.T) {
	tests := []struct {
		name  string
		setup []Command
		cmd   Command
		code  Code
		rule  string
		field string
	}{
		{"receive without complaint_id", nil, ReceiveComplaint{Channel: ChannelGrid, Kind: KindComplaint, Category: CategoryParking, Summary: "x"}, CodeInvalid, "field.required", "complaint_id"},
		{"receive with a malformed id", nil, ReceiveComplaint{ComplaintID: "W 1", Channel: ChannelGrid, Kind: KindComplaint, Category: CategoryParking, Summary: "x"}, CodeInvalid, "complaint.id_format", "complaint_id"},
		{"bad channel", nil, ReceiveComplaint{ComplaintID: "W1", Channel: "fax", Kind: KindComplaint, Category: CategoryParking, Summary: "x"}, CodeInvalid, "complaint.channel", "channel"},
		{"bad kind", nil, ReceiveComplaint{ComplaintID: "W1", Channel: ChannelVisit, Kind: "praise", Category: CategoryParking, Summary: "x"}, CodeInvalid, "complaint.kind", "kind"},
		{"bad category", nil, ReceiveComplaint{ComplaintID: "W1", Channel: ChannelOnline, Kind: KindComplaint, Category: "noise", Summary: "x"}, CodeInvalid, "complaint.category", "category"},
		{"no summary", nil, ReceiveComplaint{ComplaintID: "W1", Channel: ChannelPetition, Kind: KindComplaint, Category: CategoryHandover}, CodeInvalid, "field.required", "summary"},
		{"duplicate", []Command{receiveW1}, receiveW1, CodeRejected, "complaint.duplicate", "complaint_id"},
		{"dispatch without complaint_id", []Command{receiveW1}, DispatchComplaint{Unit: "u"}, CodeInvalid, "field.required", "complaint_id"},
		{"dispatch without unit", []Command{receiveW1}, DispatchComplaint{ComplaintID: "W1"}, CodeInvalid, "field.required", "unit"},
		{"unknown complaint", []Command{receiveW1}, DispatchComplaint{ComplaintID: "W2", Unit: "u"}, CodeNotFound, "complaint.unknown", "complaint_id"},
		{"malformed input before lookup", nil, DispatchComplaint{ComplaintID: "W2"}, CodeInvalid, "field.required", "unit"},
		{"return without reason", []Command{receiveW1, dispatchW1}, ReturnComplaint{ComplaintID: "W1"}, CodeInvalid, "field.required", "reason"},
		{"zero extension days", []Command{receiveW1, dispatchW1, acceptW1}, RequestComplaintExtension{ComplaintID: "W1", Reason: "x"}, CodeInvalid, "complaint.working_days", "working_days"},
		{"refusal without reason", []Command{receiveW1, dispatchW1, acceptW1, requestW1}, DecideComplaintExtension{ComplaintID: "W1"}, CodeInvalid, "field.required", "reason"},
		{"resolve without outcome", []Command{receiveW1, dispatchW1, acceptW1}, ResolveComplaint{ComplaintID: "W1"}, CodeInvalid, "field.required", "outcome"},
		{"bad satisfaction", []Command{receiveW1, dispatchW1, acceptW1, resolveW1}, FollowUpComplaint{ComplaintID: "W1", Satisfaction: "meh"}, CodeInvalid, "complaint.satisfaction", "satisfaction"},
		{"reopen without reason", []Command{receiveW1, dispatchW1, acceptW1, resolveW1, unhappyW1}, ReopenComplaint{ComplaintID: "W1"}, CodeInvalid, "field.required", "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fxCompound(t, 800)
			at := ctSteps(t, c, ctMonday, tt.setup...)
			events, err := ctDecide(c, tt.cmd, at.Add(time.Hour))
			ctWantViolation(t, err, tt.code, tt.rule, tt.field)
			if events != nil {
				t.Errorf("a rejected command emitted %v", events)
			}
		})
	}
	t.Run("every violation at once", func(t *testing.T) {
		_, err := ctDecide(fxCompound(t, 800), ReceiveComplaint{Channel: "fax", Kind: "x", Category: "y"}, ctMonday)
		if e := ErrorOf(err); len(e.Violations) != 5 {
			t.Errorf("want 5 violations, got %v", err)
		}
	})
	t.Run("a step dated before the previous one", func(t *testing.T) {
		c := fxCompound(t, 800)
		at := ctSteps(t, c, ctMonday, receiveW1, dispatchW1)
		_, err := ctDecide(c, acceptW1, at.Add(-time.Minute))
		ctWantViolation(t, err, CodeRejected, "complaint.time_order", "")
	})
	t.Run("unregistered compound", func(t *testing.T) {
		_, err := ctDecide(NewCompound("x"), receiveW1, ctMonday)
		if ErrorCode(err) != CodeNotFound {
			t.Errorf("got %v", err)
		}
	})
}

// Events round-trip through their stored JSON and rebuild the same view:
// the dues are facts of the stream, not recomputed on replay.
func TestComplaintEventsReplay(t *testing.T) {
	c := fxCompound(t, 800)
	var stored []Event
	at := ctMonday
	for _, cmd := range []Command{receiveW1, dispatchW1, returnW1, dispatchW1, acceptW1, requestW1, grantW1, resolveW1, unhappyW1, reopenW1,
		ReceiveComplaint{ComplaintID: "W0", Channel: ChannelGrid, Kind: KindConsultation, Category: CategoryParking, Urgent: true, Summary: "消防通道占用"}} {
		at = at.Add(time.Hour)
		events, err := ctDecide(c, cmd, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			typ, ver, data, err := EncodeEvent(e)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeEvent(typ, ver, data)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, back)
		}
	}
	replayed := fxCompound(t, 800)
	replayed.Evolve(stored...)
	got, want := replayed.Complaints(), c.Complaints()
	if len(got) != 2 || got[0].ID != "W1" || got[1].ID != "W0" { // by reception time
		t.Fatalf("complaints: %+v", got)
	}
	for i := range got {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if string(g) != string(w) {
			t.Errorf("replayed view differs\n got %s\nwant %s", g, w)
		}
	}
}

func TestParseComplaintCommands(t *testing.T) {
	cmd, err := ParseCommand("receive-complaint", json.RawMessage(
		`{"complaint_id":"W1","channel":"hotline","kind":"complaint","category":"fees","urgent":true,"summary":"物业费上涨未公示"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := receiveW1
	want.Urgent = true
	if cmd != Command(want) {
		t.Errorf("decoded %+v, want %+v", cmd, want)
	}
	_, err = ParseCommand("receive-complaint", json.RawMessage(`{"complaint_id":"W1","priority":"high"}`))
	ctWantViolation(t, err, CodeInvalid, "json.unknown_field", "priority")

	names := CommandNames()
	for _, n := range []string{"receive-complaint", "dispatch-complaint", "accept-complaint", "return-complaint",
		"request-complaint-extension", "decide-complaint-extension", "resolve-complaint", "follow-up-complaint", "reopen-complaint"} {
		if !slices.Contains(names, n) {
			t.Errorf("command %s not registered", n)
		}
	}
	types := EventTypes()
	for _, e := range []Event{ComplaintReceived{}, ComplaintDispatched{}, ComplaintAccepted{}, ComplaintReturned{},
		ComplaintExtensionRequested{}, ComplaintExtensionDecided{}, ComplaintResolved{}, ComplaintFollowedUp{}, ComplaintReopened{}} {
		if !slices.Contains(types, e.EventType()) {
			t.Errorf("event %s not registered", e.EventType())
		}
	}
}
