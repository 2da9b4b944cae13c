package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
	"github.com/google/uuid"
)

// BenchmarkCityAppend: 32 goroutines append single-event commands to
// random compounds of a private copy of the 1M-event city, each with a
// random event and command ID as the API's are, next to the baseline of
// BenchmarkComplaintLoad in the same run: appends to fresh streams of
// their own with increasing IDs. A third figure appends to fresh streams
// with random IDs, which tells the event-ID index's share of the gap from
// the stream indexes'. Each figure runs 5 s a round, two rounds
// alternating; the second is reported.
func BenchmarkCityAppend(b *testing.B) {
	s := sqlitetest.CityCopy(b, Open, (*Store).Close)
	defer s.Close()
	ctx := context.Background()
	compounds := sqlitetest.Compounds(b)
	versions := make([]uint64, compounds)
	for i := range versions {
		if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM events WHERE stream_id = ?`,
			fmt.Sprintf("C%04d", 1+i)).Scan(&versions[i]); err != nil {
			b.Fatal(err)
		}
	}
	const writers = 32
	at := time.Now().UTC().Truncate(time.Microsecond)
	data := []byte(`{"complaint_id":"X","channel":"hotline","kind":"complaint","category":"fees","summary":"物业费上涨"}`)
	rate := func(op func(w int, rng *rand.Rand) error) float64 {
		var done atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
				for time.Since(start) < 5*time.Second {
					if err := op(w, rng); err != nil {
						b.Error(err)
						return
					}
					done.Add(1)
				}
			})
		}
		wg.Wait()
		return float64(done.Load()) / time.Since(start).Seconds()
	}
	appendTo := func(stream string, version *uint64, id string) error {
		ev := storetest.Events(1, at)
		ev[0].Data = data
		if id != "" {
			ev[0].EventID = id
		}
		_, err := s.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: *version, CommandID: ev[0].EventID, Events: ev})
		*version++
		return err
	}
	round := 0
	fresh := func(random bool) func(w int, _ *rand.Rand) error {
		round++
		versions := make([]uint64, writers)
		prefix := fmt.Sprintf("append-bench-%d-", round)
		return func(w int, _ *rand.Rand) error {
			id := ""
			if random {
				id = uuid.NewString()
			}
			return appendTo(prefix+fmt.Sprint(w), &versions[w], id)
		}
	}
	city := func(w int, rng *rand.Rand) error {
		i := w + writers*rng.IntN(compounds/writers) // each goroutine its own compounds
		return appendTo(fmt.Sprintf("C%04d", 1+i), &versions[i], uuid.NewString())
	}
	for b.Loop() {
		var freshRate, randomRate, cityRate float64
		for range 2 {
			freshRate = rate(fresh(false))
			cityRate = rate(city)
			randomRate = rate(fresh(true))
		}
		b.ReportMetric(freshRate, "fresh_appends/s")
		b.ReportMetric(randomRate, "fresh_random_id_appends/s")
		b.ReportMetric(cityRate, "city_appends/s")
		b.ReportMetric(cityRate/freshRate, "ratio_city_vs_fresh")
	}
}
