package app

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
)

// countingStore counts stream reads.
type countingStore struct {
	domain.EventStore
	reads atomic.Int64
}

func (s *countingStore) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	s.reads.Add(1)
	return s.EventStore.ReadStream(ctx, id, q)
}

// A compound in the cache is decided on without reading its stream: in this
// process nothing else writes it.
func TestCachedCompoundIsDecidedWithoutReading(t *testing.T) {
	store := &countingStore{EventStore: memory.NewStore()}
	s := testService(store)
	at := complaintSteps(t, s, "C1")
	before := store.reads.Load()
	res, err := s.Execute(context.Background(), "C1", domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}, Meta{OccurredAt: at.Add(time.Hour)})
	if err != nil || res.Version != 6 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := store.reads.Load() - before; n != 0 {
		t.Fatalf("a command on a cached compound read its stream %d times", n)
	}
}

// Another process's appends are not in this one's cache. What it decides on
// the cache is caught by the expected version; an answer given without
// appending is checked against the stream's head first. Each case is one
// process (a) with C1 cached and another (b) that has just moved it on.
func TestStaleCacheIsCaughtUp(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2025, 5, 5, 9, 0, 0, 0, time.UTC)
	branch := domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}
	receive := domain.ReceiveComplaint{ComplaintID: "W2", Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "电梯停运"}
	setup := func(t *testing.T) (a, b *Service, head uint64) {
		store := memory.NewStore()
		a, b = testService(store), testService(store)
		complaintSteps(t, a, "C1")
		res, err := b.Execute(ctx, "C1", receive, Meta{OccurredAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return a, b, res.Version
	}
	t.Run("a refusal on the cache is decided again", func(t *testing.T) {
		a, _, head := setup(t)
		// a has never seen W2: on its cache the dispatch would be refused.
		res, err := a.Execute(ctx, "C1", domain.DispatchComplaint{ComplaintID: "W2", Unit: "阳光物业"}, Meta{OccurredAt: at.Add(time.Hour)})
		if err != nil || res.Version != head+1 {
			t.Fatalf("dispatch of a complaint received elsewhere: %+v %v", res, err)
		}
	})
	t.Run("an If-Match of the head is not a conflict", func(t *testing.T) {
		a, _, head := setup(t)
		res, err := a.Execute(ctx, "C1", branch, Meta{OccurredAt: at.Add(time.Hour), IfVersion: &head})
		if err != nil || res.Version != head+1 {
			t.Fatalf("If-Match %d: %+v %v", head, res, err)
		}
	})
	t.Run("a command accepted on the cache conflicts and is refused on the head", func(t *testing.T) {
		a, b, _ := setup(t)
		if _, err := b.Execute(ctx, "C1", branch, Meta{OccurredAt: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Execute(ctx, "C1", branch, Meta{OccurredAt: at.Add(2 * time.Hour)})
		if domain.ErrorCode(err) != domain.CodeRejected {
			t.Fatalf("a second party branch: %v, want a rule violation", err)
		}
	})
	t.Run("a command ID recorded elsewhere returns its first result", func(t *testing.T) {
		a, b, _ := setup(t)
		m := Meta{OccurredAt: at.Add(time.Hour), CommandID: "cmd-b"}
		first, err := b.Execute(ctx, "C1", branch, m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := a.Execute(ctx, "C1", branch, m)
		if err != nil || !again.Duplicate || again.Version != first.Version || again.Events[0].EventID != first.Events[0].EventID {
			t.Fatalf("retry through another process: %+v %v, first %+v", again, err, first)
		}
	})
}
