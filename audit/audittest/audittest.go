// Package audittest runs an audit service for other packages' tests and
// benchmarks.
package audittest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
)

// Run runs an audit service over store, which keeps its checkpoints,
// signing with skey at most every `every`, until the test ends; it waits
// until the service has checked the log at start.
func Run(tb testing.TB, store domain.EventStore, skey string, every time.Duration, onHalt func(error)) *audit.Service {
	tb.Helper()
	a, err := audit.NewService(store, store.(audit.CheckpointStore), skey, slog.New(slog.NewTextHandler(io.Discard, nil)), onHalt)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx, every, 0) }()
	tb.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(time.Minute); a.Ready() != nil; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("the audit service did not check the log:", a.Ready())
		}
	}
	return a
}
