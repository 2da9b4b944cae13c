// Package audit makes the event log verifiable by anyone holding the
// operator's public key, the way transparency logs (Certificate
// Transparency, Go's checksum database) are:
//
//   - a Merkle tree over the whole log in position order, RFC 6962 hashing
//     by golang.org/x/mod/sumdb/tlog; each leaf binds an event's global
//     position to its hash (Leaf);
//   - checkpoints: the tree's size and root in a note signed with Ed25519
//     (golang.org/x/mod/sumdb/note), written while events arrive
//     (Checkpointer) and kept by the store and by anyone who fetched them;
//   - Verify, which re-reads the whole log and checks every stream's chain,
//     dense positions and the tree against every checkpoint;
//   - inclusion and consistency proofs, checked offline with the public key
//     alone (CheckProof).
//
// The store cannot be trusted to keep checkpoints honestly (an insider with
// the database file can delete them): a checkpoint kept elsewhere (casetrack
// witness, an auditor's copy) is what makes a rewrite of the past evident.
package audit

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casetrack/casetrack/domain"
)

// CheckpointStore keeps the signed checkpoints next to the log. Stores that
// implement it: SQLite, PostgreSQL, memory.
type CheckpointStore interface {
	// SaveCheckpoint keeps a signed checkpoint of the tree at size; saving
	// the same size again keeps the first.
	SaveCheckpoint(ctx context.Context, size uint64, signed []byte) error
	// Checkpoints returns every kept checkpoint, by size.
	Checkpoints(ctx context.Context) ([][]byte, error)
}

// Log is what the audit needs of a store: the log in position order.
type Log interface {
	ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error)
}

// Leaf is the tree's leaf for the event at position with the given chain
// hash. The event hash does not cover the global position (some stores
// only assign it after the write), so the leaf does: moving an event to
// another position changes the tree.
func Leaf(position uint64, hash string) tlog.Hash {
	return tlog.RecordHash(fmt.Appendf(nil, "casetrack event\n%d\n%s\n", position, hash))
}

// readPage is how many events a pass over the log reads at once.
const readPage = 10000
