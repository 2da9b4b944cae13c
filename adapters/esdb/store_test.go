package esdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// run keeps the namespaces of one test run apart from earlier runs'.
var (
	run   = time.Now().UnixNano()
	opens atomic.Int64
)

// serverURL is the server to test against, from ESDB_URL; without one the
// test is skipped.
func serverURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("ESDB_URL")
	if url == "" {
		t.Skip("no EventStoreDB server: set ESDB_URL to run these tests against one, e.g.\n" +
			"  docker run -d -p 2113:2113 docker.kurrent.io/kurrent-latest/kurrentdb:latest --insecure\n" +
			"  ESDB_URL='esdb://localhost:2113?tls=false' go test ./adapters/esdb/\n" +
			"(see docs/esdb.md)")
	}
	return url
}

// open connects to the server in a namespace of its own, so each test sees
// an empty store.
func open(t *testing.T) *Store {
	t.Helper()
	url := serverURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, url, WithNamespace(fmt.Sprintf("casetrack-test-%x-%d-", run, opens.Add(1))))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	serverURL(t)
	storetest.RunWith(t, func(t *testing.T) domain.EventStore { return open(t) }, storetest.Options{DensePositions: false})
}

func TestSubscribe(t *testing.T) {
	s := open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var appended []domain.Envelope
	for i, stream := range []string{"compound-a", "compound-b", "compound-a"} {
		expected := map[int]uint64{2: 2}[i]
		res, err := s.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: expected,
			CommandID: fmt.Sprintf("cmd-%d", i), Events: storetest.Events(2, time.Now())})
		if err != nil {
			t.Fatal(err)
		}
		appended = append(appended, res.Events...)
	}

	// A relay that stops after four events, then resumes from its
	// checkpoint and sees the live append too.
	var got []domain.Envelope
	stop := errors.New("stop")
	collect := func(n int) func(domain.Envelope) error {
		return func(e domain.Envelope) error {
			got = append(got, e)
			if len(got) == n {
				return stop
			}
			return nil
		}
	}
	if err := s.Subscribe(ctx, 0, collect(4)); err != stop {
		t.Fatalf("first run: %v", err)
	}
	live := make(chan []domain.Envelope, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		res, err := s.Append(ctx, domain.AppendRequest{StreamID: "compound-c", CommandID: "cmd-live", Events: storetest.Events(1, time.Now())})
		if err != nil {
			t.Error(err)
		}
		live <- res.Events
	}()
	if err := s.Subscribe(ctx, got[3].Position, collect(7)); err != stop {
		t.Fatalf("resumed run: %v", err)
	}
	appended = append(appended, <-live...)
	if len(got) != len(appended) {
		t.Fatalf("delivered %d events, appended %d", len(got), len(appended))
	}
	for i := range got {
		if got[i].EventID != appended[i].EventID || got[i].Position != appended[i].Position {
			t.Fatalf("event %d: delivered %s@%d, appended %s@%d", i, got[i].EventID, got[i].Position,
				appended[i].EventID, appended[i].Position)
		}
	}
}
