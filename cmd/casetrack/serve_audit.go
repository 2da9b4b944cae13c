package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/audit"
)

// runningAudit is serve's audit service and how to stop it.
type runningAudit struct {
	svc  *audit.Service // nil: the store keeps no checkpoints (EventStoreDB)
	stop func()         // cancels it and waits until it has stopped
}

// startAudit builds the audit tree in the background (checking it against
// the stored checkpoints), signs checkpoints as events arrive and guards
// the log: a rewrite makes svc read-only. stop ends it before the store
// closes, however serve returns, so no goroutine outlives serve.
func startAudit(ctx context.Context, logger *slog.Logger, store eventStore, svc *app.Service,
	keyFile, data string, every, verifyEvery time.Duration) (runningAudit, error) {
	cps, ok := store.(audit.CheckpointStore)
	if !ok {
		logger.Warn("audit: this event store keeps no signed checkpoints; verify, proofs and witnesses are not available (docs/audit.md)")
		return runningAudit{stop: func() {}}, nil
	}
	skey, err := signingKey(keyFile, data, logger.Info)
	if err != nil {
		return runningAudit{}, err
	}
	a, err := audit.NewService(store, cps, skey, logger, svc.Halt)
	if err != nil {
		return runningAudit{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Run(ctx, every, verifyEvery)
	}()
	return runningAudit{svc: a, stop: func() { cancel(); <-done }}, nil
}
