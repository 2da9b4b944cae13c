// Package projections folds the global event log into read models. A
// projection is plain Go: it applies events in global order and can save
// and restore its state, so the runner can keep its checkpoint (the last
// applied position) atomically with it. Nothing here knows HTTP or the bus.
package projections

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"github.com/casetrack/casetrack/domain"
)

// Projection is one read model.
type Projection interface {
	// Name identifies the projection's checkpoint and snapshots.
	Name() string
	// Apply folds one event. Events arrive in global order, each once.
	Apply(e domain.Envelope) error
	// Position is the global position of the last event applied.
	Position() uint64
	// Snapshot serialises the state, position included.
	Snapshot() ([]byte, error)
	// Restore replaces the state by a snapshot; on an error it leaves the
	// state as it was.
	Restore([]byte) error
}

// Checkpoints stores each projection's snapshot with its position in one
// atomic write, so that what a projection has applied and what it has
// recorded never disagree.
type Checkpoints interface {
	Save(name string, position uint64, snapshot []byte) error
	// Load returns the latest snapshot at or below position (0: the latest of all).
	Load(name string, atOrBelow uint64) (position uint64, snapshot []byte, err error)
}

// Types is the set of event types a fold reads.
func Types(types ...string) map[string]bool {
	out := make(map[string]bool, len(types))
	for _, t := range types {
		out[t] = true
	}
	return out
}

// ApplyTyped is the step every fold shares: an event at or below the
// position was delivered again and is ignored; only the types the fold
// reads are decoded (decoding is most of a rebuild's cost); the position
// moves on with every event.
func ApplyTyped(name string, pos *uint64, types map[string]bool, e domain.Envelope, apply func(domain.Envelope, domain.Event)) error {
	if e.Position <= *pos && *pos > 0 {
		return nil
	}
	if types[e.Type] {
		ev, err := e.Decode()
		if err != nil {
			return fmt.Errorf("%s: %s at position %d: %w", name, e.Type, e.Position, err)
		}
		apply(e, ev)
	}
	*pos = e.Position
	return nil
}

// GobSnapshot encodes a model for a snapshot; the folds keep their state
// in exported fields for this.
func GobSnapshot(model any) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(model)
	return b.Bytes(), err
}

// GobRestore decodes a snapshot into fresh, an empty model configured as
// m is, and makes m that model; on an error m is left as it was.
func GobRestore[T any](snapshot []byte, m, fresh *T) error {
	if err := gob.NewDecoder(bytes.NewReader(snapshot)).Decode(fresh); err != nil {
		return err
	}
	*m = *fresh
	return nil
}
