// Package sqlitetest holds the generated city the benchmarks of several
// packages run on (about 1M events, or 10M for a province): built once
// through the command service and kept in $CASETRACK_BENCH_DIR (default:
// the temp dir) for later runs.
//
// It takes the store's opener rather than importing adapters/sqlite, so
// that package's own (internal) benchmarks can use it too.
package sqlitetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// DefaultCompounds is the city's size unless $CASETRACK_BENCH_COMPOUNDS
// says otherwise: 9,600 compounds over two years, about 1M events (96,000
// make the 10M-event province).
const DefaultCompounds = 9600

// Compounds is the size of the city the benchmarks use: a multiple of 96
// (6 districts of 16 streets).
func Compounds(tb testing.TB) int {
	v := os.Getenv("CASETRACK_BENCH_COMPOUNDS")
	if v == "" {
		return DefaultCompounds
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 96 || n%96 != 0 {
		tb.Fatalf("CASETRACK_BENCH_COMPOUNDS=%q: want a multiple of 96, at least 96", v)
	}
	return n
}

// City opens the generated city with open, generating it first when the
// file is not there yet (minutes for 1M events); the file, named for its
// size, and its ".done" marker keep their names, so a city built before is
// found again.
func City[S domain.EventStore](tb testing.TB, open func(path string) (S, error)) S {
	tb.Helper()
	return CityOf(tb, open, Compounds(tb))
}

// CityOf is City of the given number of compounds (a multiple of 96).
func CityOf[S domain.EventStore](tb testing.TB, open func(path string) (S, error), compounds int) S {
	tb.Helper()
	dir := os.Getenv("CASETRACK_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("casetrack-bench-%d.db", compounds))
	if _, err := os.Stat(path + ".done"); err == nil {
		s, err := open(path)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	os.Remove(path)
	s, err := open(path)
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	events, err := Generate(context.Background(), s, compounds, func(done, total int) {
		if done%100 == 0 || done == total {
			fmt.Fprintf(os.Stderr, "city of %d compounds: day %d of %d, %s\n", compounds, done, total, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	took := time.Since(start)
	tb.Logf("generated %d events in %s (%.0f events/s) at %s", events, took.Round(time.Second), float64(events)/took.Seconds(), path)
	// The marker comes once the store is closed (its log checkpointed into
	// the file): another process may copy the file as soon as it is there.
	c, closes := any(s).(io.Closer)
	if closes {
		if err := c.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(path+".done", nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	if closes {
		if s, err = open(path); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// CityCopy opens a private copy of the city in tb's temp dir, for
// benchmarks that write: the shared file is only read (and generated first
// when it is not there yet).
func CityCopy[S domain.EventStore](tb testing.TB, open func(path string) (S, error), closeStore func(S) error) S {
	tb.Helper()
	dir := os.Getenv("CASETRACK_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	name := fmt.Sprintf("casetrack-bench-%d.db", Compounds(tb))
	if _, err := os.Stat(filepath.Join(dir, name+".done")); err != nil {
		if err := closeStore(City(tb, open)); err != nil {
			tb.Fatal(err)
		}
	}
	to := filepath.Join(tb.TempDir(), name)
	for _, suffix := range []string{"", "-wal"} {
		err := copyFile(filepath.Join(dir, name+suffix), to+suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	s, err := open(to)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}

// Generate records the demo city of the given size (a multiple of 96) in
// store through the command service, so every event obeys the domain rules
// and seals into its stream's hash chain as any other. It holds a window
// of days' steps and the compounds' states, not the events: the store's
// writer commits what the loader's many workers append together, in
// batches.
func Generate(ctx context.Context, store domain.EventStore, compounds int, progress func(done, total int)) (int, error) {
	cfg := demo.DefaultConfig()
	cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 6, 16, compounds/96
	// Every compound stays cached: an evicted one would be read back
	// whole at its next command, every few simulated days.
	svc := app.NewService(&soleWriter{EventStore: store, heads: map[string]uint64{}}, domain.DefaultRuleBook(), app.WithCacheBytes(1<<40),
		app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))))
	// Many workers: the store's writer commits whatever they have waiting
	// in one transaction, so more of them make fewer, larger commits.
	return demo.Load(ctx, svc, cfg, 256, progress)
}

// soleWriter answers a read past the version it last appended to a stream
// with nothing, without asking the store: the command service reads a
// compound's newer events before every command, and while the city is
// generated nobody else writes.
type soleWriter struct {
	domain.EventStore
	mu    sync.Mutex
	heads map[string]uint64
}

func (w *soleWriter) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	res, err := w.EventStore.Append(ctx, req)
	if err == nil {
		w.mu.Lock()
		w.heads[req.StreamID] = res.Version
		w.mu.Unlock()
	}
	return res, err
}

func (w *soleWriter) ReadStream(ctx context.Context, streamID string, q domain.StreamQuery) ([]domain.Envelope, error) {
	w.mu.Lock()
	head, ok := w.heads[streamID]
	w.mu.Unlock()
	if ok && q.FromVersion > head && q == (domain.StreamQuery{FromVersion: q.FromVersion}) {
		return nil, nil
	}
	return w.EventStore.ReadStream(ctx, streamID, q)
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

// PeakRSS is the process's peak resident set in bytes (VmHWM), 0 where
// /proc has none.
func PeakRSS() float64 { return procStatus("VmHWM:") }

// RSS is the process's resident set in bytes now (VmRSS), 0 where /proc
// has none.
func RSS() float64 { return procStatus("VmRSS:") }

func procStatus(field string) float64 {
	status, _ := os.ReadFile("/proc/self/status")
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
