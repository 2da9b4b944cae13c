// Package storetest is the contract suite every domain.EventStore runs: the
// embedded store, PostgreSQL and EventStoreDB adapters call Run (or RunWith,
// for what a backend cannot promise) from their own tests, so they all keep
// the same promises.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Run runs the contract suite. open returns a fresh, empty store for each
// subtest; it should register its own cleanup (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) domain.EventStore) {
	RunWith(t, open, Options{DensePositions: true})
}

// Options relax the suite for stores that cannot keep every promise of the
// embedded store.
type Options struct {
	// DensePositions: global positions are 1, 2, 3… with no gaps. Without
	// it the suite only demands that positions strictly increase in log
	// order (EventStoreDB exposes log offsets, which leave gaps).
	DensePositions bool
}

// follows reports whether position p may come right after prev in the log.
func (o Options) follows(p, prev uint64) bool {
	if o.DensePositions {
		return p == prev+1
	}
	return p > prev
}

// RunWith runs the contract suite with relaxed promises.
func RunWith(t *testing.T, open func(t *testing.T) domain.EventStore, o Options) {
	tests := []struct {
		name string
		fn   func(*testing.T, domain.EventStore, Options)
	}{
		{"AppendNewStream", testAppendNewStream},
		{"Conflicts", testConflicts},
		{"Idempotency", testIdempotency},
		{"VersionsAndPositions", testVersionsAndPositions},
		{"ReadStreamQuery", testReadStreamQuery},
		{"UnknownStream", testUnknownStream},
		{"ReadAll", testReadAll},
		{"TimesRoundTrip", testTimesRoundTrip},
		{"LongStream", testLongStream},
		{"ConcurrentStreams", testConcurrentStreams},
		{"ConcurrentSameStream", testConcurrentSameStream},
		{"ConcurrentRetries", testConcurrentRetries},
		{"Changed", testChanged},
		{"CanceledContext", testCanceledContext},
		{"EventByID", testEventByID},
		{"CommandScope", testCommandScope},
		{"UnstorableTimes", testUnstorableTimes},
		{"KeysThroughService", testKeysThroughService},
		{"Snapshots", testSnapshots},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t), o) })
	}
}

// testEventByID: a store that opens events by ID (domain.EventFinder)
// returns each appended event as ReadAll does, and false for an unknown ID.
func testEventByID(t *testing.T, s domain.EventStore, _ Options) {
	f, ok := s.(domain.EventFinder)
	if !ok {
		t.Skip("the store does not open events by ID")
	}
	mustAppend(t, s, req("s-a", 0, "c1", 2))
	mustAppend(t, s, req("s-b", 0, "c2", 1))
	for _, want := range readAll(t, s) {
		got, found, err := f.EventByID(context.Background(), want.EventID)
		if err != nil || !found {
			t.Fatalf("%s: found %v, %v", want.EventID, found, err)
		}
		sameEnvelopes(t, []domain.Envelope{got}, []domain.Envelope{want})
	}
	if _, found, err := f.EventByID(context.Background(), "no-such-event"); found || err != nil {
		t.Errorf("unknown ID: found %v, %v", found, err)
	}
}

// base is a business time with microseconds, as the command service keeps.
var base = time.Date(2024, 3, 1, 9, 30, 15, 123456000, time.UTC)

var eventSeq atomic.Uint64

// Events builds n envelopes as the command service would: unique event IDs,
// microsecond UTC times, a JSON payload. Adapters' own tests use it too.
func Events(n int, at time.Time) []domain.Envelope {
	out := make([]domain.Envelope, n)
	for i := range out {
		seq := eventSeq.Add(1)
		out[i] = domain.Envelope{
			EventID:       fmt.Sprintf("evt-%d-%d", time.Now().UnixNano(), seq),
			Type:          "test.noted",
			SchemaVersion: 1,
			OccurredAt:    at.Add(time.Duration(i) * time.Microsecond),
			RecordedAt:    at.Add(time.Hour + time.Duration(seq)*time.Microsecond),
			Actor:         domain.Actor{UserID: "u-1", Role: "clerk", Organisation: "Tin Hau"},
			CorrelationID: "corr-1",
			CausationID:   "cause-1",
			Data:          []byte(fmt.Sprintf(`{"seq":%d,"note":"第%d件"}`, seq, i)),
		}
	}
	return out
}

func req(stream string, expected uint64, cmd string, n int) domain.AppendRequest {
	return domain.AppendRequest{StreamID: stream, ExpectedVersion: expected, CommandID: cmd, Events: Events(n, base)}
}

func mustAppend(t testing.TB, s domain.EventStore, r domain.AppendRequest) domain.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), r)
	if err != nil {
		t.Fatalf("append %s@%d: %v", r.StreamID, r.ExpectedVersion, err)
	}
	return res
}

// readStream reads a whole stream and checks its hash chain.
func readStream(t testing.TB, s domain.EventStore, stream string) []domain.Envelope {
	t.Helper()
	got, err := s.ReadStream(context.Background(), stream, domain.StreamQuery{})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	if err := domain.VerifyChain(got); err != nil {
		t.Fatalf("chain of %s: %v", stream, err)
	}
	return got
}

func readAll(t testing.TB, s domain.EventStore) []domain.Envelope {
	t.Helper()
	got, err := s.ReadAll(context.Background(), 0, 1<<30)
	if err != nil {
		t.Fatalf("read all: %v", err)
	}
	return got
}

// sameEnvelopes compares stored envelopes field by field; times with Equal,
// since a store may hand back another *time.Location.
func sameEnvelopes(t testing.TB, got, want []domain.Envelope) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.OccurredAt.Equal(w.OccurredAt) || !g.RecordedAt.Equal(w.RecordedAt) {
			t.Fatalf("event %d times: got %v/%v, want %v/%v", i, g.OccurredAt, g.RecordedAt, w.OccurredAt, w.RecordedAt)
		}
		if !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("event %d data: got %s, want %s", i, g.Data, w.Data)
		}
		g.OccurredAt, g.RecordedAt, g.Data = time.Time{}, time.Time{}, nil
		w.OccurredAt, w.RecordedAt, w.Data = time.Time{}, time.Time{}, nil
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func wantCode(t testing.TB, err error, code domain.Code) {
	t.Helper()
	if got := domain.ErrorCode(err); err == nil || got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
}

func testAppendNewStream(t *testing.T, s domain.EventStore, o Options) {
	r := req("compound-a", 0, "cmd-1", 3)
	res := mustAppend(t, s, r)
	if res.StreamID != "compound-a" || res.Version != 3 || res.Duplicate || len(res.Events) != 3 || res.Position != res.Events[2].Position {
		t.Fatalf("result %+v", res)
	}
	prev, pos := "", uint64(0)
	for i, e := range res.Events {
		in := r.Events[i]
		if e.Version != uint64(i+1) || !o.follows(e.Position, pos) || e.StreamID != "compound-a" || e.CommandID != "cmd-1" ||
			e.EventID != in.EventID || !bytes.Equal(e.Data, in.Data) {
			t.Fatalf("event %d: %+v", i, e)
		}
		if e.PrevHash != prev || e.Hash != e.ComputeHash(prev) {
			t.Fatalf("event %d is not sealed behind %q", i, prev)
		}
		prev, pos = e.Hash, e.Position
	}
	sameEnvelopes(t, readStream(t, s, "compound-a"), res.Events)
	sameEnvelopes(t, readAll(t, s), res.Events)
}

func testConflicts(t *testing.T, s domain.EventStore, _ Options) {
	ctx := context.Background()
	_, err := s.Append(ctx, req("compound-new", 1, "cmd-x", 1))
	wantCode(t, err, domain.CodeConflict)
	if got := readAll(t, s); len(got) != 0 {
		t.Fatalf("conflicting append wrote %d events", len(got))
	}

	mustAppend(t, s, req("compound-a", 0, "cmd-1", 2))
	for _, expected := range []uint64{0, 1, 3, 100} {
		_, err := s.Append(ctx, req("compound-a", expected, fmt.Sprintf("cmd-bad-%d", expected), 2))
		wantCode(t, err, domain.CodeConflict)
	}
	if got := readStream(t, s, "compound-a"); len(got) != 2 {
		t.Fatalf("stream has %d events after conflicts, want 2", len(got))
	}
	if got := readAll(t, s); len(got) != 2 {
		t.Fatalf("log has %d events after conflicts, want 2", len(got))
	}
	// A rejected command ID is not remembered: it can still land.
	if res := mustAppend(t, s, req("compound-a", 2, "cmd-bad-3", 1)); res.Duplicate || res.Version != 3 {
		t.Fatalf("retry after conflict: %+v", res)
	}
}

func testIdempotency(t *testing.T, s domain.EventStore, o Options) {
	first := mustAppend(t, s, req("compound-a", 0, "cmd-1", 2))
	for _, expected := range []uint64{0, 2, 7} { // right or wrong, a retry is a duplicate
		again := mustAppend(t, s, req("compound-a", expected, "cmd-1", 3))
		if !again.Duplicate || again.StreamID != first.StreamID || again.Version != first.Version || again.Position != first.Position {
			t.Fatalf("retry with expected %d: %+v, first %+v", expected, again, first)
		}
		sameEnvelopes(t, again.Events, first.Events)
	}
	mustAppend(t, s, req("compound-a", 2, "cmd-2", 1))
	mustAppend(t, s, req("compound-b", 0, "cmd-3", 1))
	again := mustAppend(t, s, req("compound-a", 3, "cmd-1", 1)) // after the stream moved on
	if !again.Duplicate || again.Version != 2 || again.Position != first.Position {
		t.Fatalf("late retry: %+v", again)
	}
	if got := readAll(t, s); len(got) != 4 {
		t.Fatalf("log has %d events, want 4", len(got))
	}
	if got := readStream(t, s, "compound-a"); len(got) != 3 {
		t.Fatalf("stream has %d events, want 3", len(got))
	}
}

func testVersionsAndPositions(t *testing.T, s domain.EventStore, o Options) {
	versions := map[string]uint64{}
	var pos uint64
	for i, n := range []int{1, 3, 2, 5, 1, 4} {
		stream := []string{"compound-a", "compound-b", "compound-c"}[i%3]
		res := mustAppend(t, s, req(stream, versions[stream], fmt.Sprintf("cmd-%d", i), n))
		for j, e := range res.Events {
			if e.Version != versions[stream]+uint64(j)+1 || !o.follows(e.Position, pos) {
				t.Fatalf("append %d event %d: version %d position %d", i, j, e.Version, e.Position)
			}
			pos = e.Position
		}
		versions[stream] += uint64(n)
		if res.Version != versions[stream] || res.Position != pos {
			t.Fatalf("append %d result %+v", i, res)
		}
	}
	o.checkLog(t, readAll(t, s))
}

func testReadStreamQuery(t *testing.T, s domain.EventStore, _ Options) {
	// Ten events in four appends, interleaved with another stream so that
	// positions are not versions; occurred times go backwards (backdated
	// paper records) while recorded times go forwards.
	for i, n := range []int{3, 2, 4, 1} {
		r := req("compound-a", 0, fmt.Sprintf("cmd-a-%d", i), n)
		r.ExpectedVersion = uint64([]int{0, 3, 5, 9}[i])
		for j := range r.Events {
			r.Events[j].OccurredAt = base.AddDate(0, 0, -10*i).Add(time.Duration(j) * time.Second)
		}
		mustAppend(t, s, r)
		mustAppend(t, s, req("compound-b", uint64(i), fmt.Sprintf("cmd-b-%d", i), 1))
	}
	all := readStream(t, s, "compound-a")
	if len(all) != 10 {
		t.Fatalf("stream has %d events", len(all))
	}
	queries := map[string]domain.StreamQuery{
		"from":          {FromVersion: 4},
		"to":            {ToVersion: 6},
		"range":         {FromVersion: 3, ToVersion: 7},
		"single":        {FromVersion: 5, ToVersion: 5},
		"beyond":        {FromVersion: 11},
		"position":      {ToPosition: all[5].Position},
		"occurred":      {OccurredUntil: all[6].OccurredAt},
		"recorded":      {RecordedUntil: all[4].RecordedAt},
		"recorded+to":   {RecordedUntil: all[8].RecordedAt, ToVersion: 7},
		"occurred+from": {OccurredUntil: all[3].OccurredAt, FromVersion: 2},
		"everything": {FromVersion: 1, ToVersion: 10, ToPosition: all[9].Position,
			OccurredUntil: base.AddDate(1, 0, 0), RecordedUntil: base.AddDate(1, 0, 0)},
		"before all": {OccurredUntil: base.AddDate(-1, 0, 0)},
	}
	for name, q := range queries {
		var want []domain.Envelope
		for _, e := range all {
			if q.Match(e) {
				want = append(want, e)
			}
		}
		got, err := s.ReadStream(context.Background(), "compound-a", q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Run(name, func(t *testing.T) { sameEnvelopes(t, got, want) })
	}
	// Spot checks that the reference itself narrows as meant.
	for name, want := range map[string][]uint64{"range": {3, 4, 5, 6, 7}, "occurred": {6, 7, 10}, "recorded": {1, 2, 3, 4, 5}} {
		got, _ := s.ReadStream(context.Background(), "compound-a", queries[name])
		var versions []uint64
		for _, e := range got {
			versions = append(versions, e.Version)
		}
		if !reflect.DeepEqual(versions, want) {
			t.Fatalf("%s read versions %v, want %v", name, versions, want)
		}
	}
}

func testUnknownStream(t *testing.T, s domain.EventStore, _ Options) {
	mustAppend(t, s, req("compound-a", 0, "cmd-1", 1))
	got, err := s.ReadStream(context.Background(), "compound-none", domain.StreamQuery{})
	if err != nil || len(got) != 0 {
		t.Fatalf("unknown stream: %d events, %v", len(got), err)
	}
}

func testReadAll(t *testing.T, s domain.EventStore, o Options) {
	if got, err := s.ReadAll(context.Background(), 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("empty log: %d events, %v", len(got), err)
	}
	versions := map[string]uint64{}
	var want []domain.Envelope
	for i := range 9 {
		stream := fmt.Sprintf("compound-%d", i%3)
		res := mustAppend(t, s, req(stream, versions[stream], fmt.Sprintf("cmd-%d", i), i%2+1))
		versions[stream] = res.Version
		want = append(want, res.Events...)
	}
	if len(want) != 13 {
		t.Fatalf("appended %d events", len(want))
	}
	var got []domain.Envelope
	for after := uint64(0); ; {
		page, err := s.ReadAll(context.Background(), after, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 5 || !o.follows(page[0].Position, after) {
			t.Fatalf("page after %d: %d events from %d", after, len(page), page[0].Position)
		}
		got = append(got, page...)
		after = page[len(page)-1].Position
	}
	sameEnvelopes(t, got, want)
	if page, _ := s.ReadAll(context.Background(), want[10].Position, 100); len(page) != 2 || page[0].Position != want[11].Position {
		t.Fatalf("tail read %d events", len(page))
	}
	if page, _ := s.ReadAll(context.Background(), want[12].Position, 100); len(page) != 0 {
		t.Fatalf("read past the end: %d events", len(page))
	}
	for stream := range versions { // the log and the streams agree
		var mine []domain.Envelope
		for _, e := range want {
			if e.StreamID == stream {
				mine = append(mine, e)
			}
		}
		sameEnvelopes(t, readStream(t, s, stream), mine)
	}
}

func testTimesRoundTrip(t *testing.T, s domain.EventStore, _ Options) {
	r := req("compound-a", 0, "cmd-1", 3)
	times := []time.Time{
		time.Date(1998, 7, 1, 0, 0, 0, 1000, time.UTC), // a paper record from long ago
		time.Date(2024, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Now().UTC().Truncate(time.Microsecond),
	}
	for i := range r.Events {
		r.Events[i].OccurredAt = times[i]
		r.Events[i].RecordedAt = times[2].Add(time.Duration(i) * time.Microsecond)
	}
	res := mustAppend(t, s, r)
	got := readStream(t, s, "compound-a")
	sameEnvelopes(t, got, res.Events)
	for i, e := range got {
		if !e.OccurredAt.Equal(times[i]) {
			t.Fatalf("event %d occurred at %v, want %v", i, e.OccurredAt, times[i])
		}
	}
	sameEnvelopes(t, readAll(t, s), res.Events)
}

func testLongStream(t *testing.T, s domain.EventStore, o Options) {
	const total = 2000
	var v uint64
	for i := 0; v < total; i++ {
		n := min(i%7+1, total-int(v))
		v = mustAppend(t, s, req("compound-long", v, fmt.Sprintf("cmd-%d", i), n)).Version
	}
	got := readStream(t, s, "compound-long")
	if len(got) != total || got[total-1].Version != total {
		t.Fatalf("read %d events", len(got))
	}
	o.checkLog(t, got) // one stream in an empty store: its positions are the log's
	part, err := s.ReadStream(context.Background(), "compound-long", domain.StreamQuery{FromVersion: 1500, ToVersion: 1510})
	if err != nil {
		t.Fatal(err)
	}
	sameEnvelopes(t, part, got[1499:1510])
}

func testConcurrentStreams(t *testing.T, s domain.EventStore, o Options) {
	const writers, appends = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("compound-%d", w)
			var v uint64
			for i := range appends {
				res, err := s.Append(context.Background(), req(stream, v, fmt.Sprintf("cmd-%d-%d", w, i), i%3+1))
				if err != nil {
					errs <- err
					return
				}
				v = res.Version
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := 0
	for i := range appends {
		want += writers * (i%3 + 1)
	}
	all := readAll(t, s)
	if len(all) != want {
		t.Fatalf("log has %d events, want %d", len(all), want)
	}
	o.checkLog(t, all)
	for w := range writers {
		sameEnvelopes(t, readStream(t, s, fmt.Sprintf("compound-%d", w)), streamOf(all, fmt.Sprintf("compound-%d", w)))
	}
}

// checkLog checks the positions of the whole log, read from the start.
func (o Options) checkLog(t testing.TB, log []domain.Envelope) {
	t.Helper()
	var prev uint64
	for i, e := range log {
		if !o.follows(e.Position, prev) {
			t.Fatalf("log entry %d has position %d after %d", i, e.Position, prev)
		}
		prev = e.Position
	}
}

func streamOf(all []domain.Envelope, stream string) []domain.Envelope {
	var out []domain.Envelope
	for _, e := range all {
		if e.StreamID == stream {
			out = append(out, e)
		}
	}
	return out
}

// testConcurrentSameStream races writers over every expected version of one
// stream in turn: exactly one must win each, the others see a conflict.
func testConcurrentSameStream(t *testing.T, s domain.EventStore, _ Options) {
	const writers, versions = 8, 40
	var (
		mu   sync.Mutex
		wins = map[uint64][]domain.Envelope{} // expected version → the winner's events
		errs []error
		wg   sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for v := range uint64(versions) {
				r := req("compound-hot", v, fmt.Sprintf("cmd-%d-%d", w, v), 1)
				res, err := s.Append(context.Background(), r)
				mu.Lock()
				switch {
				case err == nil:
					wins[v] = append(wins[v], res.Events...)
				case domain.ErrorCode(err) != domain.CodeConflict:
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Fatal(err)
	}
	got := readStream(t, s, "compound-hot")
	if len(got) != versions || len(wins) != versions {
		t.Fatalf("stream has %d events, %d versions won, want %d", len(got), len(wins), versions)
	}
	for v, evs := range wins {
		if len(evs) != 1 {
			t.Fatalf("expected version %d won %d times", v, len(evs))
		}
		sameEnvelopes(t, got[v:v+1], evs)
	}
	if all := readAll(t, s); len(all) != versions {
		t.Fatalf("log has %d events, want %d", len(all), versions)
	}
}

// testConcurrentRetries sends one command many times at once, as a client
// retrying through several servers would: it lands exactly once.
func testConcurrentRetries(t *testing.T, s domain.EventStore, o Options) {
	mustAppend(t, s, req("compound-a", 0, "cmd-0", 1))
	const tries = 16
	results := make([]domain.AppendResult, tries)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range tries {
		wg.Go(func() {
			var err error
			if results[i], err = s.Append(context.Background(), req("compound-a", 1, "cmd-retry", 2)); err != nil {
				t.Error(err)
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
	firsts := 0
	for _, r := range results {
		if !r.Duplicate {
			firsts++
		}
		if r.Version != 3 || len(r.Events) != 2 || r.Position != r.Events[1].Position || (o.DensePositions && r.Position != 3) {
			t.Fatalf("result %+v", r)
		}
		sameEnvelopes(t, r.Events, results[0].Events)
	}
	if firsts != 1 {
		t.Fatalf("%d of %d tries were not duplicates", firsts, tries)
	}
	if got := readStream(t, s, "compound-a"); len(got) != 3 {
		t.Fatalf("stream has %d events, want 3", len(got))
	}
}

func testChanged(t *testing.T, s domain.EventStore, _ Options) {
	for i := range 3 {
		ch := s.Changed()
		select {
		case <-ch:
			t.Fatal("changed before any append")
		default:
		}
		mustAppend(t, s, req("compound-a", uint64(i), fmt.Sprintf("cmd-%d", i), 1))
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatal("changed not closed after an append")
		}
	}
}

func testCanceledContext(t *testing.T, s domain.EventStore, _ Options) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Append(ctx, req("compound-a", 0, "cmd-1", 1)); err == nil {
		t.Fatal("append with a canceled context succeeded")
	}
	if got := readAll(t, s); len(got) != 0 {
		t.Fatalf("canceled append wrote %d events", len(got))
	}
	mustAppend(t, s, req("compound-a", 0, "cmd-1", 1)) // not remembered as done
}
