package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync"
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
	// saving lets one Save write at a time: the projections of a server
	// save to one file at once, and a large snapshot's commit can outlast
	// SQLite's busy timeout, which then refused the next one.
	saving sync.Mutex
}

// partSize bounds the bytes of a snapshot one row holds: the first part in
// snapshots.data, the rest in snapshot_parts. The driver and SQLite copy a
// row's blob into C memory whole, and their allocator (modernc.org/memory)
// keeps the last freed region of each power-of-two size resident for good:
// whole models, growing through a catch-up, left one buffer of each size on
// the way (152 MB after snapshots of 5 to 70 MB, 8 MB in parts:
// BenchmarkCheckpointsResidue).
const partSize = 256 << 10

// OpenCheckpoints opens or creates the snapshot file at path, keeping the
// keep (at least one) most recently saved snapshots of each projection.
func OpenCheckpoints(path string, keep int) (*Checkpoints, error) {
	if keep < 1 {
		return nil, fmt.Errorf("open checkpoints: keep at least one snapshot per projection, not %d", keep)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open checkpoints: %w", err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS snapshots (
		name     TEXT    NOT NULL,
		position INTEGER NOT NULL,
		saved_at INTEGER NOT NULL,
		data     BLOB    NOT NULL,
		PRIMARY KEY (name, position)) STRICT;
	CREATE TABLE IF NOT EXISTS snapshot_parts (
		name     TEXT    NOT NULL,
		position INTEGER NOT NULL,
		part     INTEGER NOT NULL,
		data     BLOB    NOT NULL,
		PRIMARY KEY (name, position, part)) STRICT`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open checkpoints %s: %w", path, err)
	}
	c := &Checkpoints{db: db, keep: keep}
	if err := c.compact(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open checkpoints %s: %w", path, err)
	}
	return c, nil
}

// compact drops the snapshots beyond keep of every projection (a file of
// an older casetrack kept them all, or keep was lowered), and gives the
// space back when most of the file is free: SQLite reuses freed pages
// but never shrinks the file by itself.
func (c *Checkpoints) compact() error {
	rows, err := c.db.Query(`SELECT DISTINCT name FROM snapshots`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		names = append(names, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, name := range names {
		if err := c.prune(c.db, name, -1, c.keep); err != nil {
			return err
		}
	}
	var free, pages int64
	if err := c.db.QueryRow(`SELECT freelist_count, page_count FROM pragma_freelist_count(), pragma_page_count()`).Scan(&free, &pages); err != nil {
		return err
	}
	if free*2 > pages {
		_, err = c.db.Exec(`VACUUM`)
	}
	return err
}

// prune drops the snapshots of name but the keep most recently saved,
// not counting, but dropping, the one at position replacing (about to be
// replaced; -1: none), and their parts.
func (c *Checkpoints) prune(db interface {
	Exec(query string, args ...any) (sql.Result, error)
}, name string, replacing int64, keep int) error {
	if _, err := db.Exec(`DELETE FROM snapshots WHERE name = ?1 AND rowid NOT IN
		(SELECT rowid FROM snapshots WHERE name = ?1 AND position != ?2 ORDER BY rowid DESC LIMIT ?3)`, name, replacing, keep); err != nil {
		return err
	}
	_, err := db.Exec(`DELETE FROM snapshot_parts WHERE name = ?1 AND position NOT IN
		(SELECT position FROM snapshots WHERE name = ?1)`, name)
	return err
}

func (c *Checkpoints) Close() error { return c.db.Close() }

// Save writes a snapshot and drops, in the same transaction, those of the
// projection beyond the keep most recently saved. They are dropped first,
// so that the new snapshot reuses their pages: the file then holds keep
// snapshots, not one more. Recency is the order of saving (the rowid:
// SQLite gives a new row one more than the largest), not the position:
// after the store is restored from an older backup, the old log's
// snapshots lie above the new ones, and keeping the highest positions
// would drop every new snapshot.
func (c *Checkpoints) Save(name string, position uint64, snapshot []byte) error {
	c.saving.Lock()
	defer c.saving.Unlock()
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := c.prune(tx, name, int64(position), c.keep-1); err != nil {
		return err
	}
	n := min(len(snapshot), partSize)
	if _, err := tx.Exec(`INSERT OR REPLACE INTO snapshots (name, position, saved_at, data) VALUES (?, ?, ?, ?)`,
		name, int64(position), time.Now().UnixNano(), snapshot[:n]); err != nil {
		return err
	}
	if rest := snapshot[n:]; len(rest) > 0 {
		add, err := tx.Prepare(`INSERT INTO snapshot_parts (name, position, part, data) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer add.Close()
		for part := 1; len(rest) > 0; part++ {
			n := min(len(rest), partSize)
			if _, err := add.Exec(name, int64(position), part, rest[:n]); err != nil {
				return err
			}
			rest = rest[n:]
		}
	}
	return tx.Commit()
}

func (c *Checkpoints) Load(name string, atOrBelow uint64) (uint64, []byte, error) {
	limit := int64(math.MaxInt64)
	if atOrBelow > 0 && atOrBelow < math.MaxInt64 {
		limit = int64(atOrBelow)
	}
	// One read transaction: a Save between the first part and the rest
	// must not mix two snapshots.
	tx, err := c.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	var pos, rest int64
	var data []byte
	// length() of a column reads the size, not the blob: the snapshot is
	// made at its size, once.
	err = tx.QueryRow(`SELECT position, data, (SELECT coalesce(sum(length(p.data)), 0) FROM snapshot_parts p
			WHERE p.name = s.name AND p.position = s.position)
		FROM snapshots s WHERE name = ? AND position <= ? ORDER BY position DESC LIMIT 1`,
		name, limit).Scan(&pos, &data, &rest)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil || rest == 0 {
		return uint64(pos), data, err
	}
	data = append(make([]byte, 0, len(data)+int(rest)), data...)
	rows, err := tx.Query(`SELECT data FROM snapshot_parts WHERE name = ? AND position = ? ORDER BY part`, name, pos)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var part sql.RawBytes
		if err := rows.Scan(&part); err != nil {
			return 0, nil, err
		}
		data = append(data, part...)
	}
	return uint64(pos), data, rows.Err()
}
