package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// TestWALBoundedUnderSustainedWrites: writers that never pause leave a
// background checkpoint no moment to copy the whole WAL, so only the
// writer's own checkpoint lets it start over. Without it the WAL grows
// with all that is written; with it, it stays far below (the bound, plus
// what is written while a checkpoint runs).
func TestWALBoundedUnderSustainedWrites(t *testing.T) {
	defer func(was int) { walFrames = was }(walFrames)
	walFrames = 256 // 1 MiB: a loaded machine under -race writes several times that in seconds
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	payload := []byte(`{"note":"` + strings.Repeat("x", 3000) + `"}`) // about a page an event
	var written atomic.Int64
	until := time.Now().Add(8 * time.Second)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			stream := fmt.Sprint("compound-wal-", w)
			var version uint64
			for time.Now().Before(until) {
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
				written.Add(int64(len(evs) * len(payload)))
			}
		})
	}
	wg.Wait()
	if min := int64(4 * walFrames * 4096); written.Load() < min {
		t.Fatalf("wrote only %d bytes in 8 s, not the %d the test needs", written.Load(), min)
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > written.Load()/2 {
		t.Fatalf("after %d bytes of events the WAL is %d bytes: it was not started over", written.Load(), fi.Size())
	}
	t.Logf("%d bytes of events, WAL %d bytes", written.Load(), fi.Size())
}
