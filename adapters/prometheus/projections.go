package prometheus

import (
	"context"
	"sync/atomic"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// projection counts a projection's rebuilds and the events it failed to fold.
type projection struct {
	projections.Live
	m *Metrics
}

// Projections wraps the runners: their rebuilds and fold errors are
// counted, and their positions and, once Store has wrapped the event
// store, their lag behind the head of the log are reported at each scrape.
func (m *Metrics) Projections(runners ...projections.Live) []projections.Live {
	m.reg.MustRegister(positions{runners: runners, head: m.head})
	out := make([]projections.Live, len(runners))
	for i, r := range runners {
		out[i] = projection{Live: r, m: m}
	}
	return out
}

func (p projection) Handle(e domain.Envelope) error {
	err := p.Live.Handle(e)
	if err != nil {
		p.m.busErrors.WithLabelValues(p.Name()).Inc()
	}
	return err
}

func (p projection) Rebuild(ctx context.Context, s domain.EventStore) error {
	err := p.Live.Rebuild(ctx, s)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	p.m.rebuilds.WithLabelValues(p.Name(), outcome).Inc()
	return err
}

// positions reads each projection's position (and lag, when the head is
// known) at scrape time.
type positions struct {
	runners []projections.Live
	head    *atomic.Uint64 // nil: the store was not wrapped, no lag
}

var (
	positionDesc = prom.NewDesc("casetrack_projection_position", "Global log position a projection has folded up to.", []string{"projection"}, nil)
	lagDesc      = prom.NewDesc("casetrack_projection_lag_events", "Events of the log a projection has not folded yet (head minus position).", []string{"projection"}, nil)
	haltedDesc   = prom.NewDesc("casetrack_projection_halted", "1 when a projection is halted on an event it cannot fold (see the poison topic).", []string{"projection"}, nil)
)

func (p positions) Describe(ch chan<- *prom.Desc) {
	ch <- positionDesc
	ch <- lagDesc
	ch <- haltedDesc
}

func (p positions) Collect(ch chan<- prom.Metric) {
	for _, r := range p.runners {
		pos, halted := r.Status()
		ch <- prom.MustNewConstMetric(positionDesc, prom.GaugeValue, float64(pos), r.Name())
		if p.head != nil {
			lag := 0.0
			if h := p.head.Load(); h > pos {
				lag = float64(h - pos)
			}
			ch <- prom.MustNewConstMetric(lagDesc, prom.GaugeValue, lag, r.Name())
		}
		stopped := 0.0
		if halted != nil {
			stopped = 1
		}
		ch <- prom.MustNewConstMetric(haltedDesc, prom.GaugeValue, stopped, r.Name())
	}
}
