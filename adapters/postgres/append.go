package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casetrack/casetrack/adapters/appendq"
	"github.com/casetrack/casetrack/domain"
)

// maxBatch bounds one group commit, so a flood of appends is still
// acknowledged in steady steps.
const maxBatch = 256

type outcome struct {
	res domain.AppendResult
	err error
}

// Append queues the request for the writer and waits for its transaction
// to commit. A caller whose context ends before the writer takes the request
// gets the context's error and nothing is written; once taken, the request
// shares its batch's fate. When the commit's answer is lost (the server went
// away), the append may have landed: the caller sees CodeUnavailable and a
// retry with the same command ID is answered as a duplicate.
func (s *Store) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	return appendq.Submit(ctx, s.ops, s.closing, errClosed, req)
}

// writer takes whatever requests are waiting and commits them together,
// one transaction at a time. It returns on Close once it has answered every
// request it accepted.
func (s *Store) writer() {
	var pending []*appendq.Op
	for {
		if len(pending) == 0 {
			select {
			case o := <-s.ops:
				pending = append(pending, o)
			case <-s.closing:
				return
			}
		}
	more:
		for len(pending) < maxBatch {
			select {
			case o := <-s.ops:
				pending = append(pending, o)
			default:
				break more
			}
		}
		var batch []*appendq.Op
		batch, pending = take(pending)
		if len(batch) > 0 {
			s.commit(batch)
		}
	}
}

// take picks the next transaction's requests: at most one per stream (and
// so per command ID, which is scoped to its stream), so that each is checked
// against committed state alone; the others wait for the next transaction.
// Abandoned requests are dropped.
func take(pending []*appendq.Op) (batch, rest []*appendq.Op) {
	streams := map[string]bool{}
	for _, o := range pending {
		r := o.Req
		if streams[r.StreamID] {
			if !o.Abandoned() {
				rest = append(rest, o)
			}
			continue
		}
		if !o.Take() {
			continue // the caller gave up and was told nothing was written
		}
		streams[r.StreamID] = true
		batch = append(batch, o)
	}
	return batch, rest
}

// commit runs a batch in one transaction and answers its callers.
func (s *Store) commit(batch []*appendq.Op) {
	reqs := make([]domain.AppendRequest, len(batch))
	for i, o := range batch {
		reqs[i] = o.Req
	}
	outs, err := s.appendTx(reqs)
	if isUniqueViolation(err) && len(reqs) > 1 {
		// A unique key refused one request (an event ID used before): run
		// them one by one, so that it fails alone.
		outs = make([]outcome, len(reqs))
		for i := range reqs {
			var one []outcome
			if one, err = s.appendTx(reqs[i : i+1]); err == nil {
				outs[i] = one[0]
			} else {
				outs[i] = outcome{err: appendErr(err, reqs[i])}
			}
		}
	} else if err != nil {
		outs = make([]outcome, len(reqs))
		for i := range outs {
			outs[i] = outcome{err: appendErr(err, reqs[i])}
		}
	}
	for _, out := range outs {
		if out.err == nil && !out.res.Duplicate {
			s.changed.Notify()
			break
		}
	}
	for i, o := range batch {
		o.Finish(outs[i].res, outs[i].err)
	}
}

// head is where a stream's chain ends.
type head struct {
	version uint64
	hash    string
}

// maxHeads bounds the writer's cache of stream heads.
const maxHeads = 100_000

// appendStmt checks and writes a batch in one statement. Each request is
// checked on its first event: the stream's head must be the version and
// hash it was sealed behind, and its command ID must be new. The passing
// requests' events take the positions after the log head, in order, and
// the head moves on and notifies. It answers the head it started from and
// which requests passed, so the caller knows every position.
//
// Every look-up is a LATERAL ... LIMIT 1 probe rather than EXISTS or IN: a
// plan cached while the table was new (and looked tiny) must still use the
// indexes once it holds millions of rows, and a hashed subplan would not.
const appendStmt = `WITH ev AS (
	SELECT * FROM unnest($1::integer[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::integer[],
		$7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
		$14::text[], $15::bytea[], $16::text[], $17::text[]) WITH ORDINALITY
		AS e(req, stream_id, version, event_id, type, schema_version, occurred_at, recorded_at, actor_user,
			actor_role, actor_org, correlation_id, causation_id, command_id, data, prev_hash, hash, ord)
), ok AS (
	SELECT e.req FROM ev e
	LEFT JOIN LATERAL (SELECT version, hash FROM events WHERE stream_id = e.stream_id ORDER BY version DESC LIMIT 1) h ON true
	LEFT JOIN LATERAL (SELECT true AS found FROM events WHERE stream_id = e.stream_id AND command_id = e.command_id AND e.command_id <> '' LIMIT 1) c ON true
	WHERE e.version = coalesce(h.version, 0) + 1 AND e.prev_hash = coalesce(h.hash, '') AND c.found IS NULL
), head AS (
	SELECT position FROM log_head
), ins AS (
	INSERT INTO events (` + columns + `)
	SELECT (SELECT position FROM head) + row_number() OVER (ORDER BY ord), stream_id, version, event_id, type,
		schema_version, occurred_at, recorded_at, actor_user, actor_role, actor_org, correlation_id, causation_id,
		command_id, data, prev_hash, hash
	FROM ev WHERE req IN (SELECT req FROM ok)
	RETURNING 1
), moved AS (
	UPDATE log_head SET position = position + (SELECT count(*) FROM ins) WHERE EXISTS (SELECT FROM ins)
	RETURNING pg_notify('` + channel + `', position::text)
)
SELECT (SELECT position FROM head), ARRAY(SELECT req FROM ok ORDER BY req)`

// headsStmt reads where each stream's chain ends, one LIMIT 1 probe down
// the (stream_id, version) index per stream.
const headsStmt = `SELECT s.id, h.version, h.hash FROM unnest($1::text[]) AS s(id)
	CROSS JOIN LATERAL (SELECT version, hash FROM events WHERE stream_id = s.id ORDER BY version DESC LIMIT 1) AS h`

// commandsStmt reads the events of commands already recorded, one probe of
// the (stream_id, command_id) index per command. The ORDER BY keeps the
// lateral subquery from being flattened into a join of the whole ID list
// against events, which the planner may (and without statistics, once a
// batch carries many IDs, did) run as a sequential scan. It is not ORDER BY
// version: that order came free down (stream_id, version), which costs the
// same as the command index on a small table, so the plan cached early read
// every event of the stream from the heap to filter on command_id, a cost
// that grew with the log. With early, lopsided statistics the planner may
// still go that way (the two indexes then look alike), which is why only
// refused requests, rare, run this statement (see appendTx).
const commandsStmt = `SELECT ` + columns + ` FROM unnest($1::text[], $2::text[]) AS u(stream, command)
	CROSS JOIN LATERAL (SELECT ` + columns + ` FROM events WHERE stream_id = u.stream AND command_id = u.command
		ORDER BY command_id) AS e
	ORDER BY position`

// appendTx checks and writes requests for distinct streams and command IDs
// in one transaction. The outcomes carry each request's own refusal
// (conflict); the error is one that dooms the transaction. It runs on its
// own deadline: a caller's cancellation must not cut a batch that others
// share.
//
// The writer seals events behind the stream heads it remembers, so the
// usual batch is one round trip: lock the log head, run appendStmt,
// commit. The heads of streams it does not know at the expected version
// are looked up first. Only requests that cannot pass (their stream is
// elsewhere) or that the statement refuses are sorted into duplicates and
// conflicts, after the commit; both only read. The command IDs of the
// others are checked by appendStmt alone, under the lock: a retry of a
// recorded command is refused there and found as a duplicate here, so the
// usual append costs no separate command look-up.
func (s *Store) appendTx(reqs []domain.AppendRequest) (outs []outcome, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	defer func() {
		if err != nil { // the outcome may be unknown: learn the heads afresh
			for _, r := range reqs {
				delete(s.heads, r.StreamID)
			}
		}
	}()
	conn, err := s.wpool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release() // the pool closes a connection left inside a transaction
	defer func() {
		if pg := conn.Conn().PgConn(); !pg.IsClosed() && pg.TxStatus() != 'I' {
			conn.Exec(ctx, "ROLLBACK")
		}
	}()
	outs = make([]outcome, len(reqs))
	decided := make([]bool, len(reqs))
	var unknown []int
	for i, r := range reqs {
		if h, ok := s.heads[r.StreamID]; !ok || h.version != r.ExpectedVersion {
			unknown = append(unknown, i)
		}
	}
	if _, _, err := s.lookup(ctx, conn, reqs, unknown, false); err != nil {
		return nil, err
	}

	var (
		rows    insertRows
		refused []int // a conflict or a recorded command: settled after the commit
	)
	for i, r := range reqs {
		if s.heads[r.StreamID].version != r.ExpectedVersion {
			refused = append(refused, i)
			continue
		}
		prev := s.heads[r.StreamID].hash
		for j, e := range r.Events {
			e.StreamID, e.CommandID = r.StreamID, r.CommandID
			e.Version = r.ExpectedVersion + uint64(j) + 1
			// timestamptz keeps microseconds: seal what will be read back.
			e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC().Truncate(time.Microsecond), e.RecordedAt.UTC().Truncate(time.Microsecond)
			e.Seal(prev)
			prev = e.Hash
			rows.add(i, e)
		}
	}
	if len(rows.req) > 0 {
		if err := s.run(ctx, conn, reqs, &rows, outs, &refused); err != nil {
			return nil, err
		}
	}
	for _, i := range refused {
		delete(s.heads, reqs[i].StreamID)
	}
	// The batch is committed: from here on a failure is only the refused requests'.
	err = s.settle(ctx, conn, reqs, refused, outs, decided)
	for _, i := range refused {
		switch {
		case err != nil:
			outs[i] = outcome{err: appendErr(err, reqs[i])}
		case !decided[i]: // the stream is where the request expected it, yet it was refused: it moved meanwhile
			outs[i] = outcome{err: domain.Errorf(domain.CodeConflict, "stream %s changed during the append", reqs[i].StreamID)}
		}
	}
	return outs, nil
}

// run commits the requests of rows in one transaction, answers those that
// passed and adds the others to refused.
func (s *Store) run(ctx context.Context, conn *pgxpool.Conn, reqs []domain.AppendRequest, rows *insertRows, outs []outcome, refused *[]int) error {
	// The statement's snapshot is taken after the lock: every earlier
	// append, from any instance, is visible to its checks.
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SELECT FROM log_head FOR UPDATE`)
	b.Queue(appendStmt, rows.args()...)
	b.Queue(`COMMIT`)
	var (
		start  int64
		passed []int32
	)
	br := conn.SendBatch(ctx, b)
	_, err := br.Exec()
	if err == nil {
		_, err = br.Exec()
	}
	if err == nil {
		err = br.QueryRow().Scan(&start, &passed)
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return err
	}

	pos := uint64(start)
	for _, i := range slices.Compact(slices.Clone(rows.req)) {
		r := reqs[i]
		if len(passed) == 0 || passed[0] != i {
			*refused = append(*refused, int(i))
			continue
		}
		passed = passed[1:]
		out := rows.envelopes(int(i))
		for j := range out {
			pos++
			out[j].Position = pos
		}
		outs[i] = outcome{res: resultOf(out, false)}
		s.remember(r.StreamID, head{out[len(out)-1].Version, out[len(out)-1].Hash})
	}
	return nil
}

// settle reads the heads of the requests' streams and the commands already
// recorded, and decides the requests it can: a recorded command is a
// duplicate, a stream elsewhere than expected a conflict.
func (s *Store) settle(ctx context.Context, conn *pgxpool.Conn, reqs []domain.AppendRequest, which []int, outs []outcome, decided []bool) error {
	heads, prior, err := s.lookup(ctx, conn, reqs, which, true)
	if err != nil {
		return err
	}
	for _, i := range which {
		r := reqs[i]
		h := heads[r.StreamID]
		switch dup := byCommand(prior, r.StreamID, r.CommandID); {
		case len(dup) > 0:
			outs[i], decided[i] = outcome{res: resultOf(dup, true)}, true
		case h.version != r.ExpectedVersion:
			outs[i], decided[i] = outcome{err: domain.ConflictError(r.StreamID, r.ExpectedVersion, h.version)}, true
		}
	}
	return nil
}

// lookup reads the heads of the requests' streams and remembers them (a
// stream without events is at version 0), and with commands the events of
// the requests' commands already recorded, in one round trip.
func (s *Store) lookup(ctx context.Context, conn *pgxpool.Conn, reqs []domain.AppendRequest, which []int, commands bool) (map[string]head, []domain.Envelope, error) {
	if len(which) == 0 {
		return nil, nil, nil
	}
	var streams, commandStreams, commandIDs []string
	for _, i := range which {
		streams = append(streams, reqs[i].StreamID)
		if commands && reqs[i].CommandID != "" {
			commandStreams, commandIDs = append(commandStreams, reqs[i].StreamID), append(commandIDs, reqs[i].CommandID)
		}
	}
	b := &pgx.Batch{}
	b.Queue(headsStmt, streams)
	if len(commandIDs) > 0 {
		b.Queue(commandsStmt, commandStreams, commandIDs)
	}
	br := conn.SendBatch(ctx, b)
	heads := map[string]head{}
	rows, err := br.Query()
	if err == nil {
		var (
			id      string
			version int64
			hash    string
		)
		_, err = pgx.ForEachRow(rows, []any{&id, &version, &hash}, func() error {
			heads[id] = head{uint64(version), hash}
			return nil
		})
	}
	var prior []domain.Envelope
	if err == nil && len(commandIDs) > 0 {
		if rows, err = br.Query(); err == nil {
			prior, err = scanEvents(rows)
		}
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return nil, nil, err
	}
	for _, st := range streams {
		s.remember(st, heads[st])
	}
	return heads, prior, nil
}

// remember notes where a stream's chain now ends, evicting an arbitrary
// entry when the cache is full.
func (s *Store) remember(stream string, h head) {
	if _, ok := s.heads[stream]; !ok && len(s.heads) >= maxHeads {
		for k := range s.heads {
			delete(s.heads, k)
			break
		}
	}
	s.heads[stream] = h
}

// insertRows holds a batch's events column by column, for one statement
// from unnest however many events there are; req is each event's request.
type insertRows struct {
	req                                              []int32
	version                                          []int64
	stream, eventID, typ                             []string
	schema                                           []int32
	occurred, recorded                               []time.Time
	user, role, org, correlation, causation, command []string
	data                                             [][]byte
	prevHash, hash                                   []string
	sealed                                           []domain.Envelope
}

func (r *insertRows) add(req int, e domain.Envelope) {
	r.req = append(r.req, int32(req))
	r.stream = append(r.stream, e.StreamID)
	r.version = append(r.version, int64(e.Version))
	r.eventID = append(r.eventID, e.EventID)
	r.typ = append(r.typ, e.Type)
	r.schema = append(r.schema, int32(e.SchemaVersion))
	r.occurred = append(r.occurred, e.OccurredAt)
	r.recorded = append(r.recorded, e.RecordedAt)
	r.user = append(r.user, e.Actor.UserID)
	r.role = append(r.role, e.Actor.Role)
	r.org = append(r.org, e.Actor.Organisation)
	r.correlation = append(r.correlation, e.CorrelationID)
	r.causation = append(r.causation, e.CausationID)
	r.command = append(r.command, e.CommandID)
	r.data = append(r.data, e.Data)
	r.prevHash = append(r.prevHash, e.PrevHash)
	r.hash = append(r.hash, e.Hash)
	r.sealed = append(r.sealed, e)
}

// args is in the order of appendStmt's parameters.
func (r *insertRows) args() []any {
	return []any{r.req, r.stream, r.version, r.eventID, r.typ, r.schema, r.occurred, r.recorded,
		r.user, r.role, r.org, r.correlation, r.causation, r.command, r.data, r.prevHash, r.hash}
}

// envelopes returns the sealed events of request req.
func (r *insertRows) envelopes(req int) []domain.Envelope {
	var out []domain.Envelope
	for i, e := range r.sealed {
		if r.req[i] == int32(req) {
			out = append(out, e)
		}
	}
	return out
}

func byCommand(events []domain.Envelope, streamID, commandID string) []domain.Envelope {
	var out []domain.Envelope
	for _, e := range events {
		if commandID != "" && e.CommandID == commandID && e.StreamID == streamID {
			out = append(out, e)
		}
	}
	return out
}

func resultOf(events []domain.Envelope, duplicate bool) domain.AppendResult {
	last := events[len(events)-1]
	return domain.AppendResult{StreamID: last.StreamID, Version: last.Version, Position: last.Position,
		Duplicate: duplicate, Events: events}
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// appendErr reports a failed transaction to one of its requests.
func appendErr(err error, r domain.AppendRequest) error {
	switch {
	case isUniqueViolation(err):
		// Only a writer that bypasses log_head, or an event ID used before, gets here.
		return &domain.Error{Code: domain.CodeConflict, Err: err,
			Message: "stream " + r.StreamID + ": an event ID or version of this append is already recorded"}
	case errors.Is(err, context.DeadlineExceeded): // the batch's own deadline, not the caller's
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the event store did not answer in time", Err: err}
	}
	return storeErr(err, "append to the event store")
}
