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
	"fmt"
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
	Format    int // modelFormat when snapshotted; Restore refuses any other
	Pos       uint64
	Compounds map[string]*Compound
}

// modelFormat numbers the snapshot layout (1: a compound's deadlines in
// lists, not maps).
const modelFormat = 1

// Compound is where a compound sits and its open deadlines. A compound has
// a few of each at a time: lists, searched, where maps took a kilobyte each.
type Compound struct {
	Name, District, Street, Community string
	Term                              int        // the latest committee's term (届)
	Open                              []Deadline // one per kind and subject, in no order
	Dispatched                        []Deadline // met dispatch limits, one per complaint, kept while a return (退单) may reopen them
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
	return &Model{Format: modelFormat, Compounds: map[string]*Compound{}}
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
		if i := find(x.c.Open, KindDispatch, ev.ComplaintID); i >= 0 {
			x.c.Dispatched = put(x.c.Dispatched, x.c.Open[i])
			x.c.Open = remove(x.c.Open, i)
		}
	}),
	on(func(x change, ev domain.ComplaintReturned) {
		// The wrong unit sent it back: the same limit waits for the next dispatch.
		if i := find(x.c.Dispatched, KindDispatch, ev.ComplaintID); i >= 0 {
			x.c.Open = put(x.c.Open, x.c.Dispatched[i])
			x.c.Dispatched = remove(x.c.Dispatched, i)
		}
	}),
	on(func(x change, ev domain.ComplaintAccepted) {
		x.c.Dispatched = removeOf(x.c.Dispatched, KindDispatch, ev.ComplaintID) // signed for: no return any more
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
		x.c.Dispatched = removeOf(x.c.Dispatched, KindDispatch, ev.ComplaintID)
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
		f(change{m, e, c}, ev)
	})
}

// term is the subject of the committee deadlines: the latest term.
func (x change) term() string { return strconv.Itoa(x.c.Term) }

func (x change) open(k Kind, subject string, due time.Time) {
	x.c.Open = put(x.c.Open, Deadline{Kind: k, Subject: projections.Own(subject), Due: due, EventID: projections.Own(x.e.EventID)})
}

// move gives a deadline still open a new due time.
func (x change) move(k Kind, subject string, due time.Time) {
	if i := find(x.c.Open, k, subject); i >= 0 {
		x.c.Open[i].Due, x.c.Open[i].EventID = due, projections.Own(x.e.EventID)
	}
}

func (x change) drop(k Kind, subject string) { x.c.Open = removeOf(x.c.Open, k, subject) }

// find is the index in ds of the deadline of kind k about subject; -1 if
// there is none.
func find(ds []Deadline, k Kind, subject string) int {
	return slices.IndexFunc(ds, func(d Deadline) bool { return d.Kind == k && d.Subject == subject })
}

// put adds d to ds, replacing the deadline of its kind and subject.
func put(ds []Deadline, d Deadline) []Deadline {
	if i := find(ds, d.Kind, d.Subject); i >= 0 {
		ds[i] = d
		return ds
	}
	return append(ds, d)
}

// remove drops ds[i], moving the last deadline to its place. A list left a
// quarter full is copied to one its size: a compound's burst of open
// complaints would otherwise hold its peak's memory for good.
func remove(ds []Deadline, i int) []Deadline {
	last := len(ds) - 1
	ds[i] = ds[last]
	ds[last] = Deadline{} // let its strings go
	if ds = ds[:last]; cap(ds) > 8 && len(ds) <= cap(ds)/4 {
		return append([]Deadline(nil), ds...)
	}
	return ds
}

func removeOf(ds []Deadline, k Kind, subject string) []Deadline {
	if i := find(ds, k, subject); i >= 0 {
		return remove(ds, i)
	}
	return ds
}

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

// Restore replaces the board by a snapshot; a snapshot of another model
// format is refused and m left as it was. Decoding makes a string of
// every value: the few distinct places and kinds are shared again, as the
// fold shares them.
func (m *Model) Restore(b []byte) error {
	if err := projections.GobRestoreFormat(b, m, New(), func(m *Model) *int { return &m.Format }); err != nil {
		return fmt.Errorf("deadlines: %w", err)
	}
	for _, c := range m.Compounds {
		c.District, c.Street, c.Community = projections.Intern(c.District), projections.Intern(c.Street), projections.Intern(c.Community)
		for _, ds := range [][]Deadline{c.Open, c.Dispatched} {
			for i := range ds {
				ds[i].Kind = projections.Intern(ds[i].Kind)
			}
		}
	}
	return nil
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
