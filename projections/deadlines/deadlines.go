// Package deadlines folds the event log into the deadlines board (期限看板):
// every deadline still open, where it is, and when it falls due. A deadline
// leaves the board when it is met; missing it is an alert, never a
// rejection, so an overdue deadline stays until it is met late.
//
// The board answers for the model's current state. To see it as it stood
// at a past position, ask its runner for a view as of then (Runner.At).
package deadlines

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Kind is what a deadline is for.
type Kind string

const (
	KindCommitteeFiling Kind = "committee_filing"    // 业委会备案: within 30 days of the election
	KindReelection      Kind = "reelection_start"    // 换届启动: months before the term ends
	KindListing         Kind = "listing"             // 挂牌督办期限, as extended
	KindMeasure         Kind = "measure"             // 整改措施期限 (一区一策)
	KindDispatch        Kind = "complaint_dispatch"  // 派单时限
	KindReply           Kind = "complaint_reply"     // 办结时限
	KindFollowUp        Kind = "complaint_follow_up" // 回访时限
)

// Kinds lists every kind of deadline, for clients that filter by kind.
var Kinds = []Kind{KindCommitteeFiling, KindReelection, KindListing, KindMeasure, KindDispatch, KindReply, KindFollowUp}

// Model is the fold. Its fields are exported for gob snapshots only.
type Model struct {
	Pos       uint64
	Compounds map[string]*Compound
}

// Compound is where a compound sits and its open deadlines.
type Compound struct {
	Name, District, Street, Community string
	Term                              int                 // the latest committee's term (届)
	Open                              map[string]Deadline // by kind and subject
	Dispatched                        map[string]Deadline // met dispatch limits by complaint, kept while a return (退单) may reopen them
}

// Deadline is one open deadline. Subject is what it is about: the
// complaint, measure or listing ID, or the committee's term.
type Deadline struct {
	Kind    Kind      `json:"kind"`
	Subject string    `json:"subject"`
	Due     time.Time `json:"due"`
	EventID string    `json:"event_id"` // the event that set the due time
}

// New returns an empty board. It needs no rules: every due date comes
// from the fact that set it, as it was decided under the rules then in
// force, so the board and the domain's late alerts always agree.
func New() *Model {
	return &Model{Compounds: map[string]*Compound{}}
}

func (m *Model) Name() string     { return "deadlines" }
func (m *Model) Position() uint64 { return m.Pos }

// Handled are the event types the fold reads.
func (m *Model) Handled() []string { return handlers.Types() }

// Apply folds one event; types it does not read are skipped undecoded.
func (m *Model) Apply(e domain.Envelope) error {
	return handlers.Apply(m, "deadlines", &m.Pos, e)
}

// handlers open, move and drop the deadlines of one event type each.
var handlers = projections.NewHandlers(
	on(func(x change, ev domain.CompoundRegistered) {
		x.c.Name, x.c.District, x.c.Street, x.c.Community = projections.Own(ev.Name),
			projections.Intern(ev.District), projections.Intern(ev.Street), projections.Intern(ev.Community)
	}),

	on(func(x change, ev domain.CommitteeElected) {
		// The outgoing committee's deadlines lapse with it.
		x.drop(KindCommitteeFiling, x.term())
		x.drop(KindReelection, x.term())
		x.c.Term = ev.Term
		x.open(KindCommitteeFiling, x.term(), ev.FilingDue)
		x.open(KindReelection, x.term(), ev.ReelectionDue)
	}),
	on(func(x change, _ domain.CommitteeFiled) { x.drop(KindCommitteeFiling, x.term()) }),
	on(func(x change, _ domain.ReelectionStarted) { x.drop(KindReelection, x.term()) }),
	on(func(x change, _ domain.CommitteeTermExpired) {
		x.drop(KindCommitteeFiling, x.term()) // no longer serving, it cannot be filed; a re-election is still owed
	}),

	on(func(x change, ev domain.ListedForSupervision) { x.open(KindListing, ev.ListingID, ev.Deadline.End()) }),
	on(func(x change, ev domain.ListingExtensionDecided) {
		x.move(KindListing, ev.ListingID, ev.Deadline.End())
	}),
	on(func(x change, ev domain.Delisted) { x.drop(KindListing, ev.ListingID) }),

	on(func(x change, ev domain.PlanAdopted) {
		for _, ms := range ev.Measures {
			x.open(KindMeasure, ms.ID, ms.Deadline.End())
		}
	}),
	on(func(x change, ev domain.MeasureAdded) { x.open(KindMeasure, ev.ID, ev.Deadline.End()) }),
	on(func(x change, ev domain.MeasureSignedOff) { x.drop(KindMeasure, ev.MeasureID) }),

	on(func(x change, ev domain.ComplaintReceived) {
		x.open(KindDispatch, ev.ComplaintID, ev.DispatchDue)
		x.open(KindReply, ev.ComplaintID, ev.ReplyDue)
	}),
	on(func(x change, ev domain.ComplaintDispatched) {
		if d, ok := x.c.Open[key(KindDispatch, ev.ComplaintID)]; ok {
			x.c.Dispatched[d.Subject] = d
			x.drop(KindDispatch, ev.ComplaintID)
		}
	}),
	on(func(x change, ev domain.ComplaintReturned) {
		// The wrong unit sent it back: the same limit waits for the next dispatch.
		if d, ok := x.c.Dispatched[ev.ComplaintID]; ok {
			x.c.Open[key(KindDispatch, ev.ComplaintID)] = d
			delete(x.c.Dispatched, ev.ComplaintID)
		}
	}),
	on(func(x change, ev domain.ComplaintAccepted) {
		delete(x.c.Dispatched, ev.ComplaintID) // signed for: no return any more
	}),
	on(func(x change, ev domain.ComplaintExtensionDecided) {
		x.move(KindReply, ev.ComplaintID, ev.ReplyDue) // unchanged when refused
	}),
	on(func(x change, ev domain.ComplaintResolved) {
		x.drop(KindReply, ev.ComplaintID)
		x.open(KindFollowUp, ev.ComplaintID, ev.FollowUpDue)
	}),
	on(func(x change, ev domain.ComplaintFollowedUp) { x.drop(KindFollowUp, ev.ComplaintID) }),
	on(func(x change, ev domain.ComplaintReopened) {
		// A new round (重办) with limits counted afresh.
		x.open(KindDispatch, ev.ComplaintID, ev.DispatchDue)
		x.open(KindReply, ev.ComplaintID, ev.ReplyDue)
	}),
	on(func(x change, ev domain.ComplaintVoided) { // entered in error: nothing is owed
		for _, k := range []Kind{KindDispatch, KindReply, KindFollowUp} {
			x.drop(k, ev.ComplaintID)
		}
		delete(x.c.Dispatched, ev.ComplaintID)
	}),
	on(func(x change, ev domain.CompoundRenamed) { x.c.Name = projections.Own(ev.Name) }),
	on(func(x change, ev domain.CompoundMoved) {
		x.c.District, x.c.Street, x.c.Community = projections.Intern(ev.District), projections.Intern(ev.Street), projections.Intern(ev.Community)
	}),
)

// change is one event's compound, as a handler sees it.
type change struct {
	m *Model
	e domain.Envelope
	c *Compound
}

// on makes the handler of T; the compound is created on its first event.
func on[T domain.Event](f func(change, T)) projections.Handler[*Model] {
	return projections.On(func(m *Model, e domain.Envelope, ev T) {
		_, c := projections.EntryOf(m.Compounds, e, func(string) *Compound { return &Compound{} })
		if c.Open == nil { // new, or restored from a snapshot, which leaves empty maps out
			c.Open = map[string]Deadline{}
		}
		if c.Dispatched == nil {
			c.Dispatched = map[string]Deadline{}
		}
		f(change{m, e, c}, ev)
	})
}

// term is the subject of the committee deadlines: the latest term.
func (x change) term() string { return strconv.Itoa(x.c.Term) }

func (x change) open(k Kind, subject string, due time.Time) {
	x.c.Open[key(k, subject)] = Deadline{Kind: k, Subject: projections.Own(subject), Due: due, EventID: x.e.EventID}
}

// move gives a deadline still open a new due time.
func (x change) move(k Kind, subject string, due time.Time) {
	if d, ok := x.c.Open[key(k, subject)]; ok {
		d.Due, d.EventID = due, x.e.EventID
		x.c.Open[key(k, subject)] = d
	}
}

func (x change) drop(k Kind, subject string) { delete(x.c.Open, key(k, subject)) }

func key(k Kind, subject string) string { return string(k) + "/" + subject }

// Filter narrows the board to a unit; empty fields do not narrow.
type Filter struct {
	District, Street, Community, Compound string
	Kind                                  Kind
}

func (f Filter) match(id string, c *Compound) bool {
	return (f.District == "" || f.District == c.District) && (f.Street == "" || f.Street == c.Street) &&
		(f.Community == "" || f.Community == c.Community) && (f.Compound == "" || f.Compound == id)
}

// Item is a deadline on the board, with its place.
type Item struct {
	Compound  string `json:"compound"`
	Name      string `json:"name"`
	District  string `json:"district"`
	Street    string `json:"street"`
	Community string `json:"community"`
	Deadline
}

// Board lists the open deadlines as judged at At, each list by due time.
type Board struct {
	At      time.Time `json:"at"`
	Overdue []Item    `json:"overdue"`  // due before At
	DueSoon []Item    `json:"due_soon"` // due from At to At plus soon
}

// Board returns the open deadlines overdue at at or due within soon after
// it; later ones are left off.
func (m *Model) Board(at time.Time, soon time.Duration, f Filter) Board {
	b := Board{At: at, Overdue: []Item{}, DueSoon: []Item{}}
	horizon := at.Add(soon)
	for id, c := range m.Compounds {
		if !f.match(id, c) {
			continue
		}
		for _, d := range c.Open {
			if f.Kind != "" && d.Kind != f.Kind {
				continue
			}
			it := Item{Compound: id, Name: c.Name, District: c.District, Street: c.Street, Community: c.Community, Deadline: d}
			switch {
			case d.Due.Before(at):
				b.Overdue = append(b.Overdue, it)
			case !d.Due.After(horizon):
				b.DueSoon = append(b.DueSoon, it)
			}
		}
	}
	byDue := func(a, b Item) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Compound, b.Compound), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Subject, b.Subject))
	}
	slices.SortFunc(b.Overdue, byDue)
	slices.SortFunc(b.DueSoon, byDue)
	return b
}

// Snapshot encodes the board.
func (m *Model) Snapshot() ([]byte, error) {
	return projections.GobSnapshot(m)
}

// Restore replaces the board by a snapshot.
func (m *Model) Restore(b []byte) error {
	return projections.GobRestore(b, m, New())
}

// SQLTables lays the open deadlines out for SQL readers (rm_deadlines).
func (m *Model) SQLTables() []projections.SQLTable {
	t := projections.SQLTable{Name: "rm_deadlines", Columns: []string{"compound_id", "kind", "subject", "due", "event_id"}}
	for id, c := range m.Compounds {
		for _, d := range c.Open {
			t.Rows = append(t.Rows, []any{id, string(d.Kind), d.Subject, d.Due, d.EventID})
		}
	}
	return []projections.SQLTable{t}
}
