package app

import (
	"context"
	"github.com/casetrack/casetrack/domain"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Meta is what travels with a command besides its body.
type Meta struct {
	CommandID     string       // idempotency key: a retried command ID returns the first result
	CorrelationID string       // ties a chain of commands to one user action
	CausationID   string       // the event or command that caused this one
	Actor         domain.Actor // who, in which role, for which organisation
	OccurredAt    time.Time    // business time; zero means now; may be backdated for paper records
	IfVersion     *uint64      // the stream version the client saw (HTTP If-Match)
	// RecordedAt simulates the knowledge time: the demo loader records each
	// fact shortly after it happened, so that as-of reads over its years
	// answer. Only earlier than the clock is taken; the API never sets it.
	RecordedAt time.Time
}

// Service loads a compound, decides a command, and appends the events with
// the version it loaded, retrying a bounded number of times when another
// writer got there first.
type Service struct {
	store    domain.EventStore
	rules    domain.RuleBook
	now      func() time.Time
	retries  int
	cache    aggregateCache
	personal *PersonalData // nil: personal fields are refused

	snapshotEvery uint64         // events a load may read before it takes a snapshot; 0: none
	snapshots     snapshotWriter // nil store: the store keeps none

	observers []Observer                   // metrics and traces of each command (WithObservers)
	halted    atomic.Pointer[domain.Error] // set: every command is refused with it
}

// Halt makes the service read-only: every command from now on is refused,
// with why. The audit calls it when the log no longer matches its signed
// checkpoint; recording more on a rewritten log would bury the evidence.
func (s *Service) Halt(why error) {
	s.halted.CompareAndSwap(nil, &domain.Error{Code: domain.CodeUnavailable,
		Message: "the server is read-only: the event log does not match its signed checkpoint (an operator must investigate with casetrack verify)", Err: why})
}

// ServiceOption tunes a Service.
type ServiceOption func(*Service)

// WithClock sets the server clock (recorded-at times); tests pin it.
func WithClock(now func() time.Time) ServiceOption { return func(s *Service) { s.now = now } }

// WithCacheBytes bounds the approximate memory of the compounds kept
// between commands (the payload sizes of the events folded into them).
func WithCacheBytes(n int64) ServiceOption {
	return func(s *Service) { s.cache.maxBytes = n }
}

// WithSnapshotEvery sets how many events a compound may read from its
// stream when it is loaded before a snapshot of it is taken
// (domain.SnapshotStore); 0 takes none. Default 32: a compound not in
// memory is then loaded from its snapshot and at most about 32 events.
// A compound kept in memory takes none: its snapshot matters only once
// it has left.
func WithSnapshotEvery(n uint64) ServiceOption { return func(s *Service) { s.snapshotEvery = n } }

// WithSnapshotStore keeps compound snapshots in ss: for a store wrapped
// (traced, measured) by a type that hides its SnapshotStore.
func WithSnapshotStore(ss domain.SnapshotStore) ServiceOption {
	return func(s *Service) { s.snapshots.store = ss }
}

// WithPersonalData seals personal fields with pd's keys; without it,
// commands carrying them are refused.
func WithPersonalData(pd *PersonalData) ServiceOption { return func(s *Service) { s.personal = pd } }

// Personal opens and forgets personal data; nil when the store keeps no keys.
func (s *Service) Personal() *PersonalData { return s.personal }

// WithRetries sets how often a version conflict is retried.
func WithRetries(n int) ServiceOption { return func(s *Service) { s.retries = n } }

func NewService(store domain.EventStore, rules domain.RuleBook, opts ...ServiceOption) *Service {
	s := &Service{store: store, rules: rules, now: time.Now, retries: 5, snapshotEvery: 32,
		cache: aggregateCache{entries: map[string]*cacheEntry{}, maxBytes: 256 << 20}}
	s.snapshots.store, _ = store.(domain.SnapshotStore)
	for _, o := range opts {
		o(s)
	}
	return s
}

// Rules returns the service's rule book.
func (s *Service) Rules() domain.RuleBook { return s.rules }

// Load folds a compound's stream, narrowed by q (time travel).
func (s *Service) Load(ctx context.Context, compoundID string, q domain.StreamQuery) (*domain.Compound, []domain.Envelope, error) {
	if err := domain.ValidateCompoundID(compoundID); err != nil {
		return nil, nil, err
	}
	events, err := s.store.ReadStream(ctx, domain.StreamID(compoundID), q)
	if err != nil {
		return nil, nil, err
	}
	c, err := domain.FoldCompound(compoundID, events)
	return c, events, err
}

// Profile returns where a compound is and whether it is registered, from
// its current state: the callers check the user's scope against it.
func (s *Service) Profile(ctx context.Context, compoundID string) (domain.Profile, bool, error) {
	if err := domain.ValidateCompoundID(compoundID); err != nil {
		return domain.Profile{}, false, err
	}
	entry := s.cache.get(compoundID)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	c, err := s.catchUp(ctx, compoundID, entry)
	if err != nil {
		return domain.Profile{}, false, err
	}
	return c.Profile(), c.Registered(), nil
}

// Execute runs cmd against a compound and records what it decides.
func (s *Service) Execute(ctx context.Context, compoundID string, cmd domain.Command, m Meta) (res domain.AppendResult, err error) {
	if why := s.halted.Load(); why != nil {
		return domain.AppendResult{}, why
	}
	if err := domain.ValidateCompoundID(compoundID); err != nil {
		return domain.AppendResult{}, err
	}
	if m.CommandID == "" {
		m.CommandID = uuid.NewString()
	}
	ctx, done := s.observe(ctx, domain.NameOf(cmd), compoundID, &m)
	defer func() { done(res, err) }()
	now := s.now()
	if !m.RecordedAt.IsZero() && m.RecordedAt.Before(now) {
		now = m.RecordedAt
	}
	now = now.UTC().Truncate(time.Microsecond) // every backend keeps microseconds
	at := m.OccurredAt
	if at.IsZero() {
		at = now
	}
	at = at.UTC().Truncate(time.Microsecond)
	if at.After(now.Add(5 * time.Minute)) {
		return domain.AppendResult{}, &domain.Error{Code: domain.CodeInvalid, Message: "command rejected", Violations: []domain.Violation{{
			Rule: "command.future", Field: "occurred_at",
			Message: "a fact cannot be recorded before it happens", MessageZH: "不能登记尚未发生的事项"}}}
	}
	if err := domain.ValidateMeta(m.Actor, m.CommandID, m.CorrelationID, m.CausationID, at); err != nil {
		return domain.AppendResult{}, err
	}
	rules := s.rules.At(at)
	fingerprint := domain.Fingerprint(cmd)
	// One command at a time per compound in this process: the cached state
	// is mutated in place. Other processes are caught by the expected version.
	entry := s.cache.get(compoundID)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	// A cached compound is decided on as it is, without reading its stream:
	// in this process it is current, and another process's append since is
	// caught by the expected version (conflict: read and decide again). Only
	// an answer given without appending (a refusal, a stale If-Match, nothing
	// to do) is checked against the stream's head before it is given.
	cached := entry.c != nil
	stale := func() bool { // the answer came from the cache: read and decide again
		was := cached
		cached = false
		return was
	}
	for attempt := 0; ; {
		c := entry.c
		if !cached {
			if c, err = s.catchUp(ctx, compoundID, entry); err != nil {
				return domain.AppendResult{}, err
			}
		}
		if c.HasCommand(m.CommandID) { // a retry of a command that already landed, or a reused key
			stream, err := s.store.ReadStream(ctx, domain.StreamID(compoundID), domain.StreamQuery{})
			if err != nil {
				return domain.AppendResult{}, err
			}
			return replay(resultOf(stream, m.CommandID), m.CommandID, EventID(domain.StreamID(compoundID), m.CommandID, fingerprint, 0))
		}
		if m.IfVersion != nil && *m.IfVersion != c.Version() {
			if stale() {
				continue
			}
			return domain.AppendResult{}, domain.ConflictError(domain.StreamID(compoundID), *m.IfVersion, c.Version())
		}
		opened, err := s.personal.openFor(ctx, c, cmd, m.Actor)
		if err != nil {
			return domain.AppendResult{}, err
		}
		events, err := c.Decide(opened, rules, at)
		if (err != nil || len(events) == 0) && stale() {
			continue
		}
		if err != nil {
			return domain.AppendResult{}, err
		}
		if len(events) == 0 {
			return domain.AppendResult{StreamID: domain.StreamID(compoundID), Version: c.Version()}, nil
		}
		req := domain.AppendRequest{StreamID: domain.StreamID(compoundID), ExpectedVersion: c.Version(), CommandID: m.CommandID}
		for i, e := range events {
			// Sealed before encoding: the hash covers the ciphertext only.
			e, err := s.personal.sealEvent(ctx, e)
			if err != nil {
				return domain.AppendResult{}, err
			}
			typ, ver, data, err := domain.EncodeEvent(e)
			if err != nil {
				return domain.AppendResult{}, err
			}
			req.Events = append(req.Events, domain.Envelope{
				EventID: EventID(req.StreamID, m.CommandID, fingerprint, i), StreamID: req.StreamID, Type: typ, SchemaVersion: ver,
				OccurredAt: at, RecordedAt: now, Actor: m.Actor,
				CorrelationID: m.CorrelationID, CausationID: m.CausationID, CommandID: m.CommandID, Data: data,
			})
		}
		res, err := s.store.Append(ctx, req)
		if domain.ErrorCode(err) == domain.CodeConflict && m.IfVersion == nil && attempt < s.retries {
			attempt, cached = attempt+1, false // catchUp reads what the other writer appended
			continue
		}
		if err != nil {
			return res, err
		}
		if res.Duplicate { // another process recorded this key first
			return replay(res, m.CommandID, req.Events[0].EventID)
		}
		for _, e := range res.Events {
			if err := c.Apply(e); err != nil {
				entry.c = nil // never decide on a half-applied state
				return res, err
			}
			s.cache.record(entry, e)
		}
		return res, nil
	}
}

// catchUp brings the cached compound up to the stream's head: from its
// snapshot (or the whole stream) on first use, afterwards only what other
// writers appended. What it reads must continue the chain it knows: no
// command is decided on a damaged stream.
func (s *Service) catchUp(ctx context.Context, compoundID string, e *cacheEntry) (*domain.Compound, error) {
	var events []domain.Envelope
	var err error
	if e.c == nil {
		s.cache.reset(e)
		events, err = s.restore(ctx, compoundID, e)
	} else {
		events, err = s.store.ReadStream(ctx, domain.StreamID(compoundID), domain.StreamQuery{FromVersion: e.c.Version() + 1})
	}
	if err != nil {
		return nil, err
	}
	if err := domain.VerifyChainFrom(e.c.Version(), e.hash, events); err != nil {
		e.c = nil
		return nil, integrityError(compoundID, err)
	}
	for _, ev := range events {
		if err := e.c.Apply(ev); err != nil {
			e.c = nil
			return nil, integrityError(compoundID, err)
		}
		s.cache.record(e, ev)
	}
	if uint64(len(events)) >= s.snapshotEvery {
		s.snapshot(e)
	}
	return e.c, nil
}

// integrityError refuses a command on a damaged stream; the cause names the
// first broken version, for the log.
func integrityError(compoundID string, cause error) error {
	if domain.ErrorCode(cause) != domain.CodeIntegrity {
		return cause // an undecodable event or a store failure keeps its own code
	}
	return &domain.Error{Code: domain.CodeIntegrity, Err: cause,
		Message: "compound " + compoundID + ": its event stream is damaged; no command is accepted until it is repaired (" + domain.ErrorOf(cause).Message + ")"}
}

// aggregateCache keeps recently used compounds in memory so that a command
// reads only the events it has not seen, not the whole stream. It is
// bounded in bytes, not compounds: a few busy compounds weigh more than
// thousands of quiet ones.
type aggregateCache struct {
	mu       sync.Mutex
	entries  map[string]*cacheEntry
	bytes    int64 // approximate size of the cached compounds
	maxBytes int64
}

type cacheEntry struct {
	id   string
	mu   sync.Mutex // one command at a time on the compound
	c    *domain.Compound
	hash string // the last folded event's hash: where the chain must continue
	size int64  // approximate bytes of c; guarded by the cache's mu
}

// eventOverhead approximates what a folded event costs in memory beyond
// its payload. Measured on the 1M-event city (runtime.MemStats, 2,000
// compounds folded): 34 KB a compound of 106 events and 25.9 KB of
// payload, so 77 bytes an event; it was 256, which held a third fewer
// compounds than the bound allows.
const eventOverhead = 80

func (a *aggregateCache) get(id string) *cacheEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.entries[id]; ok {
		return e
	}
	e := &cacheEntry{id: id}
	a.entries[id] = e
	a.evict(e)
	return e
}

// record notes that ev was folded into e.
func (a *aggregateCache) record(e *cacheEntry, ev domain.Envelope) {
	e.hash = ev.Hash
	a.grow(e, int64(len(ev.Data))+eventOverhead)
}

// reset forgets what e weighed: it is folded afresh.
func (a *aggregateCache) reset(e *cacheEntry) {
	a.mu.Lock()
	n := e.size
	a.mu.Unlock()
	a.grow(e, -n)
}

// grow adds n bytes to e and evicts others while the cache is over its
// bound. An evicted entry still in use is no longer counted.
func (a *aggregateCache) grow(e *cacheEntry, n int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e.size += n
	if a.entries[e.id] == e {
		a.bytes += n
		a.evict(e)
	}
}

// evict drops entries other than keep, at random (map order), until the
// cache is within its bound.
func (a *aggregateCache) evict(keep *cacheEntry) {
	for id, old := range a.entries {
		if a.bytes <= a.maxBytes {
			return
		}
		if old != keep {
			a.bytes -= old.size
			delete(a.entries, id)
		}
	}
}

// eventIDSpace namespaces event IDs derived from command IDs.
var eventIDSpace = uuid.MustParse("6f1c2a7e-94b1-4c55-9a3e-0c8f8b1d2e10")

// EventID derives the ID of the i-th event of a command from its stream,
// its command ID and its fingerprint (domain.Fingerprint), so that a retried
// command yields the same IDs and stores that deduplicate by event ID
// (EventStoreDB) recognise it, the same key on another compound yields other
// IDs, and the stored IDs record which command and body the key was used for.
func EventID(streamID, commandID, fingerprint string, i int) string {
	return uuid.NewSHA1(eventIDSpace, []byte(streamID+"/"+commandID+"/"+fingerprint+"/"+strconv.Itoa(i))).String()
}

// replay answers a command ID already recorded on the stream: its first
// result when the key was used for this very command and body (the first
// event's ID says so), else a refusal, never another command's events.
func replay(prior domain.AppendResult, commandID, firstEventID string) (domain.AppendResult, error) {
	if len(prior.Events) == 0 || prior.Events[0].EventID != firstEventID {
		return domain.AppendResult{}, domain.KeyReusedError(commandID)
	}
	return prior, nil
}

func resultOf(stream []domain.Envelope, commandID string) domain.AppendResult {
	r := domain.AppendResult{Duplicate: true}
	for _, e := range stream {
		if e.CommandID == commandID {
			r.StreamID, r.Version, r.Position = e.StreamID, e.Version, e.Position
			r.Events = append(r.Events, e)
		}
	}
	return r
}
