package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// These tests need no server: they cover the pure mapping the store is
// built on. The contract suite against a server is in store_test.go.

var shanghai = time.FixedZone("CST", 8*3600)

// request is an append as the command service sends it: IDs left for the
// store to derive when ids is false.
func request(cmd string, expected uint64, n int, ids bool) domain.AppendRequest {
	events := storetest.Events(n, time.Date(2025, 3, 2, 9, 30, 0, 123456789, shanghai))
	for i := range events {
		if !ids {
			events[i].EventID = ""
		}
	}
	return domain.AppendRequest{StreamID: "compound-C0001", ExpectedVersion: expected, CommandID: cmd, Events: events}
}

// recorded is what the server hands back for an event it stored.
func recorded(ns string, e domain.Envelope, d esdb.EventData, pos uint64) *esdb.RecordedEvent {
	return &esdb.RecordedEvent{EventID: d.EventID, EventType: d.EventType, ContentType: "application/json",
		StreamID: ns + e.StreamID, EventNumber: e.Version - 1, Position: esdb.Position{Commit: pos, Prepare: pos},
		CreatedDate: time.Now(), Data: d.Data, UserMetadata: d.Metadata}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	for _, ids := range []bool{true, false} {
		t.Run(fmt.Sprintf("given IDs %v", ids), func(t *testing.T) {
			req := request("cmd-1", 4, 3, ids)
			events, data, err := seal(req, "head-hash")
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range events {
				r := recorded("ns-", e, data[i], 1000+uint64(i)*97)
				got, err := fromRecorded(r, "ns-")
				if err != nil {
					t.Fatal(err)
				}
				want := e
				want.Position = r.Position.Commit
				if !got.OccurredAt.Equal(want.OccurredAt) || !got.RecordedAt.Equal(want.RecordedAt) {
					t.Fatalf("event %d times %v/%v, want %v/%v", i, got.OccurredAt, got.RecordedAt, want.OccurredAt, want.RecordedAt)
				}
				got.OccurredAt, got.RecordedAt = want.OccurredAt, want.RecordedAt
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("event %d:\n got %+v\nwant %+v", i, got, want)
				}
				if got.ComputeHash(got.PrevHash) != got.Hash {
					t.Fatalf("event %d no longer matches its hash", i)
				}
			}
		})
	}
}

func TestSealChains(t *testing.T) {
	events, _, err := seal(request("cmd-1", 4, 3, true), "head-hash")
	if err != nil {
		t.Fatal(err)
	}
	prev := "head-hash"
	for i, e := range events {
		if e.Version != uint64(5+i) || e.StreamID != "compound-C0001" || e.CommandID != "cmd-1" ||
			e.PrevHash != prev || e.Hash != e.ComputeHash(prev) {
			t.Fatalf("event %d: %+v", i, e)
		}
		prev = e.Hash
	}
	if expectedRevision(0) != (esdb.NoStream{}) || expectedRevision(4) != esdb.Revision(3) {
		t.Fatal("expected revisions count from 0, version 0 means no stream")
	}
}

func TestMetadata(t *testing.T) {
	req := request("cmd-1", 0, 1, false)
	req.Events[0].CorrelationID, req.Events[0].CausationID = "corr-9", "cause-9"
	_, data, err := seal(req, "")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data[0].Metadata, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"command_id": "cmd-1", "schema_version": 1.0, "$correlationId": "corr-9", "$causationId": "cause-9",
		"actor":       map[string]any{"user_id": "u-1", "role": "clerk", "organisation": "Tin Hau"},
		"occurred_at": "2025-03-02T09:30:00.123456789+08:00", "prev_hash": ""}
	for k, v := range want {
		if !reflect.DeepEqual(m[k], v) {
			t.Errorf("metadata %s = %v, want %v", k, m[k], v)
		}
	}
	if _, ok := m["event_id"]; ok {
		t.Error("a UUID event ID is kept twice")
	}
	if data[0].ContentType != esdb.ContentTypeJson || data[0].EventType != "test.noted" {
		t.Errorf("event data %+v", data[0])
	}
}

func TestDeterministicEventIDs(t *testing.T) {
	_, first, err := seal(request("cmd-7", 0, 3, false), "")
	if err != nil {
		t.Fatal(err)
	}
	_, again, _ := seal(request("cmd-7", 0, 3, false), "")
	_, other, _ := seal(request("cmd-8", 0, 3, false), "")
	seen := map[uuid.UUID]bool{}
	for i := range first {
		// The command service's IDs are sent as they are, so the server
		// deduplicates a retried command by them.
		if first[i].EventID != uuid.MustParse(app.EventID("compound-C0001", "cmd-7", "", i)) || first[i].EventID != again[i].EventID {
			t.Fatalf("event %d: ID %s, again %s", i, first[i].EventID, again[i].EventID)
		}
		seen[first[i].EventID], seen[other[i].EventID] = true, true
	}
	if len(seen) != 6 {
		t.Fatalf("%d distinct IDs for two commands of three events", len(seen))
	}

	id := app.EventID("compound-C0001", "cmd-7", "", 0)
	for _, c := range []struct {
		id     string
		native bool
	}{{id, true}, {"evt-1", false}, {"6F1C2A7E-94B1-4C55-9A3E-0C8F8B1D2E10", false}, {"urn:uuid:" + id, false}} {
		u, native := eventUUID(c.id)
		v, _ := eventUUID(c.id)
		if native != c.native || u != v || (native && u.String() != c.id) {
			t.Errorf("eventUUID(%q) = %s, %v", c.id, u, native)
		}
	}
	if _, err := toEventData(domain.Envelope{StreamID: "compound-x", Version: 1}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("an event without ID: %v", err)
	}
}

func TestPositions(t *testing.T) {
	for _, p := range []uint64{1, 2113, 1 << 40, math.MaxUint64 - 1} {
		got, err := position(allPosition(p).(esdb.Position))
		if err != nil || got != p {
			t.Errorf("checkpoint %d reads back as %d, %v", p, got, err)
		}
	}
	if allPosition(0) != (esdb.Start{}) {
		t.Error("position 0 must read $all from the start")
	}
	for _, p := range []esdb.Position{{}, {Commit: math.MaxUint64, Prepare: math.MaxUint64}, {Commit: 900, Prepare: 850}} {
		if _, err := position(p); err == nil {
			t.Errorf("position %+v accepted", p)
		}
	}
	a, b := esdb.Position{Commit: 10, Prepare: 10}, esdb.Position{Commit: 10, Prepare: 12}
	if !later(b, a) || later(a, b) || later(a, a) || !later(esdb.Position{Commit: 11}, b) {
		t.Error("later does not order $all positions")
	}
}

func TestOurs(t *testing.T) {
	for _, c := range []struct {
		stream, typ string
		want        bool
	}{
		{"t1-compound-C1", "ComplaintReceived", true},
		{"t2-compound-C1", "ComplaintReceived", false}, // another namespace
		{"compound-C1", "ComplaintReceived", false},
		{"t1-compound-C1", "$streamDeleted", false},
		{"$stats-127.0.0.1:2113", "$statsCollected", false},
		{"$ce-t1-compound", "$>", false},
	} {
		if got := ours(&esdb.RecordedEvent{StreamID: c.stream, EventType: c.typ}, "t1-compound-"); got != c.want {
			t.Errorf("ours(%s, %s) = %v", c.stream, c.typ, got)
		}
	}
	if ours(nil, "compound-") {
		t.Error("a missing event is ours")
	}
}

func TestErrorTranslation(t *testing.T) {
	codesWant := map[esdb.ErrorCode]domain.Code{
		esdb.ErrorCodeWrongExpectedVersion: domain.CodeConflict,
		esdb.ErrorCodeResourceNotFound:     domain.CodeNotFound,
		esdb.ErrorCodeStreamDeleted:        domain.CodeNotFound,
		esdb.ErrorCodeDeadlineExceeded:     domain.CodeUnavailable,
		esdb.ErrorUnavailable:              domain.CodeUnavailable,
		esdb.ErrorCodeNotLeader:            domain.CodeUnavailable,
		esdb.ErrorCodeConnectionClosed:     domain.CodeUnavailable,
		esdb.ErrorCodeAccessDenied:         domain.CodeInternal,
		esdb.ErrorCodeUnknown:              domain.CodeInternal,
	}
	for c, want := range codesWant {
		if got := codeOf(c); got != want {
			t.Errorf("code %d: %s, want %s", c, got, want)
		}
	}

	unavailable := status.Error(codes.Unavailable, "connection refused")
	wrapped, _ := esdb.FromError(unavailable) // the client's error, code unknown, around gRPC's
	domainErr := domain.Errorf(domain.CodeConflict, "already translated")
	for _, c := range []struct {
		name string
		err  error
		want domain.Code
	}{
		{"gRPC unavailable", unavailable, domain.CodeUnavailable},
		{"gRPC deadline", status.Error(codes.DeadlineExceeded, "slow"), domain.CodeUnavailable},
		{"gRPC not found", status.Error(codes.NotFound, "gone"), domain.CodeNotFound},
		{"wrapped gRPC", fmt.Errorf("could not construct append operation. Reason: %w", wrapped), domain.CodeUnavailable},
		{"deadline", context.DeadlineExceeded, domain.CodeUnavailable},
		{"foreign", errors.New("boom"), domain.CodeInternal},
		{"domain", domainErr, domain.CodeConflict},
	} {
		err := storeError(c.err, "append to compound-C1")
		if domain.ErrorCode(err) != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: %v (%s), want %s wrapping the cause", c.name, err, domain.ErrorCode(err), c.want)
		}
	}
	if storeError(nil, "x") != nil || storeError(context.Canceled, "x") != context.Canceled {
		t.Error("nil and a canceled context pass through")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fail(ctx, unavailable, "x"); err != context.Canceled {
		t.Errorf("an operation whose context ended: %v", err)
	}
	if !is(fmt.Errorf("read: %w", wrapped), esdb.ErrorCodeUnknown) || is(unavailable, esdb.ErrorCodeUnknown) || is(nil, 0) {
		t.Error("is does not find the client's error code")
	}
}

func TestConnectionStrings(t *testing.T) {
	for in, want := range map[string]string{
		"esdb://localhost:2113?tls=false":                              "esdb://localhost:2113?tls=false",
		"esdb+discover://admin:changeit@cluster.dns:2113":              "esdb+discover://admin:changeit@cluster.dns:2113",
		"kurrentdb://localhost:2113?tls=false":                         "esdb://localhost:2113?tls=false",
		"kurrentdb+discover://admin:changeit@cluster.dns:2113":         "esdb+discover://admin:changeit@cluster.dns:2113",
		"kurrentdb://node1:2113,node2:2113,node3:2113?tlsVerifyCert=0": "esdb://node1:2113,node2:2113,node3:2113?tlsVerifyCert=0",
	} {
		got, err := clientURL(in)
		if err != nil || got != want {
			t.Errorf("clientURL(%s) = %s, %v", in, got, err)
			continue
		}
		if _, err := esdb.ParseConnectionString(got); err != nil {
			t.Errorf("the client does not parse %s: %v", got, err)
		}
	}
	for _, in := range []string{"", "localhost:2113", "http://localhost:2113", "kurrent://localhost:2113", "sqlite://data"} {
		if _, err := clientURL(in); domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("clientURL(%q): %v", in, err)
		}
	}
	if _, err := Open(context.Background(), "esdb://"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("Open without a host: %v", err)
	}
}
