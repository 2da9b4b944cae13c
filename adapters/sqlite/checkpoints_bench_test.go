package sqlite_test

import (
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
)

// BenchmarkCheckpointsResidue: the resident memory that saving snapshots
// of a model growing from 5 to 70 MB (as a catch-up does), then loading the
// last, leaves behind once the runtime has returned its free heap, beyond
// the resident set before (rss_before_MB, the baseline): after the saves,
// after the load and after the file is closed. Nothing of ours holds it:
// it is C memory SQLite freed, which its allocator keeps. Also the time the
// saves and the load took.
func BenchmarkCheckpointsResidue(b *testing.B) {
	free := func() float64 {
		debug.FreeOSMemory()
		return sqlitetest.RSS() / (1 << 20)
	}
	for b.Loop() {
		before := free()
		path := filepath.Join(b.TempDir(), "projections.db")
		cps, err := sqlite.OpenCheckpoints(path, 3)
		if err != nil {
			b.Fatal(err)
		}
		var saving time.Duration
		for i, mb := range []int{5, 10, 20, 40, 70} {
			snap := make([]byte, mb<<20)
			for j := range snap {
				snap[j] = byte(j * 7)
			}
			t := time.Now()
			if err := cps.Save("league", uint64(i+1), snap); err != nil {
				b.Fatal(err)
			}
			saving += time.Since(t)
		}
		saved := free()
		t := time.Now()
		if _, snap, err := cps.Load("league", 0); err != nil || len(snap) != 70<<20 {
			b.Fatalf("loaded %d bytes (%v), want 70 MiB", len(snap), err)
		}
		loading := time.Since(t)
		loaded := free()
		if err := cps.Close(); err != nil {
			b.Fatal(err)
		}
		after := free()
		b.ReportMetric(saving.Seconds(), "save_s")
		b.ReportMetric(loading.Seconds(), "load_s")
		b.ReportMetric(before, "rss_before_MB")
		b.ReportMetric(saved-before, "residue_saved_MB")
		b.ReportMetric(loaded-before, "residue_loaded_MB")
		b.ReportMetric(after-before, "residue_closed_MB")
	}
}
