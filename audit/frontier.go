package audit

import "golang.org/x/mod/sumdb/tlog"

// frontier is the right edge of a tree being built leaf by leaf: the roots
// of its complete subtrees, largest first. It holds O(log n) hashes, so
// Verify recomputes the root of a log of millions of events in little
// memory.
type frontier struct {
	size  uint64
	nodes []tlog.Hash // roots of complete subtrees, sizes the bits of size, largest first
}

// add appends a leaf, merging complete subtrees of equal size as RFC 6962
// does.
func (f *frontier) add(leaf tlog.Hash) {
	f.nodes = append(f.nodes, leaf)
	for n := f.size; n&1 == 1; n >>= 1 {
		last := len(f.nodes) - 1
		f.nodes = append(f.nodes[:last-1], tlog.NodeHash(f.nodes[last-1], f.nodes[last]))
	}
	f.size++
}

// root is the tree hash of the leaves added so far: the subtrees folded
// from the right, as RFC 6962's MTH splits at the largest power of two.
func (f *frontier) root() tlog.Hash {
	if len(f.nodes) == 0 {
		h, _ := tlog.TreeHash(0, nil) // the empty tree's hash, which reads nothing
		return h
	}
	h := f.nodes[len(f.nodes)-1]
	for i := len(f.nodes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.nodes[i], h)
	}
	return h
}
