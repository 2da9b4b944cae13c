package sqlite_test

import (
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
