package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/domain"
)

// SaveSnapshots keeps each snapshot unless its stream has a later one
// (domain.SnapshotStore), in one round trip.
func (s *Store) SaveSnapshots(ctx context.Context, snaps []domain.Snapshot) error {
	var b pgx.Batch
	for _, n := range snaps {
		b.Queue(`INSERT INTO stream_snapshots (stream_id, version, data) VALUES ($1, $2, $3)
			ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, data = excluded.data
			WHERE excluded.version > stream_snapshots.version`, n.StreamID, int64(n.Version), n.Data)
	}
	return storeErr(s.pool.SendBatch(ctx, &b).Close(), "keep stream snapshots")
}

// LoadSnapshot returns a stream's snapshot; Version 0 when it has none.
func (s *Store) LoadSnapshot(ctx context.Context, streamID string) (domain.Snapshot, error) {
	n := domain.Snapshot{StreamID: streamID}
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT version, data FROM stream_snapshots WHERE stream_id = $1`, streamID).Scan(&v, &n.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, nil
	}
	n.Version = uint64(v)
	return n, storeErr(err, "read a stream snapshot")
}
