package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// SaveCheckpoint keeps a signed checkpoint of the audit tree
// (audit.CheckpointStore); the first one of a size stays.
func (s *Store) SaveCheckpoint(ctx context.Context, size uint64, signed []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_checkpoints (tree_size, signed) VALUES ($1, $2) ON CONFLICT (tree_size) DO NOTHING`,
		int64(size), signed)
	return storeErr(err, "keep an audit checkpoint")
}

// Checkpoints returns the kept checkpoints by size.
func (s *Store) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT signed FROM audit_checkpoints ORDER BY tree_size`)
	if err != nil {
		return nil, storeErr(err, "read the audit checkpoints")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	return out, storeErr(err, "read the audit checkpoints")
}
