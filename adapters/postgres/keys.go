package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casetrack/casetrack/domain"
)

// Keys is the domain.KeyStore of PostgreSQL: the personal_keys and
// personal_access tables (migration 00006), beside the event tables.
// A destroyed key's row is vacuumed at once; WAL segments and backups
// taken before still hold it until they expire (docs/audit.md).
type Keys struct{ pool *pgxpool.Pool }

// Keys returns the store's key store.
func (s *Store) Keys() *Keys { return &Keys{pool: s.pool} }

func (k *Keys) CreateKey(ctx context.Context, subject string, key []byte) ([]byte, error) {
	if _, err := k.pool.Exec(ctx, `INSERT INTO personal_keys (subject, key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, subject, key); err != nil {
		return nil, storeErr(err, "store a personal data key")
	}
	have, state, err := k.Key(ctx, subject)
	if err == nil && state != domain.KeyLive {
		return nil, domain.ErrForgotten(subject)
	}
	return have, err
}

func (k *Keys) Key(ctx context.Context, subject string) ([]byte, domain.KeyState, error) {
	var key []byte
	err := k.pool.QueryRow(ctx, `SELECT key FROM personal_keys WHERE subject = $1`, subject).Scan(&key)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, domain.KeyNone, nil
	case err != nil:
		return nil, 0, storeErr(err, "read a personal data key")
	case key == nil:
		return nil, domain.KeyDestroyed, nil
	}
	return key, domain.KeyLive, nil
}

func (k *Keys) DestroyKey(ctx context.Context, subject string, at time.Time) (bool, error) {
	tag, err := k.pool.Exec(ctx, `UPDATE personal_keys SET key = NULL, erased_at = $2 WHERE subject = $1 AND key IS NOT NULL`, subject, at)
	if err != nil {
		return false, storeErr(err, "destroy a personal data key")
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	// The row's old version, key and all, stays in the table's pages until vacuumed.
	if _, err := k.pool.Exec(ctx, `VACUUM personal_keys`); err != nil {
		return true, storeErr(err, "vacuum the destroyed key")
	}
	return true, nil
}

func (k *Keys) LogAccess(ctx context.Context, records []domain.AccessRecord) error {
	b := &pgx.Batch{}
	for _, r := range records {
		b.Queue(`INSERT INTO personal_access (subject, user_name, role, purpose, at) VALUES ($1, $2, $3, $4, $5)`,
			r.Subject, r.User, r.Role, r.Purpose, r.At)
	}
	if err := k.pool.SendBatch(ctx, b).Close(); err != nil {
		return storeErr(err, "record a read of personal data")
	}
	return nil
}

func (k *Keys) Accesses(ctx context.Context, subject string) ([]domain.AccessRecord, error) {
	rows, err := k.pool.Query(ctx, `SELECT subject, user_name, role, purpose, at FROM personal_access WHERE subject = $1 ORDER BY id`, subject)
	if err != nil {
		return nil, storeErr(err, "read the record of reads")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.AccessRecord, error) {
		var r domain.AccessRecord
		err := row.Scan(&r.Subject, &r.User, &r.Role, &r.Purpose, &r.At)
		r.At = r.At.UTC()
		return r, err
	})
	if err != nil {
		return nil, storeErr(err, "read the record of reads")
	}
	return out, nil
}
