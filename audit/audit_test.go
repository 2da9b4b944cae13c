package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/audit/audittest"
	"github.com/casetrack/casetrack/domain"
)

// fixture is a memory log of a few streams and an audit service over it.
type fixture struct {
	store      *memory.Store
	svc        *audit.Service
	skey, vkey string
}

func newFixture(t *testing.T, events int) *fixture {
	t.Helper()
	skey, vkey, err := audit.GenerateKey("test.casetrack")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: memory.NewStore(), skey: skey, vkey: vkey}
	f.add(t, events)
	return f
}

// add appends n events over three streams.
func (f *fixture) add(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		stream := fmt.Sprintf("compound-c%d", i%3)
		head, _ := f.store.ReadStream(ctx, stream, domain.StreamQuery{})
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := f.store.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: uint64(len(head)),
			Events: storetest.Events(1, at)}); err != nil {
			t.Fatal(err)
		}
	}
}

// run starts the service and waits for its tree to be built.
func (f *fixture) run(t *testing.T) {
	t.Helper()
	f.svc = audittest.Run(t, f.store, f.skey, time.Hour, nil)
}

func (f *fixture) verifier(t *testing.T) *audit.Verifier {
	v, err := audit.NewVerifier(f.vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFrontierMatchesTlog: Verify's streaming root equals tlog's tree hash
// from all stored hashes, for every size up to 70 (powers of two and not).
func TestFrontierMatchesTlog(t *testing.T) {
	f := newFixture(t, 70)
	var tree audit.Tree
	if err := tree.Follow(context.Background(), f.store); err != nil {
		t.Fatal(err)
	}
	all, _ := f.store.ReadAll(context.Background(), 0, 0)
	for n := 0; n <= 70; n++ {
		rep, err := audit.Verify(context.Background(), sliceLog(all[:n]), f.verifier(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tree.Root(uint64(n))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Tree.Root != want || rep.Tree.Size != uint64(n) {
			t.Fatalf("size %d: frontier root %v, tlog root %v", n, rep.Tree.Root, want)
		}
	}
}

// sliceLog serves a copy of a log, which tests may alter as an insider would.
type sliceLog []domain.Envelope

func (l sliceLog) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	var out []domain.Envelope
	for _, e := range l {
		if e.Position > after && (limit <= 0 || len(out) < limit) {
			out = append(out, e)
		}
	}
	return out, ctx.Err()
}

func TestVerifyFindsEachRewrite(t *testing.T) {
	f := newFixture(t, 30)
	f.run(t)
	_, signed, err := f.svc.Seal(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := f.store.ReadAll(context.Background(), 0, 0)
	cps := []audit.Source{{Name: "kept", Signed: signed}}
	if rep, err := audit.Verify(context.Background(), sliceLog(all), f.verifier(t), cps); err != nil || !rep.OK() {
		t.Fatalf("intact log: %+v %v", rep, err)
	}
	edit := func(change func(l []domain.Envelope) []domain.Envelope) audit.Report {
		l := change(append([]domain.Envelope(nil), all...))
		rep, err := audit.Verify(context.Background(), sliceLog(l), f.verifier(t), cps)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	for name, tc := range map[string]struct {
		change func([]domain.Envelope) []domain.Envelope
		where  string
	}{
		"payload edited": {func(l []domain.Envelope) []domain.Envelope {
			l[10].Data = []byte(`{"seq":1}`)
			return l
		}, "stream compound-c1 version 4 (position 11)"},
		"chain recomputed": {func(l []domain.Envelope) []domain.Envelope {
			prev := l[7].PrevHash // stream c1 from version 3 on
			for i := 7; i < len(l); i += 3 {
				if i == 7 {
					l[i].Data = []byte(`{"seq":1}`)
				}
				l[i].Seal(prev)
				prev = l[i].Hash
			}
			return l
		}, "checkpoint kept"},
		"stream's last events deleted": {func(l []domain.Envelope) []domain.Envelope { return l[:28] }, "checkpoint kept"},
		"positions swapped": {func(l []domain.Envelope) []domain.Envelope {
			l[3].Position, l[4].Position = l[4].Position, l[3].Position
			l[3], l[4] = l[4], l[3]
			return l
		}, "checkpoint kept"},
	} {
		t.Run(name, func(t *testing.T) {
			rep := edit(tc.change)
			if rep.OK() || rep.Problems[0].Where != tc.where {
				t.Fatalf("want a problem at %q, got %+v", tc.where, rep.Problems)
			}
		})
	}
}

func TestProofsCheckOfflineAndTamperedFail(t *testing.T) {
	f := newFixture(t, 13)
	f.run(t)
	ctx := context.Background()
	old, _, err := f.svc.Seal(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	f.add(t, 20)
	cur, _, err := f.svc.Seal(ctx, 0)
	if err != nil || cur.Size != 33 || old.Size != 5 {
		t.Fatal(cur, old, err)
	}
	inc, err := f.svc.InclusionProof(ctx, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := f.svc.ConsistencyProof(5, 33)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []audit.Proof{inc, cons} {
		raw, _ := json.Marshal(p)
		if what, err := audit.CheckProof(f.verifier(t), raw); err != nil {
			t.Fatalf("%s proof: %v", p.Kind, err)
		} else {
			t.Log(what)
		}
		bad := p
		bad.Hashes = append([]tlog.Hash(nil), p.Hashes...)
		bad.Hashes[0][0] ^= 1
		raw, _ = json.Marshal(bad)
		if _, err := audit.CheckProof(f.verifier(t), raw); domain.ErrorCode(err) != domain.CodeIntegrity {
			t.Fatalf("tampered %s proof: %v", p.Kind, err)
		}
	}
	// Another key's checkpoint is refused.
	_, otherKey, _ := audit.GenerateKey("test.casetrack")
	other, _ := audit.NewVerifier(otherKey)
	raw, _ := json.Marshal(inc)
	if _, err := audit.CheckProof(other, raw); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("proof under another key: %v", err)
	}
}

func TestGuardHaltsOnRewrite(t *testing.T) {
	f := newFixture(t, 10)
	f.run(t)
	ctx := context.Background()
	if _, _, err := f.svc.Seal(ctx, 0); err != nil {
		t.Fatal(err)
	}
	all, _ := f.store.ReadAll(ctx, 0, 0)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	// At start: a log that lost its last event no longer reaches the checkpoint.
	halted := make(chan error, 1)
	short, err := audit.NewService(sliceLog(all[:9]), f.store, f.skey, logger, func(err error) { halted <- err })
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go short.Run(runCtx, time.Hour, 0)
	select {
	case err := <-halted:
		if short.Halted() == nil || !strings.Contains(err.Error(), "removed") {
			t.Fatalf("halted with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a shortened log did not halt the service")
	}
	if _, _, err := short.Seal(ctx, 0); domain.ErrorCode(err) != domain.CodeIntegrity {
		t.Fatalf("a halted service signed: %v", err)
	}

	// While running: the periodic guard finds a payload edited in place.
	live := &mutableLog{events: append([]domain.Envelope(nil), all...)}
	guarded, err := audit.NewService(live, f.store, f.skey, logger, func(err error) { halted <- err })
	if err != nil {
		t.Fatal(err)
	}
	go guarded.Run(runCtx, time.Hour, 10*time.Millisecond)
	live.set(func(l []domain.Envelope) { l[4].Data = []byte(`{}`) })
	select {
	case err := <-halted:
		if !strings.Contains(err.Error(), "position 5") {
			t.Fatalf("halted with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an edited log did not halt the service")
	}
}

// mutableLog is a log an insider edits while the server runs.
type mutableLog struct {
	mu     sync.Mutex
	events []domain.Envelope
}

func (l *mutableLog) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return sliceLog(l.events).ReadAll(ctx, after, limit)
}

func (l *mutableLog) set(change func([]domain.Envelope)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	change(l.events)
}
