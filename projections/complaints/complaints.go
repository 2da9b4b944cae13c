// Package complaints is the read model of the city's complaints as one
// list, newest first: where each stands in its handling, for the Open311
// API's request lists (adapters/http/open311.go) and anything else that
// asks for complaints across compounds. A compound's own complaints, in
// full, are its aggregate's.
package complaints

import (
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
	Pos     uint64
	Entries map[string]*Entry // by compound ID and complaint ID
}

func New() *Model { return &Model{Entries: map[string]*Entry{}} }

func (m *Model) Name() string              { return "complaints" }
func (m *Model) Position() uint64          { return m.Pos }
func (m *Model) Handled() []string         { return handlers.Types() }
func (m *Model) Snapshot() ([]byte, error) { return projections.GobSnapshot(m) }
func (m *Model) Restore(b []byte) error    { return projections.GobRestore(b, m, New()) }

func (m *Model) Apply(e domain.Envelope) error {
	return handlers.Apply(m, "complaints", &m.Pos, e)
}

// key names a complaint across the city: complaint IDs are unique within
// their compound only.
func key(compoundID, complaintID string) string { return compoundID + "/" + complaintID }

// step makes the handler of an event that moves a complaint to state.
func step[T domain.Event](id func(T) string, state domain.ComplaintState, more ...func(*Entry, T)) projections.Handler[*Model] {
	return projections.On(func(m *Model, env domain.Envelope, ev T) {
		e, ok := m.Entries[key(domain.CompoundIDOf(env.StreamID), id(ev))]
		if !ok {
			return // a complaint received before the log this model read: nothing to move
		}
		if state != "" {
			e.State = state
		}
		e.UpdatedAt = env.OccurredAt
		for _, f := range more {
			f(e, ev)
		}
	})
}

var handlers = projections.NewHandlers(
	projections.On(func(m *Model, env domain.Envelope, ev domain.ComplaintReceived) {
		id := projections.Intern(domain.CompoundIDOf(env.StreamID))
		m.Entries[key(id, ev.ComplaintID)] = &Entry{CompoundID: id, ComplaintID: projections.Own(ev.ComplaintID),
			Channel: projections.Intern(ev.Channel), Category: projections.Intern(ev.Category), Summary: projections.Own(ev.Summary),
			State: domain.ComplaintStateReceived, ReceivedAt: ev.At, UpdatedAt: ev.At, ReplyDue: ev.ReplyDue}
	}),
	step(func(ev domain.ComplaintDispatched) string { return ev.ComplaintID }, domain.ComplaintStateDispatched,
		func(e *Entry, ev domain.ComplaintDispatched) { e.Unit = projections.Intern(ev.Unit) }),
	step(func(ev domain.ComplaintAccepted) string { return ev.ComplaintID }, domain.ComplaintStateAccepted),
	step(func(ev domain.ComplaintReturned) string { return ev.ComplaintID }, domain.ComplaintStateReturned),
	step(func(ev domain.ComplaintExtensionDecided) string { return ev.ComplaintID }, domain.ComplaintStateAccepted,
		func(e *Entry, ev domain.ComplaintExtensionDecided) { e.ReplyDue = ev.ReplyDue }),
	step(func(ev domain.ComplaintResolved) string { return ev.ComplaintID }, domain.ComplaintStateResolved),
	step(func(ev domain.ComplaintFollowedUp) string { return ev.ComplaintID }, domain.ComplaintStateFollowedUp),
	step(func(ev domain.ComplaintReopened) string { return ev.ComplaintID }, domain.ComplaintStateReopened,
		func(e *Entry, ev domain.ComplaintReopened) { e.ReplyDue = ev.ReplyDue }),
	step(func(ev domain.ComplaintVoided) string { return ev.ComplaintID }, "",
		func(e *Entry, _ domain.ComplaintVoided) { e.Voided = true }),
	step(func(ev domain.ComplaintCategoryAmended) string { return ev.ComplaintID }, "",
		func(e *Entry, ev domain.ComplaintCategoryAmended) { e.Category = projections.Intern(ev.Category) }),
)

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
	for k, e := range m.Entries {
		if (f.Keys == nil || f.Keys[k]) && (f.Categories == nil || f.Categories[e.Category]) &&
			(f.Open == nil || *f.Open == e.Open()) &&
			(f.From.IsZero() || !e.ReceivedAt.Before(f.From)) && (f.To.IsZero() || !e.ReceivedAt.After(f.To)) {
			out = append(out, *e)
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
