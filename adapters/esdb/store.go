// Package esdb is the EventStore on EventStoreDB 23.10+ or KurrentDB 25,
// through the gRPC client github.com/EventStore/EventStore-Client-Go/v4.
// Each compound's stream is an EventStoreDB stream of the same name (behind
// an optional namespace prefix); the envelope's fields that EventStoreDB
// does not keep itself travel as JSON in the event metadata.
//
// The port asks for some things EventStoreDB does not have as such. How
// they are made, and what does not hold:
//
// Positions. An event's Position is its commit position in the log ($all).
// Every event of a gRPC append commits itself, so its commit and prepare
// positions are equal and the one number names it: ReadAll(after) reads
// $all from that event and drops it, Subscribe starts right after it.
// Positions strictly increase in log order, and a read never skips an
// event below the last position it returned. They are byte offsets,
// though, not 1, 2, 3…: count events, never subtract positions, and pass
// only 0 or a position this store returned. (A dense store-wide counter
// would need an atomic write across streams, which EventStoreDB lacks.)
//
// Hash chain. Append reads the stream's head, seals the events behind its
// hash (domain.Envelope.Seal), and appends with the head's revision as the
// expected revision, so a racing writer fails with a conflict and the chain
// cannot fork.
//
// Idempotency. Event IDs derive from the command ID (domain.EventID), so
// the server itself deduplicates an exact retry. The port promises more: a
// retry with any expected version answers with the first result. There is
// no index by command ID, so Append reads the stream backwards for the
// command before writing (all of it when the command is new: compound
// streams hold hundreds of events, not millions), and again after a wrong
// expected version, so that a concurrent retry answers as a duplicate.
// Should a racing retry land between that read and the write, the server's
// deduplication answers it, and reading the events back tells (same IDs,
// another seal). Command IDs are unique per stream here, not store-wide.
// An append thus takes three round trips: that read, the write, and a
// read of the written events for their positions, which the write does
// not report one by one.
//
// Changed. Open subscribes to $all, filtered on the server to this store's
// streams, and the channel closes for every event it reports; a local
// append closes it at once, and the subscription's later report of the
// same event is ignored. The subscription starts in Open rather than on
// first use, so that no append after Open goes unnoticed, and so that Open
// fails at once when the server is unreachable or the user may not read
// $all. After it drops, the channel closes once (something may have
// slipped by) and it subscribes again.
//
// ReadAll filters $all on the client, since the v4 client's ReadAll takes
// no filter: it reads past other applications' and system events. Follow
// the log with Subscribe, which filters on the server. Reading $all needs
// a user in $admins, unless the server's default ACL says otherwise.
package esdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/casetrack/casetrack/domain"
)

// Store is the EventStoreDB EventStore. It is safe for concurrent use.
type Store struct {
	db     *esdb.Client
	ns     string // prefix of every stream name; empty in production
	stop   context.CancelFunc
	done   chan struct{}
	close  sync.Once
	closed error

	mu      sync.Mutex
	changed domain.Signal
	seen    uint64 // the highest position the channel was closed for
}

// Option tunes a Store.
type Option func(*Store)

// WithNamespace prefixes every stream name with ns, so that several stores
// (the contract tests, or tenants) share one server without seeing each
// other's events.
func WithNamespace(ns string) Option { return func(s *Store) { s.ns = ns } }

// Open connects to the server at url: esdb://, esdb+discover://,
// kurrentdb:// or kurrentdb+discover://, with the client's settings as
// query parameters (?tls=false, ?tlsCAFile=…). It subscribes to $all for
// Changed before it returns, which also proves the server answers and the
// user may read $all.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	conn, err := clientURL(url)
	if err != nil {
		return nil, err
	}
	cfg, err := esdb.ParseConnectionString(conn)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "EventStoreDB connection string: %v", err)
	}
	// Errors reach us as return values; the client's own log is detail.
	cfg.Logger = func(level esdb.LogLevel, format string, args ...any) {
		slog.Debug(fmt.Sprintf(format, args...), "component", "esdb", "level", level)
	}
	db, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, storeError(err, "connect to EventStoreDB")
	}
	s := &Store{db: db, done: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	// The subscription outlives Open's context, which bounds only its start.
	watch, stop := context.WithCancel(context.WithoutCancel(ctx))
	detach := context.AfterFunc(ctx, stop)
	sub, err := s.subscribe(watch, esdb.End{})
	if !detach() {
		err = ctx.Err()
	}
	if err != nil {
		stop()
		db.Close()
		return nil, fail(ctx, err, "subscribe to $all")
	}
	s.stop = stop
	go s.watch(watch, sub)
	return s, nil
}

// Close ends the Changed subscription and the connection.
func (s *Store) Close() error {
	s.close.Do(func() {
		s.stop()
		<-s.done
		s.closed = s.db.Close()
	})
	return s.closed
}

func (s *Store) name(stream string) string { return s.ns + stream }

// prefix is what this store's stream names begin with: the $all filter.
func (s *Store) prefix() string { return s.ns + domain.StreamID("") }

func (s *Store) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return domain.AppendResult{}, err
	}
	if len(req.Events) == 0 {
		return domain.AppendResult{}, domain.Errorf(domain.CodeInvalid, "append to %s carries no events", req.StreamID)
	}
	// ReadAll sees compound streams only; the accounts stream is read by
	// name alone (app/auth), so it may stay out of the projections' log.
	if !strings.HasPrefix(req.StreamID, domain.StreamID("")) && req.StreamID != domain.AccountsStream {
		return domain.AppendResult{}, domain.Errorf(domain.CodeInvalid, "%s is not a compound stream", req.StreamID)
	}
	req, err := domain.StorableRequest(req)
	if err != nil {
		return domain.AppendResult{}, err
	}
	head, prior, err := s.lookup(ctx, req.StreamID, req.CommandID)
	switch {
	case err != nil:
		return domain.AppendResult{}, err
	case len(prior) > 0:
		return resultOf(prior, true), nil
	case head.Version != req.ExpectedVersion:
		return domain.AppendResult{}, domain.ConflictError(req.StreamID, req.ExpectedVersion, head.Version)
	}
	events, data, err := seal(req, head.Hash)
	if err != nil {
		return domain.AppendResult{}, err
	}
	_, err = s.db.AppendToStream(ctx, s.name(req.StreamID),
		esdb.AppendToStreamOptions{ExpectedRevision: expectedRevision(req.ExpectedVersion)}, data...)
	if is(err, esdb.ErrorCodeWrongExpectedVersion) {
		// Another writer got there first: perhaps this very command.
		head, prior, err := s.lookup(ctx, req.StreamID, req.CommandID)
		switch {
		case err != nil:
			return domain.AppendResult{}, err
		case len(prior) > 0:
			return resultOf(prior, true), nil
		}
		return domain.AppendResult{}, domain.ConflictError(req.StreamID, req.ExpectedVersion, head.Version)
	}
	if err != nil {
		return domain.AppendResult{}, fail(ctx, err, "append to "+req.StreamID)
	}
	// Read each event's position back. Should that fail, the events are
	// stored all the same, and a retry of the command answers with them.
	stored, err := s.ReadStream(ctx, req.StreamID, domain.StreamQuery{
		FromVersion: events[0].Version, ToVersion: events[len(events)-1].Version})
	if err != nil {
		return domain.AppendResult{}, err
	}
	last, mine := len(events)-1, events[len(events)-1]
	switch {
	case len(stored) != len(events):
	case stored[last].Hash == mine.Hash:
		s.notify(stored[last].Position)
		return resultOf(stored, false), nil
	case stored[last].EventID == mine.EventID:
		// The same IDs sealed otherwise: the server took the write for a
		// retry of a racing one of this command, and wrote nothing.
		return resultOf(stored, true), nil
	}
	return domain.AppendResult{}, domain.Errorf(domain.CodeInternal, "%s: the appended events do not read back", req.StreamID)
}

// lookup reads a stream backwards for its head and, when cmd is set, the
// events of that command (contiguous, as one append wrote them). Without
// an index by command ID it reads the whole stream when cmd is new.
func (s *Store) lookup(ctx context.Context, stream, cmd string) (head domain.Envelope, prior []domain.Envelope, err error) {
	count := uint64(math.MaxInt64)
	if cmd == "" {
		count = 1
	}
	rs, err := s.db.ReadStream(ctx, s.name(stream), esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, count)
	err = drain(ctx, rs, err, "read "+stream, func(r *esdb.RecordedEvent) (bool, error) {
		e, err := fromRecorded(r, s.ns)
		if err != nil {
			return false, err
		}
		if head.Version == 0 {
			head = e
		}
		if e.CommandID == cmd && cmd != "" {
			prior = append(prior, e)
			return true, nil
		}
		return len(prior) == 0, nil
	})
	slices.Reverse(prior)
	return head, prior, err
}

func resultOf(events []domain.Envelope, duplicate bool) domain.AppendResult {
	last := events[len(events)-1]
	return domain.AppendResult{StreamID: last.StreamID, Version: last.Version, Position: last.Position,
		Duplicate: duplicate, Events: events}
}

func (s *Store) ReadStream(ctx context.Context, streamID string, q domain.StreamQuery) ([]domain.Envelope, error) {
	first, count := max(q.FromVersion, 1), uint64(math.MaxInt64)
	if q.ToVersion != 0 {
		if q.ToVersion < first {
			return nil, nil
		}
		count = min(q.ToVersion-first+1, count)
	}
	rs, err := s.db.ReadStream(ctx, s.name(streamID), esdb.ReadStreamOptions{From: esdb.Revision(first - 1)}, count)
	var out []domain.Envelope
	err = drain(ctx, rs, err, "read "+streamID, func(r *esdb.RecordedEvent) (bool, error) {
		e, err := fromRecorded(r, s.ns)
		if err != nil || (q.ToPosition != 0 && e.Position > q.ToPosition) { // positions grow with versions
			return false, err
		}
		if q.Match(e) {
			out = append(out, e)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readPage is how many events of $all one read asks for.
const readPage = 2048

func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	var out []domain.Envelope
	from, last := allPosition(after), esdb.Position{Commit: after, Prepare: after}
	full := func() bool { return limit > 0 && len(out) >= limit }
	for !full() {
		rs, err := s.db.ReadAll(ctx, esdb.ReadAllOptions{From: from}, readPage)
		n := 0
		err = drain(ctx, rs, err, "read $all", func(r *esdb.RecordedEvent) (bool, error) {
			n++
			if !later(r.Position, last) { // reads include their start, which was returned before
				return true, nil
			}
			from, last = r.Position, r.Position
			if !ours(r, s.prefix()) {
				return true, nil
			}
			e, err := fromRecorded(r, s.ns)
			if err != nil {
				return false, err
			}
			out = append(out, e)
			return !full(), nil
		})
		if err != nil {
			return nil, err
		}
		if n < readPage { // the end of the log
			break
		}
	}
	return out, nil
}

// drain hands the events of a read to fn until the read ends or fn says
// stop; a stream that does not exist reads as empty.
func drain(ctx context.Context, rs *esdb.ReadStream, err error, what string, fn func(*esdb.RecordedEvent) (bool, error)) error {
	if err != nil {
		return fail(ctx, err, what)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) || is(err, esdb.ErrorCodeResourceNotFound) {
			return nil
		}
		if err != nil {
			return fail(ctx, err, what)
		}
		if ev.Event == nil { // a link whose event is gone; this store writes none
			continue
		}
		if more, err := fn(ev.Event); err != nil || !more {
			return err
		}
	}
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

// Subscribe is the projection relay's catch-up subscription: it hands
// handle this store's events after position after (0: from the start) in
// log order, the stored ones first and then live ones as they land. Store
// the Position of each handled event as the checkpoint and pass it back
// after a restart. It returns handle's error, ctx's once ctx ends, or a
// domain error when the subscription drops (CodeUnavailable when the
// server went away); in every case, resume from the checkpoint.
func (s *Store) Subscribe(ctx context.Context, after uint64, handle func(domain.Envelope) error) error {
	sub, err := s.subscribe(ctx, allPosition(after))
	if err != nil {
		return fail(ctx, err, "subscribe to $all")
	}
	var stopped error
	err = follow(sub, func(r *esdb.RecordedEvent) error {
		if !ours(r, s.prefix()) {
			return nil
		}
		e, err := fromRecorded(r, s.ns)
		if err == nil {
			err = handle(e)
		}
		stopped = err
		return err
	})
	if stopped != nil {
		return stopped
	}
	return fail(ctx, err, "subscription to $all")
}

// subscribe starts a subscription to this store's streams in $all, after from.
func (s *Store) subscribe(ctx context.Context, from esdb.AllPosition) (*esdb.Subscription, error) {
	return s.db.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: from,
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{s.prefix()}}})
}

var errDropped = errors.New("subscription dropped")

// follow hands a subscription's events to fn until it drops or fn fails.
func follow(sub *esdb.Subscription, fn func(*esdb.RecordedEvent) error) error {
	defer sub.Close()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return cmp.Or(ev.SubscriptionDropped.Error, errDropped)
		case ev.EventAppeared != nil && ev.EventAppeared.Event != nil:
			if err := fn(ev.EventAppeared.Event); err != nil {
				return err
			}
		}
	}
}

// watch closes the Changed channel for every event of this store's streams
// until ctx ends, subscribing again when the subscription drops.
func (s *Store) watch(ctx context.Context, sub *esdb.Subscription) {
	defer close(s.done)
	for {
		follow(sub, func(r *esdb.RecordedEvent) error {
			if ours(r, s.prefix()) {
				s.notify(r.Position.Commit)
			}
			return nil
		})
		for sub = nil; sub == nil; {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			sub, _ = s.subscribe(ctx, esdb.End{}) // on failure, again in a second
		}
		s.notify(0) // events may have landed while it was down
	}
}

// notify closes the Changed channel for the event at pos, unless it was
// closed for that position or a later one already; 0 closes it regardless.
func (s *Store) notify(pos uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pos != 0 && pos <= s.seen {
		return
	}
	s.seen = max(s.seen, pos)
	s.changed.Notify()
}

func (s *Store) Changed() <-chan struct{} { return s.changed.Changed() }

var _ domain.EventStore = (*Store)(nil)
