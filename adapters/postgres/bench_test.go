package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// BenchmarkConcurrentAppend: 32 writers append single-event commands to
// their own streams while a follower tails the log. In the same run, in
// rounds, the very rows the store wrote are written again into identical
// tables by 32 connections, one per stream: (a) one plain INSERT per
// transaction, and (b) through an append serialised by an advisory lock on
// the category, as message-db's write_message does (lock, read the
// stream's version, check, insert; one round trip). All commit with the
// server's durability (synchronous_commit as configured). It reports the
// three rates, the store's ratios to them, the store's append latency and
// the follower's catch-up lag: from an append's acknowledgement to the
// moment the follower reads it.
//
//	go test -run '^$' -bench ConcurrentAppend -benchtime 100000x ./adapters/postgres/
func BenchmarkConcurrentAppend(b *testing.B) {
	const writers = 32
	ctx := context.Background()
	s := open(b, freshSchema(b))
	raw := benchPool(b, freshSchema(b), writers)
	lockDSN := freshSchema(b)
	psql(b, lockDSN, "CREATE SEQUENCE message_position", advisoryAppend)
	advisory := benchPool(b, lockDSN, writers)

	acked := make([]time.Time, b.N) // by position-1
	seen := make([]time.Time, b.N)
	follower := startFollower(s, func(e domain.Envelope) { seen[e.Position-1] = time.Now() })
	defer follower.stop()

	const rounds = 4
	versions := make([]uint64, writers)
	var storeTime, rawTime, lockTime time.Duration
	var latencies []time.Duration
	var mu sync.Mutex
	var after uint64
	b.ResetTimer()
	for r := range rounds {
		n := b.N*(r+1)/rounds - b.N*r/rounds
		if n == 0 {
			continue
		}
		b.StopTimer()
		evs := benchEvents(n)
		b.StartTimer()

		start := time.Now()
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				stream := fmt.Sprint("compound-bench-", w)
				var mine []time.Duration
				for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
					t0 := time.Now()
					res, err := s.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: versions[w],
						CommandID: fmt.Sprintf("cmd-%d-%d", w, versions[w]), Events: evs[i : i+1]})
					if err != nil {
						b.Error(err)
						return
					}
					acked[res.Position-1] = time.Now()
					mine = append(mine, acked[res.Position-1].Sub(t0))
					versions[w] = res.Version
				}
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		storeTime += time.Since(start)

		b.StopTimer()
		rows, err := s.ReadAll(ctx, after, 0)
		if err != nil || len(rows) != n {
			b.Fatalf("read back %d events, %v", len(rows), err)
		}
		after = rows[len(rows)-1].Position
		b.StartTimer()
		rawTime += concurrently(b, rows, func(e domain.Envelope) error {
			_, err := raw.Exec(ctx, `INSERT INTO events (`+columns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
				$11, $12, $13, $14, $15, $16, $17)`, rowArgs(e)...)
			return err
		})
		lockTime += concurrently(b, rows, func(e domain.Envelope) error {
			args := rowArgs(e)[1:] // message_append takes the position from its sequence
			_, err := advisory.Exec(ctx, `SELECT message_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
				$14, $15, $16)`, args...)
			return err
		})
	}
	b.StopTimer()
	follower.waitFor(b, after)

	var lags []time.Duration
	for i := range acked {
		lags = append(lags, max(seen[i].Sub(acked[i]), 0))
	}
	events := float64(b.N)
	storeRate, rawRate, lockRate := events/storeTime.Seconds(), events/rawTime.Seconds(), events/lockTime.Seconds()
	b.ReportMetric(float64(storeTime.Nanoseconds())/events, "ns/op")
	b.ReportMetric(storeRate, "store_events/s")
	b.ReportMetric(rawRate, "raw_events/s")
	b.ReportMetric(lockRate, "advisory_events/s")
	b.ReportMetric(storeRate/rawRate, "ratio_vs_raw")
	b.ReportMetric(storeRate/lockRate, "ratio_vs_advisory")
	b.ReportMetric(percentile(latencies, 0.99).Seconds()*1000, "append_p99_ms")
	b.ReportMetric(percentile(lags, 0.99).Seconds()*1000, "lag_p99_ms")
}

// advisoryAppend is message-db's write path on our table: a transaction
// -scoped advisory lock on the category serialises the version check and
// the insert, positions come from a sequence.
const advisoryAppend = `CREATE FUNCTION message_append(p_stream text, p_version bigint, p_event_id text, p_type text,
	p_schema integer, p_occurred timestamptz, p_recorded timestamptz, p_user text, p_role text, p_org text,
	p_correlation text, p_causation text, p_command text, p_data bytea, p_prev_hash text, p_hash text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	head bigint;
	pos bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext(split_part(p_stream, '-', 1)));
	SELECT coalesce(max(version), 0) INTO head FROM events WHERE stream_id = p_stream;
	IF head <> p_version - 1 THEN
		RAISE EXCEPTION 'stream % is at version %, not %', p_stream, head, p_version - 1;
	END IF;
	pos := nextval('message_position');
	INSERT INTO events VALUES (pos, p_stream, p_version, p_event_id, p_type, p_schema, p_occurred, p_recorded,
		p_user, p_role, p_org, p_correlation, p_causation, p_command, p_data, p_prev_hash, p_hash);
	RETURN pos;
END $$`

const columns = `position, stream_id, version, event_id, type, schema_version, occurred_at, recorded_at,
	actor_user, actor_role, actor_org, correlation_id, causation_id, command_id, data, prev_hash, hash`

func rowArgs(e domain.Envelope) []any {
	return []any{int64(e.Position), e.StreamID, int64(e.Version), e.EventID, e.Type, e.SchemaVersion, e.OccurredAt,
		e.RecordedAt, e.Actor.UserID, e.Actor.Role, e.Actor.Organisation, e.CorrelationID, e.CausationID, e.CommandID,
		[]byte(e.Data), e.PrevHash, e.Hash}
}

func benchPool(b *testing.B, dsn string, conns int) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns, cfg.MinConns = int32(conns), int32(conns)
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

// concurrently writes rows with one goroutine per stream, each in version
// order, and returns how long they took.
func concurrently(b *testing.B, rows []domain.Envelope, write func(domain.Envelope) error) time.Duration {
	streams := map[string][]domain.Envelope{}
	for _, e := range rows {
		streams[e.StreamID] = append(streams[e.StreamID], e)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, mine := range streams {
		wg.Go(func() {
			for _, e := range mine {
				if err := write(e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// benchEvents are single events with a JSON payload of about 260 bytes, as
// a complaint's is.
func benchEvents(n int) []domain.Envelope {
	evs := storetest.Events(n, time.Now().UTC().Truncate(time.Microsecond))
	for i := range evs {
		evs[i].Data = fmt.Appendf(nil, `{"complaint_id":"20250302%06d","channel":"hotline","kind":"complaint","category":"parking",`+
			`"summary":"车位被占，业主多次反映无果","reporter":"owner","building":"%d","unit":"%d","room":"%d","note":"%s"}`,
			i, i%40, i%6, i%2000, strings.Repeat("x", 40))
	}
	return evs
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[min(int(float64(len(ds))*p), len(ds)-1)]
}
