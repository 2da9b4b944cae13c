package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/audit/audittest"
	"github.com/casetrack/casetrack/domain"
)

// BenchmarkVerifyCity verifies the generated 1M-event city (its events
// carry the hashes of before the audit; they verify unchanged), next to
// its baseline from the same run: reading the whole log without checking
// anything. Run it with CASETRACK_BENCH_DIR set to keep the city.
func BenchmarkVerifyCity(b *testing.B) {
	store := sqlitetest.City(b, sqlite.Open)
	b.Cleanup(func() { store.Close() }) // after the audit service stops
	ctx := context.Background()
	_, vkey, _ := audit.GenerateKey("bench")
	v, _ := audit.NewVerifier(vkey)
	b.Run("read-only", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = 0
			for after := uint64(0); ; {
				page, err := store.ReadAll(ctx, after, 10000)
				if err != nil {
					b.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				n += len(page)
				after = page[len(page)-1].Position
			}
		}
		b.ReportMetric(float64(n), "events")
	})
	b.Run("verify", func(b *testing.B) {
		var rep audit.Report
		for b.Loop() {
			var err error
			if rep, err = audit.Verify(ctx, store, v, nil); err != nil || !rep.OK() {
				b.Fatal(err, rep.Problems)
			}
		}
		b.ReportMetric(float64(rep.Events), "events")
	})
}

// BenchmarkAppendWithTree: 32 writers append single-event commands to the
// embedded store, without and then with the audit service following the
// log (tree maintenance and a checkpoint every second, as serve runs it).
// Target: with at most 10% slower than without.
func BenchmarkAppendWithTree(b *testing.B) {
	for _, withTree := range []bool{false, true} {
		b.Run(map[bool]string{false: "without-tree", true: "with-tree"}[withTree], func(b *testing.B) {
			store, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { store.Close() }) // after the audit service stops
			if withTree {
				runService(b, store, audit.CheckpointEvery)
			}
			appendConcurrently(b, store, b.N)
		})
	}
}

// appendConcurrently appends n single-event commands from 32 writers.
func appendConcurrently(b *testing.B, store domain.EventStore, n int) {
	const writers = 32
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprint("compound-bench-", w)
			var version uint64
			for next.Add(1) <= int64(n) {
				if _, err := store.Append(context.Background(), domain.AppendRequest{StreamID: stream, ExpectedVersion: version,
					Events: storetest.Events(1, at)}); err != nil {
					b.Error(err)
					return
				}
				version++
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "appends/s")
}

// runService runs an audit service over store until the benchmark ends.
func runService(b *testing.B, store *sqlite.Store, every time.Duration) *audit.Service {
	skey, _, _ := audit.GenerateKey("bench")
	return audittest.Run(b, store, skey, every, nil)
}

// BenchmarkCheckpointLatency: while 8 writers append steadily, how long
// from an event's append being acknowledged to a signed checkpoint that
// covers it (serve's default: a checkpoint at most every second). Each
// probe is appended just after the checkpoint covering the one before: the
// worst phase. Target: at most 2 s. Baseline from the same run: the
// append's own latency.
func BenchmarkCheckpointLatency(b *testing.B) {
	store, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() }) // after the audit service stops
	svc := runService(b, store, audit.CheckpointEvery)
	ctx, cancel := context.WithCancel(context.Background())
	var load sync.WaitGroup
	defer func() { cancel(); load.Wait() }()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for w := range 8 {
		load.Go(func() {
			var version uint64
			for ctx.Err() == nil {
				if _, err := store.Append(ctx, domain.AppendRequest{StreamID: fmt.Sprint("compound-load-", w), ExpectedVersion: version,
					Events: storetest.Events(1, at)}); err == nil {
					version++
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	var toSigned, toAck []time.Duration
	var version uint64
	for b.Loop() {
		start := time.Now()
		res, err := store.Append(ctx, domain.AppendRequest{StreamID: "compound-probe", ExpectedVersion: version, Events: storetest.Events(1, at)})
		if err != nil {
			b.Fatal(err)
		}
		version++
		acked := time.Now()
		for {
			if _, c, err := svc.Latest(); err == nil && c.Size >= res.Position {
				break
			}
			time.Sleep(time.Millisecond)
		}
		toAck, toSigned = append(toAck, acked.Sub(start)), append(toSigned, time.Since(acked))
	}
	slices.Sort(toSigned)
	slices.Sort(toAck)
	b.ReportMetric(toSigned[len(toSigned)/2].Seconds(), "s-to-checkpoint-p50")
	b.ReportMetric(toSigned[len(toSigned)-1].Seconds(), "s-to-checkpoint-max")
	b.ReportMetric(toAck[len(toAck)/2].Seconds(), "s-append-p50")
}
