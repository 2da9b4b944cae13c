package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/casetrack/casetrack/domain"
)

// testSnapshots: a store that keeps stream snapshots (domain.SnapshotStore)
// returns each stream's latest, byte for byte, never an older one saved
// after it, and none for a stream without.
func testSnapshots(t *testing.T, s domain.EventStore, _ Options) {
	ss, ok := s.(domain.SnapshotStore)
	if !ok {
		t.Skip("the store keeps no snapshots")
	}
	ctx := context.Background()
	load := func(stream string) domain.Snapshot {
		t.Helper()
		n, err := ss.LoadSnapshot(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := load("s-none"); n.Version != 0 || len(n.Data) != 0 {
		t.Fatalf("a stream without a snapshot has one at %d", n.Version)
	}
	blob := bytes.Repeat([]byte{0, 1, 2, 0xff, '"'}, 20000) // binary, and larger than a page
	save := func(snaps ...domain.Snapshot) {
		t.Helper()
		if err := ss.SaveSnapshots(ctx, snaps); err != nil {
			t.Fatal(err)
		}
	}
	save(domain.Snapshot{StreamID: "s-a", Version: 5, Data: []byte("a5")}, domain.Snapshot{StreamID: "s-b", Version: 2, Data: blob})
	save(domain.Snapshot{StreamID: "s-a", Version: 9, Data: []byte("a9")})
	save(domain.Snapshot{StreamID: "s-a", Version: 7, Data: []byte("a7")}) // late: the one at 9 stays
	save()
	if n := load("s-a"); n.Version != 9 || string(n.Data) != "a9" || n.StreamID != "s-a" {
		t.Errorf("s-a: %d %q, want 9 a9", n.Version, n.Data)
	}
	if n := load("s-b"); n.Version != 2 || !bytes.Equal(n.Data, blob) {
		t.Errorf("s-b: version %d, %d bytes, want 2 and the blob", n.Version, len(n.Data))
	}
}
