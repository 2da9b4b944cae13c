package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// Checkpoints keeps projection snapshots in their own SQLite file, each row
// a snapshot and the position it reflects, written in one statement: a
// projection's model and checkpoint can never disagree. A few older
// snapshots are kept for time travel (replay from the nearest one, or from
// the start below the oldest): each snapshot is a whole model, so keeping
// them all made the file outgrow the event store.
type Checkpoints struct {
	db   *sql.DB
	keep int
}

// OpenCheckpoints opens or creates the snapshot file at path, keeping the
// keep (at least one) most recently saved snapshots of each projection.
func OpenCheckpoints(path string, keep int) (*Checkpoints, error) {
	if keep < 1 {
		return nil, fmt.Errorf("open checkpoints: keep at least one snapshot per projection, not %d", keep)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open checkpoints: %w", err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS snapshots (
		name     TEXT    NOT NULL,
		position INTEGER NOT NULL,
		saved_at INTEGER NOT NULL,
		data     BLOB    NOT NULL,
		PRIMARY KEY (name, position)) STRICT`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open checkpoints %s: %w", path, err)
	}
	return &Checkpoints{db: db, keep: keep}, nil
}

func (c *Checkpoints) Close() error { return c.db.Close() }

// Save writes a snapshot and drops, in the same transaction, those of the
// projection beyond the keep most recently saved. Recency is the order of
// saving (the rowid: SQLite gives a new row one more than the largest),
// not the position: after the store is restored from an older backup, the
// old log's snapshots lie above the new ones, and keeping the highest
// positions would drop every new snapshot.
func (c *Checkpoints) Save(name string, position uint64, snapshot []byte) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT OR REPLACE INTO snapshots (name, position, saved_at, data) VALUES (?, ?, ?, ?)`,
		name, int64(position), time.Now().UnixNano(), snapshot); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM snapshots WHERE name = ?1 AND rowid NOT IN
		(SELECT rowid FROM snapshots WHERE name = ?1 ORDER BY rowid DESC LIMIT ?2)`, name, c.keep); err != nil {
		return err
	}
	return tx.Commit()
}

func (c *Checkpoints) Load(name string, atOrBelow uint64) (uint64, []byte, error) {
	limit := int64(math.MaxInt64)
	if atOrBelow > 0 && atOrBelow < math.MaxInt64 {
		limit = int64(atOrBelow)
	}
	var pos int64
	var data []byte
	err := c.db.QueryRow(`SELECT position, data FROM snapshots WHERE name = ? AND position <= ? ORDER BY position DESC LIMIT 1`,
		name, limit).Scan(&pos, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	return uint64(pos), data, err
}
