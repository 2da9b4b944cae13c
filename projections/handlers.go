package projections

import (
	"fmt"
	"slices"

	"github.com/casetrack/casetrack/domain"
)

// Handler folds one event type into a model of type M. Its type is that of
// its function's event parameter, so what a fold reads cannot drift from
// what it handles.
type Handler[M any] struct {
	Type  string
	apply func(M, domain.Envelope, domain.Event)
}

// On makes the handler of the event type T, as a method expression
// ((*Model).measureAdded) or a closure. T's name is read once, here, from
// its zero value.
func On[M any, T domain.Event](f func(m M, e domain.Envelope, ev T)) Handler[M] {
	var zero T
	return Handler[M]{Type: zero.EventType(), apply: func(m M, e domain.Envelope, ev domain.Event) { f(m, e, ev.(T)) }}
}

// Handlers dispatch events to a model's handlers by type.
type Handlers[M any] map[string]func(M, domain.Envelope, domain.Event)

// NewHandlers indexes handlers by event type; two for one type are a bug,
// and panic.
func NewHandlers[M any](hs ...Handler[M]) Handlers[M] {
	out := make(Handlers[M], len(hs))
	for _, h := range hs {
		if _, dup := out[h.Type]; dup {
			panic("projections: two handlers of " + h.Type)
		}
		out[h.Type] = h.apply
	}
	return out
}

// Types are the event types handled, sorted.
func (hs Handlers[M]) Types() []string {
	out := make([]string, 0, len(hs))
	for t := range hs {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Apply is the step every fold shares: an event at or below the position
// was delivered again and is ignored; only the types handled are decoded
// (decoding is most of a rebuild's cost); the position moves on with
// every event.
func (hs Handlers[M]) Apply(m M, name string, pos *uint64, e domain.Envelope) error {
	if e.Position <= *pos && *pos > 0 {
		return nil
	}
	if h := hs[e.Type]; h != nil {
		ev, err := e.Decode()
		if err != nil {
			return fmt.Errorf("%s: %s at position %d: %w", name, e.Type, e.Position, err)
		}
		h(m, e, ev)
	}
	*pos = e.Position
	return nil
}

// EntryOf finds the entry of the event's compound in byID, made by newEntry
// on the compound's first event: the first step of most handlers.
func EntryOf[C any](byID map[string]*C, e domain.Envelope, newEntry func(id string) *C) (string, *C) {
	id := domain.CompoundIDOf(e.StreamID)
	c := byID[id]
	if c == nil {
		c = newEntry(id)
		byID[id] = c
	}
	return id, c
}
