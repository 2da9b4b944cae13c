package watermill

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
)

// Two instances of one store on one NATS: commands land on either, and
// both instances' projections apply every event once and equal a rebuild.
func TestNATSBusTwoInstancesActAsOne(t *testing.T) {
	url := os.Getenv("CASETRACK_TEST_NATS")
	if url == "" {
		t.Skip("set CASETRACK_TEST_NATS=nats://127.0.0.1:4222 (a NATS server with JetStream) to run")
	}
	prefix := fmt.Sprintf("casetrack_test_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		if nc, err := nats.Connect(url); err == nil {
			if js, err := nc.JetStream(); err == nil {
				js.DeleteStream(prefix + "_events")
				js.DeleteStream(prefix + "_poison")
			}
			nc.Close()
		}
	})
	twoInstances(t, func(name string, store domain.EventStore, runners []projections.Live) (*Bus, error) {
		return NewNATS(NATSConfig{URL: url, Instance: name, Prefix: prefix}, store, quiet, runners...)
	})
}

// twoInstances runs two buses ("instances") on one store: commands land on
// either, and both instances' projections apply every event once and
// equal a rebuild.
func twoInstances(t *testing.T, openBus func(name string, store domain.EventStore, runners []projections.Live) (*Bus, error)) {
	store := demoStore(t, false)
	type instance struct {
		league *projections.Runner[*league.Model]
		ledger *projections.Runner[*ledger]
		led    *ledger
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	var instances []instance
	for _, name := range []string{"i1", "i2"} {
		in := instance{led: &ledger{}}
		var err error
		if in.league, err = projections.NewRunner(newLeague, projections.NewMemoryCheckpoints(), 1000); err != nil {
			t.Fatal(err)
		}
		if in.ledger, err = projections.NewRunner(func() *ledger { return in.led }, projections.NewMemoryCheckpoints(), 1000); err != nil {
			t.Fatal(err)
		}
		bus, err := openBus(name, store, []projections.Live{in.league, in.ledger})
		if err != nil {
			t.Fatal(err)
		}
		go func() { done <- bus.Run(ctx) }()
		instances = append(instances, in)
	}
	select { // a bus that cannot start says why at once
	case err := <-done:
		t.Fatalf("a bus stopped: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	// Commands on both instances while they run: these arrive through the bus.
	svcs := []*app.Service{app.NewService(store, domain.DefaultRuleBook()), app.NewService(store, domain.DefaultRuleBook())}
	for i := range 30 {
		cmd := domain.HoldJointMeeting{MeetingID: fmt.Sprintf("nats-%d", i), Attendees: []string{"党支部"}}
		if _, err := svcs[i%2].Execute(context.Background(), fmt.Sprintf("C%04d", 1+i%20), cmd, app.Meta{}); err != nil &&
			domain.ErrorCode(err) != domain.CodeRejected {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	all, _ := store.ReadAll(context.Background(), 0, 0)
	last := all[len(all)-1].Position
	want := digest(rebuild(t, store))
	for i, in := range instances {
		waitFor(t, in.league, last)
		waitFor(t, in.ledger, last)
		var got string
		in.league.Read(func(m *league.Model) { got = digest(m) })
		if got != want {
			pos, _ := in.league.Status()
			for k := range min(len(got), len(want)) {
				if got[k] != want[k] {
					t.Errorf("instance %d at %d (last %d): league tables differ from a rebuild near %q vs %q", i+1, pos, last, got[max(0, k-80):k+40], want[max(0, k-80):k+40])
					break
				}
			}
		}
		in.led.mu.Lock()
		for j, p := range in.led.positions {
			if p != uint64(j+1) {
				t.Fatalf("instance %d: the %d-th event applied is position %d", i+1, j+1, p)
			}
		}
		in.led.mu.Unlock()
	}
	cancel()
	for range instances {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
