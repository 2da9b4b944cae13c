// Package projections folds the global event log into read models. A
// projection is plain Go: it applies events in global order and can save
// and restore its state, so the runner can keep its checkpoint (the last
// applied position) atomically with it. Nothing here knows HTTP or the bus.
package projections

import "github.com/casetrack/casetrack/domain"

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
	// Restore replaces the state by a snapshot.
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
