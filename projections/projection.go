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
	// Handled are the event types its fold reads, sorted.
	Handled() []string
}

// Checkpoints stores each projection's snapshot with its position in one
// atomic write, so that what a projection has applied and what it has
// recorded never disagree.
type Checkpoints interface {
	Save(name string, position uint64, snapshot []byte) error
	// Load returns the latest snapshot at or below position (0: the latest of all).
	Load(name string, atOrBelow uint64) (position uint64, snapshot []byte, err error)
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

// GobRestoreFormat is GobRestore for a model whose snapshots carry the
// number of their layout in the field format points to: gob decodes a
// snapshot of an older layout without complaint, leaving new fields zero,
// so one of another number (or none) is refused, and the runner folds from
// the start.
func GobRestoreFormat[T any](snapshot []byte, m, fresh *T, format func(*T) *int) error {
	want := *format(fresh)
	*format(fresh) = 0 // a snapshot without the field must not keep the fresh model's
	if err := gob.NewDecoder(bytes.NewReader(snapshot)).Decode(fresh); err != nil {
		return err
	}
	if got := *format(fresh); got != want {
		return fmt.Errorf("snapshot of model format %d, want %d", got, want)
	}
	*m = *fresh
	return nil
}
