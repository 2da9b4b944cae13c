// Package postgres is the PostgreSQL EventStore, on pgx/v5 and a pgxpool.
// Several casetrack instances may share one database: they append to one
// log and every one of them reads it whole and in order. The schema lives in
// the top-level migrations package.
//
// # Positions: dense, and visible in order
//
// The log's positions are plain numbers 1, 2, 3… without gaps, and a reader
// that has seen position p has seen everything below it, for good. Every
// append transaction locks the single row of log_head, takes the positions
// after it, inserts its events and moves the head on before it commits. The
// row lock is released only once the commit is visible, so the next append
// cannot commit before it: commits become visible in position order, and
// "position > after ORDER BY position" never passes an event that is still in
// flight. A rolled-back append gives its positions back with the head, so
// conflicts leave no gaps either.
//
// We did not take the transaction-id horizon (an xid8 column, readers
// stopping below pg_snapshot_xmin(pg_current_snapshot()), as watermill-sql
// and Emmett do) because the port promises one uint64 position per event,
// dense and increasing in read order. Under the horizon, sequence values
// have gaps after every rollback and are not monotonic in (xid, position)
// order, so "after" would need two numbers. It also has costs of its own: any
// long transaction anywhere in the cluster, even an idle-in-transaction
// psql, holds every reader back; and xids restart on a dump and restore into
// a new cluster, so old and new events would sort wrongly.
//
// The price of the lock is that appends commit one transaction at a time,
// across all instances. Each Store therefore runs one writer that takes
// every append waiting at that moment into one transaction (group commit,
// as the embedded store does): under load a transaction carries dozens of
// appends for one round trip and one WAL flush. The writer remembers each
// stream's head (version and hash), seals the events in Go and sends
// BEGIN, the lock, one INSERT … SELECT from unnest and COMMIT in one
// pipeline. The statement checks every request on its own against the
// committed state it sees after the lock (the stream's head is still what
// the events were sealed behind, the command ID is new), inserts only the
// requests that pass and moves the head by as many events, so a conflict
// fails only its own request. The unique keys (stream_id, version) and
// (event_id) stand behind the check. Streams the writer does not know at
// the expected version cost one more read, of their heads; requests that
// are refused, or cannot pass, one more to tell duplicates from
// conflicts. So a retry of a recorded command is found by the statement's
// own check, and the usual append needs no separate command look-up.
//
// Caveats: an instance that stalls inside its transaction holds every
// writer back, so writer sessions run with idle_in_transaction_session_timeout
// and a batch deadline. Several instances take turns on the lock; their
// batches grow with the wait, but their throughput is shared, not added.
//
// # Plans that need no statistics
//
// With autovacuum off (or behind) the table is never analyzed, or was
// analyzed while it held a few rows, and the planner guesses. So every
// statement on the append and follow paths has a shape whose index plan
// wins under any guess: per-stream and per-command LATERAL probes from the
// batch's unnest (never an IN list or = ANY, which the planner may hash
// against a scan of the whole table), the followers' page ordered and
// limited along the primary key, a stream read along (stream_id, version).
// The writer's session also turns sequential scans off, as none of its
// statements wants one, and plans each statement afresh rather than keep a
// generic plan made while the table was small (see writerSettings). TestHotPathPlans checks the
// plans, custom and generic, without statistics and with early ones.
//
// Followers are woken by LISTEN/NOTIFY on channel casetrack_events, besides
// a local wake-up after each of this Store's own commits.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casetrack/casetrack/adapters/appendq"
	"github.com/casetrack/casetrack/domain"
)

const (
	// connectTimeout bounds a connection attempt unless the DSN sets
	// connect_timeout: a dead server answers 503 quickly rather than hang.
	connectTimeout = 3 * time.Second
	// batchTimeout bounds one group commit, so a server that stops answering
	// fails the waiting appends instead of holding them.
	batchTimeout = 10 * time.Second
	// channel is the LISTEN/NOTIFY channel of appends.
	channel = "casetrack_events"
)

// writerSettings are the writer session's: every statement it runs is a
// probe by key (a stream's head, a command ID) or an insert, for which a
// sequential scan of events is never the right plan. Turning it off keeps
// statistics taken while the table was tiny and lopsided (one stream, one
// command, then autovacuum off) from planning a LIMIT 1 probe as a scan
// that "finds a match at once"; a scan stays possible where no index
// serves (the one row of log_head), so no statement fails for it, but its
// cost then counts as huge, and JIT would compile each append for half a
// second: JIT is off too (it never pays for probes). Its statements are
// planned afresh at every run (force_custom_plan): the events table has
// two indexes that lead with stream_id, and while it is small they cost the
// same to a planner without statistics, so a generic plan cached then
// could probe a stream's head down the command index (or a command down
// the version index), reading the whole stream, for good. A custom plan
// sees the table's current size and takes the index of the probe's key; it
// costs well under a millisecond for a batch. TestHotPathPlans pins the
// plans.
var writerSettings = map[string]string{"enable_seqscan": "off", "jit": "off", "plan_cache_mode": "force_custom_plan"}

const columns = `position, stream_id, version, event_id, type, schema_version, occurred_at, recorded_at,
	actor_user, actor_role, actor_org, correlation_id, causation_id, command_id, data, prev_hash, hash`

// Store is the PostgreSQL EventStore. It is safe for concurrent use.
type Store struct {
	pool  *pgxpool.Pool // readers
	wpool *pgxpool.Pool // the writer's one connection, so that reads never keep appends waiting

	ops     chan *appendq.Op // unbuffered: a request is either taken by the writer or never queued
	closing chan struct{}
	stopped chan struct{} // the writer and the listener have returned
	close   sync.Once

	heads map[string]head // the writer's cache of stream heads; only the writer uses it

	changed domain.Signal
}

var errClosed = domain.Errorf(domain.CodeUnavailable, "event store is closed")

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; pool_max_conns and the other pgxpool settings apply) and checks
// that the schema is there. It does not migrate: see package migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"]; !ok {
		// A writer that dies inside its transaction must not hold the log head for long.
		cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "10s"
	}
	wcfg := cfg.Copy()
	wcfg.MaxConns, wcfg.MinConns = 1, 0
	for k, v := range writerSettings {
		wcfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	wpool, err := pgxpool.NewWithConfig(ctx, wcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open event store: %w", err)
	}
	fail := func(err error) (*Store, error) {
		pool.Close()
		wpool.Close()
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return nil, fmt.Errorf("open event store: no casetrack schema in this database (run `casetrack migrate`): %w", err)
		}
		return nil, fmt.Errorf("open event store: %w", storeErr(err, "open the event store"))
	}
	if _, err := pool.Exec(ctx, `SELECT FROM log_head`); err != nil {
		return fail(err)
	}
	// Listening before Open returns: a follower that starts now misses no
	// other instance's append.
	listenCfg := cfg.ConnConfig.Copy()
	conn, err := listenTo(ctx, listenCfg)
	if err != nil {
		return fail(err)
	}
	s := &Store{pool: pool, wpool: wpool, ops: make(chan *appendq.Op), closing: make(chan struct{}), stopped: make(chan struct{}),
		heads: map[string]head{}}
	var wg sync.WaitGroup
	wg.Go(s.writer)
	wg.Go(func() { s.listen(conn, listenCfg) })
	go func() { wg.Wait(); close(s.stopped) }()
	return s, nil
}

// Close stops the writer once it has answered every request it accepted,
// stops listening and closes the pools.
func (s *Store) Close() error {
	s.close.Do(func() {
		close(s.closing)
		<-s.stopped
		s.pool.Close()
		s.wpool.Close()
	})
	return nil
}

// Changed returns a channel closed at the next append by any instance.
func (s *Store) Changed() <-chan struct{} { return s.changed.Changed() }

// listenTo connects and subscribes to the appends' notifications.
func listenTo(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// listen wakes followers on other instances' appends until Close. While it
// is reconnecting it may miss notifications, so every reconnection counts as
// one: followers re-read and find whatever landed meanwhile.
func (s *Store) listen(conn *pgx.Conn, cfg *pgx.ConnConfig) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-s.closing; cancel() }()
	for backoff := 100 * time.Millisecond; ; {
		var err error
		for err == nil {
			if _, err = conn.WaitForNotification(ctx); err == nil {
				s.changed.Notify()
			}
		}
		conn.Close(context.Background())
		for conn = nil; conn == nil; {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
				backoff = min(2*backoff, 2*time.Second)
			}
			if conn, err = listenTo(ctx, cfg); err == nil {
				backoff = 100 * time.Millisecond
				s.changed.Notify()
			}
		}
	}
}

// readStreamStmt walks one stream along the (stream_id, version) index,
// which also gives the order: the plan does not hang on statistics.
const readStreamStmt = `SELECT ` + columns + ` FROM events
	WHERE stream_id = $1 AND version >= $2 AND version <= $3 AND position <= $4
		AND ($5::timestamptz IS NULL OR occurred_at <= $5) AND ($6::timestamptz IS NULL OR recorded_at <= $6)
	ORDER BY version`

func (s *Store) ReadStream(ctx context.Context, streamID string, q domain.StreamQuery) ([]domain.Envelope, error) {
	rows, err := s.pool.Query(ctx, readStreamStmt, streamID, clamp(q.FromVersion), upTo(q.ToVersion), upTo(q.ToPosition), until(q.OccurredUntil), until(q.RecordedUntil))
	if err != nil {
		return nil, storeErr(err, "read the event store")
	}
	events, err := scanEvents(rows)
	return events, storeErr(err, "read the event store")
}

// EventByID opens one event by its ID (domain.EventFinder), by the unique
// index on event_id.
func (s *Store) EventByID(ctx context.Context, eventID string) (domain.Envelope, bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM events WHERE event_id = $1`, eventID)
	if err != nil {
		return domain.Envelope{}, false, storeErr(err, "read the event store")
	}
	events, err := scanEvents(rows)
	if err != nil || len(events) == 0 {
		return domain.Envelope{}, false, storeErr(err, "read the event store")
	}
	return events[0], true, nil
}

// readAllStmt is the followers' page: the primary key gives both the
// start and the order, so only a scan of it can serve the LIMIT early.
const readAllStmt = `SELECT ` + columns + ` FROM events WHERE position > $1 ORDER BY position LIMIT $2`

func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	var lim *int
	if limit > 0 {
		lim = &limit // NULL: no limit
	}
	rows, err := s.pool.Query(ctx, readAllStmt, clamp(after), lim)
	if err != nil {
		return nil, storeErr(err, "read the event store")
	}
	events, err := scanEvents(rows)
	return events, storeErr(err, "read the event store")
}

// VerifyStream re-reads a stream from version 1 and checks its hash chain,
// for the auditor. A broken chain fails with CodeIntegrity naming the version.
func (s *Store) VerifyStream(ctx context.Context, streamID string) error {
	events, err := s.ReadStream(ctx, streamID, domain.StreamQuery{})
	if err != nil {
		return err
	}
	return domain.VerifyChain(events)
}

func clamp(v uint64) int64 { return int64(min(v, math.MaxInt64)) }

// upTo turns an upper bound into SQL; zero does not bound.
func upTo(v uint64) int64 {
	if v == 0 {
		return math.MaxInt64
	}
	return clamp(v)
}

// until turns a time bound into SQL; zero does not bound. pgx sends
// microseconds, rounded down, which keeps "at or before" exact for the
// microsecond times stored.
func until(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ScanAll streams the log after a position to fn: the fast path of
// projection rebuilds (projections.Scanner). It reads large pages along the
// primary key rather than one query, whose plan could sort the whole table
// before the first row, and whose snapshot would be held for minutes.
func (s *Store) ScanAll(ctx context.Context, after uint64, fn func(domain.Envelope) error) error {
	for {
		page, err := s.ReadAll(ctx, after, 10000)
		if err != nil || len(page) == 0 {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		after = page[len(page)-1].Position
	}
}

func scanEvents(rows pgx.Rows) ([]domain.Envelope, error) {
	defer rows.Close()
	var out []domain.Envelope
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEvent(row pgx.Row) (domain.Envelope, error) {
	var (
		e             domain.Envelope
		pos, ver      int64
		occurred, rec time.Time
		data          []byte
	)
	err := row.Scan(&pos, &e.StreamID, &ver, &e.EventID, &e.Type, &e.SchemaVersion, &occurred, &rec,
		&e.Actor.UserID, &e.Actor.Role, &e.Actor.Organisation, &e.CorrelationID, &e.CausationID, &e.CommandID,
		&data, &e.PrevHash, &e.Hash)
	e.Position, e.Version, e.Data = uint64(pos), uint64(ver), data
	e.OccurredAt, e.RecordedAt = occurred.UTC(), rec.UTC()
	return e, err
}

// storeErr maps a database error to the application's vocabulary: the
// caller's own cancellation passes through, a server that cannot be reached
// or is going down is CodeUnavailable (HTTP 503, retry later), anything
// else is internal.
func storeErr(err error, what string) error {
	switch {
	case err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case unavailable(err):
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the event store is unavailable", Err: err}
	}
	return domain.Internal(err, what)
}

func unavailable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &connErr):
		return true
	case errors.As(err, &pgErr):
		// connection exception, insufficient resources, operator intervention (shutdown, restart, cancel)
		switch pgErr.Code[:2] {
		case "08", "53", "57":
			return true
		}
		return false
	}
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}
