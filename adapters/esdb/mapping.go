package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// The pure half of the adapter: how envelopes, positions, errors and
// connection strings map onto EventStoreDB, testable without a server.

// metadata is what an envelope keeps besides EventStoreDB's own fields
// (event ID, type, stream, revision, position, data). The correlation and
// causation keys are EventStoreDB's conventional ones, so its
// $by_correlation_id projection understands them.
type metadata struct {
	EventID       string       `json:"event_id,omitempty"` // only when it is not a UUID; see eventUUID
	CommandID     string       `json:"command_id"`
	SchemaVersion int          `json:"schema_version"`
	OccurredAt    time.Time    `json:"occurred_at"` // RFC 3339 with nanoseconds: the hash covers them
	RecordedAt    time.Time    `json:"recorded_at"`
	Actor         domain.Actor `json:"actor"`
	CorrelationID string       `json:"$correlationId,omitempty"`
	CausationID   string       `json:"$causationId,omitempty"`
	PrevHash      string       `json:"prev_hash"`
	Hash          string       `json:"hash"`
}

// foreignIDs namespaces the UUIDs made for event IDs that are not UUIDs.
var foreignIDs = uuid.MustParse("0d7f3b52-6a1e-4f0c-b8a4-3c9e51f27a60")

// eventUUID is the ID EventStoreDB keeps for an event, and deduplicates
// writes by. The command service's IDs are UUIDs derived from the command
// ID (domain.EventID) and are used as they are (native); any other ID maps
// to a name-based UUID, and the original travels in the metadata.
func eventUUID(id string) (u uuid.UUID, native bool) {
	if u, err := uuid.Parse(id); err == nil && u.String() == id {
		return u, true
	}
	return uuid.NewSHA1(foreignIDs, []byte(id)), false
}

// toEventData maps a sealed envelope to what EventStoreDB stores. The
// stream, version and position are the server's to keep.
func toEventData(e domain.Envelope) (esdb.EventData, error) {
	if e.EventID == "" {
		return esdb.EventData{}, domain.Errorf(domain.CodeInvalid, "event %d of %s has no ID", e.Version, e.StreamID)
	}
	id, native := eventUUID(e.EventID)
	m := metadata{CommandID: e.CommandID, SchemaVersion: e.SchemaVersion,
		OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor,
		CorrelationID: e.CorrelationID, CausationID: e.CausationID, PrevHash: e.PrevHash, Hash: e.Hash}
	if !native {
		m.EventID = e.EventID
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return esdb.EventData{}, domain.Internal(err, fmt.Sprintf("encode metadata of event %d of %s", e.Version, e.StreamID))
	}
	ct := esdb.ContentTypeBinary
	if json.Valid(e.Data) {
		ct = esdb.ContentTypeJson
	}
	return esdb.EventData{EventID: id, EventType: e.Type, ContentType: ct, Data: e.Data, Metadata: meta}, nil
}

// fromRecorded maps a stored event back to its envelope; ns is the store's
// stream-name prefix.
func fromRecorded(r *esdb.RecordedEvent, ns string) (domain.Envelope, error) {
	var m metadata
	if err := json.Unmarshal(r.UserMetadata, &m); err != nil {
		return domain.Envelope{}, domain.Internal(err, fmt.Sprintf("decode metadata of %s@%d", r.StreamID, r.EventNumber))
	}
	pos, err := position(r.Position)
	if err != nil {
		return domain.Envelope{}, domain.Internal(err, fmt.Sprintf("position of %s@%d", r.StreamID, r.EventNumber))
	}
	id := m.EventID
	if id == "" {
		id = r.EventID.String()
	}
	return domain.Envelope{EventID: id, StreamID: strings.TrimPrefix(r.StreamID, ns), Version: r.EventNumber + 1,
		Position: pos, Type: r.EventType, SchemaVersion: m.SchemaVersion,
		OccurredAt: m.OccurredAt, RecordedAt: m.RecordedAt, Actor: m.Actor,
		CorrelationID: m.CorrelationID, CausationID: m.CausationID, CommandID: m.CommandID,
		Data: r.Data, PrevHash: m.PrevHash, Hash: m.Hash}, nil
}

// seal completes a request's events as the store records them (stream,
// command, versions; IDs derived from the command when missing), chains
// them behind prevHash, and maps them for the append.
func seal(req domain.AppendRequest, prevHash string) ([]domain.Envelope, []esdb.EventData, error) {
	events := make([]domain.Envelope, len(req.Events))
	data := make([]esdb.EventData, len(req.Events))
	for i, e := range req.Events {
		e.StreamID, e.CommandID = req.StreamID, req.CommandID
		e.Version = req.ExpectedVersion + uint64(i) + 1
		if e.EventID == "" && req.CommandID != "" {
			e.EventID = app.EventID(req.StreamID, req.CommandID, "", i)
		}
		e.Seal(prevHash)
		d, err := toEventData(e)
		if err != nil {
			return nil, nil, err
		}
		events[i], data[i], prevHash = e, d, e.Hash
	}
	return events, data, nil
}

// expectedRevision is the port's expected version (0: no stream yet) as
// EventStoreDB's expected revision, which counts from 0.
func expectedRevision(version uint64) esdb.ExpectedRevision {
	if version == 0 {
		return esdb.NoStream{}
	}
	return esdb.Revision(version - 1)
}

// position is an event's place in $all as the port's uint64: its commit
// position. EventStoreDB reports (LogPosition, LogPosition) for every event
// that committed itself, which every gRPC append does; only events of the
// legacy explicit transactions differ, and their commit position would not
// name them alone. The server sends all ones when it does not know.
func position(p esdb.Position) (uint64, error) {
	switch {
	case p.Commit == math.MaxUint64 || p.Commit == 0:
		return 0, errors.New("EventStoreDB did not report the log position (it needs 22.6 or later)")
	case p.Commit != p.Prepare:
		return 0, fmt.Errorf("log position %d/%d belongs to an explicit transaction, which this store never writes", p.Commit, p.Prepare)
	}
	return p.Commit, nil
}

// allPosition is where a read of $all after the port's position starts:
// the start of the log for 0, else the event at that position, which reads
// include (drop it; see later) and subscriptions exclude.
func allPosition(after uint64) esdb.AllPosition {
	if after == 0 {
		return esdb.Start{}
	}
	return esdb.Position{Commit: after, Prepare: after}
}

// later reports whether a comes after b in $all.
func later(a, b esdb.Position) bool {
	return a.Commit > b.Commit || (a.Commit == b.Commit && a.Prepare > b.Prepare)
}

// ours reports whether an event of $all belongs to the streams under
// prefix: not another application's, not a system event.
func ours(r *esdb.RecordedEvent, prefix string) bool {
	return r != nil && strings.HasPrefix(r.StreamID, prefix) && !strings.HasPrefix(r.EventType, "$")
}

// is reports whether err is the client's error with code c.
func is(err error, c esdb.ErrorCode) bool {
	var ee *esdb.Error
	return errors.As(err, &ee) && ee.Code() == c
}

// codeOf translates the client's error codes into the domain's.
func codeOf(c esdb.ErrorCode) domain.Code {
	switch c {
	case esdb.ErrorCodeWrongExpectedVersion:
		return domain.CodeConflict
	case esdb.ErrorCodeResourceNotFound, esdb.ErrorCodeStreamDeleted:
		return domain.CodeNotFound
	case esdb.ErrorCodeDeadlineExceeded, esdb.ErrorUnavailable, esdb.ErrorCodeNotLeader, esdb.ErrorAborted,
		esdb.ErrorCodeConnectionClosed:
		return domain.CodeUnavailable
	}
	return domain.CodeInternal
}

// grpcCodeOf does the same for the bare gRPC errors some client calls
// return without wrapping.
func grpcCodeOf(c codes.Code) domain.Code {
	switch c {
	case codes.NotFound:
		return domain.CodeNotFound
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted, codes.ResourceExhausted:
		return domain.CodeUnavailable
	}
	return domain.CodeInternal
}

var reasons = map[domain.Code]string{
	domain.CodeConflict:    "the stream moved on",
	domain.CodeNotFound:    "stream not found",
	domain.CodeUnavailable: "EventStoreDB is unavailable, retry later",
	domain.CodeInternal:    "EventStoreDB failed",
}

// storeError translates an error of the client into the one application
// error type; what names the operation. A canceled context passes through
// as it is: nobody waits for an answer.
func storeError(err error, what string) error {
	var de *domain.Error
	if err == nil || errors.As(err, &de) || errors.Is(err, context.Canceled) {
		return err
	}
	code := domain.CodeInternal
	var ee *esdb.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		code = domain.CodeUnavailable
	case errors.As(err, &ee) && ee.Code() != esdb.ErrorCodeUnknown:
		code = codeOf(ee.Code())
	default:
		if st, ok := status.FromError(err); ok {
			code = grpcCodeOf(st.Code())
		}
	}
	return &domain.Error{Code: code, Message: what + ": " + reasons[code], Err: err}
}

// fail is storeError for an operation under ctx: once ctx has ended, its
// error says why better than the transport's.
func fail(ctx context.Context, err error, what string) error {
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return storeError(err, what)
}

// clientURL turns a connection string into one the v4 client parses: it
// knows esdb:// and esdb+discover://, and KurrentDB's kurrentdb:// and
// kurrentdb+discover:// mean the same.
func clientURL(url string) (string, error) {
	scheme, rest, ok := strings.Cut(url, "://")
	switch {
	case !ok:
	case scheme == "esdb" || scheme == "esdb+discover":
		return url, nil
	case scheme == "kurrentdb" || scheme == "kurrentdb+discover":
		return "esdb" + strings.TrimPrefix(scheme, "kurrentdb") + "://" + rest, nil
	}
	return "", domain.Errorf(domain.CodeInvalid,
		"EventStoreDB connection string must start with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://")
}
