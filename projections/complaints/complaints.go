// Package complaints is the read model of the city's complaints as one
// list, newest first: where each stands in its handling, for the Open311
// API's request lists (adapters/http/open311.go) and anything else that
// asks for complaints across compounds. A compound's own complaints, in
// full, are its aggregate's.
package complaints

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Entry is one complaint as lists show it. A pending extension request is
// not followed: the complaint reads as accepted until the request is
// decided (the case file, from the aggregate, shows it).
type Entry struct {
	CompoundID  string
	ComplaintID string
	Channel     domain.Channel
	Category    domain.ComplaintCategory
	Summary     string
	State       domain.ComplaintState
	Voided      bool
	Unit        string    // the unit handling it now
	ReceivedAt  time.Time // business times
	UpdatedAt   time.Time
	ReplyDue    time.Time
}

// Model is the fold; its fields are exported for snapshots only.
type Model struct {
	Format    int // modelFormat when snapshotted; Restore refuses any other
	Pos       uint64
	Compounds map[string][]Record // by compound ID, each compound's by reception
}

// modelFormat numbers the snapshot layout (1: records by compound, their
// words numbered in the model; 2: their words as projections.Word).
const modelFormat = 2

// Record is a complaint as the model keeps it: 104 bytes without its
// compound, where an entry takes 192 and a pointer and a key.
type Record struct {
	ID, Summary                    string
	Received, Updated, ReplyDue    projections.Time
	Channel, Category, State, Unit projections.Word
	Voided                         bool
}

func New() *Model { return &Model{Format: modelFormat, Compounds: map[string][]Record{}} }

func (m *Model) Name() string              { return "complaints" }
func (m *Model) Position() uint64          { return m.Pos }
func (m *Model) Handled() []string         { return handlers.Types() }
func (m *Model) Snapshot() ([]byte, error) { return projections.GobSnapshot(m) }

// Restore replaces the model by a snapshot; a snapshot of another model
// format is refused and m left as it was.
func (m *Model) Restore(b []byte) error {
	if err := projections.GobRestoreFormat(b, m, New(), func(m *Model) *int { return &m.Format }); err != nil {
		return fmt.Errorf("complaints: %w", err)
	}
	return nil
}

func (m *Model) Apply(e domain.Envelope) error {
	return handlers.Apply(m, "complaints", &m.Pos, e)
}

// key names a complaint across the city: complaint IDs are unique within
// their compound only.
func key(compoundID, complaintID string) string { return compoundID + "/" + complaintID }

// record is the compound's complaint id; nil if the model has none. A
// compound has tens of complaints, and an event is mostly about a recent
// one: they are searched from the newest.
func (m *Model) record(compoundID, id string) *Record {
	rs := m.Compounds[compoundID]
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].ID == id {
			return &rs[i]
		}
	}
	return nil
}

// step makes the handler of an event that moves a complaint to state.
func step[T domain.Event](id func(T) string, state domain.ComplaintState, more ...func(*Record, T)) projections.Handler[*Model] {
	return projections.On(func(m *Model, env domain.Envelope, ev T) {
		r := m.record(domain.CompoundIDOf(env.StreamID), id(ev))
		if r == nil {
			return // a complaint received before the log this model read: nothing to move
		}
		if state != "" {
			r.State = projections.WordOf(state)
		}
		r.Updated = projections.TimeOf(env.OccurredAt)
		for _, f := range more {
			f(r, ev)
		}
	})
}

var handlers = projections.NewHandlers(
	projections.On(func(m *Model, env domain.Envelope, ev domain.ComplaintReceived) {
		r := Record{ID: projections.Own(ev.ComplaintID), Summary: projections.Own(ev.Summary),
			Channel: projections.WordOf(ev.Channel), Category: projections.WordOf(ev.Category),
			State: projections.WordOf(domain.ComplaintStateReceived), Unit: projections.WordOf(""),
			Received: projections.TimeOf(ev.At), Updated: projections.TimeOf(ev.At), ReplyDue: projections.TimeOf(ev.ReplyDue)}
		id := domain.CompoundIDOf(env.StreamID)
		if old := m.record(id, ev.ComplaintID); old != nil {
			*old = r
			return
		}
		id = projections.Intern(id)
		m.Compounds[id] = projections.Append(m.Compounds[id], r)
	}),
	step(func(ev domain.ComplaintDispatched) string { return ev.ComplaintID }, domain.ComplaintStateDispatched,
		func(r *Record, ev domain.ComplaintDispatched) { r.Unit = projections.WordOf(ev.Unit) }),
	step(func(ev domain.ComplaintAccepted) string { return ev.ComplaintID }, domain.ComplaintStateAccepted),
	step(func(ev domain.ComplaintReturned) string { return ev.ComplaintID }, domain.ComplaintStateReturned),
	step(func(ev domain.ComplaintExtensionDecided) string { return ev.ComplaintID }, domain.ComplaintStateAccepted,
		func(r *Record, ev domain.ComplaintExtensionDecided) { r.ReplyDue = projections.TimeOf(ev.ReplyDue) }),
	step(func(ev domain.ComplaintResolved) string { return ev.ComplaintID }, domain.ComplaintStateResolved),
	step(func(ev domain.ComplaintFollowedUp) string { return ev.ComplaintID }, domain.ComplaintStateFollowedUp),
	step(func(ev domain.ComplaintReopened) string { return ev.ComplaintID }, domain.ComplaintStateReopened,
		func(r *Record, ev domain.ComplaintReopened) { r.ReplyDue = projections.TimeOf(ev.ReplyDue) }),
	step(func(ev domain.ComplaintVoided) string { return ev.ComplaintID }, "",
		func(r *Record, _ domain.ComplaintVoided) { r.Voided = true }),
	step(func(ev domain.ComplaintCategoryAmended) string { return ev.ComplaintID }, "",
		func(r *Record, ev domain.ComplaintCategoryAmended) { r.Category = projections.WordOf(ev.Category) }),
)

// entry is the record, of compound compoundID, as lists show it.
func (r *Record) entry(compoundID string) Entry {
	return Entry{CompoundID: compoundID, ComplaintID: r.ID, Channel: domain.Channel(r.Channel.String()),
		Category: domain.ComplaintCategory(r.Category.String()), Summary: r.Summary,
		State: domain.ComplaintState(r.State.String()), Voided: r.Voided, Unit: r.Unit.String(),
		ReceivedAt: r.Received.Time(), UpdatedAt: r.Updated.Time(), ReplyDue: r.ReplyDue.Time()}
}

// Filter narrows a list; empty fields match everything.
type Filter struct {
	Keys       map[string]bool // compound ID "/" complaint ID
	Categories map[domain.ComplaintCategory]bool
	Open       *bool // still waiting for a resolution
	From, To   time.Time
	Limit      int
}

// Key is how Filter.Keys names a complaint.
func Key(compoundID, complaintID string) string { return key(compoundID, complaintID) }

// List returns the complaints f matches, newest first (then by key), at
// most f.Limit of them.
func (m *Model) List(f Filter) []Entry {
	var out []Entry
	from, to := projections.TimeOf(f.From), projections.TimeOf(f.To)
	var k []byte
	for id, rs := range m.Compounds {
		for i := range rs {
			r := &rs[i]
			if f.Keys != nil {
				k = append(append(append(k[:0], id...), '/'), r.ID...)
				if !f.Keys[string(k)] {
					continue
				}
			}
			if (f.Categories == nil || f.Categories[domain.ComplaintCategory(r.Category.String())]) &&
				(f.From.IsZero() || r.Received.Compare(from) >= 0) && (f.To.IsZero() || r.Received.Compare(to) <= 0) {
				if e := r.entry(id); f.Open == nil || *f.Open == e.Open() {
					out = append(out, e)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(key(a.CompoundID, a.ComplaintID), key(b.CompoundID, b.ComplaintID))
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}

// Open reports whether the complaint still waits for a resolution (as
// domain.ComplaintView.Open: a voided one waits for nothing).
func (e Entry) Open() bool {
	return !e.Voided && e.State != domain.ComplaintStateResolved && e.State != domain.ComplaintStateFollowedUp
}
