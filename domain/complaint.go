package domain

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Channel is how a complaint reached the government (投诉渠道).
type Channel string

const (
	ChannelHotline  Channel = "hotline"  // 12345 热线
	ChannelPetition Channel = "petition" // 信访
	ChannelVisit    Channel = "visit"    // 来访
	ChannelOnline   Channel = "online"   // 网上投诉
	ChannelGrid     Channel = "grid"     // 网格员发现
)

// ComplaintKind separates questions from grievances; they have different
// reply limits.
type ComplaintKind string

const (
	KindConsultation ComplaintKind = "consultation" // 咨询
	KindComplaint    ComplaintKind = "complaint"    // 投诉
)

// ComplaintCategory is what a complaint is about (投诉类别).
type ComplaintCategory string

const (
	CategoryServiceQuality      ComplaintCategory = "service_quality"      // 服务质量
	CategoryFees                ComplaintCategory = "fees"                 // 物业费
	CategoryMaintenanceFund     ComplaintCategory = "maintenance_fund"     // 维修资金
	CategoryPublicIncome        ComplaintCategory = "public_income"        // 公共收益
	CategoryParking             ComplaintCategory = "parking"              // 停车
	CategoryIllegalConstruction ComplaintCategory = "illegal_construction" // 违章搭建
	CategoryNeighbours          ComplaintCategory = "neighbours"           // 邻里纠纷
	CategoryCommitteeAffairs    ComplaintCategory = "committee_affairs"    // 业委会事务
	CategoryHandover            ComplaintCategory = "handover"             // 承接查验/交接
)

// Satisfaction is the resident's answer to the follow-up call (回访).
type Satisfaction string

const (
	Satisfied          Satisfaction = "satisfied"           // 满意
	BasicallySatisfied Satisfaction = "basically_satisfied" // 基本满意
	Dissatisfied       Satisfaction = "dissatisfied"        // 不满意
)

// The closed vocabularies, in the order error messages list them.
var (
	complaintChannels   = vocabulary[Channel]{ChannelHotline, ChannelPetition, ChannelVisit, ChannelOnline, ChannelGrid}
	complaintKinds      = vocabulary[ComplaintKind]{KindConsultation, KindComplaint}
	complaintCategories = vocabulary[ComplaintCategory]{CategoryServiceQuality, CategoryFees, CategoryMaintenanceFund,
		CategoryPublicIncome, CategoryParking, CategoryIllegalConstruction, CategoryNeighbours,
		CategoryCommitteeAffairs, CategoryHandover}
	satisfactions  = vocabulary[Satisfaction]{Satisfied, BasicallySatisfied, Dissatisfied}
	satisfactionZH = map[Satisfaction]string{Satisfied: "满意", BasicallySatisfied: "基本满意", Dissatisfied: "不满意"}
)

// ComplaintState is where a complaint stands in its handling (工单状态).
type ComplaintState string

const (
	ComplaintStateReceived           ComplaintState = "received"            // 已受理
	ComplaintStateDispatched         ComplaintState = "dispatched"          // 已派单
	ComplaintStateAccepted           ComplaintState = "accepted"            // 已签收
	ComplaintStateReturned           ComplaintState = "returned"            // 已退单
	ComplaintStateExtensionRequested ComplaintState = "extension_requested" // 延期申请中
	ComplaintStateResolved           ComplaintState = "resolved"            // 已办结
	ComplaintStateFollowedUp         ComplaintState = "followed_up"         // 已回访
	ComplaintStateReopened           ComplaintState = "reopened"            // 已重办
)

var complaintStateZH = map[ComplaintState]string{
	ComplaintStateReceived: "已受理", ComplaintStateDispatched: "已派单", ComplaintStateAccepted: "已签收",
	ComplaintStateReturned: "已退单", ComplaintStateExtensionRequested: "延期申请中",
	ComplaintStateResolved: "已办结", ComplaintStateFollowedUp: "已回访", ComplaintStateReopened: "已重办",
}

// complaintAction is a step of the state machine, named in messages.
type complaintAction string

const (
	actDispatch         complaintAction = "dispatch"
	actAccept           complaintAction = "accept"
	actReturn           complaintAction = "return"
	actRequestExtension complaintAction = "request an extension for"
	actDecideExtension  complaintAction = "decide the extension of"
	actResolve          complaintAction = "resolve"
	actFollowUp         complaintAction = "follow up"
	actReopen           complaintAction = "reopen"
)

// complaintFlow is the state machine: the states each action may start
// from and the state it leads to. decide checks it and apply follows it, so
// the two cannot drift apart.
var complaintFlow = map[complaintAction]struct {
	from []ComplaintState
	to   ComplaintState
	zh   string
}{
	actDispatch:         {[]ComplaintState{ComplaintStateReceived, ComplaintStateReturned, ComplaintStateReopened}, ComplaintStateDispatched, "派单"},
	actAccept:           {[]ComplaintState{ComplaintStateDispatched}, ComplaintStateAccepted, "签收"},
	actReturn:           {[]ComplaintState{ComplaintStateDispatched}, ComplaintStateReturned, "退单"},
	actRequestExtension: {[]ComplaintState{ComplaintStateAccepted}, ComplaintStateExtensionRequested, "申请延期"},
	actDecideExtension:  {[]ComplaintState{ComplaintStateExtensionRequested}, ComplaintStateAccepted, "审批延期"},
	actResolve:          {[]ComplaintState{ComplaintStateAccepted}, ComplaintStateResolved, "办结"},
	actFollowUp:         {[]ComplaintState{ComplaintStateResolved}, ComplaintStateFollowedUp, "回访"},
	actReopen:           {[]ComplaintState{ComplaintStateFollowedUp}, ComplaintStateReopened, "重办"},
}

// dispatchDue is when a complaint received (or reopened) at must be
// dispatched and signed for.
func (r ComplaintRules) dispatchDue(at time.Time, urgent bool) time.Time {
	h := r.DispatchHours
	if urgent {
		h = r.UrgentDispatchHours
	}
	return at.Add(time.Duration(h) * time.Hour)
}

// replyDue is the end of the last working day to reply to or resolve it.
func (r RuleSet) replyDue(at time.Time, k ComplaintKind) Due {
	if k == KindConsultation {
		return r.AddWorkingDays(at, r.Complaint.ConsultationReplyWorkingDays)
	}
	return r.AddWorkingDays(at, r.Complaint.ComplaintReplyWorkingDays)
}

// ComplaintView is the read side of one complaint. The times of a handling
// round (dispatch to follow-up) restart when the complaint is reopened; the
// counts cover its whole life. On-time flags are nil until the step is done.
type ComplaintView struct {
	ID           string            `json:"id"`
	Channel      Channel           `json:"channel"`
	Kind         ComplaintKind     `json:"kind"`
	Category     ComplaintCategory `json:"category"`
	Urgent       bool              `json:"urgent"`
	Summary      string            `json:"summary"`
	State        ComplaintState    `json:"state"`
	Unit         string            `json:"unit,omitempty"` // 承办单位 holding it now
	ReceivedAt   time.Time         `json:"received_at"`
	ReopenedAt   time.Time         `json:"reopened_at,omitzero"`
	DispatchedAt time.Time         `json:"dispatched_at,omitzero"`
	AcceptedAt   time.Time         `json:"accepted_at,omitzero"`
	ResolvedAt   time.Time         `json:"resolved_at,omitzero"`
	FollowedUpAt time.Time         `json:"followed_up_at,omitzero"`
	VoidedAt     time.Time         `json:"voided_at,omitzero"` // entered in error (correction.go)
	DispatchDue  time.Time         `json:"dispatch_due"`
	ReplyDue     time.Time         `json:"reply_due"`
	// ReplyDueWeekdaysOnly: the reply limit was counted on weekdays only,
	// over a year the working-day calendar lacked.
	ReplyDueWeekdaysOnly bool         `json:"reply_due_weekdays_only,omitempty"`
	FollowUpDue          time.Time    `json:"follow_up_due,omitzero"`
	Satisfaction         Satisfaction `json:"satisfaction,omitempty"`
	Solved               *bool        `json:"solved,omitempty"` // 是否解决, from the follow-up
	Returns              int          `json:"returns"`
	Reopens              int          `json:"reopens"`
	ExtensionsRequested  int          `json:"extensions_requested"`
	ExtensionsGranted    int          `json:"extensions_granted"`
	DispatchedOnTime     *bool        `json:"dispatched_on_time,omitempty"`
	AcceptedOnTime       *bool        `json:"accepted_on_time,omitempty"` // 响应率
	ResolvedOnTime       *bool        `json:"resolved_on_time,omitempty"` // 办结率
	FollowedUpOnTime     *bool        `json:"followed_up_on_time,omitempty"`
	Complainant          Personal     `json:"complainant,omitzero"` // sealed; opened for the roles that call back
}

// Open reports whether the complaint still waits for a resolution; a
// voided one waits for nothing.
func (v ComplaintView) Open() bool {
	return v.State != ComplaintStateResolved && v.State != ComplaintStateFollowedUp && v.VoidedAt.IsZero()
}

// Overdue reports whether the complaint is open past its reply limit at asOf.
func (v ComplaintView) Overdue(asOf time.Time) bool { return v.Open() && asOf.After(v.ReplyDue) }

// complaint is one complaint's state: its view plus what only decisions need.
type complaint struct {
	ComplaintView
	requestedDays int       // working days of the pending extension request
	extendedDays  int       // working days granted in this handling round
	last          time.Time // business time of the latest step, to keep steps in order
}

func (k *complaint) view() ComplaintView {
	v := k.ComplaintView
	v.DispatchedOnTime = complaintOnTime(v.DispatchedAt, v.DispatchDue)
	v.AcceptedOnTime = complaintOnTime(v.AcceptedAt, v.DispatchDue)
	v.ResolvedOnTime = complaintOnTime(v.ResolvedAt, v.ReplyDue)
	v.FollowedUpOnTime = complaintOnTime(v.FollowedUpAt, v.FollowUpDue)
	return v
}

func complaintOnTime(done, due time.Time) *bool {
	if done.IsZero() {
		return nil
	}
	ok := !done.After(due)
	return &ok
}

// can reports whether act is legal now; only a dissatisfied follow-up may be
// reopened (重办).
func (k *complaint) can(act complaintAction) bool {
	if act == actReopen && k.Satisfaction != Dissatisfied {
		return false
	}
	return slices.Contains(complaintFlow[act].from, k.State)
}

// move follows the state machine for a recorded step.
func (k *complaint) move(act complaintAction, at time.Time) {
	k.State, k.last = complaintFlow[act].to, at
}

// Complaints lists the compound's complaints by reception time, then ID.
func (c *Compound) Complaints() []ComplaintView {
	out := make([]ComplaintView, 0, len(c.complaints))
	for _, k := range c.complaints {
		out = append(out, k.view())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ReceivedAt.Equal(out[j].ReceivedAt) {
			return out[i].ReceivedAt.Before(out[j].ReceivedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Complaint returns one complaint by ID.
func (c *Compound) Complaint(id string) (ComplaintView, bool) {
	k, ok := c.complaints[id]
	if !ok {
		return ComplaintView{}, false
	}
	return k.view(), true
}

// OpenComplaints counts the complaints not yet resolved.
func (c *Compound) OpenComplaints() int {
	n := 0
	for _, k := range c.complaints {
		if k.Open() {
			n++
		}
	}
	return n
}

// complaintFor returns the complaint a command acts on, once the input is
// well-formed, the complaint exists and act is legal in its state. Later
// rule breaks are collected in v; an illegal step stops the decision.
func (c *Compound) complaintFor(id string, act complaintAction, at time.Time, v *violations) (*complaint, error) {
	v.required("complaint_id", id)
	if !v.ok() {
		return nil, v.err()
	}
	k, ok := c.liveComplaint(id, v)
	if !ok {
		return nil, v.err()
	}
	if !k.can(act) {
		en, zh := string(k.State), complaintStateZH[k.State]
		if k.State == ComplaintStateFollowedUp {
			en, zh = fmt.Sprintf("%s (%s)", en, k.Satisfaction), fmt.Sprintf("%s（%s）", zh, satisfactionZH[k.Satisfaction])
		}
		// Both messages share the arguments; each picks its own by index.
		v.fail("", "complaint.illegal_transition", "cannot %[1]s complaint %[2]s: it is %[4]s",
			"工单 %[2]s 当前状态为%[5]s，不能%[3]s", act, id, complaintFlow[act].zh, en, zh)
		return nil, v.err()
	}
	if at.Before(k.last) { // a backdated step would make durations negative
		v.fail("", "complaint.time_order", "complaint %s: a step cannot be dated %s, before its previous step (%s)",
			"工单 %s：办理时间 %s 早于上一环节（%s）", id, at.Format(time.RFC3339), k.last.Format(time.RFC3339))
	}
	return k, nil
}

// ReceiveComplaint records a complaint taken in by any channel (受理).
type ReceiveComplaint struct {
	ComplaintID string            `json:"complaint_id"` // 工单号
	Channel     Channel           `json:"channel"`
	Kind        ComplaintKind     `json:"kind"`
	Category    ComplaintCategory `json:"category"`
	Urgent      bool              `json:"urgent,omitempty"` // 紧急件
	Summary     string            `json:"summary"`          // 诉求内容
	// The resident, for the follow-up call (回访); both optional (anonymous
	// calls). Personal data: sealed in the event (personal.go).
	ComplainantName  string `json:"complainant_name,omitempty"`  // 诉求人姓名
	ComplainantPhone string `json:"complainant_phone,omitempty"` // 联系电话
}

// ComplaintReceived: a complaint was taken in, with the limits in force then
// (v2: with how the reply limit was counted).
type ComplaintReceived struct {
	ComplaintID          string            `json:"complaint_id"`
	Channel              Channel           `json:"channel"`
	Kind                 ComplaintKind     `json:"kind"`
	Category             ComplaintCategory `json:"category"`
	Urgent               bool              `json:"urgent,omitempty"`
	Summary              string            `json:"summary"`
	At                   time.Time         `json:"at"`
	DispatchDue          time.Time         `json:"dispatch_due"`
	ReplyDue             time.Time         `json:"reply_due"`
	ReplyDueWeekdaysOnly bool              `json:"reply_due_weekdays_only,omitempty"`
	Complainant          Personal          `json:"complainant,omitzero"` // name and phone, sealed
}

func (cmd ReceiveComplaint) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("complaint_id", cmd.ComplaintID)
	if strings.TrimSpace(cmd.ComplaintID) != "" && !compoundIDPattern.MatchString(cmd.ComplaintID) { // a work-order number, also used in URLs
		v.invalid("complaint_id", "complaint.id_format", "complaint ID must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
			"工单号须为1–64位字母、数字、'.'、'_'或'-'，以字母或数字开头")
	}
	oneOf(&v, "channel", "complaint.channel", cmd.Channel, complaintChannels)
	oneOf(&v, "kind", "complaint.kind", cmd.Kind, complaintKinds)
	oneOf(&v, "category", "complaint.category", cmd.Category, complaintCategories)
	v.required("summary", cmd.Summary)
	checkPhone(&v, "complainant_phone", cmd.ComplainantPhone)
	if _, dup := c.complaints[cmd.ComplaintID]; dup {
		v.fail("complaint_id", "complaint.duplicate", "complaint %s is already recorded", "工单 %s 已受理", cmd.ComplaintID)
	}
	reply := r.replyDue(at, cmd.Kind)
	return v.emit(ComplaintReceived{ComplaintID: cmd.ComplaintID, Channel: cmd.Channel, Kind: cmd.Kind,
		Category: cmd.Category, Urgent: cmd.Urgent, Summary: cmd.Summary, At: at,
		DispatchDue: r.Complaint.dispatchDue(at, cmd.Urgent), ReplyDue: reply.At, ReplyDueWeekdaysOnly: reply.WeekdaysOnly,
		Complainant: personal(ComplainantSubject(c.id, cmd.ComplaintID),
			map[string]string{FieldName: cmd.ComplainantName, FieldPhone: cmd.ComplainantPhone})})
}

// MapPersonal rewrites the complainant's fields (sealing, opening).
func (e ComplaintReceived) MapPersonal(f func(Personal) (Personal, error)) (Event, error) {
	err := mapPersonal(&e.Complainant, f)
	return e, err
}

func (ComplaintReceived) EventType() string { return "ComplaintReceived" }
func (e ComplaintReceived) apply(c *Compound) {
	c.complaints[e.ComplaintID] = &complaint{last: e.At, ComplaintView: ComplaintView{
		ID: e.ComplaintID, Channel: e.Channel, Kind: e.Kind, Category: e.Category, Urgent: e.Urgent,
		Summary: e.Summary, State: ComplaintStateReceived, ReceivedAt: e.At,
		DispatchDue: e.DispatchDue, ReplyDue: e.ReplyDue, ReplyDueWeekdaysOnly: e.ReplyDueWeekdaysOnly,
		Complainant: e.Complainant}}
}

// DispatchComplaint hands a complaint to the unit that must handle it (派单).
type DispatchComplaint struct {
	ComplaintID string `json:"complaint_id"`
	Unit        string `json:"unit"` // 承办单位
}

// ComplaintDispatched: a unit was given the complaint.
type ComplaintDispatched struct {
	ComplaintID string    `json:"complaint_id"`
	Unit        string    `json:"unit"`
	At          time.Time `json:"at"`
}

func (cmd DispatchComplaint) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("unit", cmd.Unit)
	if _, err := c.complaintFor(cmd.ComplaintID, actDispatch, at, &v); err != nil {
		return nil, err
	}
	return v.emit(ComplaintDispatched{ComplaintID: cmd.ComplaintID, Unit: cmd.Unit, At: at})
}

func (ComplaintDispatched) EventType() string { return "ComplaintDispatched" }
func (e ComplaintDispatched) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actDispatch, e.At)
	k.Unit, k.DispatchedAt = e.Unit, e.At
}

// AcceptComplaint records that the unit signed for the complaint (签收).
type AcceptComplaint struct {
	ComplaintID string `json:"complaint_id"`
}

// ComplaintAccepted: the unit took the complaint on. Due is the dispatch
// limit it was measured against (响应率).
type ComplaintAccepted struct {
	ComplaintID string    `json:"complaint_id"`
	Unit        string    `json:"unit"`
	At          time.Time `json:"at"`
	Due         time.Time `json:"due"`
}

func (cmd AcceptComplaint) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	k, err := c.complaintFor(cmd.ComplaintID, actAccept, at, &v)
	if err != nil {
		return nil, err
	}
	return v.emit(ComplaintAccepted{ComplaintID: cmd.ComplaintID, Unit: k.Unit, At: at, Due: k.DispatchDue})
}

func (ComplaintAccepted) EventType() string { return "ComplaintAccepted" }
func (e ComplaintAccepted) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actAccept, e.At)
	k.AcceptedAt = e.At
}

// ReturnComplaint records that the unit sent the complaint back as not its
// business (退单); it waits to be dispatched again.
type ReturnComplaint struct {
	ComplaintID string `json:"complaint_id"`
	Reason      string `json:"reason"`
}

// ComplaintReturned: the unit refused the complaint (回退率).
type ComplaintReturned struct {
	ComplaintID string    `json:"complaint_id"`
	Unit        string    `json:"unit"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

func (cmd ReturnComplaint) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	k, err := c.complaintFor(cmd.ComplaintID, actReturn, at, &v)
	if err != nil {
		return nil, err
	}
	return v.emit(ComplaintReturned{ComplaintID: cmd.ComplaintID, Unit: k.Unit, Reason: cmd.Reason, At: at})
}

func (ComplaintReturned) EventType() string { return "ComplaintReturned" }
func (e ComplaintReturned) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actReturn, e.At)
	k.Unit, k.DispatchedAt = "", time.Time{} // nobody holds it until the next dispatch
	k.Returns++
}

// RequestComplaintExtension asks for more working days to reply (申请延期).
type RequestComplaintExtension struct {
	ComplaintID string `json:"complaint_id"`
	WorkingDays int    `json:"working_days"`
	Reason      string `json:"reason"`
}

// ComplaintExtensionRequested: the unit asked for more time.
type ComplaintExtensionRequested struct {
	ComplaintID string    `json:"complaint_id"`
	WorkingDays int       `json:"working_days"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

func (cmd RequestComplaintExtension) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	if cmd.WorkingDays <= 0 {
		v.invalid("working_days", "complaint.working_days", "working days must be positive", "延期工作日数须为正数")
	}
	k, err := c.complaintFor(cmd.ComplaintID, actRequestExtension, at, &v)
	if err != nil {
		return nil, err
	}
	// The cap is per handling round, so that repeated requests cannot add up past it.
	if limit := r.Complaint.MaxExtensionWorkingDays; k.extendedDays+cmd.WorkingDays > limit {
		v.fail("working_days", "complaint.extension_limit", "complaint %s may be extended by at most %d working days in all; %d already granted",
			"工单 %s 累计延期不得超过 %d 个工作日，已延期 %d 个", cmd.ComplaintID, limit, k.extendedDays)
	}
	return v.emit(ComplaintExtensionRequested{ComplaintID: cmd.ComplaintID, WorkingDays: cmd.WorkingDays, Reason: cmd.Reason, At: at})
}

func (ComplaintExtensionRequested) EventType() string { return "ComplaintExtensionRequested" }
func (e ComplaintExtensionRequested) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actRequestExtension, e.At)
	k.requestedDays = e.WorkingDays
	k.ExtensionsRequested++
}

// DecideComplaintExtension grants or refuses a pending extension (审批延期).
// A grant may give fewer days than asked; zero days means as asked.
type DecideComplaintExtension struct {
	ComplaintID string `json:"complaint_id"`
	Granted     bool   `json:"granted"`
	WorkingDays int    `json:"working_days,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// ComplaintExtensionDecided: the extension was granted or refused; ReplyDue
// is the reply limit from now on (unchanged when refused), v2 with how it
// was counted.
type ComplaintExtensionDecided struct {
	ComplaintID          string    `json:"complaint_id"`
	Granted              bool      `json:"granted"`
	WorkingDays          int       `json:"working_days"`
	Reason               string    `json:"reason,omitempty"`
	At                   time.Time `json:"at"`
	ReplyDue             time.Time `json:"reply_due"`
	ReplyDueWeekdaysOnly bool      `json:"reply_due_weekdays_only,omitempty"`
}

func (cmd DecideComplaintExtension) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if cmd.WorkingDays < 0 {
		v.invalid("working_days", "complaint.working_days", "working days must not be negative", "延期工作日数不得为负数")
	}
	if !cmd.Granted {
		v.required("reason", cmd.Reason) // a refusal must say why
	}
	k, err := c.complaintFor(cmd.ComplaintID, actDecideExtension, at, &v)
	if err != nil {
		return nil, err
	}
	e := ComplaintExtensionDecided{ComplaintID: cmd.ComplaintID, Granted: cmd.Granted, Reason: cmd.Reason, At: at,
		ReplyDue: k.ReplyDue, ReplyDueWeekdaysOnly: k.ReplyDueWeekdaysOnly}
	if cmd.Granted {
		e.WorkingDays = cmp.Or(cmd.WorkingDays, k.requestedDays)
		if e.WorkingDays > k.requestedDays {
			v.fail("working_days", "complaint.extension_over_request", "cannot grant %d working days; %d were requested",
				"批准延期 %d 个工作日超过申请的 %d 个", e.WorkingDays, k.requestedDays)
		}
		if v.ok() { // validate before computing
			due := r.AddWorkingDays(k.ReplyDue, e.WorkingDays)
			e.ReplyDue, e.ReplyDueWeekdaysOnly = due.At, k.ReplyDueWeekdaysOnly || due.WeekdaysOnly
		}
	}
	return v.emit(e)
}

func (ComplaintExtensionDecided) EventType() string { return "ComplaintExtensionDecided" }
func (e ComplaintExtensionDecided) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actDecideExtension, e.At)
	k.requestedDays, k.ReplyDue, k.ReplyDueWeekdaysOnly = 0, e.ReplyDue, e.ReplyDueWeekdaysOnly
	if e.Granted {
		k.extendedDays += e.WorkingDays
		k.ExtensionsGranted++
	}
}

// ResolveComplaint records the reply or the fix (办结).
type ResolveComplaint struct {
	ComplaintID string `json:"complaint_id"`
	Outcome     string `json:"outcome"` // 办理结果
}

// ComplaintResolved: the unit closed the complaint. Due is the reply limit
// it was measured against (办结率); FollowUpDue is when the call is owed.
type ComplaintResolved struct {
	ComplaintID string    `json:"complaint_id"`
	Unit        string    `json:"unit"`
	Outcome     string    `json:"outcome"`
	At          time.Time `json:"at"`
	Due         time.Time `json:"due"`
	FollowUpDue time.Time `json:"follow_up_due"`
}

func (cmd ResolveComplaint) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("outcome", cmd.Outcome)
	k, err := c.complaintFor(cmd.ComplaintID, actResolve, at, &v)
	if err != nil {
		return nil, err
	}
	return v.emit(ComplaintResolved{ComplaintID: cmd.ComplaintID, Unit: k.Unit, Outcome: cmd.Outcome, At: at,
		Due: k.ReplyDue, FollowUpDue: addDays(at, r.Complaint.FollowUpDays)})
}

func (ComplaintResolved) EventType() string { return "ComplaintResolved" }
func (e ComplaintResolved) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actResolve, e.At)
	k.ResolvedAt, k.FollowUpDue = e.At, e.FollowUpDue
}

// FollowUpComplaint records the call back to the resident (回访).
type FollowUpComplaint struct {
	ComplaintID  string       `json:"complaint_id"`
	Satisfaction Satisfaction `json:"satisfaction"`
	Solved       bool         `json:"solved"` // 问题是否解决 (解决率)
	Note         string       `json:"note,omitempty"`
}

// ComplaintFollowedUp: the resident said how the complaint was handled (满意率).
type ComplaintFollowedUp struct {
	ComplaintID  string       `json:"complaint_id"`
	Satisfaction Satisfaction `json:"satisfaction"`
	Solved       bool         `json:"solved"`
	Note         string       `json:"note,omitempty"`
	At           time.Time    `json:"at"`
	Due          time.Time    `json:"due"`
}

func (cmd FollowUpComplaint) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	oneOf(&v, "satisfaction", "complaint.satisfaction", cmd.Satisfaction, satisfactions)
	k, err := c.complaintFor(cmd.ComplaintID, actFollowUp, at, &v)
	if err != nil {
		return nil, err
	}
	return v.emit(ComplaintFollowedUp{ComplaintID: cmd.ComplaintID, Satisfaction: cmd.Satisfaction,
		Solved: cmd.Solved, Note: cmd.Note, At: at, Due: k.FollowUpDue})
}

func (ComplaintFollowedUp) EventType() string { return "ComplaintFollowedUp" }
func (e ComplaintFollowedUp) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actFollowUp, e.At)
	solved := e.Solved
	k.FollowedUpAt, k.Satisfaction, k.Solved = e.At, e.Satisfaction, &solved
}

// ReopenComplaint sends a complaint the resident was dissatisfied with back
// for another round (重办).
type ReopenComplaint struct {
	ComplaintID string `json:"complaint_id"`
	Reason      string `json:"reason"`
}

// ComplaintReopened: a new handling round starts, with limits counted from
// now under the rules in force now (重办率).
type ComplaintReopened struct {
	ComplaintID          string    `json:"complaint_id"`
	Reason               string    `json:"reason"`
	At                   time.Time `json:"at"`
	DispatchDue          time.Time `json:"dispatch_due"`
	ReplyDue             time.Time `json:"reply_due"`
	ReplyDueWeekdaysOnly bool      `json:"reply_due_weekdays_only,omitempty"` // v2
}

func (cmd ReopenComplaint) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	k, err := c.complaintFor(cmd.ComplaintID, actReopen, at, &v)
	if err != nil {
		return nil, err
	}
	reply := r.replyDue(at, k.Kind)
	return v.emit(ComplaintReopened{ComplaintID: cmd.ComplaintID, Reason: cmd.Reason, At: at,
		DispatchDue: r.Complaint.dispatchDue(at, k.Urgent), ReplyDue: reply.At, ReplyDueWeekdaysOnly: reply.WeekdaysOnly})
}

func (ComplaintReopened) EventType() string { return "ComplaintReopened" }
func (e ComplaintReopened) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.move(actReopen, e.At)
	k.Reopens++
	k.extendedDays = 0
	v := &k.ComplaintView // the round's times and answers start afresh
	v.Unit, v.ReopenedAt, v.DispatchDue, v.ReplyDue, v.ReplyDueWeekdaysOnly = "", e.At, e.DispatchDue, e.ReplyDue, e.ReplyDueWeekdaysOnly
	v.DispatchedAt, v.AcceptedAt, v.ResolvedAt, v.FollowedUpAt, v.FollowUpDue = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	v.Satisfaction, v.Solved = "", nil
}

// upcastWeekdaysOnlyV1 marks the reply limit of a v1 event as counted on
// weekdays only: that is how every v1 limit was computed, and it stays the
// limit the complaint was judged by.
func upcastWeekdaysOnlyV1(data json.RawMessage) (json.RawMessage, error) {
	return appendFields(data, map[string]json.RawMessage{"reply_due_weekdays_only": json.RawMessage("true")})
}

func init() {
	registerEvent[ComplaintReceived]()
	registerUpcast("ComplaintReceived", 1, upcastWeekdaysOnlyV1)
	registerEvent[ComplaintDispatched]()
	registerEvent[ComplaintAccepted]()
	registerEvent[ComplaintReturned]()
	registerEvent[ComplaintExtensionRequested]()
	registerEvent[ComplaintExtensionDecided]()
	registerUpcast("ComplaintExtensionDecided", 1, upcastWeekdaysOnlyV1)
	registerEvent[ComplaintResolved]()
	registerEvent[ComplaintFollowedUp]()
	registerEvent[ComplaintReopened]()
	registerUpcast("ComplaintReopened", 1, upcastWeekdaysOnlyV1)
	registerCommand[ReceiveComplaint]("receive-complaint")
	registerCommand[DispatchComplaint]("dispatch-complaint")
	registerCommand[AcceptComplaint]("accept-complaint")
	registerCommand[ReturnComplaint]("return-complaint")
	registerCommand[RequestComplaintExtension]("request-complaint-extension")
	registerCommand[DecideComplaintExtension]("decide-complaint-extension")
	registerCommand[ResolveComplaint]("resolve-complaint")
	registerCommand[FollowUpComplaint]("follow-up-complaint")
	registerCommand[ReopenComplaint]("reopen-complaint")
}
