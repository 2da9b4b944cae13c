// Package sqlite is the embedded default EventStore: one local SQLite file,
// no server. It uses modernc.org/sqlite, a pure-Go translation of SQLite, so
// building and running casetrack needs nothing but the Go toolchain.
//
// SQLite allows one writer at a time, so every Append goes to a single writer
// goroutine. While it commits, further requests queue; it then takes all of
// them into the next transaction (group commit): one fsync acknowledges many
// appends. Each request is still checked on its own, so a conflict fails
// only its own request. Reads run on a separate pool of read-only
// connections, which WAL mode lets proceed alongside the writer, and a
// third connection copies the WAL back into the file (checkpoints) in the
// background, off the writer's path.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/casetrack/casetrack/adapters/appendq"
	"github.com/casetrack/casetrack/domain"
)

const schema = `
CREATE TABLE IF NOT EXISTS events (
	position       INTEGER PRIMARY KEY, -- the global log order, dense from 1
	stream_id      TEXT    NOT NULL,
	version        INTEGER NOT NULL,
	event_id       TEXT    NOT NULL UNIQUE,
	type           TEXT    NOT NULL,
	schema_version INTEGER NOT NULL,
	occurred_at    INTEGER NOT NULL, -- unix nanoseconds
	recorded_at    INTEGER NOT NULL, -- unix nanoseconds
	actor_user     TEXT    NOT NULL,
	actor_role     TEXT    NOT NULL,
	actor_org      TEXT    NOT NULL,
	correlation_id TEXT    NOT NULL,
	causation_id   TEXT    NOT NULL,
	command_id     TEXT    NOT NULL,
	data           BLOB, -- the payload's exact bytes, as hashed
	prev_hash      TEXT    NOT NULL,
	hash           TEXT    NOT NULL,
	UNIQUE (stream_id, version) -- also finds a stream's head
) STRICT;
-- Command IDs are scoped to their stream: the same idempotency key on two
-- compounds names two commands.
DROP INDEX IF EXISTS events_command;
CREATE INDEX IF NOT EXISTS events_stream_command ON events (stream_id, command_id);
PRAGMA user_version = 1;
`

const columns = `position, stream_id, version, event_id, type, schema_version, occurred_at, recorded_at,
	actor_user, actor_role, actor_org, correlation_id, causation_id, command_id, data, prev_hash, hash`

// maxBatch bounds one group commit, so a flood of appends still gets
// acknowledged in steady steps.
const maxBatch = 256

// Store is the SQLite EventStore. It is safe for concurrent use.
type Store struct {
	w, r                    *sql.DB // w has exactly one connection, used only by the writer goroutine
	ckpt                    *sql.DB // one connection, used only by the checkpointer goroutine
	walGrew                 chan struct{}
	walLong                 atomic.Bool // the writer is to checkpoint once itself: see checkpointer
	head, byCommand, insert *sql.Stmt
	heads                   map[string]head // the writer's cache of stream heads
	// Reads a command makes, prepared once: parsing them anew took a tenth
	// of a receive-complaint's CPU on the 1M-event city.
	readStream, eventByID, readAll, loadSnapshot *sql.Stmt

	ops         chan *appendq.Op // unbuffered: a request is either taken by the writer or never queued
	closing     chan struct{}
	stopped     chan struct{}
	ckptStopped chan struct{}
	close       sync.Once
	err         error

	changed   domain.Signal
	scanChunk uint64 // positions a worker of a parallel scan reads at once
}

// outcome is how one request of a batch ended.
type outcome struct {
	res domain.AppendResult
	err error
}

var errClosed = domain.Errorf(domain.CodeUnavailable, "event store is closed")

// Open opens or creates the store at path, and its directory if need be.
func Open(path string) (*Store, error) {
	if strings.ContainsRune(path, '?') { // the driver would take the rest for options
		return nil, fmt.Errorf("open event store %q: the path may not contain '?'", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	// synchronous=FULL syncs the WAL at every commit: an acknowledged append
	// survives a crash or power loss. IMMEDIATE transactions take the write
	// lock up front, so another process writing the file waits rather than
	// failing midway. The writer never checkpoints (wal_autocheckpoint 0):
	// a checkpoint inside a commit held up every append of the batch, and
	// appends to a large log's streams dirty pages all over its indexes, so
	// checkpoints came every few commits (see checkpointer).
	w, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	s := &Store{w: w, ops: make(chan *appendq.Op), closing: make(chan struct{}), stopped: make(chan struct{}),
		ckptStopped: make(chan struct{}), walGrew: make(chan struct{}, 1), heads: map[string]head{}, scanChunk: 4096}
	if err := s.init(path); err != nil {
		for _, db := range []*sql.DB{w, s.r, s.ckpt} {
			if db != nil {
				db.Close()
			}
		}
		return nil, fmt.Errorf("open event store %s: %w", path, err)
	}
	go s.writer()
	go s.checkpointer()
	return s, nil
}

// createPrivate creates path, and its directory if need be, readable by
// this user alone: the log holds names and birth dates. SQLite gives its
// -wal and -shm files the database file's permissions. An existing file
// keeps the permissions its operator chose.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func (s *Store) init(path string) error {
	if _, err := s.w.Exec(schema + auditSchema + snapshotSchema); err != nil {
		return err
	}
	var err error
	prepare := func(query string) *sql.Stmt {
		var st *sql.Stmt
		if err == nil {
			st, err = s.w.Prepare(query)
		}
		return st
	}
	s.head = prepare(`SELECT version, hash FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1`)
	s.byCommand = prepare(`SELECT ` + columns + ` FROM events WHERE stream_id = ? AND command_id = ? ORDER BY position`)
	s.insert = prepare(`INSERT INTO events (` + columns + `) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	s.r, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	// Rebuild scans hold a reader each for a long time; keep room for
	// everyone else (queries, snapshot anchors, readiness checks).
	s.r.SetMaxOpenConns(max(8, 2*runtime.GOMAXPROCS(0)))
	s.r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	if err := s.r.Ping(); err != nil {
		return err
	}
	prepareRead := func(query string) *sql.Stmt {
		var st *sql.Stmt
		if err == nil {
			st, err = s.r.Prepare(query)
		}
		return st
	}
	s.readStream = prepareRead(`SELECT ` + columns + ` FROM events
		WHERE stream_id = ? AND version >= ? AND version <= ? AND position <= ? AND occurred_at <= ? AND recorded_at <= ?
		ORDER BY version`)
	s.eventByID = prepareRead(`SELECT ` + columns + ` FROM events WHERE event_id = ?`)
	s.readAll = prepareRead(`SELECT ` + columns + ` FROM events WHERE position > ? ORDER BY position LIMIT ?`)
	s.loadSnapshot = prepareRead(`SELECT version, data FROM stream_snapshots WHERE stream_id = ?`)
	if err != nil {
		return err
	}
	// synchronous(FULL): a checkpoint syncs the WAL before it copies
	// frames and the file before the WAL may be reused.
	s.ckpt, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return err
	}
	s.ckpt.SetMaxOpenConns(1)
	return s.ckpt.Ping()
}

// checkpointPause is the least time between two background checkpoints:
// a page written by many commits in between is copied once, and the file
// is synced at most this often.
const checkpointPause = 200 * time.Millisecond

// walFrames is how many frames (pages) the WAL may hold after a background
// checkpoint before the writer checkpoints once itself (16 MiB). A
// variable only so that a test can reach it with less writing.
var walFrames = 4096

// checkpointer copies committed WAL frames back into the database file
// whenever the WAL has grown, on a connection of its own. A PASSIVE
// checkpoint takes no lock that the writer or the readers wait for; it
// copies what no reader still needs. Durability does not depend on it: a
// commit is synced in the WAL before it is acknowledged.
//
// The writer starts the WAL over only when a checkpoint has copied all of
// it, which one running beside a busy writer never does: the writer adds
// frames meanwhile. So when the WAL stays long, the writer is asked to run
// one checkpoint itself, between batches, where nothing is added while it
// runs; the background one has copied most frames by then.
func (s *Store) checkpointer() {
	defer close(s.ckptStopped)
	for {
		select {
		case <-s.walGrew:
		case <-s.closing:
			return
		}
		// A failed checkpoint leaves the frames in the WAL, where reads
		// still find them; the next one retries.
		var busy, frames, copied int
		if err := s.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err == nil && frames > walFrames {
			s.walLong.Store(true)
		}
		select {
		case <-time.After(checkpointPause):
		case <-s.closing:
			return
		}
	}
}

// grewWAL tells the checkpointer that a commit added to the WAL.
func (s *Store) grewWAL() {
	select {
	case s.walGrew <- struct{}{}:
	default: // one is pending already
	}
}

// Close stops the writer after its current batch and closes the file.
// Appends still waiting to be taken fail with CodeUnavailable.
func (s *Store) Close() error {
	s.close.Do(func() {
		close(s.closing)
		<-s.stopped
		<-s.ckptStopped
		// The writer's connection closes last: the last connection to
		// close checkpoints the whole WAL and removes it.
		s.err = errors.Join(s.ckpt.Close(), s.r.Close(), s.w.Close())
	})
	return s.err
}

// Append queues the request for the writer and waits for its batch to
// commit. A caller whose context ends before the writer takes the request
// gets the context's error and nothing is written; once taken, the request
// shares its batch's fate.
func (s *Store) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	return appendq.Submit(ctx, s.ops, s.closing, errClosed, req)
}

// writer owns the write connection. It takes one request, then whatever
// else is waiting, and commits them together.
func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*appendq.Op, 0, maxBatch)
	for {
		select {
		case o := <-s.ops:
			batch = append(batch[:0], o)
		case <-s.closing:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break more
			}
		}
		s.commit(batch)
	}
}

// writeTx is one group commit in progress on the writer's connection.
type writeTx struct {
	*sql.Tx
	ctx                     context.Context
	byCommand, head, insert *sql.Stmt
	heads                   map[string]head // streams this batch moved on
}

// head is where a stream's chain ends.
type head struct {
	version uint64
	hash    string
}

// commit runs a batch in one transaction. It runs on a background context:
// a caller's cancellation must not cut a batch that others share, and
// SQLite's atomic commit means a failure (or a crash) leaves none of it.
func (s *Store) commit(batch []*appendq.Op) {
	ctx := context.Background()
	outs := make([]outcome, len(batch))
	wrote := false
	tx, err := s.w.BeginTx(ctx, nil)
	if err == nil {
		w := &writeTx{Tx: tx, ctx: ctx, byCommand: tx.StmtContext(ctx, s.byCommand), head: tx.StmtContext(ctx, s.head),
			insert: tx.StmtContext(ctx, s.insert), heads: map[string]head{}}
		for i, o := range batch {
			if !o.Take() {
				continue // the caller gave up and was told nothing was written
			}
			if outs[i], err = s.appendTx(w, o.Req); err != nil {
				break
			}
			wrote = wrote || (outs[i].err == nil && !outs[i].res.Duplicate)
		}
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err == nil {
			maps.Copy(s.heads, w.heads)
		}
	}
	if err != nil {
		// database/sql forgets the transaction even when COMMIT fails; make
		// sure SQLite has too before the next batch begins.
		s.w.ExecContext(ctx, "ROLLBACK")
		err = domain.Internal(err, "append to the event store")
		for i := range outs {
			outs[i] = outcome{err: err}
		}
		wrote = false
	}
	if wrote {
		s.grewWAL()
		s.changed.Notify()
	}
	for i, o := range batch {
		o.Finish(outs[i].res, outs[i].err)
	}
	if s.walLong.CompareAndSwap(true, false) {
		s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)") // as in checkpointer: a failure leaves the frames where reads find them
	}
}

// appendTx checks and writes one request inside the batch transaction. The
// outcome carries the request's own failures (conflict, reused event ID);
// the error is one that dooms the whole batch.
func (s *Store) appendTx(w *writeTx, req domain.AppendRequest) (outcome, error) {
	if req.CommandID != "" {
		rows, err := w.byCommand.QueryContext(w.ctx, req.StreamID, req.CommandID)
		if err != nil {
			return outcome{}, err
		}
		prior, err := scanEvents(rows)
		if err != nil {
			return outcome{}, err
		}
		if len(prior) > 0 {
			return outcome{res: resultOf(prior, true)}, nil
		}
	}
	h, err := s.headOf(w, req.StreamID)
	if err != nil {
		return outcome{}, err
	}
	if h.version != req.ExpectedVersion {
		return outcome{err: domain.ConflictError(req.StreamID, req.ExpectedVersion, h.version)}, nil
	}

	// A savepoint lets a request of several events fail halfway (a reused
	// event ID) without taking the rest of the batch with it; a single
	// INSERT is undone by SQLite on its own.
	multi := len(req.Events) > 1
	if multi {
		if _, err := w.ExecContext(w.ctx, "SAVEPOINT request"); err != nil {
			return outcome{}, err
		}
	}
	out := make([]domain.Envelope, len(req.Events))
	for i, e := range req.Events {
		e.StreamID, e.CommandID = req.StreamID, req.CommandID
		e.Version = req.ExpectedVersion + uint64(i) + 1
		e.Seal(h.hash)
		r, err := w.insert.ExecContext(w.ctx, e.StreamID, int64(e.Version), e.EventID, e.Type, e.SchemaVersion,
			e.OccurredAt.UnixNano(), e.RecordedAt.UnixNano(), e.Actor.UserID, e.Actor.Role, e.Actor.Organisation,
			e.CorrelationID, e.CausationID, e.CommandID, []byte(e.Data), e.PrevHash, e.Hash)
		var pos int64
		if err == nil {
			pos, err = r.LastInsertId()
		}
		if err != nil {
			if !isConstraint(err) {
				return outcome{}, err
			}
			if multi {
				if _, err := w.ExecContext(w.ctx, "ROLLBACK TO request; RELEASE request"); err != nil {
					return outcome{}, err
				}
			}
			// Only another process writing the file could have moved the
			// stream; read its head afresh next time.
			delete(w.heads, req.StreamID)
			delete(s.heads, req.StreamID)
			return outcome{err: domain.Errorf(domain.CodeConflict, "stream %s: event %s or version %d is already recorded",
				req.StreamID, e.EventID, e.Version)}, nil
		}
		e.Position = uint64(pos)
		h = head{e.Version, e.Hash}
		out[i] = e
	}
	if multi {
		if _, err := w.ExecContext(w.ctx, "RELEASE request"); err != nil {
			return outcome{}, err
		}
	}
	w.heads[req.StreamID] = h
	return outcome{res: resultOf(out, false)}, nil
}

// headOf returns where a stream ends: as this batch left it, as known since
// Open, or else as stored.
func (s *Store) headOf(w *writeTx, stream string) (head, error) {
	if h, ok := w.heads[stream]; ok {
		return h, nil
	}
	if h, ok := s.heads[stream]; ok {
		return h, nil
	}
	var h head
	var version int64
	err := w.head.QueryRowContext(w.ctx, stream).Scan(&version, &h.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, nil
	}
	h.version = uint64(version)
	return h, err
}

func isConstraint(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

func resultOf(events []domain.Envelope, duplicate bool) domain.AppendResult {
	last := events[len(events)-1]
	return domain.AppendResult{StreamID: last.StreamID, Version: last.Version, Position: last.Position,
		Duplicate: duplicate, Events: events}
}

func (s *Store) Changed() <-chan struct{} { return s.changed.Changed() }

func (s *Store) ReadStream(ctx context.Context, streamID string, q domain.StreamQuery) ([]domain.Envelope, error) {
	upTo := func(v uint64) int64 {
		if v == 0 || v > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(v)
	}
	rows, err := s.readStream.QueryContext(ctx, streamID, int64(min(q.FromVersion, math.MaxInt64)), upTo(q.ToVersion), upTo(q.ToPosition),
		until(q.OccurredUntil), until(q.RecordedUntil))
	if err != nil {
		return nil, readErr(err)
	}
	events, err := scanEvents(rows)
	return events, readErr(err)
}

// EventByID opens one event by its ID (domain.EventFinder), by the unique
// index on event_id.
func (s *Store) EventByID(ctx context.Context, eventID string) (domain.Envelope, bool, error) {
	rows, err := s.eventByID.QueryContext(ctx, eventID)
	if err != nil {
		return domain.Envelope{}, false, readErr(err)
	}
	events, err := scanEvents(rows)
	if err != nil || len(events) == 0 {
		return domain.Envelope{}, false, readErr(err)
	}
	return events[0], true, nil
}

// until turns a time bound into unix nanoseconds, clamped to what they can
// express (years 1678 to 2262); zero does not bound.
func until(t time.Time) int64 {
	switch {
	case t.IsZero() || t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	}
	return t.UnixNano()
}

func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// Positions are assigned in commit order by the one writer, so what a
	// snapshot shows is always a prefix of the log: nothing is skipped.
	rows, err := s.readAll.QueryContext(ctx, int64(min(after, math.MaxInt64)), limit)
	if err != nil {
		return nil, readErr(err)
	}
	events, err := scanEvents(rows)
	return events, readErr(err)
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

func readErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return domain.Internal(err, "read the event store")
}

func scanEvents(rows *sql.Rows) ([]domain.Envelope, error) {
	defer rows.Close()
	var out []domain.Envelope
	for rows.Next() {
		var (
			e                  domain.Envelope
			pos, ver, occ, rec int64
			data               []byte
		)
		if err := rows.Scan(&pos, &e.StreamID, &ver, &e.EventID, &e.Type, &e.SchemaVersion, &occ, &rec,
			&e.Actor.UserID, &e.Actor.Role, &e.Actor.Organisation, &e.CorrelationID, &e.CausationID, &e.CommandID,
			&data, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Position, e.Version, e.Data = uint64(pos), uint64(ver), data
		e.OccurredAt, e.RecordedAt = time.Unix(0, occ).UTC(), time.Unix(0, rec).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ScanAll streams the log after a position to fn in global order, with the
// fields projections read (position, stream, event ID, type, schema
// version, times and payload; not the actor, the correlation or the
// hashes). It is the rebuild's fast path: a third of the columns, straight
// from the driver, and a long log read on two connections at once.
func (s *Store) ScanAll(ctx context.Context, after uint64, fn func(domain.Envelope) error) error {
	var head int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&head); err != nil {
		return readErr(err)
	}
	if uint64(head) > after+4*s.scanChunk {
		if err := s.scanParallel(ctx, after, uint64(head), fn); err != nil {
			return err
		}
		after = uint64(head)
	}
	return s.scanRows(ctx, after, math.MaxInt64, func(row []driver.Value) error {
		e, err := envelopeOf(row)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

// scanParallel hands fn the events in (after, head] in order, read in
// alternate chunks by two workers on connections of their own: reading
// rows is most of a scan's cost. Every position up to head is committed
// (positions are dense and given out in commit order), so each worker's
// snapshot holds its chunks whole.
func (s *Store) scanParallel(ctx context.Context, after, head uint64, fn func(domain.Envelope) error) error {
	var wg sync.WaitGroup
	defer wg.Wait() // after the cancel below: the workers stop on it
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const workers = 2
	var chunks, free [workers]chan []domain.Envelope
	errs := make(chan error, workers)
	for w := range workers {
		chunks[w], free[w] = make(chan []domain.Envelope, 1), make(chan []domain.Envelope, 2)
		wg.Go(func() {
			defer close(chunks[w])
			for lo := after + uint64(w)*s.scanChunk; lo < head; lo += workers * s.scanChunk {
				var chunk []domain.Envelope
				select {
				case chunk = <-free[w]:
				default:
					chunk = make([]domain.Envelope, 0, s.scanChunk)
				}
				err := s.scanRows(ctx, lo, min(lo+s.scanChunk, head), func(row []driver.Value) error {
					e, err := envelopeOf(row)
					chunk = append(chunk, e)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				select {
				case chunks[w] <- chunk:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	for i := 0; ; i++ {
		chunk, ok := <-chunks[i%workers]
		if !ok {
			break // that worker is through, and the chunks alternate: all are
		}
		for _, e := range chunk {
			if err := fn(e); err != nil {
				return err
			}
		}
		clear(chunk)
		select {
		case free[i%workers] <- chunk[:0]:
		default:
		}
	}
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// envelopeOf makes an envelope of a scanned row.
func envelopeOf(row []driver.Value) (domain.Envelope, error) {
	pos, ok1 := row[0].(int64)
	stream, ok2 := row[1].(string)
	id, ok3 := row[2].(string)
	typ, ok4 := row[3].(string)
	ver, ok5 := row[4].(int64)
	occ, ok6 := row[5].(int64)
	rec, ok7 := row[6].(int64)
	data, ok8 := row[7].([]byte)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) {
		return domain.Envelope{}, readErr(fmt.Errorf("event row of unexpected column types %T %T %T %T %T %T %T %T",
			row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]))
	}
	return domain.Envelope{Position: uint64(pos), StreamID: stream, EventID: id, Type: typ, SchemaVersion: int(ver),
		OccurredAt: time.Unix(0, occ).UTC(), RecordedAt: time.Unix(0, rec).UTC(), Data: data}, nil
}

// scanRows hands the rows of positions in (after, upTo] to fn straight
// from the driver: the conversions and copies of database/sql's Scan cost
// a quarter of a rebuild's read. A row is fn's only during the call.
func (s *Store) scanRows(ctx context.Context, after, upTo uint64, fn func(row []driver.Value) error) error {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return readErr(err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return readErr(fmt.Errorf("the SQLite driver's %T cannot query", dc))
		}
		rows, err := q.QueryContext(ctx, `SELECT position, stream_id, event_id, type, schema_version, occurred_at, recorded_at, data
			FROM events WHERE position > ? AND position <= ? ORDER BY position`,
			[]driver.NamedValue{{Ordinal: 1, Value: int64(min(after, math.MaxInt64))}, {Ordinal: 2, Value: int64(min(upTo, math.MaxInt64))}})
		if err != nil {
			return readErr(err)
		}
		defer rows.Close()
		row := make([]driver.Value, 8)
		for {
			if err := rows.Next(row); err == io.EOF {
				return nil
			} else if err != nil {
				return readErr(err)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	})
}
