package sqlite

import (
	"context"
	"time"
)

// auditSchema keeps the signed checkpoints of the audit tree (package
// audit) in the event file, next to the log they sign.
const auditSchema = `CREATE TABLE IF NOT EXISTS audit_checkpoints (
	tree_size INTEGER PRIMARY KEY,
	signed    BLOB    NOT NULL, -- the note as signed, byte for byte
	saved_at  INTEGER NOT NULL  -- unix nanoseconds
) STRICT;`

// SaveCheckpoint keeps a signed checkpoint of the audit tree
// (audit.CheckpointStore); the first one of a size stays. It takes the
// write connection between group commits, never inside one.
func (s *Store) SaveCheckpoint(ctx context.Context, size uint64, signed []byte) error {
	_, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO audit_checkpoints (tree_size, signed, saved_at) VALUES (?, ?, ?)`,
		int64(size), signed, time.Now().UnixNano())
	if err == nil {
		s.grewWAL()
	}
	return readErr(err)
}

// Checkpoints returns the kept checkpoints by size.
func (s *Store) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT signed FROM audit_checkpoints ORDER BY tree_size`)
	if err != nil {
		return nil, readErr(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, readErr(err)
		}
		out = append(out, b)
	}
	return out, readErr(rows.Err())
}
