package sqlite

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
)

// BenchmarkDirectoryAsOf1M: compound lists (case-file summaries) as of
// random past positions (knowledge time), the whole city or one district or
// street at random, read from the directory's histories through ListAt
// (the API's path, less the JSON): latency, and allocation per request.
// Baselines from the same run: the live list through the same path, and a
// list replayed from zero to a random position (what an as-of list cost
// before, below the oldest kept snapshot; one replay is enough). Also what
// the histories cost: the heap after catch-up with and without them, their
// versions, and the snapshot's size and restore.
func BenchmarkDirectoryAsOf1M(b *testing.B) {
	s := benchCity(b)
	defer s.Close()
	ctx := context.Background()
	runner, _ := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 1<<40) // no snapshot: a replay folds from zero
	head := lastPosition(b, s)
	if err := projections.Fold(ctx, s, runner, 0); err != nil {
		b.Fatal(err)
	}
	var filters []directory.Filter // the city, and each compound's district and street
	runner.Read(func(m *directory.Model) {
		filters = append(filters, directory.Filter{})
		for _, e := range m.List(directory.Filter{}) {
			filters = append(filters, directory.Filter{District: e.District}, directory.Filter{District: e.District, Street: e.Street})
		}
	})
	with := heapMB()
	rng := rand.New(rand.NewPCG(1, 2))
	list := func(b *testing.B, q projections.Query) (uint64, []directory.Entry) {
		pos, l, err := directory.ListAt(ctx, runner, s, q, filters[rng.IntN(len(filters))])
		if err != nil {
			b.Fatal(err)
		}
		return pos, l
	}
	b.Run("histories", func(b *testing.B) {
		measure(b, func() {
			want := 1 + rng.Uint64N(head-1)
			if pos, _ := list(b, projections.Query{AsOfPosition: want}); pos != want {
				b.Fatalf("as of %d: a list at %d", want, pos)
			}
		})
	})
	b.Run("live", func(b *testing.B) {
		measure(b, func() { list(b, projections.Query{}) })
	})
	b.Run("restore", func(b *testing.B) {
		var snap []byte
		runner.Read(func(m *directory.Model) {
			var err error
			if snap, err = m.Snapshot(); err != nil {
				b.Fatal(err)
			}
		})
		measure(b, func() {
			if err := directory.New().Restore(snap); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(len(snap))/1e6, "snapshot_MB") // after the loop, which clears what was reported before it
	})
	b.Run("replay-from-zero", func(b *testing.B) {
		measure(b, func() {
			m, err := runner.AsOf(ctx, s, head/4+rng.Uint64N(head/2))
			if err != nil {
				b.Fatal(err)
			}
			m.List(filters[rng.IntN(len(filters))])
		})
	})
	// What the histories cost: the model restored from its snapshot, and
	// from one without them, in turn, the rest of the heap the same.
	var full, bare []byte
	runner.Read(func(m *directory.Model) {
		cards, counts := 0, 0
		for _, h := range m.History {
			cards, counts = cards+len(h.Cards), counts+len(h.Counts)
		}
		b.Logf("histories of %d compounds: %d cards, %d counts, %d strings, %d times", len(m.History), cards, counts, len(m.Strings), len(m.Times))
		var err error
		if full, err = m.Snapshot(); err != nil {
			b.Fatal(err)
		}
		histories, interned := m.History, m.Interned
		m.History, m.Interned = nil, directory.Interned{}
		if bare, err = m.Snapshot(); err != nil {
			b.Fatal(err)
		}
		m.History, m.Interned = histories, interned
	})
	restored := func(snap []byte) float64 {
		m := directory.New()
		if err := m.Restore(snap); err != nil {
			b.Fatal(err)
		}
		heap := heapMB()
		runtime.KeepAlive(m)
		return heap
	}
	withR, withoutR := restored(full), restored(bare)
	runtime.KeepAlive(full)
	b.Logf("heap after catch-up: %.1f MB (the directory with its histories); restored from a snapshot: %.1f MB with the histories, %.1f MB without (%.1f MB for them)",
		with, withR, withoutR, withR-withoutR)
}

// heapMB is the live heap after a collection.
func heapMB() float64 {
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	return float64(mem.HeapAlloc) / (1 << 20)
}
