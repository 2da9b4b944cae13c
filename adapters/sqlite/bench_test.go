package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// The benchmarks set the store beside raw INSERTs of the same rows into the
// same table shape, with the same pragmas, in the same run: the ratio is the
// store's overhead (idempotency and head look-ups, hashing, the writer
// queue), the raw figure what SQLite itself allows on this disk.

// BenchmarkDurableAppend: one event per Append, each committed on its own,
// next to one row per committed transaction.
func BenchmarkDurableAppend(b *testing.B) {
	compare(b, 1, 1, func(s *Store, from, to int, evs []domain.Envelope) {
		for i := from; i < to; i++ {
			mustAppend(b, s, "compound-bench", uint64(i), fmt.Sprint("cmd-", i), evs[i-from:i-from+1])
		}
	})
}

// BenchmarkConcurrentAppend: 32 goroutines append single-event commands to
// their own streams and share group commits, next to transactions of 32
// rows, the most one group commit of theirs can hold.
func BenchmarkConcurrentAppend(b *testing.B) {
	const writers = 32
	versions := make([]uint64, writers)
	compare(b, 1, writers, func(s *Store, from, to int, evs []domain.Envelope) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				stream := fmt.Sprint("compound-bench-", w)
				for i := next.Add(1) - 1; i < int64(to-from); i = next.Add(1) - 1 {
					mustAppend(b, s, stream, versions[w], fmt.Sprintf("cmd-%d-%d", w, versions[w]), evs[i:i+1])
					versions[w]++
				}
			})
		}
		wg.Wait()
	})
}

// BenchmarkBatchAppend: one Append of 100 events, next to one transaction
// of 100 rows.
func BenchmarkBatchAppend(b *testing.B) {
	const size = 100
	compare(b, size, size, func(s *Store, from, to int, evs []domain.Envelope) {
		for i := from; i < to; i++ {
			mustAppend(b, s, "compound-bench", uint64(i*size), fmt.Sprint("cmd-", i), evs[(i-from)*size:(i-from+1)*size])
		}
	})
}

// compare runs b.N store operations of perOp events each, in a few rounds,
// handing them events made beforehand. After each round it inserts the very
// rows the store wrote into a second file, perRaw rows to a transaction, so
// that both see the same data and the same disk weather. It reports both
// rates and their ratio; ns/op is the store's.
func compare(b *testing.B, perOp, perRaw int, store func(s *Store, from, to int, evs []domain.Envelope)) {
	ctx := context.Background()
	dir := b.TempDir()
	s, err := Open(filepath.Join(dir, "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, "raw.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		b.Fatal(err)
	}
	ins, err := db.Prepare(`INSERT INTO events (` + columns + `) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	raw := &rawTable{db, ins}

	const rounds = 4
	var storeTime, rawTime time.Duration
	var events, after uint64
	b.ResetTimer()
	for r := range rounds {
		from, to := b.N*r/rounds, b.N*(r+1)/rounds
		b.StopTimer()
		evs := storetest.Events((to-from)*perOp, time.Now().UTC().Truncate(time.Microsecond))
		b.StartTimer()
		start := time.Now()
		store(s, from, to, evs)
		storeTime += time.Since(start)

		b.StopTimer()
		rows, err := s.ReadAll(ctx, after, 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) > 0 {
			after = rows[len(rows)-1].Position
		}
		events += uint64(len(rows))
		b.StartTimer()

		start = time.Now()
		for i := 0; i < len(rows); i += perRaw {
			raw.insert(b, rows[i:min(i+perRaw, len(rows))]...)
		}
		rawTime += time.Since(start)
	}
	b.StopTimer()

	storeRate := float64(events) / storeTime.Seconds()
	rawRate := float64(events) / rawTime.Seconds()
	b.ReportMetric(float64(storeTime.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(storeRate, "store_events/s")
	b.ReportMetric(rawRate, "raw_events/s")
	b.ReportMetric(storeRate/rawRate, "ratio_vs_raw")
}

func mustAppend(b *testing.B, s *Store, stream string, expected uint64, cmd string, evs []domain.Envelope) {
	_, err := s.Append(context.Background(), domain.AppendRequest{StreamID: stream, ExpectedVersion: expected,
		CommandID: cmd, Events: evs})
	if err != nil {
		b.Error(err)
	}
}

// rawTable is the same table written with plain prepared INSERTs.
type rawTable struct {
	db  *sql.DB
	ins *sql.Stmt
}

// insert writes rows in one transaction.
func (r *rawTable) insert(b *testing.B, rows ...domain.Envelope) {
	tx, err := r.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins := tx.Stmt(r.ins)
	for _, e := range rows {
		if _, err := ins.Exec(e.StreamID, int64(e.Version), e.EventID, e.Type, e.SchemaVersion,
			e.OccurredAt.UnixNano(), e.RecordedAt.UnixNano(), e.Actor.UserID, e.Actor.Role, e.Actor.Organisation,
			e.CorrelationID, e.CausationID, e.CommandID, []byte(e.Data), e.PrevHash, e.Hash); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
