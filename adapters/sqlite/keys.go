package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Keys is the domain.KeyStore of the embedded store: the data subjects' keys
// and the record of reads of their data, in a SQLite file of their own,
// apart from the events. secure_delete overwrites a destroyed key's bytes
// in the file, and the write-ahead log that held it is truncated at once,
// so no copy stays on disk.
type Keys struct{ db *sql.DB }

// OpenKeys opens or creates the key file at path.
func OpenKeys(path string) (*Keys, error) {
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open keys: %w", err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(`
		CREATE TABLE IF NOT EXISTS personal_keys (
			subject    TEXT    PRIMARY KEY,
			key        BLOB,             -- NULL once forgotten
			created_at INTEGER NOT NULL, -- unix nanoseconds
			erased_at  INTEGER           -- unix nanoseconds; NULL while the key lives
		) STRICT;
		CREATE TABLE IF NOT EXISTS personal_access (
			id      INTEGER PRIMARY KEY,
			subject TEXT    NOT NULL,
			user    TEXT    NOT NULL,
			role    TEXT    NOT NULL,
			purpose TEXT    NOT NULL,
			at      INTEGER NOT NULL -- unix nanoseconds
		) STRICT;
		CREATE INDEX IF NOT EXISTS personal_access_subject ON personal_access (subject, id);`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open keys %s: %w", path, err)
	}
	return &Keys{db: db}, nil
}

func (k *Keys) Close() error { return k.db.Close() }

func (k *Keys) CreateKey(ctx context.Context, subject string, key []byte) ([]byte, error) {
	if _, err := k.db.ExecContext(ctx, `INSERT INTO personal_keys (subject, key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		subject, key, time.Now().UnixNano()); err != nil {
		return nil, err
	}
	have, state, err := k.Key(ctx, subject)
	if err == nil && state != domain.KeyLive {
		return nil, domain.ErrForgotten(subject)
	}
	return have, err
}

func (k *Keys) Key(ctx context.Context, subject string) ([]byte, domain.KeyState, error) {
	var key []byte
	err := k.db.QueryRowContext(ctx, `SELECT key FROM personal_keys WHERE subject = ?`, subject).Scan(&key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, domain.KeyNone, nil
	case err != nil:
		return nil, 0, err
	case key == nil:
		return nil, domain.KeyDestroyed, nil
	}
	return key, domain.KeyLive, nil
}

func (k *Keys) DestroyKey(ctx context.Context, subject string, at time.Time) (bool, error) {
	res, err := k.db.ExecContext(ctx, `UPDATE personal_keys SET key = NULL, erased_at = ? WHERE subject = ? AND key IS NOT NULL`,
		at.UnixNano(), subject)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	// The write-ahead log still holds the page as it was: copy the pages
	// back into the file (where secure_delete zeroed the key) and empty it.
	_, err = k.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return true, err
}

func (k *Keys) LogAccess(ctx context.Context, records []domain.AccessRecord) error {
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, r := range records {
		if _, err := tx.ExecContext(ctx, `INSERT INTO personal_access (subject, user, role, purpose, at) VALUES (?, ?, ?, ?, ?)`,
			r.Subject, r.User, r.Role, r.Purpose, r.At.UnixNano()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (k *Keys) Accesses(ctx context.Context, subject string) ([]domain.AccessRecord, error) {
	rows, err := k.db.QueryContext(ctx, `SELECT subject, user, role, purpose, at FROM personal_access WHERE subject = ? ORDER BY id`, subject)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.AccessRecord
	for rows.Next() {
		var r domain.AccessRecord
		var at int64
		if err := rows.Scan(&r.Subject, &r.User, &r.Role, &r.Purpose, &at); err != nil {
			return nil, err
		}
		r.At = time.Unix(0, at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
