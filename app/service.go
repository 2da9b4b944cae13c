package app

import (
	"context"
	"github.com/casetrack/casetrack/domain"
	"strconv"
	"sync"
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
	store   domain.EventStore
	rules   domain.RuleBook
	now     func() time.Time
	retries int
	cache   aggregateCache
}

// ServiceOption tunes a Service.
type ServiceOption func(*Service)

// WithClock sets the server clock (recorded-at times); tests pin it.
func WithClock(now func() time.Time) ServiceOption { return func(s *Service) { s.now = now } }

// WithCacheSize bounds how many compounds stay in memory between commands.
func WithCacheSize(n int) ServiceOption {
	return func(s *Service) { s.cache.max = max(n, 1) }
}

// WithRetries sets how often a version conflict is retried.
func WithRetries(n int) ServiceOption { return func(s *Service) { s.retries = n } }

func NewService(store domain.EventStore, rules domain.RuleBook, opts ...ServiceOption) *Service {
	s := &Service{store: store, rules: rules, now: time.Now, retries: 5,
		cache: aggregateCache{entries: map[string]*cacheEntry{}, max: 5000}}
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

// Execute runs cmd against a compound and records what it decides.
func (s *Service) Execute(ctx context.Context, compoundID string, cmd domain.Command, m Meta) (domain.AppendResult, error) {
	if err := domain.ValidateCompoundID(compoundID); err != nil {
		return domain.AppendResult{}, err
	}
	now := s.now()
	if !m.RecordedAt.IsZero() && m.RecordedAt.Before(now) {
		now = m.RecordedAt
	}
	now = now.UTC().Truncate(time.Microsecond) // every backend keeps microseconds
	if m.CommandID == "" {
		m.CommandID = uuid.NewString()
	}
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
	rules := s.rules.At(at)
	// One command at a time per compound in this process: the cached state
	// is mutated in place. Other processes are caught by the expected version.
	entry := s.cache.get(compoundID)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	for attempt := 0; ; attempt++ {
		c, err := s.catchUp(ctx, compoundID, entry)
		if err != nil {
			return domain.AppendResult{}, err
		}
		if c.HasCommand(m.CommandID) { // a retry of a command that already landed
			stream, err := s.store.ReadStream(ctx, domain.StreamID(compoundID), domain.StreamQuery{})
			return resultOf(stream, m.CommandID), err
		}
		if m.IfVersion != nil && *m.IfVersion != c.Version() {
			return domain.AppendResult{}, domain.ConflictError(domain.StreamID(compoundID), *m.IfVersion, c.Version())
		}
		events, err := c.Decide(cmd, rules, at)
		if err != nil {
			return domain.AppendResult{}, err
		}
		if len(events) == 0 {
			return domain.AppendResult{StreamID: domain.StreamID(compoundID), Version: c.Version()}, nil
		}
		req := domain.AppendRequest{StreamID: domain.StreamID(compoundID), ExpectedVersion: c.Version(), CommandID: m.CommandID}
		for i, e := range events {
			typ, ver, data, err := domain.EncodeEvent(e)
			if err != nil {
				return domain.AppendResult{}, err
			}
			req.Events = append(req.Events, domain.Envelope{
				EventID: EventID(m.CommandID, i), StreamID: req.StreamID, Type: typ, SchemaVersion: ver,
				OccurredAt: at, RecordedAt: now, Actor: m.Actor,
				CorrelationID: m.CorrelationID, CausationID: m.CausationID, CommandID: m.CommandID, Data: data,
			})
		}
		res, err := s.store.Append(ctx, req)
		if domain.ErrorCode(err) == domain.CodeConflict && m.IfVersion == nil && attempt < s.retries {
			continue // catchUp reads what the other writer appended
		}
		if err != nil {
			return res, err
		}
		if !res.Duplicate {
			for _, e := range res.Events {
				if err := c.Apply(e); err != nil {
					entry.c = nil // never decide on a half-applied state
					return res, err
				}
			}
		}
		return res, nil
	}
}

// catchUp brings the cached compound up to the stream's head: the whole
// stream on first use, afterwards only what other writers appended.
func (s *Service) catchUp(ctx context.Context, compoundID string, e *cacheEntry) (*domain.Compound, error) {
	if e.c == nil {
		e.c = domain.NewCompound(compoundID)
	}
	events, err := s.store.ReadStream(ctx, domain.StreamID(compoundID), domain.StreamQuery{FromVersion: e.c.Version() + 1})
	if err != nil {
		return nil, err
	}
	for _, ev := range events {
		if err := e.c.Apply(ev); err != nil {
			e.c = nil
			return nil, err
		}
	}
	return e.c, nil
}

// aggregateCache keeps recently used compounds in memory so that a command
// reads only the events it has not seen, not the whole stream.
type aggregateCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
	max     int
}

type cacheEntry struct {
	mu sync.Mutex
	c  *domain.Compound
}

func (a *aggregateCache) get(id string) *cacheEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.entries[id]; ok {
		return e
	}
	if len(a.entries) >= a.max {
		for k := range a.entries { // map order is random: a cheap random eviction
			delete(a.entries, k)
			break
		}
	}
	e := &cacheEntry{}
	a.entries[id] = e
	return e
}

// eventIDSpace namespaces event IDs derived from command IDs.
var eventIDSpace = uuid.MustParse("6f1c2a7e-94b1-4c55-9a3e-0c8f8b1d2e10")

// EventID derives the ID of the i-th event of a command, so that a retried
// command yields the same IDs and stores that deduplicate by event ID
// (EventStoreDB) recognise it.
func EventID(commandID string, i int) string {
	return uuid.NewSHA1(eventIDSpace, []byte(commandID+"/"+strconv.Itoa(i))).String()
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
