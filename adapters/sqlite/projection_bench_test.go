package sqlite

import (
	"context"
	"database/sql/driver"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
)

// The projection benchmarks run on the generated city of about 1M events
// (sqlitetest.City).

// TestMain runs the package with the collector setting of the casetrack
// binary (projections.TuneGC), so the benchmarks measure what it runs.
func TestMain(m *testing.M) {
	projections.TuneGC()
	os.Exit(m.Run())
}

func benchCity(b *testing.B) *Store {
	b.Helper()
	return sqlitetest.City(b, Open)
}

// BenchmarkRebuild1M: a full rebuild of the league model (read, decode,
// fold) next to two scans of the same rows, alternating, in the same run:
// the raw scan (the columns the rebuild reads, through the same driver
// path, on one connection where the rebuild reads on two, without making
// envelopes) and the store's scan (ScanAll: every event read and decoded
// into its envelope, as the rebuild's reader does, with nothing folded).
// The ratios are the whole run's and its worst iteration's: the target
// (≥ 0.9 of the raw scan) holds in every run.
func BenchmarkRebuild1M(b *testing.B) {
	s := benchCity(b)
	defer s.Close()
	ctx := context.Background()
	var raw, scanned, rebuild time.Duration
	var n uint64
	worstRaw, worstScan := math.Inf(1), math.Inf(1)
	for b.Loop() {
		t := time.Now()
		count := uint64(0)
		if err := s.scanRows(ctx, 0, math.MaxInt64, func([]driver.Value) error { count++; return nil }); err != nil {
			b.Fatal(err)
		}
		r := time.Since(t)

		t = time.Now()
		decoded := uint64(0)
		if err := s.ScanAll(ctx, 0, func(domain.Envelope) error { decoded++; return nil }); err != nil {
			b.Fatal(err)
		}
		sc := time.Since(t)

		t = time.Now()
		m := league.New(domain.DefaultRuleBook())
		if err := projections.Fold(ctx, s, m, 0); err != nil {
			b.Fatal(err)
		}
		rb := time.Since(t)
		if m.Position() != count || decoded != count {
			b.Fatalf("rebuilt %d and scanned %d of %d events", m.Position(), decoded, count)
		}
		raw, scanned, rebuild, n = raw+r, scanned+sc, rebuild+rb, count
		worstRaw, worstScan = min(worstRaw, r.Seconds()/rb.Seconds()), min(worstScan, sc.Seconds()/rb.Seconds())
	}
	rate := func(d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() }
	b.ReportMetric(float64(n), "events")
	b.ReportMetric(rate(raw), "raw_scan_ev/s")
	b.ReportMetric(rate(scanned), "scan_ev/s")
	b.ReportMetric(rate(rebuild), "rebuild_ev/s")
	b.ReportMetric(rate(rebuild)/rate(raw), "ratio_vs_raw")
	b.ReportMetric(worstRaw, "ratio_vs_raw_worst")
	b.ReportMetric(rate(rebuild)/rate(scanned), "ratio_vs_scan")
	b.ReportMetric(worstScan, "ratio_vs_scan_worst")
}

// BenchmarkAsOf1M: league tables as of random past positions (knowledge
// time), for random levels and periods (business time), through the league
// service, which counts them from the live model's known facts ("indexes":
// latency, and allocation per request; "indexes-page": the first 100 rows,
// which allocate only their own). Baselines from the same run: the
// live table as the service serves it (its cache), the same tables
// computed cold from the live model's month index, and a table replayed
// from zero to a random position (what an as-of cost below the oldest
// kept snapshot; one replay is enough). Also what the known facts cost a
// restart: the snapshot's size and its restore (which lays the index out
// again from the items).
func BenchmarkAsOf1M(b *testing.B) {
	s := benchCity(b)
	defer s.Close()
	ctx := context.Background()
	newModel := func() *league.Model { return league.New(domain.DefaultRuleBook()) }
	runner, _ := projections.NewRunner(newModel, projections.NewMemoryCheckpoints(), 1<<40) // no snapshot: a replay folds from zero
	sqlitetest.CatchUp(b, s, runner)
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.Logf("heap after catch-up: %d MB", mem.HeapAlloc>>20)
	// The running totals, as a server holds them once it has served a live
	// table: the as-of tables read them too.
	runner.Read(func(m *league.Model) { m.Index() })
	runtime.GC()
	before := mem.HeapAlloc
	runtime.ReadMemStats(&mem)
	b.Logf("heap after summing the running totals: %d MB (+%d MB)", mem.HeapAlloc>>20, (int64(mem.HeapAlloc)-int64(before))>>20)
	head, _ := runner.Status()
	cfg := league.DefaultConfig()
	svc := league.NewService(runner, s, cfg)
	var periods []league.Period
	for _, p := range []string{"2024", "2025", "2024-Q4", "2025-Q2", "2025-Q3", "2024-11", "2025-06", "2025-12", "2024-12-15..2025-03-10", "2025-03-10..2025-08-20"} {
		period, err := league.ParsePeriod(p)
		if err != nil {
			b.Fatal(err)
		}
		periods = append(periods, period)
	}
	levels := []league.Level{league.LevelStreet, league.LevelCommunity, league.LevelDistrict, league.LevelCompound, league.LevelCompany}
	rng := rand.New(rand.NewPCG(1, 2))
	query := func() league.Query {
		return league.Query{Level: levels[rng.IntN(len(levels))], Period: periods[rng.IntN(len(periods))]}
	}
	table := func(b *testing.B, req league.Request) league.Table {
		tb, err := svc.Table(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		return tb
	}
	b.Run("indexes", func(b *testing.B) {
		measure(b, func() {
			pos := 1 + rng.Uint64N(head-1)
			if tb := table(b, league.Request{Query: query(), View: projections.Query{AsOfPosition: pos}}); tb.Position != pos {
				b.Fatalf("as of %d: a table at %d", pos, tb.Position)
			}
		})
	})
	b.Run("indexes-page", func(b *testing.B) { // the first 100 rows, as a paged API asks
		measure(b, func() {
			q := query()
			q.Limit = 100
			pos := 1 + rng.Uint64N(head-1)
			if tb := table(b, league.Request{Query: q, View: projections.Query{AsOfPosition: pos}}); len(tb.Rows) > 100 || tb.Units < len(tb.Rows) {
				b.Fatalf("a page of %d rows of %d", len(tb.Rows), tb.Units)
			}
		})
	})
	b.Run("live-served", func(b *testing.B) {
		for _, l := range levels { // every table asked once: then cached, as the service serves them
			for _, p := range periods {
				table(b, league.Request{Query: league.Query{Level: l, Period: p}})
			}
		}
		measure(b, func() { table(b, league.Request{Query: query()}) })
	})
	b.Run("live-cold", func(b *testing.B) {
		runner.Read(func(m *league.Model) {
			m.Index()
			measure(b, func() { m.Table(cfg, query()) })
		})
	})
	b.Run("restore", func(b *testing.B) {
		var snap []byte
		runner.Read(func(m *league.Model) {
			var err error
			if snap, err = m.Snapshot(); err != nil {
				b.Fatal(err)
			}
		})
		measure(b, func() {
			if err := newModel().Restore(snap); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(len(snap))/1e6, "snapshot_MB") // after the loop, which clears what was reported before it
	})
	b.Run("replay-from-zero", func(b *testing.B) {
		measure(b, func() {
			pos := head/4 + rng.Uint64N(head/2)
			m, err := runner.AsOf(ctx, s, pos)
			if err != nil {
				b.Fatal(err)
			}
			m.Table(cfg, query())
		})
	})
}

// BenchmarkLeagueQuery1M: the street table of a year at a million events:
// walking every fact of the model (walk, the baseline); from the model's
// month index (cold: what a request that misses the cache costs), for a
// past year and for a year judged mid-month (two cut months walked); and
// served through the league service (the API's path) while events keep
// arriving, one every 100 µs, so that the model moves on under the queries.
func BenchmarkLeagueQuery1M(b *testing.B) {
	s := benchCity(b)
	defer s.Close()
	ctx := context.Background()
	cps := projections.NewMemoryCheckpoints()
	runner, _ := projections.NewRunner(func() *league.Model { return league.New(domain.DefaultRuleBook()) }, cps, 1<<40)
	const live = 20000 // events left to arrive during the queries
	head := lastPosition(b, s)
	if err := projections.Fold(ctx, s, runner, head-live); err != nil {
		b.Fatal(err)
	}
	cfg := league.DefaultConfig()
	year, _ := league.ParsePeriod("2025")
	q := league.Query{Level: league.LevelStreet, Period: year}
	midMonth := q
	midMonth.At = time.Date(2025, 11, 15, 12, 0, 0, 0, domain.China)
	cold := func(q league.Query, indexed bool) func(b *testing.B) {
		return func(b *testing.B) {
			var lat []time.Duration
			runner.Read(func(m *league.Model) {
				if indexed {
					t := time.Now()
					m.Index() // once per model: the first table the service computes builds it
					b.Logf("month index ready in %s", time.Since(t).Round(time.Millisecond))
				}
				runtime.GC() // the catch-up's garbage is not the queries' to collect
				for b.Loop() {
					t := time.Now()
					m.Table(cfg, q)
					lat = append(lat, time.Since(t))
				}
			})
			reportLatency(b, lat)
		}
	}
	b.Run("walk", cold(q, false))
	b.Run("cold", cold(q, true))
	b.Run("cold-judged-mid-month", cold(midMonth, true))
	b.Run("served-while-writing", func(b *testing.B) {
		svc := league.NewService(runner, s, cfg)
		svc.Table(ctx, league.Request{Query: q}) // the first view computes the table
		tail, _ := s.ReadAll(ctx, head-live, live)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, e := range tail {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Microsecond):
				}
				runner.Handle(e)
			}
		}()
		var lat []time.Duration
		var moved uint64
		for b.Loop() {
			t := time.Now()
			tb, err := svc.Table(ctx, league.Request{Query: q})
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
			moved = tb.Position
		}
		close(stop)
		<-done
		reportLatency(b, lat)
		b.ReportMetric(float64(moved-(head-live)), "events_applied_meanwhile")
	})
}

func lastPosition(b *testing.B, s *Store) uint64 {
	var pos int64
	if err := s.r.QueryRow(`SELECT max(position) FROM events`).Scan(&pos); err != nil {
		b.Fatal(err)
	}
	return uint64(pos)
}

// measure runs do in b's loop, from a collected heap, and reports its
// latencies, allocations (also the most one call allocated), and the
// process's CPU time per call (the collector's included: what a call's
// garbage costs).
func measure(b *testing.B, do func()) {
	b.ReportAllocs()
	runtime.GC()
	var lat []time.Duration
	var most uint64
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	cpu := sqlitetest.CPUTime()
	for b.Loop() {
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		t := time.Now()
		do()
		lat = append(lat, time.Since(t))
		metrics.Read(allocs)
		most = max(most, allocs[0].Value.Uint64()-before)
	}
	reportLatency(b, lat)
	b.ReportMetric(float64((sqlitetest.CPUTime()-cpu).Microseconds())/1000/float64(len(lat)), "cpu_ms/op")
	b.ReportMetric(float64(most)/1e6, "max_MB/op")
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
