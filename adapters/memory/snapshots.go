package memory

import (
	"context"
	"slices"

	"github.com/casetrack/casetrack/domain"
)

// SaveSnapshots keeps each stream's latest snapshot (domain.SnapshotStore).
func (s *Store) SaveSnapshots(ctx context.Context, snaps []domain.Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snapshots == nil {
		s.snapshots = map[string]domain.Snapshot{}
	}
	for _, n := range snaps {
		if n.Version > s.snapshots[n.StreamID].Version {
			n.Data = slices.Clone(n.Data)
			s.snapshots[n.StreamID] = n
		}
	}
	return nil
}

// LoadSnapshot returns a stream's snapshot; Version 0 when it has none.
func (s *Store) LoadSnapshot(ctx context.Context, streamID string) (domain.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.snapshots[streamID]
	n.Data = slices.Clone(n.Data)
	return n, ctx.Err()
}
