package domain

import "time"

// ListingView is the read side of the compound's latest supervision listing
// (挂牌督办), active or lifted.
type ListingView struct {
	ListingID         string            `json:"listing_id"`
	Number            int               `json:"number"`    // 1 for the compound's first listing
	Authority         string            `json:"authority"` // 督办单位
	Reason            string            `json:"reason,omitempty"`
	Active            bool              `json:"active"`
	ListedAt          time.Time         `json:"listed_at"`
	Deadline          Date              `json:"deadline"` // as extended
	PendingExtension  *ExtensionRequest `json:"pending_extension,omitempty"`
	ExtensionsGranted int               `json:"extensions_granted"`
	ExtensionsRefused int               `json:"extensions_refused"`
	Verification      *Verification     `json:"verification,omitempty"` // the latest
	Interviews        int               `json:"interviews"`             // 约谈
	PublicNotices     int               `json:"public_notices"`         // 通报
	DelistedAt        time.Time         `json:"delisted_at,omitzero"`   // 摘牌
	Published         bool              `json:"published"`
}

// ExtensionRequest is a pending request to extend a listing (延期申请).
type ExtensionRequest struct {
	NewDeadline Date      `json:"new_deadline"`
	Reason      string    `json:"reason"`
	RequestedAt time.Time `json:"requested_at"`
}

// listing is a listing's state; views copy it (pointers are replaced, never
// changed in place).
type listing ListingView

func (l *listing) active() bool { return l != nil && l.Active }

// Listing returns the compound's latest listing.
func (c *Compound) Listing() (ListingView, bool) {
	if c.listing == nil {
		return ListingView{}, false
	}
	return ListingView(*c.listing), true
}

// ListForSupervision lists a conflict compound for supervision with a
// deadline (挂牌督办); one listing at a time.
type ListForSupervision struct {
	ListingID string `json:"listing_id"`
	Authority string `json:"authority"`
	Deadline  Date   `json:"deadline"`
	Reason    string `json:"reason,omitempty"`
}

// ListedForSupervision: the listing is active from At.
type ListedForSupervision struct {
	ListingID string    `json:"listing_id"`
	Authority string    `json:"authority"`
	Deadline  Date      `json:"deadline"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

func (cmd ListForSupervision) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("listing_id", cmd.ListingID)
	v.required("authority", cmd.Authority)
	if !c.conflict.Flagged {
		v.fail("", "listing.not_flagged", "only a conflict compound is listed for supervision", "仅矛盾突出小区可挂牌督办")
	}
	if c.listing.active() {
		v.fail("", "listing.already_active", "the compound is already listed (%s)", "小区已挂牌督办（%s）", c.listing.ListingID)
	}
	checkDeadline(&v, "deadline", "listing.deadline", cmd.Deadline, at)
	if limit := addDays(at, r.Plan.MaxListingDays); !cmd.Deadline.IsZero() && cmd.Deadline.End().After(limit) {
		v.fail("deadline", "listing.deadline_too_far", "a listing lasts at most %d days: deadline %s is after %s",
			"挂牌督办期限不得超过 %d 天：%s 晚于 %s", r.Plan.MaxListingDays, cmd.Deadline, limit.Format(time.DateOnly))
	}
	return v.emit(ListedForSupervision{ListingID: cmd.ListingID, Authority: cmd.Authority, Deadline: cmd.Deadline, Reason: cmd.Reason, At: at})
}

func (ListedForSupervision) EventType() string { return "ListedForSupervision" }
func (e ListedForSupervision) apply(c *Compound) {
	n := 1
	if c.listing != nil {
		n = c.listing.Number + 1
	}
	c.listing = &listing{ListingID: e.ListingID, Number: n, Authority: e.Authority, Reason: e.Reason,
		Active: true, ListedAt: e.At, Deadline: e.Deadline}
}

// RequestListingExtension asks for a later deadline (申请延期), early enough
// for the authority to decide before the deadline passes: the deadline must
// fall on or after the N-th working day after the request.
type RequestListingExtension struct {
	ListingID   string `json:"listing_id"`
	NewDeadline Date   `json:"new_deadline"`
	Reason      string `json:"reason"`
}

// ListingExtensionRequested: a request waits for a decision.
type ListingExtensionRequested struct {
	ListingID   string    `json:"listing_id"`
	NewDeadline Date      `json:"new_deadline"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

func (cmd RequestListingExtension) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	requireDate(&v, "new_deadline", cmd.NewDeadline)
	l, err := activeListing(&v, c, cmd.ListingID)
	if l == nil {
		return nil, err
	}
	if l.PendingExtension != nil {
		v.fail("listing_id", "listing.extension_pending", "an extension request of %s is still undecided", "%s 申请的延期尚未批复",
			l.PendingExtension.RequestedAt.In(China).Format(time.DateOnly))
	}
	if !cmd.NewDeadline.IsZero() && !cmd.NewDeadline.After(l.Deadline.Time) {
		v.fail("new_deadline", "listing.extension_not_later", "the new deadline %s is not after the current deadline %s",
			"新期限 %s 未晚于现期限 %s", cmd.NewDeadline, l.Deadline)
	}
	if n := r.Plan.ExtensionLeadWorkingDays; r.AddWorkingDays(at, n).At.After(l.Deadline.End()) {
		v.fail("", "listing.extension_too_late", "an extension is requested at least %d working days before the deadline %s",
			"延期须在督办期限 %[2]s 前至少 %[1]d 个工作日申请", n, l.Deadline)
	}
	return v.emit(ListingExtensionRequested{ListingID: cmd.ListingID, NewDeadline: cmd.NewDeadline, Reason: cmd.Reason, At: at})
}

func (ListingExtensionRequested) EventType() string { return "ListingExtensionRequested" }
func (e ListingExtensionRequested) apply(c *Compound) {
	c.listing.PendingExtension = &ExtensionRequest{NewDeadline: e.NewDeadline, Reason: e.Reason, RequestedAt: e.At}
}

// DecideListingExtension grants or refuses the pending request. A decision
// after its limit is still recorded, with an alert.
type DecideListingExtension struct {
	ListingID string `json:"listing_id"`
	Granted   bool   `json:"granted"`
	Note      string `json:"note,omitempty"`
}

// ListingExtensionDecided: Deadline is the listing's deadline from now on.
type ListingExtensionDecided struct {
	ListingID string    `json:"listing_id"`
	Granted   bool      `json:"granted"`
	Note      string    `json:"note,omitempty"`
	Deadline  Date      `json:"deadline"`
	At        time.Time `json:"at"`
}

func (cmd DecideListingExtension) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	l, err := activeListing(&v, c, cmd.ListingID)
	if l == nil {
		return nil, err
	}
	req := l.PendingExtension
	if req == nil {
		v.fail("listing_id", "listing.no_extension_request", "listing %s has no pending extension request", "挂牌督办 %s 没有待批复的延期申请", l.ListingID)
		return nil, v.err()
	}
	e := ListingExtensionDecided{ListingID: cmd.ListingID, Granted: cmd.Granted, Note: cmd.Note, Deadline: l.Deadline, At: at}
	if cmd.Granted {
		e.Deadline = req.NewDeadline
	}
	due := r.AddWorkingDays(req.RequestedAt, r.Plan.ExtensionDecisionWorkingDays).At
	late := lateAlert("listing.extension_decision_late", "listing "+l.ListingID, due, at,
		"extension of listing "+l.ListingID+" decided late", "挂牌督办 "+l.ListingID+" 延期申请逾期批复")
	return v.emit(append([]Event{e}, late...)...)
}

func (ListingExtensionDecided) EventType() string { return "ListingExtensionDecided" }
func (e ListingExtensionDecided) apply(c *Compound) {
	l := c.listing
	l.PendingExtension, l.Deadline = nil, e.Deadline
	if e.Granted {
		l.ExtensionsGranted++
	} else {
		l.ExtensionsRefused++
	}
}

// VerifyRemediation records the check of the remediation (整改验收). A
// failed check may be repeated; a passed one waits for the delisting.
type VerifyRemediation struct {
	ListingID string `json:"listing_id"`
	Passed    bool   `json:"passed"`
	Verifier  string `json:"verifier,omitempty"`
	Note      string `json:"note,omitempty"`
}

// RemediationVerified: the outcome of the check.
type RemediationVerified struct {
	ListingID string    `json:"listing_id"`
	Passed    bool      `json:"passed"`
	Verifier  string    `json:"verifier,omitempty"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

func (cmd VerifyRemediation) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	l, err := activeListing(&v, c, cmd.ListingID)
	if l == nil {
		return nil, err
	}
	if l.Verification.passed() {
		v.fail("listing_id", "listing.already_verified", "the remediation of %s already passed verification; delist it", "挂牌督办 %s 已验收合格，请办理摘牌", l.ListingID)
	}
	return v.emit(RemediationVerified{ListingID: cmd.ListingID, Passed: cmd.Passed, Verifier: cmd.Verifier, Note: cmd.Note, At: at})
}

func (RemediationVerified) EventType() string { return "RemediationVerified" }
func (e RemediationVerified) apply(c *Compound) {
	c.listing.Verification = &Verification{Passed: e.Passed, Verifier: e.Verifier, Note: e.Note, At: e.At}
}

// Delist lifts a listing after a passed verification (摘牌); Published says
// whether the delisting was made public.
type Delist struct {
	ListingID string `json:"listing_id"`
	Published bool   `json:"published"`
	Note      string `json:"note,omitempty"`
}

// Delisted: the listing is lifted.
type Delisted struct {
	ListingID string    `json:"listing_id"`
	Published bool      `json:"published"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

func (cmd Delist) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	l, err := activeListing(&v, c, cmd.ListingID)
	if l == nil {
		return nil, err
	}
	if !l.Verification.passed() {
		v.fail("listing_id", "listing.not_verified", "the remediation of %s has not passed verification", "挂牌督办 %s 整改尚未验收合格，不能摘牌", l.ListingID)
	}
	return v.emit(Delisted{ListingID: cmd.ListingID, Published: cmd.Published, Note: cmd.Note, At: at})
}

func (Delisted) EventType() string { return "Delisted" }
func (e Delisted) apply(c *Compound) {
	c.listing.Active, c.listing.DelistedAt, c.listing.Published = false, e.At, e.Published
}

// activeListing returns the active listing a command names. An unknown
// listing is a not-found error; a lifted one is a rejection in v. l is nil
// exactly when the command cannot go on; err is then v's error.
func activeListing(v *violations, c *Compound, id string) (l *listing, err error) {
	v.required("listing_id", id)
	switch {
	case id == "":
		return nil, v.err()
	case c.listing == nil || c.listing.ListingID != id:
		notFound(v, "listing_id", "listing.unknown", nounListing, id)
		return nil, v.err()
	case !c.listing.Active:
		v.fail("listing_id", "listing.delisted", "listing %s is already lifted", "挂牌督办 %s 已摘牌", id)
		return nil, v.err()
	}
	return c.listing, nil
}

// EscalationKind is a step up the pressure on those responsible.
type EscalationKind string

const (
	EscalationInterview    EscalationKind = "interview"     // 约谈
	EscalationPublicNotice EscalationKind = "public_notice" // 通报
)

var escalationKinds = vocabulary[EscalationKind]{EscalationInterview, EscalationPublicNotice}

// RecordEscalation records an interview or a public notice about the
// compound; it counts against the active listing, if any.
type RecordEscalation struct {
	Kind   EscalationKind `json:"kind"`
	Target string         `json:"target"` // who was interviewed or named
	Note   string         `json:"note,omitempty"`
}

// EscalationRecorded: ListingID is the listing active at the time, if any.
type EscalationRecorded struct {
	Kind      EscalationKind `json:"kind"`
	Target    string         `json:"target"`
	Note      string         `json:"note,omitempty"`
	ListingID string         `json:"listing_id,omitempty"`
	At        time.Time      `json:"at"`
}

func (cmd RecordEscalation) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	oneOf(&v, "kind", "escalation.kind", cmd.Kind, escalationKinds)
	v.required("target", cmd.Target)
	e := EscalationRecorded{Kind: cmd.Kind, Target: cmd.Target, Note: cmd.Note, At: at}
	if c.listing.active() {
		e.ListingID = c.listing.ListingID
	}
	return v.emit(e)
}

func (EscalationRecorded) EventType() string { return "EscalationRecorded" }
func (e EscalationRecorded) apply(c *Compound) {
	if l := c.listing; l.active() && l.ListingID == e.ListingID {
		if e.Kind == EscalationInterview {
			l.Interviews++
		} else {
			l.PublicNotices++
		}
	}
}

func init() {
	registerEvent[ListedForSupervision]()
	registerEvent[ListingExtensionRequested]()
	registerEvent[ListingExtensionDecided]()
	registerEvent[RemediationVerified]()
	registerEvent[Delisted]()
	registerEvent[EscalationRecorded]()
	registerCommand[ListForSupervision]("list-for-supervision")
	registerCommand[RequestListingExtension]("request-listing-extension")
	registerCommand[DecideListingExtension]("decide-listing-extension")
	registerCommand[VerifyRemediation]("verify-remediation")
	registerCommand[Delist]("delist")
	registerCommand[RecordEscalation]("record-escalation")
}
