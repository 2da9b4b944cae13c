// Package memory is an in-memory event store: the full contract of
// domain.EventStore except durability, for tests, examples and the demo
// generator.
package memory

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/casetrack/casetrack/domain"
)

// Store is an in-memory event store for tests and examples. It keeps
// the full contract except durability.
type Store struct {
	mu       sync.Mutex
	all      []domain.Envelope
	streams  map[string][]int               // indexes into all
	commands map[string]domain.AppendResult // by stream and command ID
	changed  domain.Signal

	checkpoints map[uint64][]byte // signed audit checkpoints by tree size
	snapshots   map[string]domain.Snapshot
}

func NewStore() *Store {
	return &Store{streams: map[string][]int{}, commands: map[string]domain.AppendResult{}}
}

func (s *Store) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return domain.AppendResult{}, err
	}
	req, err := domain.StorableRequest(req)
	if err != nil {
		return domain.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := req.StreamID + "\x00" + req.CommandID // command IDs are scoped to their stream
	if r, ok := s.commands[key]; ok && req.CommandID != "" {
		r.Duplicate = true
		return r, nil
	}
	idx := s.streams[req.StreamID]
	if cur := uint64(len(idx)); cur != req.ExpectedVersion {
		return domain.AppendResult{}, domain.ConflictError(req.StreamID, req.ExpectedVersion, cur)
	}
	prev := ""
	if len(idx) > 0 {
		prev = s.all[idx[len(idx)-1]].Hash
	}
	out := make([]domain.Envelope, len(req.Events))
	for i, e := range req.Events {
		e.StreamID = req.StreamID
		e.Version = req.ExpectedVersion + uint64(i) + 1
		e.Position = uint64(len(s.all)) + 1
		e.CommandID = req.CommandID
		e.Seal(prev)
		prev = e.Hash
		idx = append(idx, len(s.all))
		s.all = append(s.all, e)
		out[i] = e
	}
	s.streams[req.StreamID] = idx
	r := domain.AppendResult{StreamID: req.StreamID, Version: uint64(len(idx)), Position: uint64(len(s.all)), Events: out}
	if req.CommandID != "" {
		s.commands[key] = r
	}
	s.changed.Notify()
	return r, nil
}

func (s *Store) ReadStream(ctx context.Context, streamID string, q domain.StreamQuery) ([]domain.Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Envelope
	for _, i := range s.streams[streamID] {
		if q.Match(s.all[i]) {
			out = append(out, s.all[i])
		}
	}
	return out, ctx.Err()
}

func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if after >= uint64(len(s.all)) {
		return nil, ctx.Err()
	}
	end := uint64(len(s.all))
	if limit > 0 && after+uint64(limit) < end {
		end = after + uint64(limit)
	}
	return append([]domain.Envelope(nil), s.all[after:end]...), ctx.Err()
}

func (s *Store) Changed() <-chan struct{} { return s.changed.Changed() }

// EventByID opens one event by its ID (domain.EventFinder); a scan, as the
// memory store serves tests and benchmarks.
func (s *Store) EventByID(ctx context.Context, eventID string) (domain.Envelope, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.all {
		if e.EventID == eventID {
			return e, true, ctx.Err()
		}
	}
	return domain.Envelope{}, false, ctx.Err()
}

// SaveCheckpoint keeps a signed checkpoint of the audit tree
// (audit.CheckpointStore); the first one of a size stays.
func (s *Store) SaveCheckpoint(ctx context.Context, size uint64, signed []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checkpoints == nil {
		s.checkpoints = map[uint64][]byte{}
	}
	if _, ok := s.checkpoints[size]; !ok {
		s.checkpoints[size] = slices.Clone(signed)
	}
	return ctx.Err()
}

// Checkpoints returns the kept checkpoints by size.
func (s *Store) Checkpoints(ctx context.Context) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]byte
	for _, size := range slices.Sorted(maps.Keys(s.checkpoints)) {
		out = append(out, s.checkpoints[size])
	}
	return out, ctx.Err()
}
