package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/casetrack/casetrack/domain"
)

// snapshotSchema keeps the latest snapshot of each stream next to the log
// (domain.SnapshotStore): a cache, rewritten in place.
const snapshotSchema = `CREATE TABLE IF NOT EXISTS stream_snapshots (
	stream_id TEXT    PRIMARY KEY,
	version   INTEGER NOT NULL,
	data      BLOB    NOT NULL
) STRICT;`

// SaveSnapshots keeps each snapshot unless its stream has a later one, all
// in one transaction on the write connection, between group commits.
func (s *Store) SaveSnapshots(ctx context.Context, snaps []domain.Snapshot) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return readErr(err)
	}
	defer tx.Rollback()
	for _, n := range snaps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stream_snapshots (stream_id, version, data) VALUES (?, ?, ?)
			ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, data = excluded.data
			WHERE excluded.version > stream_snapshots.version`, n.StreamID, int64(n.Version), n.Data); err != nil {
			return readErr(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return readErr(err)
	}
	s.grewWAL()
	return nil
}

// LoadSnapshot returns a stream's snapshot; Version 0 when it has none.
func (s *Store) LoadSnapshot(ctx context.Context, streamID string) (domain.Snapshot, error) {
	n := domain.Snapshot{StreamID: streamID}
	var v int64
	err := s.loadSnapshot.QueryRowContext(ctx, streamID).Scan(&v, &n.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return n, nil
	}
	n.Version = uint64(v)
	return n, readErr(err)
}
