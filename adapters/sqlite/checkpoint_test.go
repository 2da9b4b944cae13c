package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// TestWALBoundedUnderSustainedWrites: writers that never pause leave a
// background checkpoint no moment to copy the whole WAL, so only the
// writer's own checkpoint lets it start over. The test writes five times
// the WAL's bound and expects the file to stay within three times the
// bound (without the writer's checkpoint it grew with all it was written).
func TestWALBoundedUnderSustainedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const page = 4096
	payload := []byte(`{"note":"` + strings.Repeat("x", 3000) + `"}`) // about a page an event
	target := int64(5 * walFrames * page)
	var mu sync.Mutex
	var written int64
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			stream := fmt.Sprint("compound-wal-", w)
			var version uint64
			for {
				mu.Lock()
				done := written >= target
				mu.Unlock()
				if done || time.Now().After(deadline) {
					return
				}
				evs := storetest.Events(8, time.Now().UTC().Truncate(time.Microsecond))
				for i := range evs {
					evs[i].Data = payload
				}
				res, err := s.Append(context.Background(), domain.AppendRequest{StreamID: stream, ExpectedVersion: version,
					CommandID: fmt.Sprint("cmd-", version), Events: evs})
				if err != nil {
					t.Error(err)
					return
				}
				version = res.Version
				mu.Lock()
				written += int64(len(evs) * len(payload))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if written < target {
		t.Fatalf("wrote only %d bytes in 60 s, not %d", written, target)
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64(3 * walFrames * (page + 24)); fi.Size() > limit {
		t.Fatalf("after %d bytes of events the WAL is %d bytes, over %d: it was never started over", written, fi.Size(), limit)
	}
	t.Logf("%d bytes of events, WAL %d bytes", written, fi.Size())
}
