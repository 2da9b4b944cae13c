package sqlite_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/casetrack/casetrack/adapters/sqlite"
)

// The snapshot file keeps the few most recently saved snapshots of each
// projection, however many are saved, and stays about their size.
func TestCheckpointsKeepTheLatestFew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "projections.db")
	cps := openCheckpoints(t, path, 3)
	for pos := uint64(1); pos <= 5; pos++ {
		if err := cps.Save("directory", pos*10, []byte{byte(pos)}); err != nil {
			t.Fatal(err)
		}
	}
	saveLeague(t, cps, 200)
	if got := kept(t, path, "league"); !slices.Equal(got, []uint64{198, 199, 200}) {
		t.Errorf("league kept %v, want the last three", got)
	}
	if got := kept(t, path, "directory"); !slices.Equal(got, []uint64{30, 40, 50}) {
		t.Errorf("directory kept %v, want its own last three", got)
	}
	for _, tc := range []struct{ atOrBelow, want uint64 }{{0, 200}, {199, 199}, {1000, 200}, {197, 0}, {1, 0}} {
		if pos, snap, err := cps.Load("league", tc.atOrBelow); err != nil || pos != tc.want || (snap == nil) != (tc.want == 0) {
			t.Errorf("Load at or below %d: %d (%d bytes, %v), want %d", tc.atOrBelow, pos, len(snap), err, tc.want)
		}
	}
	if err := cps.Close(); err != nil {
		t.Fatal(err)
	}
	checkShrunk(t, path)
}

// A file that kept every snapshot (an older casetrack, a larger keep) is
// pruned and shrunk when it is opened.
func TestCheckpointsShrinkAnOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "projections.db")
	cps := openCheckpoints(t, path, math.MaxInt)
	saveLeague(t, cps, 50)
	if err := cps.Close(); err != nil {
		t.Fatal(err)
	}
	if err := openCheckpoints(t, path, 3).Close(); err != nil {
		t.Fatal(err)
	}
	if got := kept(t, path, "league"); !slices.Equal(got, []uint64{48, 49, 50}) {
		t.Errorf("kept %v, want the last three", got)
	}
	checkShrunk(t, path)
}

// Recency is the order of saving, not the position: snapshots of an older
// log (a store restored from a backup) that lie above the new ones go first.
func TestCheckpointsKeepTheLastSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "projections.db")
	cps := openCheckpoints(t, path, 2)
	defer cps.Close()
	for _, pos := range []uint64{1000, 2000, 10, 20, 20} {
		if err := cps.Save("league", pos, []byte("snapshot")); err != nil {
			t.Fatal(err)
		}
	}
	if got := kept(t, path, "league"); !slices.Equal(got, []uint64{10, 20}) {
		t.Errorf("kept %v, want the two saved last", got)
	}
}

func TestCheckpointsKeepAtLeastOne(t *testing.T) {
	for _, keep := range []int{0, -1} {
		if cps, err := sqlite.OpenCheckpoints(filepath.Join(t.TempDir(), "projections.db"), keep); err == nil {
			cps.Close()
			t.Errorf("keep %d was accepted", keep)
		}
	}
}

func openCheckpoints(t *testing.T, path string, keep int) *sqlite.Checkpoints {
	t.Helper()
	cps, err := sqlite.OpenCheckpoints(path, keep)
	if err != nil {
		t.Fatal(err)
	}
	return cps
}

// snapshotSize is the size of each league snapshot saveLeague saves.
const snapshotSize = 64 << 10

// saveLeague saves league snapshots at positions 1 to n.
func saveLeague(t *testing.T, cps *sqlite.Checkpoints, n uint64) {
	t.Helper()
	for pos := uint64(1); pos <= n; pos++ {
		if err := cps.Save("league", pos, make([]byte, snapshotSize)); err != nil {
			t.Fatal(err)
		}
	}
}

// checkShrunk fails t unless the closed file at path is about the size of
// the three snapshots it keeps.
func checkShrunk(t *testing.T, path string) {
	t.Helper()
	if st, err := os.Stat(path); err != nil || st.Size() > 10*snapshotSize {
		t.Errorf("the file holds %d bytes for three snapshots of %d (%v)", st.Size(), snapshotSize, err)
	}
}

// kept are the positions of the snapshots of name in the file, read by
// another connection.
func kept(t *testing.T, path, name string) []uint64 {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT position FROM snapshots WHERE name = ? ORDER BY position`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []uint64
	for rows.Next() {
		var p uint64
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// The projections of a server share one snapshot file and save to it at
// once (each in the background, and all of them on the way out): none is
// refused for the lock another holds. A deferred transaction was, when a
// reader's snapshot could not be upgraded to a write ("database is
// locked" at the end of a 10M-event catch-up).
func TestCheckpointsTakeConcurrentSaves(t *testing.T) {
	cps := openCheckpoints(t, filepath.Join(t.TempDir(), "projections.db"), 2)
	names := []string{"directory", "league", "credit", "deadlines", "complaints"}
	blob := make([]byte, 16<<20)
	errs := make(chan error, len(names))
	for _, name := range names {
		go func() {
			for pos := uint64(1); pos <= 2; pos++ {
				if err := cps.Save(name, pos, blob); err != nil {
					errs <- fmt.Errorf("%s at %d: %w", name, pos, err)
					return
				}
				if _, _, err := cps.Load(name, 0); err != nil {
					errs <- fmt.Errorf("load %s: %w", name, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range names {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A snapshot larger than a row's part is stored in parts, none of them the
// whole, and comes back byte for byte; replacing it with a shorter one
// leaves none of its parts behind, nor does pruning it.
func TestCheckpointsStoreLargeSnapshotsInParts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "projections.db")
	cps := openCheckpoints(t, path, 2)
	defer cps.Close()
	snapshot := func(n int, seed byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*31) + seed
		}
		return b
	}
	large, short := snapshot(3<<20+123, 1), snapshot(700<<10, 2)
	load := func(want []byte) {
		t.Helper()
		if pos, got, err := cps.Load("league", 0); err != nil || pos != 10 || !bytes.Equal(got, want) {
			t.Fatalf("loaded %d bytes at %d (%v), want %d bytes at 10", len(got), pos, err, len(want))
		}
	}
	if err := cps.Save("league", 10, large); err != nil {
		t.Fatal(err)
	}
	if n := largestRow(t, path); n >= len(large)/2 {
		t.Errorf("a row holds %d bytes of a %d-byte snapshot", n, len(large))
	}
	load(large)
	if err := cps.Save("league", 10, short); err != nil {
		t.Fatal(err)
	}
	load(short)
	for pos := uint64(20); pos <= 40; pos += 10 {
		if err := cps.Save("league", pos, short); err != nil {
			t.Fatal(err)
		}
	}
	if got := parts(t, path); got != 2*((len(short)-1)/(256<<10)) { // all but the first of each, in parts of 256 KiB
		t.Errorf("%d parts kept for two snapshots of %d bytes", got, len(short))
	}
}

// A file of an older casetrack, which held each snapshot whole in its row,
// still loads.
func TestCheckpointsLoadWholeSnapshots(t *testing.T) {
	path := filepath.Join(t.TempDir(), "projections.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	whole := bytes.Repeat([]byte("model"), 1<<20)
	if _, err := db.Exec(`CREATE TABLE snapshots (name TEXT NOT NULL, position INTEGER NOT NULL, saved_at INTEGER NOT NULL,
		data BLOB NOT NULL, PRIMARY KEY (name, position)) STRICT`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO snapshots VALUES ('league', 7, 0, ?)`, whole); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cps := openCheckpoints(t, path, 3)
	defer cps.Close()
	if pos, got, err := cps.Load("league", 0); err != nil || pos != 7 || !bytes.Equal(got, whole) {
		t.Errorf("loaded %d bytes at %d (%v), want %d at 7", len(got), pos, err, len(whole))
	}
}

// largestRow is the size of the largest blob a row of the file holds.
func largestRow(t *testing.T, path string) int {
	t.Helper()
	return queryInt(t, path, `SELECT max((SELECT max(length(data)) FROM snapshots), (SELECT max(length(data)) FROM snapshot_parts))`)
}

// parts counts the rows of snapshot_parts.
func parts(t *testing.T, path string) int {
	t.Helper()
	return queryInt(t, path, `SELECT count(*) FROM snapshot_parts`)
}

func queryInt(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
