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
// projection's model and checkpoint can never disagree. Older snapshots are
// kept for time travel (replay from the nearest one).
type Checkpoints struct{ db *sql.DB }

// OpenCheckpoints opens or creates the snapshot file at path.
func OpenCheckpoints(path string) (*Checkpoints, error) {
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
	return &Checkpoints{db: db}, nil
}

func (c *Checkpoints) Close() error { return c.db.Close() }

func (c *Checkpoints) Save(name string, position uint64, snapshot []byte) error {
	_, err := c.db.Exec(`INSERT OR REPLACE INTO snapshots (name, position, saved_at, data) VALUES (?, ?, ?, ?)`,
		name, int64(position), time.Now().UnixNano(), snapshot)
	return err
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
