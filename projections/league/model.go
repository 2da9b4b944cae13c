// Package league folds the event log into the facts the campaign ranks
// units by (complaints, suits, committees, plans, listings), and computes
// league tables from them for any period: streets, communities, districts,
// compounds and property companies, each metric traceable to its events.
package league

import (
	"fmt"
	"slices"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Model is the fold. Its fields are exported for gob snapshots only.
type Model struct {
	Format     int // modelFormat when snapshotted; Restore refuses any other
	Pos        uint64
	Recorded   time.Time // when the event at Pos was recorded
	Compounds  map[string]*Compound
	Complaints map[string]*Complaint // by compound ID + "/" + complaint ID
	Lawsuits   map[string]*Lawsuit
	Measures   map[string]*Measure
	Listings   map[string]*Listing
	Known      *Known // every fact counted, by when it became known
	// Extended is, by the start of a round whose reply limit an extension
	// set, the last extension granted: few rounds have one, so a round
	// keeps only that it has (Round.Extended), not a second event ID.
	Extended map[eventID]eventID

	ix   *index // derived: rebuilt on restore, never snapshotted
	book domain.RuleBook
}

// Compound is what a league table needs to know of one compound.
type Compound struct {
	ID, Name, District, Street, Community, Company string
	Households                                     int
	PrivateArea, DeliveredArea                     domain.Area
	Branch, Secretary                              string
	RedProperty, RedCommittee                      bool
	Flagged                                        bool
	Committee                                      Committee
	InterimFiled                                   bool
	EventID                                        string    // registration
	Places                                         []Place   // where it has been, by effective day (区划调整); the last is District, Street, Community
	Versions                                       []Version // as tables read it, by log position: for tables as of the past

	slot int32 // its place in the month index, plus one
}

// Place is where a compound belongs from a day on: its registration (From
// zero), or a move from its effective day.
type Place struct {
	From                        time.Time
	District, Street, Community string
}

// epoch numbers the place a compound was in at business time t.
func (c *Compound) epoch(t time.Time) int32 { return epochIn(c.Places, t) }

// epochIn numbers the place of places (a compound's, by effective day) at t.
func epochIn(places []Place, t time.Time) int32 {
	for i := len(places) - 1; i > 0; i-- {
		if !t.Before(places[i].From) {
			return int32(i)
		}
	}
	return 0
}

// placeOf is the compound's place of an epoch; the current one if it has
// none (an epoch a later move replaced counts nothing).
func (c *Compound) placeOf(epoch int32) Place {
	if int(epoch) < len(c.Places) {
		return c.Places[epoch]
	}
	return Place{District: c.District, Street: c.Street, Community: c.Community}
}

// judgedPlace is the epoch of the compound on the last instant before at:
// a table judged at a period's end (exclusive) sees the period's last day.
func (c *Compound) judgedPlace(at time.Time) int32 { return judgedEpoch(c.Places, at) }

func judgedEpoch(places []Place, at time.Time) int32 {
	return epochIn(places, at.Add(-time.Nanosecond))
}

// move records a place from a day on; it replaces any place known from
// that day or later (the newest correction of a day wins).
func (c *Compound) move(from time.Time, to Place) {
	if len(c.Places) == 0 { // no registration folded (not in a well-formed log): its place so far
		c.Places = []Place{{District: c.District, Street: c.Street, Community: c.Community}}
	}
	keep := 1
	for keep < len(c.Places) && c.Places[keep].From.Before(from) {
		keep++
	}
	to.From = from
	c.Places = append(c.Places[:keep], to)
	c.District, c.Street, c.Community = to.District, to.Street, to.Community
}

// Committee is the serving committee's summary.
type Committee struct {
	Term                int
	Elected, TermEnd    time.Time
	Filed               bool
	ReelectionStarted   bool
	ExpiredNoReelection bool
	Members, Alternates []Member // one a candidate (a committee has a handful: a slice, not a map)
	Chair               string   // candidate ID
	EventID             string   // the election
}

// Member is a committee seat's holder.
type Member struct {
	ID          string // candidate ID
	Name        string
	PartyMember bool
}

// seat is the place of candidate id among members; -1 if none.
func seat(members []Member, id string) int {
	return slices.IndexFunc(members, func(m Member) bool { return m.ID == id })
}

// seated is members with m in its candidate's seat, or a new one.
func seated(members []Member, m Member) []Member {
	if i := seat(members, m.ID); i >= 0 {
		members[i] = m
		return members
	}
	return append(members, m)
}

// chairName is the name of the chair among the members ("" if none).
func (cm Committee) chairName() string {
	if i := seat(cm.Members, cm.Chair); i >= 0 {
		return cm.Members[i].Name
	}
	return ""
}

func (cm Committee) partyMembers() int {
	n := 0
	for _, m := range cm.Members {
		if m.PartyMember {
			n++
		}
	}
	return n
}

// Complaint is one ticket's facts: its latest handling round, and the
// rounds before it (each reopen closes one), each still due when it was.
// Its times, event IDs and words are kept compact (see compact.go).
type Complaint struct {
	// Its pointers first: the collector scans an object up to its last.
	Compound                string
	Calls                   []Call  // follow-up calls (回访), each counted
	Rounds                  []Round // the rounds a reopen closed (their number is the reopens)
	place                   place
	Received                instant
	Round                   // the latest handling round
	Company                 projections.Word
	Channel, Kind, Category projections.Word
	Urgent                  bool
	Voided                  bool // entered in error: counts nowhere
}

// receivedEvent is the reception, which started the first round.
func (x *Complaint) receivedEvent() eventID {
	if len(x.Rounds) > 0 {
		return x.Rounds[0].StartEvent
	}
	return x.StartEvent
}

// Round is a handling round: from reception or a reopen (重办) to its
// resolution, with its own dispatch and reply limits. One a reopen closed
// was resolved (a reopen needs a dissatisfied follow-up of a resolution).
type Round struct {
	DispatchDue, ReplyDue          instant
	Dispatched, Accepted, Resolved instant // its first dispatch and acceptance
	StartEvent, DispatchedEvent    eventID // the reception or reopen that set DispatchDue (and ReplyDue, unless Extended); the first dispatch
	ResolvedEvent                  eventID // the event that set Resolved
	Returns                        int32
	WeekdaysOnly                   bool // ReplyDue was counted on weekdays only
	Extended                       bool // ReplyDue was set by an extension (Model.Extended)
}

// dueEvent is the event that set the round's reply limit.
func (r *Round) dueEvent(extended map[eventID]eventID) eventID {
	if r.Extended {
		return extended[r.StartEvent]
	}
	return r.StartEvent
}

// Call is one follow-up call.
type Call struct {
	At           instant
	EventID      eventID
	Satisfaction projections.Word
	Solved       bool
}

// Lawsuit is one court case.
type Lawsuit struct {
	Compound, Company string
	Filed, Concluded  time.Time
	CompanyLost       bool
	EventID           string
	place             place
}

// Measure is one measure of a plan (一区一策).
type Measure struct {
	Compound string
	Deadline time.Time // end of the deadline day
	Signed   time.Time
	EventID  string
	Pos      uint64    // the log position this state of it became known at
	Before   *Measure  // its state before, for tables as of the past; nil: it was not known
	c        *Compound // Compound's: a table reads every measure, without a lookup each
	n        int32     // its number in the index (see planned)
}

// Listing is one supervision listing (挂牌督办).
type Listing struct {
	Compound         string
	Listed, Delisted time.Time
	EventID          string
	Pos              uint64    // as a measure's
	Before           *Listing  // as a measure's
	c                *Compound // Compound's, as a measure's
}

// New returns an empty model; the rules in book judge its tables.
func New(book domain.RuleBook) *Model {
	m := &Model{Format: modelFormat, book: book, Compounds: map[string]*Compound{}, Complaints: map[string]*Complaint{},
		Lawsuits: map[string]*Lawsuit{}, Measures: map[string]*Measure{}, Listings: map[string]*Listing{}, Known: &Known{},
		Extended: map[eventID]eventID{}}
	m.ix = newIndex(m)
	return m
}

func (m *Model) Name() string     { return "league" }
func (m *Model) Position() uint64 { return m.Pos }

// Handled are the event types the fold reads.
func (m *Model) Handled() []string { return handlers.Types() }

// Apply folds one event; types it does not read are skipped undecoded.
func (m *Model) Apply(e domain.Envelope) error {
	if err := projections.CheckKnownPosition("league", e.Position); err != nil {
		return err
	}
	if e.Position > m.Pos {
		m.Recorded = e.RecordedAt
	}
	m.ix.pos = e.Position
	return handlers.Apply(m, "league", &m.Pos, e)
}

// handlers fold one event type each into the facts.
var handlers = projections.NewHandlers(
	onMove(func(x step, ev domain.CompoundRegistered) {
		c, p := x.c, ev.Profile
		c.Name, c.Company = projections.Own(p.Name), projections.Intern(p.PropertyCompany)
		c.District, c.Street, c.Community = projections.Intern(p.District), projections.Intern(p.Street), projections.Intern(p.Community)
		c.Households, c.PrivateArea, c.DeliveredArea, c.EventID = p.Households, p.PrivateArea, p.DeliveredArea, projections.Own(x.e.EventID)
		c.Places = []Place{{District: c.District, Street: c.Street, Community: c.Community}}
	}),
	on(func(x step, ev domain.DeliveredAreaUpdated) { x.c.DeliveredArea = ev.DeliveredArea }),
	onMove(func(x step, ev domain.CompoundRenamed) { x.c.Name = projections.Own(ev.Name) }), // names its unit in the compound table
	on(func(x step, ev domain.CompoundFiguresCorrected) {
		x.c.Households, x.c.PrivateArea, x.c.DeliveredArea = ev.Households, ev.PrivateArea, ev.DeliveredArea
	}),
	// 区划调整: the compound's facts dated from the effective day on count
	// for its new unit, those before for the old; a table as of before the
	// correction shows every fact in the old unit.
	onMove(func(x step, ev domain.CompoundMoved) {
		x.m.replace(x.id, func() {
			x.c.move(domain.NewDate(ev.From.Time).Time, Place{District: projections.Intern(ev.District), Street: projections.Intern(ev.Street),
				Community: projections.Intern(ev.Community)})
		})
	}),
	onMove(func(x step, ev domain.PropertyCompanyChanged) { x.c.Company = projections.Intern(ev.Company) }),
	on(func(x step, ev domain.PartyBranchEstablished) {
		x.c.Branch, x.c.Secretary = projections.Own(ev.Branch), projections.Own(ev.Secretary)
	}),
	on(func(x step, ev domain.RedFlagsSet) {
		x.c.RedProperty, x.c.RedCommittee = ev.RedProperty, ev.RedCommittee
	}),

	on(func(x step, ev domain.CommitteeElected) {
		cm := Committee{Term: ev.Term, Elected: ev.At, TermEnd: ev.TermEnd, EventID: projections.Own(x.e.EventID),
			Members: make([]Member, 0, len(ev.Members)), Alternates: make([]Member, 0, len(ev.Alternates))}
		for _, p := range ev.Members {
			cm.Members = seated(cm.Members, Member{projections.Own(p.CandidateID), projections.Own(p.Name), p.Background.PartyMember})
		}
		for _, p := range ev.Alternates {
			cm.Alternates = seated(cm.Alternates, Member{projections.Own(p.CandidateID), projections.Own(p.Name), p.Background.PartyMember})
		}
		x.c.Committee, x.c.InterimFiled = cm, false
	}),
	on(func(x step, ev domain.ChairChosen) { x.c.Committee.Chair = projections.Own(ev.Chair) }),
	on(func(x step, _ domain.CommitteeFiled) { x.c.Committee.Filed = true }),
	on(func(x step, _ domain.ReelectionStarted) { x.c.Committee.ReelectionStarted = true }),
	on(func(x step, ev domain.CommitteeTermExpired) {
		x.c.Committee.ExpiredNoReelection = !ev.ReelectionStarted
		x.c.Committee.Filed = false
	}),
	on(func(x step, ev domain.MemberLeft) {
		cm := &x.c.Committee
		if i := seat(cm.Members, ev.CandidateID); i >= 0 {
			cm.Members = slices.Delete(cm.Members, i, i+1)
		}
		if i := seat(cm.Alternates, ev.Replacement); i >= 0 {
			cm.Members = seated(cm.Members, cm.Alternates[i])
			cm.Alternates = slices.Delete(cm.Alternates, i, i+1)
		}
		if cm.Chair == ev.CandidateID {
			cm.Chair = ""
		}
	}),
	on(func(x step, _ domain.InterimCommissionFiled) { x.c.InterimFiled = true }),

	onItem(func(x step, ev domain.ComplaintReceived) {
		id := eventIDOf(x.e.EventID)
		c := &Complaint{Compound: x.id, Company: projections.WordOf(x.c.Company), Channel: projections.WordOf(ev.Channel), Kind: projections.WordOf(ev.Kind),
			Category: projections.WordOf(ev.Category), Urgent: ev.Urgent, Received: instantOf(ev.At),
			Round: Round{DispatchDue: instantOf(ev.DispatchDue), ReplyDue: instantOf(ev.ReplyDue), StartEvent: id,
				WeekdaysOnly: ev.ReplyDueWeekdaysOnly}}
		x.m.Complaints[x.key(ev.ComplaintID)] = c
		x.m.update(c, nil)
	}),
	onItem(func(x step, ev domain.ComplaintDispatched) {
		x.complaint(ev.ComplaintID, func(c *Complaint) {
			if c.Dispatched.isZero() {
				c.Dispatched, c.DispatchedEvent = instantOf(ev.At), eventIDOf(x.e.EventID)
			}
		})
	}),
	onItem(func(x step, ev domain.ComplaintAccepted) {
		x.complaint(ev.ComplaintID, func(c *Complaint) {
			if c.Accepted.isZero() { // the response rate judges a round's first acceptance
				c.Accepted = instantOf(ev.At)
			}
		})
	}),
	onItem(func(x step, ev domain.ComplaintReturned) {
		x.complaint(ev.ComplaintID, func(c *Complaint) { c.Returns++ })
	}),
	onItem(func(x step, ev domain.ComplaintExtensionDecided) {
		x.complaint(ev.ComplaintID, func(c *Complaint) {
			if ev.Granted {
				c.ReplyDue, c.Extended, c.WeekdaysOnly = instantOf(ev.ReplyDue), true, ev.ReplyDueWeekdaysOnly
				x.m.Extended[c.StartEvent] = eventIDOf(x.e.EventID)
			}
		})
	}),
	onItem(func(x step, ev domain.ComplaintResolved) {
		x.complaint(ev.ComplaintID, func(c *Complaint) { c.Resolved, c.ResolvedEvent = instantOf(ev.At), eventIDOf(x.e.EventID) })
	}),
	onItem(func(x step, ev domain.ComplaintFollowedUp) {
		x.complaint(ev.ComplaintID, func(c *Complaint) {
			c.Calls = append(c.Calls, Call{At: instantOf(ev.At), Satisfaction: projections.WordOf(ev.Satisfaction), Solved: ev.Solved, EventID: eventIDOf(x.e.EventID)})
		})
	}),
	onItem(func(x step, ev domain.ComplaintReopened) {
		// A new round with its own dispatch and reply limits; the round it
		// closes stays due when it was, so that reopening a late case cannot
		// hide it.
		x.complaint(ev.ComplaintID, func(c *Complaint) {
			id := eventIDOf(x.e.EventID)
			c.Rounds = append(c.Rounds, c.Round)
			c.Round = Round{DispatchDue: instantOf(ev.DispatchDue), ReplyDue: instantOf(ev.ReplyDue), StartEvent: id,
				WeekdaysOnly: ev.ReplyDueWeekdaysOnly}
		})
	}),

	onItem(func(x step, ev domain.ComplaintVoided) {
		x.complaint(ev.ComplaintID, func(c *Complaint) { c.Voided = true })
	}),
	onItem(func(x step, ev domain.ComplaintCategoryAmended) {
		x.complaint(ev.ComplaintID, func(c *Complaint) { c.Category = projections.WordOf(ev.Category) })
	}),

	onItem(func(x step, ev domain.LawsuitFiled) {
		l := &Lawsuit{Compound: x.id, Company: projections.Intern(ev.Company), Filed: ev.At, EventID: projections.Own(x.e.EventID)}
		x.m.Lawsuits[x.key(ev.LawsuitID)] = l
		x.m.update(l, nil)
	}),
	onItem(func(x step, ev domain.LawsuitConcluded) {
		if l := x.m.Lawsuits[x.key(ev.LawsuitID)]; l != nil {
			l.Concluded, l.CompanyLost = ev.At, ev.CompanyLost
		}
	}),

	on(func(x step, _ domain.ConflictFlagged) { x.c.Flagged = true }),
	on(func(x step, _ domain.ConflictUnflagged) { x.c.Flagged = false }),
	onItem(func(x step, ev domain.PlanAdopted) {
		event := projections.Own(x.e.EventID)
		for _, ms := range ev.Measures {
			key := x.key(ms.ID)
			x.m.Measures[key] = &Measure{Compound: x.id, Deadline: ms.Deadline.End(), EventID: event, Pos: x.e.Position,
				Before: x.m.Measures[key], c: x.c}
			x.m.ix.plan(x.m.Measures[key])
		}
	}),
	onItem(func(x step, ev domain.MeasureAdded) {
		key := x.key(ev.ID)
		x.m.Measures[key] = &Measure{Compound: x.id, Deadline: ev.Deadline.End(), EventID: projections.Own(x.e.EventID), Pos: x.e.Position,
			Before: x.m.Measures[key], c: x.c}
		x.m.ix.plan(x.m.Measures[key])
	}),
	onItem(func(x step, ev domain.MeasureSignedOff) {
		if ms := x.m.Measures[x.key(ev.MeasureID)]; ms != nil {
			before := *ms
			ms.Signed, ms.Pos, ms.Before = ev.At, x.e.Position, &before
			x.m.ix.plan(ms)
		}
	}),
	onItem(func(x step, ev domain.ListedForSupervision) {
		key := x.key(ev.ListingID)
		x.m.Listings[key] = &Listing{Compound: x.id, Listed: ev.At, EventID: projections.Own(x.e.EventID), Pos: x.e.Position, Before: x.m.Listings[key], c: x.c}
	}),
	onItem(func(x step, ev domain.Delisted) {
		if l := x.m.Listings[x.key(ev.ListingID)]; l != nil {
			before := *l
			l.Delisted, l.Pos, l.Before = ev.At, x.e.Position, &before
		}
	}),
)

// step is one event's compound, as a handler sees it.
type step struct {
	m  *Model
	e  domain.Envelope
	id string
	c  *Compound
}

// on makes the handler of T from a change to the event's compound.
func on[T domain.Event](f func(step, T)) projections.Handler[*Model] {
	return handle(changesCompound, f)
}

// onMove makes the handler of an event that may move its compound to
// another unit or company, or rename its unit: the levels are laid out
// again.
func onMove[T domain.Event](f func(step, T)) projections.Handler[*Model] {
	return handle(movesCompound, f)
}

// onItem makes the handler of an event that changes one of the compound's
// complaints, suits, measures or listings, not the compound itself.
func onItem[T domain.Event](f func(step, T)) projections.Handler[*Model] {
	return handle(changesItem, f)
}

// changes is what an event type changes.
type changes int

const (
	changesItem changes = iota
	changesCompound
	movesCompound
)

// handle creates the compound on its first event and, after f, keeps the
// month index and the compound's versions in step with it (most events
// change an item only: the compound's standing is not read again).
func handle[T domain.Event](kind changes, f func(step, T)) projections.Handler[*Model] {
	return projections.On(func(m *Model, e domain.Envelope, ev T) {
		c := m.Compounds[domain.CompoundIDOf(e.StreamID)]
		isNew := c == nil
		if isNew { // its ID a copy: the event's stream ID is a column of its row
			c = &Compound{ID: projections.Own(domain.CompoundIDOf(e.StreamID))}
			m.Compounds[c.ID] = c
		}
		f(step{m, e, c.ID, c}, ev)
		if kind != changesItem || isNew {
			m.touched(c, kind == movesCompound || isNew)
			m.ix.remember(c, e.Position)
		}
	})
}

// key names a complaint, suit, measure or listing of the compound.
func (x step) key(sub string) string { return x.id + "/" + sub }

// complaint changes a complaint the fold knows, keeping the index in step.
func (x step) complaint(id string, f func(*Complaint)) {
	if c := x.m.Complaints[x.key(id)]; c != nil {
		x.m.update(c, func() { f(c) })
	}
}

// Snapshot encodes the whole model.
func (m *Model) Snapshot() ([]byte, error) {
	return projections.GobSnapshot(m)
}

// modelFormat numbers the snapshot layout. Gob decodes a snapshot of an
// older model without complaint, leaving new fields zero (format 2 keeps
// each handling round's data, 3 a compound's places and each round's
// dispatch, 4 what was known when, 5 complaints' times, IDs and words
// compact, 6 a known fact's numerator alone and a round's extension in
// Extended): such a snapshot must be refused, so that the runner folds
// from the start. Raise it whenever a fold keeps new data or changes its
// layout.
const modelFormat = 6 // 6: a fact whose numerator alone changed is one known delta (known.go); extensions in Extended

// Restore replaces the model by a snapshot, keeping the rule book; a
// snapshot of another model format is refused and m left as it was.
func (m *Model) Restore(b []byte) error {
	fresh, restored := New(m.book), Model{}
	fresh.Format = 0 // a snapshot without the field must not keep the fresh model's
	if err := projections.GobRestore(b, &restored, fresh); err != nil {
		return err
	}
	if restored.Format != modelFormat {
		return fmt.Errorf("league snapshot of model format %d, want %d", restored.Format, modelFormat)
	}
	*m = restored
	m.reintern()
	for _, ms := range m.Measures { // not snapshotted: pointers
		for c := m.Compounds[ms.Compound]; ms != nil; ms = ms.Before {
			ms.c = c
		}
	}
	for _, l := range m.Listings {
		l.c = m.Compounds[l.Compound]
	}
	// The index is laid out again from the items (its cells numbered as
	// the known facts number them); the known facts are not recounted.
	m.ix = newIndex(m)
	return nil
}

// SQLTables lays the complaints out for SQL readers (rm_complaints), one row
// per ticket as of its latest handling round (its returns: of every round).
func (m *Model) SQLTables() []projections.SQLTable {
	t := projections.SQLTable{Name: "rm_complaints", Columns: []string{"compound_id", "complaint_id", "company", "channel", "received_at",
		"dispatch_due", "reply_due", "dispatched_at", "accepted_at", "resolved_at", "returns", "reopens", "follow_ups", "last_satisfaction",
		"category", "kind", "urgent", "solved", "voided"}}
	t.Rows = make([][]any, 0, len(m.Complaints))
	for key, x := range m.Complaints {
		returns := int(x.Returns)
		for _, r := range x.Rounds {
			returns += int(r.Returns)
		}
		var satisfaction string
		var solved any // NULL before a follow-up
		if len(x.Calls) > 0 {
			last := x.Calls[len(x.Calls)-1]
			satisfaction, solved = last.Satisfaction.String(), last.Solved
		}
		t.Rows = append(t.Rows, []any{x.Compound, key[len(x.Compound)+1:], x.Company.String(), x.Channel.String(), x.Received.time(),
			projections.Nullable(x.DispatchDue.time()), projections.Nullable(x.ReplyDue.time()), projections.Nullable(x.Dispatched.time()),
			projections.Nullable(x.Accepted.time()), projections.Nullable(x.Resolved.time()), returns, len(x.Rounds), len(x.Calls), satisfaction,
			x.Category.String(), x.Kind.String(), x.Urgent, solved, x.Voided})
	}
	return []projections.SQLTable{t}
}
