package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
)

// readCounter counts the events a service reads from its stream reads.
type readCounter struct {
	*memory.Store
	read int
}

func (r *readCounter) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	events, err := r.Store.ReadStream(ctx, id, q)
	r.read += len(events)
	return events, err
}

func meeting(t *testing.T, s *Service, id string, i int) domain.AppendResult {
	t.Helper()
	res, err := s.Execute(context.Background(), id, domain.HoldJointMeeting{MeetingID: fmt.Sprint("m-", i), Attendees: []string{"党支部"}}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A compound not in memory is loaded from its snapshot and the events
// after it, and decides as before; a snapshot that does not stand on the
// log (another log's, a rewritten stream's) or that another fold made is
// passed over, and the stream folded whole.
func TestServiceLoadsCompoundsFromSnapshots(t *testing.T) {
	ctx := context.Background()
	store := &readCounter{Store: memory.NewStore()}
	s := NewService(store, domain.DefaultRuleBook(), WithSnapshotEvery(10))
	register(t, s, "C1")
	if _, err := s.Execute(ctx, "C1", domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}, Meta{}); err != nil {
		t.Fatal(err)
	}
	for i := range 23 {
		meeting(t, s, "C1", i)
	}
	s.snapshots.flush()
	if snap, err := store.LoadSnapshot(ctx, domain.StreamID("C1")); err != nil || snap.Version != 0 {
		t.Fatalf("a compound kept in memory took a snapshot at %d (%v)", snap.Version, err)
	}

	cold := func(want int, why string) *Service { // a fresh service, as after a restart
		t.Helper()
		fresh := NewService(store, domain.DefaultRuleBook(), WithSnapshotEvery(10))
		store.read = 0
		if _, err := fresh.Execute(ctx, "C1", domain.HoldJointMeeting{MeetingID: "m-0", Attendees: []string{"党支部"}}, Meta{}); err == nil {
			t.Fatal("a meeting held twice was accepted") // the loaded state knows it
		}
		if store.read != want {
			t.Errorf("%s: the cold load read %d events, want %d", why, store.read, want)
		}
		fresh.snapshots.flush()
		return fresh
	}
	cold(25, "no snapshot yet")                 // and takes one, at 25
	fresh := cold(1, "from the snapshot at 25") // the event it stands on
	for i := range 5 {
		if res := meeting(t, fresh, "C1", 100+i); res.Version != uint64(26+i) {
			t.Fatalf("appended at %d, want %d", res.Version, 26+i)
		}
	}
	// A snapshot of another log: its hash is not the log's.
	events, _ := store.Store.ReadStream(ctx, domain.StreamID("C1"), domain.StreamQuery{ToVersion: 28})
	c, err := domain.FoldCompound("C1", events)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := c.Snapshot("not-the-log's-hash")
	store.SaveSnapshots(ctx, []domain.Snapshot{{StreamID: domain.StreamID("C1"), Version: 28, Data: forged}})
	cold(3+30, "a snapshot off the log") // the three from 28 on, then the whole stream
	// Another fold's snapshot does not decode.
	store.SaveSnapshots(ctx, []domain.Snapshot{{StreamID: domain.StreamID("C1"), Version: 1000, Data: []byte(`{"Format":"compound-v0","ID":"C1","Version":1000}`)}})
	cold(30, "another fold's snapshot")
}
