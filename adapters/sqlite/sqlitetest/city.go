// Package sqlitetest holds the generated 1M-event city the benchmarks of
// several packages run on: built once through the command service and kept
// in $CASETRACK_BENCH_DIR (default: the temp dir) for later runs.
//
// It takes the store's opener rather than importing adapters/sqlite, so
// that package's own (internal) benchmarks can use it too.
package sqlitetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Compounds is the city's size: 9,600 compounds over two years, about 1M events.
const Compounds = 9600

// City opens the generated city with open, generating it first when the
// file is not there yet (minutes); the file and its ".done" marker keep
// their names, so a city built before is found again.
func City[S domain.EventStore](tb testing.TB, open func(path string) (S, error)) S {
	tb.Helper()
	dir := os.Getenv("CASETRACK_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("casetrack-bench-%d.db", Compounds))
	if _, err := os.Stat(path + ".done"); err == nil {
		s, err := open(path)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	os.Remove(path)
	start := time.Now()
	ctx := context.Background()
	mem := memory.NewStore()
	cfg := demo.DefaultConfig()
	cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 6, 16, Compounds/96
	if _, err := demo.Load(ctx, app.NewService(mem, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler)))), cfg, 8, nil); err != nil {
		tb.Fatal(err)
	}
	all, _ := mem.ReadAll(ctx, 0, 0)
	s, err := open(path)
	if err != nil {
		tb.Fatal(err)
	}
	// Copy command by command, streams in parallel, each stream in order.
	byStream := map[string][][]domain.Envelope{}
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].CommandID == all[i].CommandID {
			j++
		}
		byStream[all[i].StreamID] = append(byStream[all[i].StreamID], all[i:j])
		i = j
	}
	streams := make(chan [][]domain.Envelope)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for cmds := range streams {
				for _, c := range cmds {
					if _, err := s.Append(ctx, domain.AppendRequest{StreamID: c[0].StreamID, ExpectedVersion: c[0].Version - 1,
						CommandID: c[0].CommandID, Events: c}); err != nil {
						tb.Error(err)
					}
				}
			}
		})
	}
	for _, cmds := range byStream {
		streams <- cmds
	}
	close(streams)
	wg.Wait()
	os.WriteFile(path+".done", nil, 0o644)
	tb.Logf("generated %d events in %s at %s", len(all), time.Since(start).Round(time.Second), path)
	return s
}

// CatchUp folds the city into each projection, together, from the start;
// it fails tb if one cannot, and says how long it took.
func CatchUp(tb testing.TB, store domain.EventStore, ps ...projections.Projection) time.Duration {
	tb.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(func() {
			if err := projections.Fold(context.Background(), store, p, 0); err != nil {
				tb.Error(err)
			}
		})
	}
	wg.Wait()
	if tb.Failed() {
		tb.FailNow()
	}
	tb.Logf("read models caught up to %d events in %s", ps[0].Position(), time.Since(start).Round(time.Millisecond))
	return time.Since(start)
}
