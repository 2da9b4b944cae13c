package domain

import (
	"context"
	"sync"
)

// MemoryStore is an in-memory EventStore for tests and examples. It keeps
// the full contract except durability.
type MemoryStore struct {
	mu       sync.Mutex
	all      []Envelope
	streams  map[string][]int // indexes into all
	commands map[string]AppendResult
	changed  Signal
}

func NewMemoryStore() *MemoryStore {
	return &MemoryStore{streams: map[string][]int{}, commands: map[string]AppendResult{}}
}

func (s *MemoryStore) Append(ctx context.Context, req AppendRequest) (AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.commands[req.CommandID]; ok && req.CommandID != "" {
		r.Duplicate = true
		return r, nil
	}
	idx := s.streams[req.StreamID]
	if cur := uint64(len(idx)); cur != req.ExpectedVersion {
		return AppendResult{}, ConflictError(req.StreamID, req.ExpectedVersion, cur)
	}
	prev := ""
	if len(idx) > 0 {
		prev = s.all[idx[len(idx)-1]].Hash
	}
	out := make([]Envelope, len(req.Events))
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
	r := AppendResult{StreamID: req.StreamID, Version: uint64(len(idx)), Position: uint64(len(s.all)), Events: out}
	if req.CommandID != "" {
		s.commands[req.CommandID] = r
	}
	s.changed.Notify()
	return r, nil
}

func (s *MemoryStore) ReadStream(ctx context.Context, streamID string, q StreamQuery) ([]Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Envelope
	for _, i := range s.streams[streamID] {
		if q.Match(s.all[i]) {
			out = append(out, s.all[i])
		}
	}
	return out, ctx.Err()
}

func (s *MemoryStore) ReadAll(ctx context.Context, after uint64, limit int) ([]Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if after >= uint64(len(s.all)) {
		return nil, ctx.Err()
	}
	end := uint64(len(s.all))
	if limit > 0 && after+uint64(limit) < end {
		end = after + uint64(limit)
	}
	return append([]Envelope(nil), s.all[after:end]...), ctx.Err()
}

func (s *MemoryStore) Changed() <-chan struct{} { return s.changed.Changed() }
