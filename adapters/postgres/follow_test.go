package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// fold is the tests' projection of the global log: per stream a count and
// a digest of its events in order. It refuses a gap or a reordering, so a
// follower that was ever shown position p+1 before p fails.
type fold struct {
	position uint64
	streams  map[string]streamFold
}

type streamFold struct {
	Count  uint64
	Digest [32]byte
}

func newFold() *fold { return &fold{streams: map[string]streamFold{}} }

func (f *fold) apply(e domain.Envelope) error {
	if e.Position != f.position+1 {
		return fmt.Errorf("after position %d the log showed %d: an event was skipped or reordered", f.position, e.Position)
	}
	sf := f.streams[e.StreamID]
	if e.Version != sf.Count+1 {
		return fmt.Errorf("%s: version %d follows %d", e.StreamID, e.Version, sf.Count)
	}
	h := sha256.New()
	h.Write(sf.Digest[:])
	h.Write(binary.BigEndian.AppendUint64(nil, e.Position))
	h.Write([]byte(e.Hash))
	sf.Count++
	h.Sum(sf.Digest[:0])
	f.streams[e.StreamID] = sf
	f.position = e.Position
	return nil
}

// follower tails a store as a projection would: ReadAll pages, then wait
// for Changed. It rides out an unavailable store by trying again.
type follower struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	fold     *fold
	err      error
	advanced chan struct{}
}

func startFollower(s domain.EventStore, onEvent func(domain.Envelope)) *follower {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{cancel: cancel, done: make(chan struct{}), fold: newFold(), advanced: make(chan struct{})}
	go func() {
		defer close(f.done)
		for ctx.Err() == nil {
			changed := s.Changed()
			page, err := s.ReadAll(ctx, f.fold.position, 1000)
			if domain.ErrorCode(err) == domain.CodeUnavailable {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			f.mu.Lock()
			for _, e := range page {
				if onEvent != nil {
					onEvent(e)
				}
				if err == nil {
					err = f.fold.apply(e)
				}
			}
			if err != nil && ctx.Err() == nil {
				f.err = err
			}
			close(f.advanced)
			f.advanced = make(chan struct{})
			f.mu.Unlock()
			if f.err != nil {
				return
			}
			if len(page) == 0 {
				select {
				case <-changed:
				case <-ctx.Done():
				}
			}
		}
	}()
	return f
}

func (f *follower) stop() {
	f.cancel()
	<-f.done
}

// waitFor waits until the follower has applied position, and fails on its
// error or after a minute.
func (f *follower) waitFor(tb testing.TB, position uint64) *fold {
	tb.Helper()
	deadline := time.After(time.Minute)
	for {
		f.mu.Lock()
		at, err, advanced := f.fold.position, f.err, f.advanced
		if err == nil && at >= position {
			defer f.mu.Unlock()
			return &fold{position: at, streams: maps.Clone(f.fold.streams)}
		}
		f.mu.Unlock()
		if err != nil {
			tb.Fatalf("follower: %v", err)
		}
		select {
		case <-advanced:
		case <-deadline:
			tb.Fatalf("follower stuck at position %d, want %d", at, position)
		}
	}
}

// rebuild folds a full re-read of the log.
func rebuild(tb testing.TB, s domain.EventStore) *fold {
	tb.Helper()
	f := newFold()
	for {
		page, err := s.ReadAll(context.Background(), f.position, 10000)
		if err != nil {
			tb.Fatal(err)
		}
		if len(page) == 0 {
			return f
		}
		for _, e := range page {
			if err := f.apply(e); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// load is writers appending to random streams, through several store
// instances, until budget events are acknowledged or the deadline (if set)
// passes. The writers of an instance share what they know of each stream's
// version, as the command service caches compounds, and catch up on a
// conflict; with sharedView all instances' writers share one view.
type load struct {
	stores     []domain.EventStore
	writers    int
	streams    int
	size       func(r *rand.Rand) int // events per append
	onAck      func(domain.AppendResult)
	sharedView bool
	deadline   time.Time

	conflicts atomic.Int64
}

// versions is one instance's view of the streams.
type versions struct {
	mu sync.Mutex
	v  map[string]uint64
}

func (vs *versions) get(stream string) uint64 {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.v[stream]
}

func (vs *versions) saw(stream string, v uint64) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.v[stream] = max(vs.v[stream], v)
}

func (l *load) run(tb testing.TB, budget int64) (acked int64) {
	tb.Helper()
	var left, done atomic.Int64
	left.Store(budget)
	views := make([]*versions, len(l.stores))
	for i := range views {
		if views[i] = views[0]; i == 0 || !l.sharedView {
			views[i] = &versions{v: map[string]uint64{}}
		}
	}
	var wg sync.WaitGroup
	for w := range l.writers {
		wg.Go(func() {
			ctx := context.Background()
			store, view := l.stores[w%len(l.stores)], views[w%len(l.stores)]
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for i := 0; l.deadline.IsZero() || time.Now().Before(l.deadline); i++ {
				n := int64(l.size(rng))
				if rem := left.Add(-n); rem < 0 {
					if n += rem; n <= 0 {
						return
					}
				}
				stream := fmt.Sprint("compound-", rng.IntN(l.streams))
				evs := storetest.Events(int(n), time.Now().UTC().Truncate(time.Microsecond))
				for {
					known := view.get(stream)
					res, err := store.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: known,
						CommandID: fmt.Sprintf("w%d-%d", w, i), Events: evs})
					if domain.ErrorCode(err) == domain.CodeConflict {
						l.conflicts.Add(1)
						seen, err := store.ReadStream(ctx, stream, domain.StreamQuery{FromVersion: known + 1})
						if err != nil {
							tb.Error(err)
							return
						}
						view.saw(stream, known+uint64(len(seen)))
						continue
					}
					if err != nil {
						tb.Error(err)
						return
					}
					view.saw(stream, res.Version)
					done.Add(int64(len(res.Events)))
					if l.onAck != nil {
						l.onAck(res)
					}
					break
				}
			}
		})
	}
	wg.Wait()
	return done.Load()
}

// TestFollowUnderLoad: 64 writers on random streams, through two store
// instances, while a projection on a third follows the log by its
// notifications. The projection must equal a rebuild from a full re-read,
// with no event skipped (the fold refuses gaps).
func TestFollowUnderLoad(t *testing.T) {
	dsn := freshSchema(t)
	follower := startFollower(open(t, dsn), nil)
	defer follower.stop()
	l := &load{stores: []domain.EventStore{open(t, dsn), open(t, dsn)}, writers: 64, streams: 40,
		size: func(r *rand.Rand) int { return r.IntN(3) + 1 }}
	acked := l.run(t, 3000)
	if t.Failed() {
		t.FailNow()
	}
	got := follower.waitFor(t, uint64(acked))
	want := rebuild(t, open(t, dsn))
	if want.position != uint64(acked) || got.position != want.position || !maps.Equal(got.streams, want.streams) {
		t.Fatalf("projection at %d with %d streams, rebuild at %d with %d streams, %d events acknowledged",
			got.position, len(got.streams), want.position, len(want.streams), acked)
	}
}

// BenchmarkFollowUnderLoad is the test above at scale: b.N single-event
// appends by 64 writers on 10,000 streams through two instances, a
// follower on a third, with autovacuum off on the log's tables, so events is
// never analyzed and every plan is made without statistics. It reports the
// append rate over each tenth of the run (100,000 events in a run of a
// million) and the last and slowest tenth's rate against the first's, the
// follower's lag from acknowledgement to read, and conflicts per append.
//
// The sub-benchmarks differ only in what the writers know of the streams'
// versions. With per_instance views (as two casetrack instances each
// cache their own compounds) a writer learns of the other instance's
// appends only by a conflict: the last append to a stream came from the
// other instance about half the time, and each such append first fails,
// re-reads the stream and retries, so conflicts per append approach 0.5.
// With one shared view a conflict needs two writers on one stream at once:
// 64 writers over 10,000 streams, well under 0.01.
//
//	go test -run '^$' -bench FollowUnderLoad -benchtime 1000000x -timeout 60m ./adapters/postgres/
func BenchmarkFollowUnderLoad(b *testing.B) {
	b.Run("views=per_instance", func(b *testing.B) { benchFollowUnderLoad(b, false) })
	b.Run("views=shared", func(b *testing.B) { benchFollowUnderLoad(b, true) })
}

// followBudget bounds one run; what was acknowledged by then is reported.
const followBudget = 25 * time.Minute

func benchFollowUnderLoad(b *testing.B, sharedView bool) {
	dsn := freshSchema(b)
	psql(b, dsn, "ALTER TABLE events SET (autovacuum_enabled = false)", // this schema's tables only
		"ALTER TABLE log_head SET (autovacuum_enabled = false)")
	acked, seen := make([]time.Time, b.N), make([]time.Time, b.N)
	follower := startFollower(open(b, dsn), func(e domain.Envelope) { seen[e.Position-1] = time.Now() })
	defer follower.stop()
	l := &load{stores: []domain.EventStore{open(b, dsn), open(b, dsn)}, writers: 64, streams: 10000,
		size:       func(*rand.Rand) int { return 1 },
		onAck:      func(r domain.AppendResult) { acked[r.Position-1] = time.Now() },
		sharedView: sharedView, deadline: time.Now().Add(followBudget)}
	loadavg := sampleLoad()
	b.ResetTimer()
	start := time.Now()
	n := l.run(b, int64(b.N))
	elapsed := time.Since(start)
	got := follower.waitFor(b, uint64(n))
	b.StopTimer()
	loadavg.stop()
	want := rebuild(b, open(b, dsn))
	if got.position != want.position || want.position != uint64(n) || !maps.Equal(got.streams, want.streams) {
		b.Fatalf("projection at %d, rebuild at %d, %d of %d acknowledged", got.position, want.position, n, b.N)
	}
	if n < int64(b.N) {
		b.Logf("stopped at the %v budget: %d of %d events acknowledged", followBudget, n, b.N)
	}
	acked, seen = acked[:n], seen[:n]
	lags := make([]time.Duration, n)
	for i := range lags {
		lags[i] = max(seen[i].Sub(acked[i]), 0)
	}
	rates := intervalRates(b, start, acked, loadavg)
	slowest := slices.Min(rates)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(rates[0], "first_tenth_events/s")
	b.ReportMetric(rates[len(rates)-1], "last_tenth_events/s")
	b.ReportMetric(rates[len(rates)-1]/rates[0], "last/first")
	b.ReportMetric(slowest/rates[0], "slowest/first")
	b.ReportMetric(percentile(lags, 0.99).Seconds()*1000, "lag_p99_ms")
	b.ReportMetric(float64(l.conflicts.Load())/float64(n), "conflicts/op")
}

// intervalRates splits the acknowledgements, in time order, into tenths
// (at most 100,000 events each, the last taking the remainder) and returns
// each one's rate in events/s, logging them with the machine's load.
func intervalRates(b *testing.B, start time.Time, acked []time.Time, load *loadSampler) []float64 {
	times := slices.Clone(acked)
	slices.SortFunc(times, time.Time.Compare)
	size := max(min(len(times)/10, 100_000), 1)
	var rates []float64
	from := start
	for lo := 0; lo < len(times); {
		hi := min(lo+size, len(times))
		if len(times)-hi < size/2 { // a short remainder joins the last interval
			hi = len(times)
		}
		to := times[hi-1]
		rates = append(rates, float64(hi-lo)/to.Sub(from).Seconds())
		if len(times) >= 10 { // not the single append Go runs first
			b.Logf("events %7d-%7d: %6.0f events/s, load average %s", lo+1, hi, rates[len(rates)-1], load.mean(from, to))
		}
		from, lo = to, hi
	}
	return rates
}

// loadSampler notes the machine's one-minute load average every second,
// so that an interval slowed by other work on a shared machine can be told
// from a store that slows as it grows. It reads /proc/loadavg (Linux).
type loadSampler struct {
	mu      sync.Mutex
	at      []time.Time
	load    []float64
	stopped chan struct{}
	done    chan struct{}
}

func sampleLoad() *loadSampler {
	s := &loadSampler{stopped: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			var v float64
			if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
				if _, err := fmt.Sscan(string(raw), &v); err == nil {
					s.mu.Lock()
					s.at, s.load = append(s.at, time.Now()), append(s.load, v)
					s.mu.Unlock()
				}
			}
			select {
			case <-tick.C:
			case <-s.stopped:
				return
			}
		}
	}()
	return s
}

func (s *loadSampler) stop() {
	close(s.stopped)
	<-s.done
}

// mean is the average load sampled between from and to, else the last
// sample before, or "n/a".
func (s *loadSampler) mean(from, to time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum, last float64
	var n int
	for i, at := range s.at {
		if !at.After(to) {
			last = s.load[i]
			if !at.Before(from) {
				sum, n = sum+s.load[i], n+1
			}
		}
	}
	switch {
	case n > 0:
		return fmt.Sprintf("%.1f", sum/float64(n))
	case len(s.at) > 0 && !s.at[0].After(to):
		return fmt.Sprintf("%.1f", last)
	}
	return "n/a"
}
