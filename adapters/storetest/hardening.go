package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// testCommandScope: a command ID names a command within its stream. The
// same ID on another stream is another command: it lands, and no answer
// ever carries the other stream's events.
func testCommandScope(t *testing.T, s domain.EventStore, _ Options) {
	a := mustAppend(t, s, req("compound-a", 0, "key-1", 2))
	b := mustAppend(t, s, req("compound-b", 0, "key-1", 1))
	if b.Duplicate || b.StreamID != "compound-b" || b.Version != 1 || len(b.Events) != 1 || b.Events[0].StreamID != "compound-b" {
		t.Fatalf("same key on another stream: %+v", b)
	}
	again := mustAppend(t, s, req("compound-a", 2, "key-1", 1))
	if !again.Duplicate || again.StreamID != "compound-a" || again.Position != a.Position {
		t.Fatalf("retry on the first stream: %+v", again)
	}
	sameEnvelopes(t, again.Events, a.Events)
	if got := readStream(t, s, "compound-b"); len(got) != 1 || got[0].CommandID != "key-1" {
		t.Fatalf("stream b holds %+v", got)
	}
	if got := readAll(t, s); len(got) != 3 {
		t.Fatalf("log has %d events, want 3", len(got))
	}
}

// testUnstorableTimes: times outside what every backend keeps exactly
// (Unix nanoseconds: 1678 to 2262) are refused and nothing is written;
// accepted times come back in UTC at microseconds, the same on every store.
func testUnstorableTimes(t *testing.T, s domain.EventStore, _ Options) {
	for _, at := range []time.Time{
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1677, 9, 21, 0, 0, 0, 0, time.UTC),
		time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		r := req("compound-a", 0, "cmd-old", 1)
		r.Events[0].OccurredAt = at
		_, err := s.Append(context.Background(), r)
		wantCode(t, err, domain.CodeInvalid)
		r = req("compound-a", 0, "cmd-old", 1)
		r.Events[0].RecordedAt = at
		_, err = s.Append(context.Background(), r)
		wantCode(t, err, domain.CodeInvalid)
	}
	if got := readAll(t, s); len(got) != 0 {
		t.Fatalf("refused appends wrote %d events", len(got))
	}
	cst := time.FixedZone("CST", 8*3600)
	sent := []time.Time{
		time.Date(1678, 1, 1, 0, 0, 0, 999, time.UTC),
		time.Date(1949, 10, 1, 15, 0, 0, 123456789, cst),
		time.Date(2262, 4, 11, 0, 0, 0, 1500, time.UTC),
	}
	want := []time.Time{
		time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1949, 10, 1, 7, 0, 0, 123456000, time.UTC),
		time.Date(2262, 4, 11, 0, 0, 0, 1000, time.UTC),
	}
	r := req("compound-a", 0, "cmd-edges", len(sent))
	for i := range sent {
		r.Events[i].OccurredAt = sent[i]
	}
	res := mustAppend(t, s, r)
	got := readStream(t, s, "compound-a")
	sameEnvelopes(t, got, res.Events)
	for i, e := range got {
		if !e.OccurredAt.Equal(want[i]) || e.OccurredAt.Location() != time.UTC || !res.Events[i].OccurredAt.Equal(want[i]) {
			t.Errorf("event %d occurred at %v (answered %v), want %v", i, e.OccurredAt, res.Events[i].OccurredAt, want[i])
		}
	}
	if err := domain.VerifyChain(got); err != nil {
		t.Fatalf("chain sealed over other times than stored: %v", err)
	}
}

// testKeysThroughService: through the command service, one idempotency key
// shared by many compounds registers every one of them; on one compound it
// answers a retry with that compound's result, and a reuse with another
// command or body is refused with idempotency.key_reused.
func testKeysThroughService(t *testing.T, s domain.EventStore, _ Options) {
	now := time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)
	svc := app.NewService(s, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	profile := func(name string) domain.RegisterCompound {
		return domain.RegisterCompound{Profile: domain.Profile{Name: name, District: "D", Street: "S", Community: "Q",
			Kind: domain.KindCommercial, Households: 100, PrivateArea: domain.SquareMetres(10000), DeliveredArea: domain.SquareMetres(10000)}}
	}
	const n = 16
	results := make([]domain.AppendResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			if results[i], err = svc.Execute(ctx, fmt.Sprintf("K%02d", i), profile(fmt.Sprintf("小区%d", i)), app.Meta{CommandID: "shared-key"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.Duplicate || r.StreamID != domain.StreamID(fmt.Sprintf("K%02d", i)) || len(r.Events) != 1 {
			t.Fatalf("registration %d under a shared key: %+v", i, r)
		}
	}
	if got := readAll(t, s); len(got) != n {
		t.Fatalf("%d registrations under one key stored %d events", n, len(got))
	}
	again, err := svc.Execute(ctx, "K03", profile("小区3"), app.Meta{CommandID: "shared-key"})
	if err != nil || !again.Duplicate || again.StreamID != domain.StreamID("K03") {
		t.Fatalf("retry on K03: %+v %v", again, err)
	}
	sameEnvelopes(t, again.Events, results[3].Events)
	for _, cmd := range []domain.Command{profile("另一个名字"), domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}} {
		_, err := svc.Execute(ctx, "K03", cmd, app.Meta{CommandID: "shared-key"})
		if e := domain.ErrorOf(err); e.Code != domain.CodeRejected || len(e.Violations) != 1 || e.Violations[0].Rule != "idempotency.key_reused" {
			t.Fatalf("key reused with %T: %v", cmd, err)
		}
	}
	// A second service (another process, with its own cache) is refused by
	// what the store recorded, not by its memory.
	other := app.NewService(s, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return now }))
	if _, err := other.Execute(ctx, "K04", profile("改名"), app.Meta{CommandID: "shared-key"}); domain.ErrorCode(err) != domain.CodeRejected {
		t.Fatalf("key reused through another service: %v", err)
	}
	if got := readAll(t, s); len(got) != n {
		t.Fatalf("refused reuses wrote: %d events, want %d", len(got), n)
	}
}
