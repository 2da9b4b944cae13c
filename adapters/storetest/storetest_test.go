package storetest_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// TestMemoryStore proves the suite against the reference implementation.
func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) domain.EventStore { return memory.NewStore() })
}

// TestSparsePositions proves the relaxed suite free of dense assumptions
// against the memory store with gaps between positions, as EventStoreDB's
// log offsets have.
func TestSparsePositions(t *testing.T) {
	storetest.RunWith(t, func(*testing.T) domain.EventStore { return sparse{memory.NewStore()} },
		storetest.Options{DensePositions: false})
}

// sparse maps the memory store's position p to 10p+3.
type sparse struct{ *memory.Store }

func spread(events []domain.Envelope) []domain.Envelope {
	out := slices.Clone(events) // the memory store keeps duplicates' results
	for i := range out {
		out[i].Position = 10*out[i].Position + 3
	}
	return out
}

// squeeze is the last dense position at or below a sparse one.
func squeeze(p uint64) uint64 { return (max(p, 3) - 3) / 10 }

func (s sparse) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	res, err := s.Store.Append(ctx, req)
	if err == nil {
		res.Position, res.Events = 10*res.Position+3, spread(res.Events)
	}
	return res, err
}

func (s sparse) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	if q.ToPosition != 0 {
		if q.ToPosition < 13 { // before the first event; 0 would not bound
			return nil, ctx.Err()
		}
		q.ToPosition = squeeze(q.ToPosition)
	}
	events, err := s.Store.ReadStream(ctx, id, q)
	return spread(events), err
}

func (s sparse) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	events, err := s.Store.ReadAll(ctx, squeeze(after), limit)
	return spread(events), err
}

func (s sparse) EventByID(ctx context.Context, id string) (domain.Envelope, bool, error) {
	e, found, err := s.Store.EventByID(ctx, id)
	if found {
		e = spread([]domain.Envelope{e})[0]
	}
	return e, found, err
}

// TestForgetMemory: erasure on the memory store; its bytes are the log.
func TestForgetMemory(t *testing.T) {
	s := memory.NewStore()
	storetest.Forget(t, s, memory.NewKeys(), func(t *testing.T) []byte {
		all, err := s.ReadAll(context.Background(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(all)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}
