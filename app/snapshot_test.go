package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A compound restored from a snapshot and folded on is the very compound
// replayed from its first event: at random versions of every compound of
// the test city (which reaches every event the fold knows), the two are
// deeply equal, and decide the same commands alike.
func TestSnapshotLoadedCompoundDecidesAsReplayed(t *testing.T) {
	streams := testCityStreams(t)
	at := projectiontest.At(2026, 5, 20, 10)
	rules := domain.DefaultRuleBook().At(at)
	commands := []domain.Command{
		domain.ReceiveComplaint{ComplaintID: "NEW", Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "物业费上涨"},
		domain.FlagConflict{Reason: "信访集中"},
		domain.HoldJointMeeting{MeetingID: "NEW", Attendees: []string{"党支部"}},
		domain.RecordTermExpiry{},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for stream, events := range streams {
		id := domain.CompoundIDOf(stream)
		replayed := domain.NewCompound(id)
		for _, e := range events { // at every version, restored equals replayed
			if err := replayed.Apply(e); err != nil {
				t.Fatal(err)
			}
			snap, err := replayed.Snapshot(e.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if restored, _, err := domain.RestoreCompound(id, snap); err != nil || !reflect.DeepEqual(restored, replayed) {
				t.Fatalf("%s at version %d: restored %v (%v), replayed %v", id, e.Version, restored, err, replayed)
			}
		}
		for _, cut := range []int{1, len(events), 1 + rng.IntN(len(events)), 1 + rng.IntN(len(events))} {
			replayed, err := domain.FoldCompound(id, events[:cut])
			if err != nil {
				t.Fatal(err)
			}
			snap, err := replayed.Snapshot(events[cut-1].Hash)
			if err != nil {
				t.Fatal(err)
			}
			restored, hash, err := domain.RestoreCompound(id, snap)
			if err != nil {
				t.Fatal(err)
			}
			if hash != events[cut-1].Hash {
				t.Fatalf("%s at %d: hash %q, want %q", id, cut, hash, events[cut-1].Hash)
			}
			for _, e := range events[cut:] {
				if err := replayed.Apply(e); err != nil {
					t.Fatal(err)
				}
				if err := restored.Apply(e); err != nil {
					t.Fatalf("%s: restored at %d, applying %d: %v", id, cut, e.Version, err)
				}
			}
			if !reflect.DeepEqual(restored, replayed) {
				t.Fatalf("%s restored at version %d and folded on differs from the replay:\n%#v\n%#v", id, cut, restored, replayed)
			}
			for _, cmd := range commands {
				want, wantErr := replayed.Decide(cmd, rules, at)
				got, gotErr := restored.Decide(cmd, rules, at)
				if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					t.Fatalf("%s restored at %d decides %T as %v %v, the replay %v %v", id, cut, cmd, got, gotErr, want, wantErr)
				}
			}
		}
	}
}

// testCityStreams returns the test city's events by stream.
func testCityStreams(t *testing.T) map[string][]domain.Envelope {
	all, err := projectiontest.NewTestCity(t).Store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	streams := map[string][]domain.Envelope{}
	for _, e := range all {
		streams[e.StreamID] = append(streams[e.StreamID], e)
	}
	return streams
}

// A snapshot of another fold, another compound or no snapshot at all is
// refused, never half-used.
func TestSnapshotRefused(t *testing.T) {
	c := domain.NewCompound("A")
	snap, err := c.Snapshot("h")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := domain.RestoreCompound("B", snap); err == nil {
		t.Error("a snapshot of A restored as B")
	}
	if _, _, err := domain.RestoreCompound("A", []byte("garbage")); err == nil {
		t.Error("garbage restored")
	}
	if _, _, err := domain.RestoreCompound("A", snap); err != nil {
		t.Errorf("own snapshot refused: %v", err)
	}
}

// A restored compound keeps nothing of its snapshot: the command service's
// cache counts it at about its snapshot's size (restoredSize). Decoded
// strings that still pointed into the decoder's copy of the snapshot kept
// that whole copy alive: 1.8 times the snapshot's size on the 1M-event city.
func TestRestoredCompoundHoldsNoSnapshot(t *testing.T) {
	streams := testCityStreams(t)
	var snaps [][]byte
	var ids []string
	size := 0
	for stream, events := range streams {
		id := domain.CompoundIDOf(stream)
		folded, err := domain.FoldCompound(id, events)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := folded.Snapshot(events[len(events)-1].Hash)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			snaps, ids, size = append(snaps, snap), append(ids, id), size+len(snap)
		}
	}
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	restored := make([]*domain.Compound, len(snaps))
	for i, snap := range snaps {
		var err error
		if restored[i], _, err = domain.RestoreCompound(ids[i], snap); err != nil {
			t.Fatal(err)
		}
	}
	grew := float64(heap()-before) / float64(size)
	runtime.KeepAlive(restored)
	if grew > 1.3 {
		t.Fatalf("restored compounds take %.2f times their snapshots' size: they keep the snapshots", grew)
	}
	t.Logf("restored compounds take %.2f times their snapshots' size", grew)
}
