package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/adapters/postgres"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/migrations"
)

// testDSN is the database the tests may create schemas in, or a skip.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CASETRACK_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("needs PostgreSQL: set CASETRACK_TEST_POSTGRES to a database the tests may create schemas in, " +
			"e.g. CASETRACK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable (.ci/run does)")
	}
	return dsn
}

var schemas atomic.Int64

// freshSchema creates and migrates an empty schema of its own, dropped at
// cleanup, and returns a DSN whose search_path is that schema: each test
// starts from nothing and reruns are independent.
func freshSchema(t testing.TB) string {
	t.Helper()
	dsn := testDSN(t)
	name := fmt.Sprintf("casetrack_test_%d_%d", os.Getpid(), schemas.Add(1))
	psql(t, dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE", "CREATE SCHEMA "+name)
	t.Cleanup(func() { psql(t, dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE") })
	dsn = withSearchPath(dsn, name)
	if _, err := migrations.Up(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func withSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn + " search_path=" + schema // key=value form
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// psql runs statements on a connection of its own.
func psql(t testing.TB, dsn string, statements ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) domain.EventStore { return open(t, freshSchema(t)) })
}

// Migrating again changes nothing; the store's pool settings in the URL
// do not bother the migrations.
func TestMigrateTwice(t *testing.T) {
	dsn, sep := freshSchema(t), "&"
	if !strings.Contains(dsn, "://") {
		sep = " "
	}
	dsn += sep + "pool_max_conns=3"
	applied, err := migrations.Up(context.Background(), dsn)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migration applied %v, %v", applied, err)
	}
	open(t, dsn)
}

func TestOpenWithoutSchema(t *testing.T) {
	dsn := testDSN(t)
	name := fmt.Sprintf("casetrack_test_%d_empty", os.Getpid())
	psql(t, dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE", "CREATE SCHEMA "+name)
	t.Cleanup(func() { psql(t, dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE") })
	_, err := postgres.Open(context.Background(), withSearchPath(dsn, name))
	if err == nil || !strings.Contains(err.Error(), "casetrack migrate") {
		t.Fatalf("open without schema: %v", err)
	}
}

// A server that is not there fails fast, as unavailable. Needs no PostgreSQL.
func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	_, err := postgres.Open(context.Background(), "postgres://casetrack@127.0.0.1:1/none?sslmode=disable")
	if domain.ErrorCode(err) != domain.CodeUnavailable || time.Since(start) > 5*time.Second {
		t.Fatalf("open unreachable: %v after %v", err, time.Since(start))
	}
}

// Two stores on one database act as one: one log, the other's wake-ups,
// its conflicts and its command IDs.
func TestInstancesShareOneLog(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t)
	a, b := open(t, dsn), open(t, dsn)
	at := time.Now().UTC().Truncate(time.Microsecond)

	woken := b.Changed()
	res, err := a.Append(ctx, domain.AppendRequest{StreamID: "compound-a", CommandID: "cmd-1", Events: storetest.Events(2, at)})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("the other instance was not woken")
	}
	if all, err := b.ReadAll(ctx, 0, 0); err != nil || len(all) != 2 || all[1].Hash != res.Events[1].Hash {
		t.Fatalf("the other instance reads %d events, %v", len(all), err)
	}
	_, err = b.Append(ctx, domain.AppendRequest{StreamID: "compound-a", CommandID: "cmd-2", Events: storetest.Events(1, at)})
	if domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatalf("stale append on the other instance: %v", err)
	}
	dup, err := b.Append(ctx, domain.AppendRequest{StreamID: "compound-a", CommandID: "cmd-1", Events: storetest.Events(2, at)})
	if err != nil || !dup.Duplicate || dup.Position != 2 {
		t.Fatalf("retry on the other instance: %+v, %v", dup, err)
	}
	next, err := b.Append(ctx, domain.AppendRequest{StreamID: "compound-a", ExpectedVersion: 2, CommandID: "cmd-2",
		Events: storetest.Events(1, at)})
	if err != nil || next.Position != 3 || next.Events[0].PrevHash != res.Events[1].Hash {
		t.Fatalf("append on the other instance: %+v, %v", next, err)
	}
	if err := a.VerifyStream(ctx, "compound-a"); err != nil {
		t.Fatal(err)
	}
}

// Times finer than timestamptz keeps are sealed as they are stored, so the
// chain verifies after the round trip.
func TestNanosecondsAreSealedAsStored(t *testing.T) {
	ctx := context.Background()
	s := open(t, freshSchema(t))
	evs := storetest.Events(1, time.Date(2025, 5, 1, 8, 0, 0, 123456789, time.UTC))
	res, err := s.Append(ctx, domain.AppendRequest{StreamID: "compound-a", CommandID: "cmd-1", Events: evs})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Events[0].OccurredAt.Nanosecond(); got != 123456000 {
		t.Fatalf("sealed occurred_at has %d ns", got)
	}
	if err := s.VerifyStream(ctx, "compound-a"); err != nil {
		t.Fatal(err)
	}
}

// An event ID used before fails its own append only, even in a shared batch.
func TestReusedEventIDFailsAlone(t *testing.T) {
	ctx := context.Background()
	s := open(t, freshSchema(t))
	at := time.Now().UTC().Truncate(time.Microsecond)
	first := storetest.Events(1, at)
	if _, err := s.Append(ctx, domain.AppendRequest{StreamID: "compound-a", CommandID: "cmd-1", Events: first}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 20)
	for i := range cap(errs) {
		go func() {
			evs := storetest.Events(1, at)
			if i == 0 {
				evs = first // same event ID, another command and stream
			}
			_, err := s.Append(ctx, domain.AppendRequest{StreamID: fmt.Sprint("compound-b", i), CommandID: fmt.Sprint("cmd-b", i), Events: evs})
			if i == 0 && domain.ErrorCode(err) != domain.CodeConflict || i != 0 && err != nil {
				errs <- fmt.Errorf("append %d: %v", i, err)
				return
			}
			errs <- nil
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if all, err := s.ReadAll(ctx, 0, 0); err != nil || len(all) != cap(errs) || all[len(all)-1].Position != uint64(cap(errs)) {
		t.Fatalf("log has %d events, %v", len(all), err)
	}
}

// ScanAll, the rebuilds' fast path, streams what ReadAll pages.
func TestScanAll(t *testing.T) {
	ctx := context.Background()
	s := open(t, freshSchema(t))
	versions := map[string]uint64{}
	for i := range 5 {
		stream := fmt.Sprint("compound-", i%2)
		res, err := s.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: versions[stream],
			CommandID: fmt.Sprint("cmd-", i), Events: storetest.Events(2, time.Now())})
		if err != nil {
			t.Fatal(err)
		}
		versions[stream] = res.Version
	}
	want, err := s.ReadAll(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []domain.Envelope
	if err := s.ScanAll(ctx, 3, func(e domain.Envelope) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("scan read %d events, ReadAll %d", len(got), len(want))
	}
}
