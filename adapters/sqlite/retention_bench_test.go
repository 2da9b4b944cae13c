package sqlite

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/complaints"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// BenchmarkSnapshotDisk1M: the size of projections.db after the five read
// models serve runs have caught up with the 1M-event city, saving a
// snapshot every 20,000 events as serve does, keeping 3 of each (the
// default of --snapshots-keep) and, as before retention, all of them; next
// to the event store's size (the baseline: the target is at most half).
func BenchmarkSnapshotDisk1M(b *testing.B) {
	s := benchCity(b)
	defer s.Close()
	events := fileSize(b, s.r)
	for b.Loop() {
		b.ReportMetric(events/1e6, "events_MB") // metrics reported before the loop are reset
		for _, keep := range []struct {
			name string
			n    int
		}{{"keep3", 3}, {"keep_all", math.MaxInt}} {
			size, took, _ := snapshotDisk(b, s, keep.n, filepath.Join(b.TempDir(), "projections.db"))
			b.ReportMetric(size/1e6, "snapshots_"+keep.name+"_MB")
			b.ReportMetric(size/events, "ratio_"+keep.name)
			b.ReportMetric(took.Seconds(), "catch_up_"+keep.name+"_s")
		}
	}
}

// snapshotDisk catches the read models up in a new snapshot file at path
// keeping keep snapshots of each, and returns the file's size, the time
// taken and the caught-up runners.
func snapshotDisk(b *testing.B, s *Store, keep int, path string) (float64, time.Duration, []projections.Projection) {
	file, err := OpenCheckpoints(path, keep)
	if err != nil {
		b.Fatal(err)
	}
	runners := serveRunners(b, projections.Anchored(file, s))
	took := sqlitetest.CatchUp(b, s, runners...)
	for _, r := range runners {
		if err := r.(projections.Live).Save(); err != nil { // as serve does on its way out
			b.Fatal(err)
		}
	}
	size := fileSize(b, file.db)
	if err := file.Close(); err != nil {
		b.Fatal(err)
	}
	return size, took, runners
}

// serveRunners makes the runners of the five read models serve runs,
// snapshotting every 20,000 events into cps, each restored from its latest
// snapshot there, if any.
func serveRunners(b *testing.B, cps projections.Checkpoints) []projections.Projection {
	book := domain.DefaultRuleBook()
	var runners []projections.Projection
	add := func(r projections.Projection, err error) {
		if err != nil {
			b.Fatal(err)
		}
		runners = append(runners, r)
	}
	add(projections.NewRunner(directory.New, cps, 20000))
	add(projections.NewRunner(func() *league.Model { return league.New(book) }, cps, 20000))
	add(projections.NewRunner(func() *credit.Model { return credit.New(book) }, cps, 20000))
	add(projections.NewRunner(deadlines.New, cps, 20000))
	add(projections.NewRunner(complaints.New, cps, 20000))
	return runners
}

// fileSize is the size of an SQLite database: its pages, used or free.
func fileSize(b *testing.B, db *sql.DB) float64 {
	var n int64
	if err := db.QueryRowContext(context.Background(),
		`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return float64(n)
}
