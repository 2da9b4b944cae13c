// Package deadlines folds the event log into the deadlines board (期限看板):
// every deadline still open, where it is, and when it falls due. A deadline
// leaves the board when it is met; missing it is an alert, never a
// rejection, so an overdue deadline stays until it is met late.
//
// The board answers for the model's current state. To see it as it stood
// at a past position, replay a fresh model there (projections.Replay).
package deadlines

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
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

// Model is the fold. Its fields are exported for gob snapshots only.
type Model struct {
	Pos       uint64
	Compounds map[string]*Compound
	book      domain.RuleBook
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

// New returns an empty board; committee deadlines follow book, the rule
// set in force at each election.
func New(book domain.RuleBook) *Model {
	return &Model{Compounds: map[string]*Compound{}, book: book}
}

func (m *Model) Name() string     { return "deadlines" }
func (m *Model) Position() uint64 { return m.Pos }

// relevant are the event types the fold reads.
var relevant = projections.Types("CompoundRegistered", "CommitteeElected", "CommitteeFiled", "ReelectionStarted", "CommitteeTermExpired",
	"ListedForSupervision", "ListingExtensionDecided", "Delisted", "PlanAdopted", "MeasureAdded", "MeasureSignedOff",
	"ComplaintReceived", "ComplaintDispatched", "ComplaintReturned", "ComplaintAccepted", "ComplaintExtensionDecided",
	"ComplaintResolved", "ComplaintFollowedUp", "ComplaintReopened")

// Apply folds one event; types it does not read are skipped undecoded.
func (m *Model) Apply(e domain.Envelope) error {
	return projections.ApplyTyped("deadlines", &m.Pos, relevant, e, m.apply)
}

func (m *Model) apply(e domain.Envelope, ev domain.Event) {
	id := strings.TrimPrefix(e.StreamID, "compound-")
	c := m.Compounds[id]
	if c == nil {
		c = &Compound{}
		m.Compounds[id] = c
	}
	if c.Open == nil { // new, or restored from a snapshot, which leaves empty maps out
		c.Open = map[string]Deadline{}
	}
	if c.Dispatched == nil {
		c.Dispatched = map[string]Deadline{}
	}
	open := func(k Kind, subject string, due time.Time) {
		c.Open[key(k, subject)] = Deadline{Kind: k, Subject: subject, Due: due, EventID: e.EventID}
	}
	move := func(k Kind, subject string, due time.Time) { // a new due time for a deadline still open
		if d, ok := c.Open[key(k, subject)]; ok {
			d.Due, d.EventID = due, e.EventID
			c.Open[key(k, subject)] = d
		}
	}
	drop := func(k Kind, subject string) { delete(c.Open, key(k, subject)) }
	term := strconv.Itoa(c.Term)
	switch ev := ev.(type) {
	case domain.CompoundRegistered:
		c.Name, c.District, c.Street, c.Community = ev.Name, ev.District, ev.Street, ev.Community

	case domain.CommitteeElected:
		// The outgoing committee's deadlines lapse with it.
		drop(KindCommitteeFiling, term)
		drop(KindReelection, term)
		r := m.book.At(ev.At).Committee
		c.Term, term = ev.Term, strconv.Itoa(ev.Term)
		open(KindCommitteeFiling, term, endOfDay(ev.At.In(domain.China).AddDate(0, 0, r.FilingWithinDays)))
		open(KindReelection, term, endOfDay(ev.TermEnd.In(domain.China).AddDate(0, -r.ReelectionLeadMonths, 0)))
	case domain.CommitteeFiled:
		drop(KindCommitteeFiling, term)
	case domain.ReelectionStarted:
		drop(KindReelection, term)
	case domain.CommitteeTermExpired:
		drop(KindCommitteeFiling, term) // no longer serving, it cannot be filed; a re-election is still owed

	case domain.ListedForSupervision:
		open(KindListing, ev.ListingID, ev.Deadline.End())
	case domain.ListingExtensionDecided:
		move(KindListing, ev.ListingID, ev.Deadline.End())
	case domain.Delisted:
		drop(KindListing, ev.ListingID)

	case domain.PlanAdopted:
		for _, ms := range ev.Measures {
			open(KindMeasure, ms.ID, ms.Deadline.End())
		}
	case domain.MeasureAdded:
		open(KindMeasure, ev.ID, ev.Deadline.End())
	case domain.MeasureSignedOff:
		drop(KindMeasure, ev.MeasureID)

	case domain.ComplaintReceived:
		open(KindDispatch, ev.ComplaintID, ev.DispatchDue)
		open(KindReply, ev.ComplaintID, ev.ReplyDue)
	case domain.ComplaintDispatched:
		if d, ok := c.Open[key(KindDispatch, ev.ComplaintID)]; ok {
			c.Dispatched[ev.ComplaintID] = d
			drop(KindDispatch, ev.ComplaintID)
		}
	case domain.ComplaintReturned:
		// The wrong unit sent it back: the same limit waits for the next dispatch.
		if d, ok := c.Dispatched[ev.ComplaintID]; ok {
			c.Open[key(KindDispatch, ev.ComplaintID)] = d
			delete(c.Dispatched, ev.ComplaintID)
		}
	case domain.ComplaintAccepted:
		delete(c.Dispatched, ev.ComplaintID) // signed for: no return any more
	case domain.ComplaintExtensionDecided:
		move(KindReply, ev.ComplaintID, ev.ReplyDue) // unchanged when refused
	case domain.ComplaintResolved:
		drop(KindReply, ev.ComplaintID)
		open(KindFollowUp, ev.ComplaintID, ev.FollowUpDue)
	case domain.ComplaintFollowedUp:
		drop(KindFollowUp, ev.ComplaintID)
	case domain.ComplaintReopened:
		// A new round (重办) with limits counted afresh.
		open(KindDispatch, ev.ComplaintID, ev.DispatchDue)
		open(KindReply, ev.ComplaintID, ev.ReplyDue)
	}
}

func key(k Kind, subject string) string { return string(k) + "/" + subject }

// endOfDay is the last second of t's local day, as the domain's day limits.
func endOfDay(t time.Time) time.Time { return domain.NewDate(t).End() }

// Filter narrows the board to a unit; empty fields do not narrow.
type Filter struct {
	District, Street, Community, Compound string
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

// Snapshot encodes the board; the rule book is configuration, not state.
func (m *Model) Snapshot() ([]byte, error) {
	return projections.GobSnapshot(m)
}

// Restore replaces the board by a snapshot, keeping the rule book.
func (m *Model) Restore(b []byte) error {
	return projections.GobRestore(b, m, New(m.book))
}

// Tables lays the open deadlines out for SQL readers (rm_deadlines).
func (m *Model) Tables() []projections.Table {
	t := projections.Table{Name: "rm_deadlines", Columns: []string{"compound_id", "kind", "subject", "due", "event_id"}}
	for id, c := range m.Compounds {
		for _, d := range c.Open {
			t.Rows = append(t.Rows, []any{id, string(d.Kind), d.Subject, d.Due, d.EventID})
		}
	}
	return []projections.Table{t}
}
