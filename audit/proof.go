package audit

import (
	"encoding/json"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casetrack/casetrack/domain"
)

// Proof is an inclusion or a consistency proof as the server answers it
// and `casetrack proof check` reads it. It carries the signed checkpoints
// it is against, so that the public key alone checks it.
type Proof struct {
	Kind string `json:"kind"` // "inclusion" or "consistency"

	// Inclusion: the event at Position, whose chain hash is EventHash, is in
	// the tree of Checkpoint.
	Position  uint64 `json:"position,omitempty"`
	EventHash string `json:"event_hash,omitempty"`
	// Consistency: the tree of Old is a prefix of the tree of Checkpoint.
	OldSize uint64 `json:"old_size,omitempty"`
	Old     string `json:"old,omitempty"` // empty when the old size was never signed

	Checkpoint string      `json:"checkpoint"` // the signed note
	Hashes     []tlog.Hash `json:"proof"`
}

const (
	KindInclusion   = "inclusion"
	KindConsistency = "consistency"
)

// InclusionProof proves that the event at position with hash is in the
// tree of the signed checkpoint.
func (t *Tree) InclusionProof(position uint64, hash string, signed []byte, c Checkpoint) (Proof, error) {
	p, err := t.ProveInclusion(position, c.Size)
	return Proof{Kind: KindInclusion, Position: position, EventHash: hash, Checkpoint: string(signed), Hashes: p}, err
}

// ConsistencyProof proves that the tree of size old (signed as oldSigned,
// if it was) is a prefix of the tree of newSigned.
func (t *Tree) ConsistencyProof(oldSigned []byte, old uint64, newSigned []byte, c Checkpoint) (Proof, error) {
	p, err := t.ProveConsistency(old, c.Size)
	return Proof{Kind: KindConsistency, OldSize: old, Old: string(oldSigned), Checkpoint: string(newSigned), Hashes: p}, err
}

// CheckProof checks a proof with the public key alone: its checkpoints'
// signatures, then the proof against them. It answers what was proved; a
// tampered proof, checkpoint or event hash fails with CodeIntegrity.
func CheckProof(v *Verifier, raw []byte) (string, error) {
	var p Proof
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", domain.Errorf(domain.CodeInvalid, "not a casetrack proof: %v", err)
	}
	c, err := v.Open([]byte(p.Checkpoint))
	if err != nil {
		return "", err
	}
	switch p.Kind {
	case KindInclusion:
		if p.Position < 1 || p.Position > c.Size {
			return "", domain.Errorf(domain.CodeIntegrity, "position %d is outside the tree of %d events", p.Position, c.Size)
		}
		if err := tlog.CheckRecord(p.Hashes, int64(c.Size), c.Root, int64(p.Position-1), Leaf(p.Position, p.EventHash)); err != nil {
			return "", domain.Errorf(domain.CodeIntegrity, "inclusion proof of position %d in %s does not hold: %v", p.Position, c, err)
		}
		return fmt.Sprintf("event %s at position %d is in the log of checkpoint %s", p.EventHash, p.Position, c), nil
	case KindConsistency:
		old, err := v.Open([]byte(p.Old))
		if err != nil {
			return "", err
		}
		if err := CheckConsistency(p, old, c); err != nil {
			return "", err
		}
		return fmt.Sprintf("checkpoint %s extends %s: no event of the older log was changed", c, old), nil
	}
	return "", domain.Errorf(domain.CodeInvalid, "proof kind %q: must be inclusion or consistency", p.Kind)
}

// CheckConsistency checks a consistency proof from old (a checkpoint the
// checker trusts, such as one it kept) to c.
func CheckConsistency(p Proof, old, c Checkpoint) error {
	if p.Kind != KindConsistency || p.OldSize != old.Size || old.Size > c.Size {
		return domain.Errorf(domain.CodeIntegrity, "not a consistency proof from %s to %s", old, c)
	}
	if err := tlog.CheckTree(p.Hashes, int64(c.Size), c.Root, int64(old.Size), old.Root); err != nil {
		return domain.Errorf(domain.CodeIntegrity, "consistency proof from %s to %s does not hold: the older log was changed (%v)", old, c, err)
	}
	return nil
}
