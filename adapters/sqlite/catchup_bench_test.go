package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
)

// BenchmarkCatchUpScale: the cold catch-up of the five read models serve
// runs (snapshots every 20,000 events into a new projections.db, 3 kept,
// as serve does) on two generated cities, each beside a raw scan of its
// rows in the same run. $CASETRACK_BENCH_SCALE names their sizes in
// compounds: by default 960,9600 (0.1M and 1M events); 9600,96000 are the
// 1M and 10M of the issue. Catch-up is linear when the larger city takes
// at most its share of events times the smaller's time: time_ratio ≤
// event_ratio, growth (their quotient) ≤ 1. Each catch-up is also given in
// raw scans of its own city, which a larger file's reads slowed alike.
//
// Memory (goal 4: RSS ≤ 1 GiB at 10M events): the live heap the caught-up
// models hold with the league's running totals summed (as a server holds
// them once it has served a table), in all and per model, in bytes per
// event; the same (restored_) for the models restored from the snapshots
// saved at the end, as after a restart; the process's resident set after
// each, again once the runtime has returned the memory it does not use,
// and its peak (both cities run in this process, so the heap is the
// cleaner figure). $CASETRACK_BENCH_HEAPPROFILE names a file for the heap
// profile taken after the larger city's catch-up, and with ".restored"
// after its restore (go tool pprof -sample_index=inuse_space).
func BenchmarkCatchUpScale(b *testing.B) {
	sizes := scaleSizes(b)
	for b.Loop() {
		var took [2]time.Duration
		var events [2]uint64
		for i, n := range sizes {
			s := sqlitetest.CityOf(b, Open, n)
			t := time.Now()
			count := uint64(0)
			if err := s.scanRows(context.Background(), 0, math.MaxInt64, func([]driver.Value) error { count++; return nil }); err != nil {
				b.Fatal(err)
			}
			raw := time.Since(t)
			base := heapMB()
			var runners []projections.Projection
			path := filepath.Join(b.TempDir(), "projections.db")
			_, took[i], runners = snapshotDisk(b, s, 3, path)
			events[i] = count
			name := fmt.Sprintf("c%d_", n)
			profile := ""
			if i == len(sizes)-1 {
				profile = os.Getenv("CASETRACK_BENCH_HEAPPROFILE")
			}
			head := runners[0].Position()
			reportModelHeap(b, name, base, runners, count, profile)
			// The same models after a restart: restored from the snapshots
			// just saved, in a fresh set of runners.
			if profile != "" {
				profile += ".restored"
			}
			base = heapMB()
			runners = restoreRunners(b, s, path, head)
			reportModelHeap(b, name+"restored_", base, runners, count, profile)
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			// What stays resident once the models, the store and the
			// snapshot file are gone: memory nothing of ours holds (the C
			// memory SQLite freed, which its allocator may keep).
			debug.FreeOSMemory()
			b.ReportMetric(sqlitetest.RSS()/(1<<20), name+"closed_rss_MB")
			b.ReportMetric(float64(count), name+"events")
			b.ReportMetric(took[i].Seconds(), name+"catch_up_s")
			b.ReportMetric(float64(count)/took[i].Seconds(), name+"catch_up_ev/s")
			b.ReportMetric(float64(count)/raw.Seconds(), name+"raw_scan_ev/s")
			// In raw scans of the same file: what the machine's disk and
			// page cache make of a larger file weighs on both alike.
			b.ReportMetric(took[i].Seconds()/raw.Seconds(), name+"catch_up_in_raw_scans")
		}
		timeRatio, eventRatio := took[1].Seconds()/took[0].Seconds(), float64(events[1])/float64(events[0])
		b.ReportMetric(timeRatio, "time_ratio")
		b.ReportMetric(eventRatio, "event_ratio")
		b.ReportMetric(timeRatio/eventRatio, "growth")
		b.ReportMetric(sqlitetest.PeakRSS()/(1<<20), "rss_peak_MB")
	}
}

// reportModelHeap reports the live heap that the caught-up runners hold
// beyond base (the live heap before they were made), with the league's
// running totals summed, then releases them one by one: each model's share
// is the drop in the live heap when it goes (what two models share falls
// to the later one). With a profile file named, it writes the heap profile
// there first.
func reportModelHeap(b *testing.B, prefix string, base float64, runners []projections.Projection, events uint64, profile string) {
	for _, r := range runners {
		if l, ok := r.(*projections.Runner[*league.Model]); ok {
			l.Read(func(m *league.Model) { m.Index() })
		}
	}
	b.ReportMetric(sqlitetest.RSS()/(1<<20), prefix+"rss_MB")
	perEvent := func(mb float64) float64 { return mb * (1 << 20) / float64(events) }
	heap := heapMB()
	b.ReportMetric(heap-base, prefix+"models_heap_MB")
	// What the process holds once the runtime has given back the heap it
	// grew for the fold's garbage (GCPercent): the live heap, the store's
	// caches and the runtime's own.
	debug.FreeOSMemory()
	b.ReportMetric(sqlitetest.RSS()/(1<<20), prefix+"rss_returned_MB")
	b.ReportMetric(perEvent(heap-base), prefix+"models_heap_B/event")
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	for i, r := range runners {
		model := r.(projections.Live).Name()
		runners[i] = nil
		after := heapMB()
		b.ReportMetric(perEvent(heap-after), prefix+model+"_B/event")
		heap = after
	}
}

// scaleSizes reads $CASETRACK_BENCH_SCALE: two city sizes in compounds,
// the smaller first.
func scaleSizes(b *testing.B) [2]int {
	v := os.Getenv("CASETRACK_BENCH_SCALE")
	if v == "" {
		return [2]int{960, sqlitetest.DefaultCompounds}
	}
	parts := strings.Split(v, ",")
	var sizes [2]int
	for i := range sizes {
		if len(parts) != 2 {
			break
		}
		n, err := strconv.Atoi(strings.TrimSpace(parts[i]))
		if err != nil || n < 96 || n%96 != 0 {
			break
		}
		sizes[i] = n
	}
	if sizes[0] == 0 || sizes[1] <= sizes[0] {
		b.Fatalf("CASETRACK_BENCH_SCALE=%q: want two sizes in compounds, multiples of 96, the smaller first (e.g. 9600,96000)", v)
	}
	return sizes
}

// restoreRunners makes the runners of the read models again from the
// snapshots in the file at path, each of which must restore the model at
// position (no catch-up: the heap is what the snapshots hold).
func restoreRunners(b *testing.B, s *Store, path string, position uint64) []projections.Projection {
	file, err := OpenCheckpoints(path, 3)
	if err != nil {
		b.Fatal(err)
	}
	runners := serveRunners(b, projections.Anchored(file, s))
	if err := file.Close(); err != nil {
		b.Fatal(err)
	}
	for _, r := range runners {
		if pos := r.Position(); pos != position {
			b.Fatalf("%s restored at %d, not %d: %v", r.(projections.Live).Name(), pos, position, r.(interface{ Discarded() error }).Discarded())
		}
	}
	return runners
}
