package audit

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casetrack/casetrack/domain"
)

// Tree is the server's copy of the Merkle tree: every stored hash
// (tlog.StoredHashes), in memory, so that proofs and checkpoints are
// answered at once. It is rebuilt from the log at start (Follow) and
// follows it; about 64 bytes per event.
type Tree struct {
	follow sync.Mutex // one Follow at a time: two would add the same events
	mu     sync.RWMutex
	hashes []tlog.Hash // by tlog stored-hash index
	size   uint64      // leaves
}

// ReadHashes serves tlog's proofs and tree hashes.
func (t *Tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("audit: tree hash %d is beyond the tree of %d events", x, t.size)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// readLocked serves tlog while Follow holds the write lock.
type readLocked struct{ t *Tree }

func (r readLocked) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = r.t.hashes[x]
	}
	return out, nil
}

// Size is the number of events in the tree.
func (t *Tree) Size() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.size
}

// Root is the tree hash at size n (at most Size).
func (t *Tree) Root(n uint64) (tlog.Hash, error) {
	if n > t.Size() {
		return tlog.Hash{}, fmt.Errorf("audit: no tree of %d events yet (it has %d)", n, t.Size())
	}
	return tlog.TreeHash(int64(n), t)
}

// Follow adds the events recorded after the tree's last one. Positions
// must be dense: a gap means an event was removed, and the tree refuses it.
func (t *Tree) Follow(ctx context.Context, log Log) error {
	t.follow.Lock()
	defer t.follow.Unlock()
	for {
		size := t.Size()
		page, err := log.ReadAll(ctx, size, readPage)
		if err != nil || len(page) == 0 {
			return err
		}
		t.mu.Lock()
		for _, e := range page {
			if e.Position != t.size+1 {
				t.mu.Unlock()
				return domain.Errorf(domain.CodeIntegrity, "the log jumps from position %d to %d: an event was removed", t.size, e.Position)
			}
			hashes, err := tlog.StoredHashesForRecordHash(int64(t.size), Leaf(e.Position, e.Hash), readLocked{t})
			if err != nil {
				t.mu.Unlock()
				return err
			}
			t.hashes = append(t.hashes, hashes...)
			t.size++
		}
		t.mu.Unlock()
	}
}

// ProveInclusion proves that the event at position is leaf position-1 of
// the tree of size n.
func (t *Tree) ProveInclusion(position, n uint64) (tlog.RecordProof, error) {
	if position < 1 || position > n || n > t.Size() {
		return nil, fmt.Errorf("audit: position %d is not in a tree of %d events", position, n)
	}
	return tlog.ProveRecord(int64(n), int64(position-1), t)
}

// ProveConsistency proves that the tree of size old is a prefix of the
// tree of size n.
func (t *Tree) ProveConsistency(old, n uint64) (tlog.TreeProof, error) {
	if old < 1 || old > n || n > t.Size() {
		return nil, fmt.Errorf("audit: no consistency proof from %d to %d events (the tree has %d)", old, n, t.Size())
	}
	return tlog.ProveTree(int64(n), int64(old), t)
}
