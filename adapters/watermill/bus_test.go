package watermill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// demoStore is a demo city in memory: the README's whole city (600
// compounds, about 65,000 events), or a tenth of it.
func demoStore(t *testing.T, whole bool) *memory.Store {
	t.Helper()
	store := memory.NewStore()
	cfg := demo.DefaultConfig()
	if !whole {
		cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 1, 3, 20
	}
	if _, err := demo.Load(context.Background(), app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler)))), cfg, 4, nil); err != nil {
		t.Fatal(err)
	}
	return store
}

// digest is every league table of the model, with the events behind each figure.
func digest(m *league.Model) string {
	var b bytes.Buffer
	for _, level := range []league.Level{league.LevelStreet, league.LevelCommunity, league.LevelCompound, league.LevelCompany} {
		tb := m.Table(league.DefaultConfig(), league.Query{Level: level, Explain: true,
			Period: league.Period{From: time.Date(2025, 1, 1, 0, 0, 0, 0, domain.China), To: time.Date(2026, 1, 1, 0, 0, 0, 0, domain.China)}})
		json.NewEncoder(&b).Encode(tb)
	}
	return b.String()
}

func newLeague() *league.Model { return league.New(domain.DefaultRuleBook()) }
func newLedger() *ledger       { return &ledger{} }

// rebuild folds the whole log in one pass, without the bus.
func rebuild(t *testing.T, store domain.EventStore) *league.Model {
	m := newLeague()
	projectiontest.Fold(t, store, m)
	return m
}

// ledger records the positions a projection applied, to catch skips and doubles.
type ledger struct {
	mu        sync.Mutex
	pos       uint64
	positions []uint64
}

func (l *ledger) Name() string { return "ledger" }
func (l *ledger) Apply(e domain.Envelope) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.positions, l.pos = append(l.positions, e.Position), e.Position
	return nil
}
func (l *ledger) Position() uint64  { return l.pos }
func (l *ledger) Handled() []string { return nil } // it reads every event, undecoded
func (l *ledger) Snapshot() ([]byte, error) {
	return json.Marshal(l.positions)
}
func (l *ledger) Restore(b []byte) error {
	if err := json.Unmarshal(b, &l.positions); err != nil {
		return err
	}
	l.pos = 0
	if n := len(l.positions); n > 0 {
		l.pos = l.positions[n-1]
	}
	return nil
}

// crashable checkpoints lose every save after the crash, like a process
// killed before its final snapshot.
type crashable struct {
	*projections.MemoryCheckpoints
	mu      sync.Mutex
	crashed bool
}

func (c *crashable) Save(name string, pos uint64, snap []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed {
		return nil
	}
	return c.MemoryCheckpoints.Save(name, pos, snap)
}

func waitFor(t *testing.T, r interface {
	WaitFor(context.Context, uint64) error
}, pos uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
}

// Catching up through the bus, killed halfway and restarted from the last
// snapshot, gives the same read model as a rebuild; no event is skipped
// or applied twice.
func TestBusCatchUpEqualsRebuildAcrossAKill(t *testing.T) {
	store := demoStore(t, true)
	all, _ := store.ReadAll(context.Background(), 0, 0)
	last := all[len(all)-1].Position
	cps := &crashable{MemoryCheckpoints: projections.NewMemoryCheckpoints()}

	// First run: stop it abruptly once it is past the middle.
	lr, _ := projections.NewRunner(newLeague, cps, 5000)
	dr, _ := projections.NewRunner(newLedger, cps, 5000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewInProcess(store, quiet, lr, dr).Run(ctx) }()
	waitFor(t, lr, last/2)
	cps.mu.Lock()
	cps.crashed = true // the kill: nothing more reaches the snapshot store
	cps.mu.Unlock()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	saved, _, _ := cps.Load("league", 0)
	if saved == 0 || saved >= last {
		t.Fatalf("last snapshot at %d of %d: the kill did not land in the middle", saved, last)
	}

	// Restart from the snapshots, with more events arriving meanwhile.
	cps.crashed = false
	led2 := &ledger{}
	lr2, _ := projections.NewRunner(newLeague, cps, 5000)
	dr2, _ := projections.NewRunner(func() *ledger { return led2 }, cps, 5000)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() { done <- NewInProcess(store, quiet, lr2, dr2).Run(ctx2) }()
	svc := app.NewService(store, domain.DefaultRuleBook())
	if _, err := svc.Execute(context.Background(), "C0001", domain.FlagConflict{Reason: "新增"}, app.Meta{}); err != nil &&
		domain.ErrorCode(err) != domain.CodeRejected {
		t.Fatal(err)
	}
	all, _ = store.ReadAll(context.Background(), 0, 0)
	last = all[len(all)-1].Position
	waitFor(t, lr2, last)
	waitFor(t, dr2, last)

	var got string
	lr2.Read(func(m *league.Model) { got = digest(m) })
	if want := digest(rebuild(t, store)); got != want {
		t.Fatal("incremental catch-up across a kill differs from a rebuild")
	}
	led2.mu.Lock()
	defer led2.mu.Unlock()
	for i, p := range led2.positions {
		if p != uint64(i+1) {
			t.Fatalf("the %d-th event applied is position %d: skipped or applied twice", i+1, p)
		}
	}
	if uint64(len(led2.positions)) != last {
		t.Fatalf("applied %d events of %d", len(led2.positions), last)
	}
	cancel2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// failing breaks on one position, like a bug in a fold.
type failing struct {
	ledger
	at uint64
}

func (f *failing) Name() string { return "failing" }

func (f *failing) Apply(e domain.Envelope) error {
	if e.Position == f.at {
		return fmt.Errorf("cannot fold position %d", e.Position)
	}
	return f.ledger.Apply(e)
}

// A poisoned event halts its projection at the last good position rather
// than letting it skip the event; other projections go on.
func TestBusPoisonHaltsWithoutSkipping(t *testing.T) {
	store := demoStore(t, false)
	all, _ := store.ReadAll(context.Background(), 0, 0)
	last := all[len(all)-1].Position
	bad, good := &failing{at: 100}, &ledger{}
	br, _ := projections.NewRunner(func() *failing { return bad }, projections.NewMemoryCheckpoints(), 1000)
	gr, _ := projections.NewRunner(func() *ledger { return good }, projections.NewMemoryCheckpoints(), 1000)
	ctx, cancel := context.WithCancel(context.Background())
	bus := NewInProcess(store, quiet, br, gr)
	done := make(chan error, 1)
	go func() { done <- bus.Run(ctx) }()
	waitFor(t, gr, last)
	pos, halted := br.Status()
	for deadline := time.Now().Add(10 * time.Second); halted == nil && time.Now().Before(deadline); pos, halted = br.Status() {
		time.Sleep(10 * time.Millisecond) // the two projections catch up side by side
	}
	if pos != 99 || halted == nil {
		t.Fatalf("failing projection at %d (halted: %v), want halted at 99", pos, halted)
	}
	// The backlog is folded before live delivery; the relay then delivers
	// from the halted position, and the event goes through the retries to
	// the poison queue, counted by the metrics middleware.
	for deadline := time.Now().Add(10 * time.Second); bus.Stats()["failing"].Failed.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the metrics middleware counted no failure")
		}
	}
	if pos, _ := br.Status(); pos != 99 {
		t.Fatalf("the failing projection moved on to %d", pos)
	}
	cancel()
	<-done
}

// A blue/green rebuild: while the new model replays the log, readers are
// answered by the old one and new events keep arriving; after the swap the
// model equals a rebuild.
func TestRebuildSwapsInACaughtUpModel(t *testing.T) {
	store := demoStore(t, false)
	var made []*league.Model // the old model, then the rebuild's
	runner, _ := projections.NewRunner(func() *league.Model {
		made = append(made, newLeague())
		return made[len(made)-1]
	}, projections.NewMemoryCheckpoints(), 1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- NewInProcess(store, quiet, runner).Run(ctx) }()
	all, _ := store.ReadAll(context.Background(), 0, 0)
	waitFor(t, runner, all[len(all)-1].Position)

	old := made[0]
	rebuilt := make(chan error, 1)
	go func() { rebuilt <- runner.Rebuild(context.Background(), store) }()
	svc := app.NewService(store, domain.DefaultRuleBook())
	for i := 0; i < 20; i++ { // writes during the rebuild
		if _, err := svc.Execute(context.Background(), "C0002", domain.HoldJointMeeting{MeetingID: fmt.Sprintf("rb-%d", i), Attendees: []string{"x"}},
			app.Meta{}); err != nil && domain.ErrorCode(err) != domain.CodeRejected {
			t.Fatal(err)
		}
		runner.Read(func(m *league.Model) {
			if m != old && (len(made) < 2 || m != made[1]) {
				t.Error("a reader saw neither model")
			}
		})
	}
	if err := <-rebuilt; err != nil {
		t.Fatal(err)
	}
	runner.Read(func(m *league.Model) {
		if len(made) != 2 || m != made[1] {
			t.Error("the rebuilt model was not swapped in")
		}
	})
	all, _ = store.ReadAll(context.Background(), 0, 0)
	waitFor(t, runner, all[len(all)-1].Position)
	var got string
	runner.Read(func(m *league.Model) { got = digest(m) })
	if got != digest(rebuild(t, store)) {
		t.Fatal("the swapped-in model differs from a rebuild")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
