package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"time"
)

// EventStore is the port every backend implements (embedded, PostgreSQL,
// EventStoreDB). The contract suite in adapters/storetest pins its behaviour.
type EventStore interface {
	// Append writes req.Events at versions ExpectedVersion+1… of the stream,
	// in one atomic step, sealing each into the stream's hash chain and giving
	// it a global position. It fails with CodeConflict when the stream is not
	// at ExpectedVersion (0: the stream must not exist). When CommandID was
	// appended to this stream before, it returns that first result with
	// Duplicate set and writes nothing; a command ID on another stream is
	// another command. Times outside what every store keeps exactly are
	// refused (StorableRequest). An acknowledged append is durable.
	Append(ctx context.Context, req AppendRequest) (AppendResult, error)

	// ReadStream returns a stream's events in version order, narrowed by q.
	// An unknown stream yields no events and no error.
	ReadStream(ctx context.Context, streamID string, q StreamQuery) ([]Envelope, error)

	// ReadAll returns up to limit events of all streams with a global position
	// greater than after, in global order, never skipping one that a later
	// read could still reveal below the last position returned.
	ReadAll(ctx context.Context, after uint64, limit int) ([]Envelope, error)

	// Changed returns a channel closed at the next append: the wake-up for
	// relays and projections that follow the global log.
	Changed() <-chan struct{}
}

// EventFinder opens one event by its ID: stores with an index on event IDs
// implement it, and GET /api/v1/events/{id} needs it (a figure's
// explanation names its events by ID). An unknown ID yields false.
type EventFinder interface {
	EventByID(ctx context.Context, eventID string) (Envelope, bool, error)
}

// SnapshotStore keeps the latest snapshot of each stream (Compound.Snapshot):
// a cache of the log, so that a compound not in memory is loaded from it
// and the events after it. The loader checks a snapshot against the log
// and falls back to the whole stream, so a lost or stale one costs time,
// never a wrong decision.
type SnapshotStore interface {
	// SaveSnapshots keeps each snapshot as its stream's, unless the stream
	// has one at a later version already.
	SaveSnapshots(ctx context.Context, snaps []Snapshot) error
	// LoadSnapshot returns the stream's snapshot; Version 0 when it has none.
	LoadSnapshot(ctx context.Context, streamID string) (Snapshot, error)
}

// Snapshot is a stream's state at a version, as its aggregate encoded it.
type Snapshot struct {
	StreamID string
	Version  uint64
	Data     []byte
}

// AppendRequest is one atomic append to one stream. The events' Version,
// Position and hash fields are set by the store.
type AppendRequest struct {
	StreamID        string
	ExpectedVersion uint64
	CommandID       string
	Events          []Envelope
}

// AppendResult says where the events went.
type AppendResult struct {
	StreamID  string     `json:"stream_id"`
	Version   uint64     `json:"version"`  // stream version after the append
	Position  uint64     `json:"position"` // global position of the last event
	Duplicate bool       `json:"duplicate,omitempty"`
	Events    []Envelope `json:"-"`
}

// StreamQuery narrows a stream read; zero fields do not narrow.
type StreamQuery struct {
	FromVersion   uint64    // first version to return
	ToVersion     uint64    // last version to return
	ToPosition    uint64    // only events at or below this global position
	OccurredUntil time.Time // only events whose business time is at or before this
	RecordedUntil time.Time // only events recorded at or before this
}

// Match reports whether e passes the query; stores that cannot filter
// natively use it after reading.
func (q StreamQuery) Match(e Envelope) bool {
	return (q.FromVersion == 0 || e.Version >= q.FromVersion) &&
		(q.ToVersion == 0 || e.Version <= q.ToVersion) &&
		(q.ToPosition == 0 || e.Position <= q.ToPosition) &&
		(q.OccurredUntil.IsZero() || !e.OccurredAt.After(q.OccurredUntil)) &&
		(q.RecordedUntil.IsZero() || !e.RecordedAt.After(q.RecordedUntil))
}

// ConflictError builds the error stores return on a version mismatch.
func ConflictError(streamID string, expected, actual uint64) *Error {
	return Errorf(CodeConflict, "stream %s is at version %d, not %d", streamID, actual, expected)
}

// Every backend stores times exactly within this range at microsecond
// precision: SQLite keeps Unix nanoseconds in an int64 (years 1678 to 2262),
// PostgreSQL keeps microseconds.
var (
	EarliestStorableTime = time.Unix(0, math.MinInt64).UTC().Truncate(time.Microsecond).Add(time.Microsecond)
	LatestStorableTime   = time.Unix(0, math.MaxInt64).UTC().Truncate(time.Microsecond)
)

// StorableRequest returns req as every store records it: its events' times
// in UTC at microsecond precision. A time outside the storable range is
// refused, never stored as another value.
func StorableRequest(req AppendRequest) (AppendRequest, error) {
	events := make([]Envelope, len(req.Events))
	for i, e := range req.Events {
		for _, t := range []*time.Time{&e.OccurredAt, &e.RecordedAt} {
			if t.Before(EarliestStorableTime) || t.After(LatestStorableTime) {
				return req, Errorf(CodeInvalid, "event %d of %s: time %s is outside what the event store can keep (%s to %s)",
					i, req.StreamID, t.UTC().Format(time.RFC3339), EarliestStorableTime.Format(time.DateOnly), LatestStorableTime.Format(time.DateOnly))
			}
			*t = t.UTC().Truncate(time.Microsecond)
		}
		events[i] = e
	}
	req.Events = events
	return req, nil
}

// KeyReusedError is the answer to an idempotency key sent again with
// another command or body for the same stream: a client bug that must not
// be answered with the first command's result, as payment APIs refuse it.
func KeyReusedError(commandID string) *Error {
	var v violations
	v.fail("idempotency_key", "idempotency.key_reused", "idempotency key %q was used for another command or body on this compound; send a new key",
		"幂等键 %q 已用于本小区的另一条指令或不同内容，请使用新的幂等键", commandID)
	return v.err().(*Error)
}

// Fingerprint identifies a command by its type and canonical body (the
// parsed command encoded again: field order and spelling fixed, text in
// NFC), so that a retried key can be told from a reused one. Account
// commands (account.go) are fingerprinted the same way. Personal fields
// are left out: event IDs derive from the fingerprint and outlive an
// erasure, so they must not be a hash of a phone number one could guess.
func Fingerprint(cmd any) string {
	if c, ok := cmd.(Command); ok {
		cmd = stripPersonal(c)
	}
	body, _ := json.Marshal(cmd) // commands are plain data: cannot fail
	sum := sha256.Sum256(append([]byte(reflect.TypeOf(cmd).String()+"\n"), body...))
	return hex.EncodeToString(sum[:16])
}

// StreamID is the event stream of one compound.
func StreamID(compoundID string) string { return "compound-" + compoundID }

// CompoundIDOf is the compound whose stream is streamID.
func CompoundIDOf(streamID string) string { return strings.TrimPrefix(streamID, StreamID("")) }
