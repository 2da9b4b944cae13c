package projections

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/casetrack/casetrack/domain"
)

// Anchored ties every snapshot to the event at its position, so that a
// snapshot is only restored over the log it was folded from. A data
// directory reused with another store, or a store restored from an older
// backup, then costs a rebuild instead of a model that mixes two logs.
func Anchored(cps Checkpoints, store domain.EventStore) Checkpoints {
	return anchored{cps: cps, store: store}
}

type anchored struct {
	cps   Checkpoints
	store domain.EventStore
}

// eventAt returns the ID of the event at a position ("" when there is none).
func (a anchored) eventAt(pos uint64) (string, error) {
	if pos == 0 {
		return "", nil
	}
	page, err := a.store.ReadAll(context.Background(), pos-1, 1)
	if err != nil || len(page) == 0 || page[0].Position != pos {
		return "", err
	}
	return page[0].EventID, nil
}

func (a anchored) Save(name string, position uint64, snapshot []byte) error {
	id, err := a.eventAt(position)
	if err != nil {
		return err
	}
	if id == "" && position > 0 {
		return fmt.Errorf("snapshot of %s at %d: no such event in the store", name, position)
	}
	return a.cps.Save(name, position, append([]byte(id+"\n"), snapshot...))
}

func (a anchored) Load(name string, atOrBelow uint64) (uint64, []byte, error) {
	for {
		pos, blob, err := a.cps.Load(name, atOrBelow)
		if err != nil || blob == nil {
			return 0, nil, err
		}
		id, snap, ok := bytes.Cut(blob, []byte("\n"))
		if !ok {
			return 0, nil, errors.New("snapshot of " + name + " has no anchor")
		}
		want, err := a.eventAt(pos)
		if err != nil {
			return 0, nil, err
		}
		if want == string(id) {
			return pos, snap, nil
		}
		if pos <= 1 {
			return 0, nil, nil // no snapshot of this log: fold from the start
		}
		atOrBelow = pos - 1 // another log's snapshot: try an older one
	}
}
