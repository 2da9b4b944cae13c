package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// ScanAll hands on every event after a position, in order, whole as far as
// projections read them, also when two workers read it in chunks; it stops
// cleanly when fn fails or ctx ends.
func TestScanAll(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.scanChunk = 3 // parallel from 13 events on
	for i := range 40 {
		stream := fmt.Sprint("compound-", i%5)
		if _, err := s.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: uint64(i / 5 * 2),
			CommandID: fmt.Sprint("cmd-", i), Events: storetest.Events(2, time.Now())}); err != nil {
			t.Fatal(err)
		}
	}
	scanned := func(e domain.Envelope) domain.Envelope { // the fields ScanAll reads
		return domain.Envelope{Position: e.Position, StreamID: e.StreamID, EventID: e.EventID, Type: e.Type,
			SchemaVersion: e.SchemaVersion, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Data: e.Data}
	}
	for _, after := range []uint64{0, 1, 7, 40, 66, 67, 79, 80} {
		want, err := s.ReadAll(ctx, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []domain.Envelope
		if err := s.ScanAll(ctx, after, func(e domain.Envelope) error { got = append(got, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) != 80-int(after) {
			t.Fatalf("after %d: scanned %d events, ReadAll %d", after, len(got), len(want))
		}
		for i := range want {
			if w, g := scanned(want[i]), got[i]; fmt.Sprint(w) != fmt.Sprint(g) {
				t.Fatalf("after %d, event %d:\nscanned %+v\nwant    %+v", after, i, g, w)
			}
		}
	}
	stop := errors.New("enough")
	finished := make(chan error, 2)
	go func() {
		n := 0
		finished <- s.ScanAll(ctx, 0, func(domain.Envelope) error {
			if n++; n == 20 {
				return stop
			}
			return nil
		})
	}()
	go func() {
		cctx, cancel := context.WithCancel(ctx)
		finished <- s.ScanAll(cctx, 0, func(domain.Envelope) error { cancel(); return nil })
	}()
	for range 2 {
		select {
		case err := <-finished:
			if !errors.Is(err, stop) && !errors.Is(err, context.Canceled) {
				t.Errorf("a scan stopped half-way returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a scan stopped half-way never returned")
		}
	}
}
