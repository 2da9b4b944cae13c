package prometheus

import (
	"context"
	"sync/atomic"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/casetrack/casetrack/domain"
)

// store counts appends and keeps the highest log position seen, the head
// the projections' lag is measured from.
type store struct {
	domain.EventStore
	m *Metrics
}

// Store wraps an event store: appends by outcome, events per append,
// append time, and the log head (casetrack_log_head_position). The wrapper
// keeps EventByID when the store has it.
func (m *Metrics) Store(s domain.EventStore) domain.EventStore {
	w := store{EventStore: s, m: m}
	m.head = &atomic.Uint64{}
	m.reg.MustRegister(prom.NewGaugeFunc(prom.GaugeOpts{Name: "casetrack_log_head_position",
		Help: "Highest global log position this instance has appended or read."}, func() float64 { return float64(m.head.Load()) }))
	if f, ok := s.(domain.EventFinder); ok {
		return finderStore{w, f}
	}
	return w
}

type finderStore struct {
	store
	domain.EventFinder
}

func (s store) Append(ctx context.Context, req domain.AppendRequest) (domain.AppendResult, error) {
	start := time.Now()
	res, err := s.EventStore.Append(ctx, req)
	s.m.appendTime.Observe(time.Since(start).Seconds())
	outcome := "ok"
	switch {
	case domain.ErrorCode(err) == domain.CodeConflict:
		outcome = "conflict"
	case err != nil:
		outcome = "error"
	case res.Duplicate:
		outcome = "duplicate"
	default:
		s.m.appendEvents.Observe(float64(len(req.Events)))
		s.seen(res.Position)
	}
	s.m.appends.WithLabelValues(outcome).Inc()
	return res, err
}

func (s store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	events, err := s.EventStore.ReadAll(ctx, after, limit)
	if len(events) > 0 {
		s.seen(events[len(events)-1].Position)
	}
	return events, err
}

// seen raises the head to position.
func (s store) seen(position uint64) {
	for {
		h := s.m.head.Load()
		if position <= h || s.m.head.CompareAndSwap(h, position) {
			return
		}
	}
}
