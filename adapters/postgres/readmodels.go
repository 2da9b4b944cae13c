package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/projections"
)

// WriteTables replaces a projection's tables (rm_*, see migrations) by
// the rows it laid out at position, and records the position in
// rm_positions, all in one transaction: SQL readers see every table of a
// projection as of one position, and never a half-written one. Instances
// sharing the database each export; the row lock on rm_positions takes
// them in turn, and a write older than what is there is skipped (written
// is false), so the tables never go back in the log.
func (s *Store) WriteTables(ctx context.Context, projection string, position uint64, tables []projections.SQLTable) (written bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, storeErr(err, "read models of "+projection)
	}
	defer tx.Rollback(ctx)
	var stored int64
	if err := tx.QueryRow(ctx, `INSERT INTO rm_positions (projection, position, written_at) VALUES ($1, 0, now())
		ON CONFLICT (projection) DO UPDATE SET projection = EXCLUDED.projection RETURNING position`, projection).Scan(&stored); err != nil {
		return false, storeErr(err, "read models of "+projection)
	}
	if uint64(stored) >= position {
		return false, nil
	}
	for _, t := range tables {
		// DELETE, not TRUNCATE: readers keep seeing the old rows until the commit.
		if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{t.Name}.Sanitize()); err != nil {
			return false, storeErr(err, "read model "+t.Name)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Columns, pgx.CopyFromRows(t.Rows)); err != nil {
			return false, storeErr(err, "read model "+t.Name)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE rm_positions SET position = $2, written_at = now() WHERE projection = $1`, projection, int64(position)); err != nil {
		return false, storeErr(err, "read models of "+projection)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, storeErr(err, "read models of "+projection)
	}
	return true, nil
}

// ExportTables keeps the tables of read models in PostgreSQL up to date:
// every interval, each that has moved on is laid out and written
// (WriteTables), until ctx ends. A failed write is logged
// and tried again at the next tick, so an outage only delays the tables.
// Each write replaces a projection's tables whole: cheap at a city's
// scale of compounds, about a second for the complaints at a million
// events, which the interval bounds.
func (s *Store) ExportTables(ctx context.Context, interval time.Duration, logger *slog.Logger, models ...projections.Exporter) {
	exported := map[string]uint64{}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		for _, r := range models {
			if r.Position() <= exported[r.Name()] {
				continue
			}
			pos, tables, ok := r.SQLTables()
			if !ok {
				continue
			}
			if _, err := s.WriteTables(ctx, r.Name(), pos, tables); err != nil {
				if ctx.Err() == nil {
					logger.Error("read models not exported", "projection", r.Name(), "position", pos, "err", err)
				}
				continue
			}
			exported[r.Name()] = pos
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
