package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/adapters/otel"
	"github.com/casetrack/casetrack/adapters/prometheus"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// telemetry is what serve tells the outside about itself: metrics always,
// traces when --otlp-endpoint names a collector.
type telemetry struct {
	metrics *prometheus.Metrics
	tracing *otel.Tracing // nil: no tracing
}

func openTelemetry(ctx context.Context, o *serveOptions) (*telemetry, error) {
	t := &telemetry{metrics: prometheus.New()}
	if o.otlpEndpoint != "" {
		var err error
		if t.tracing, err = otel.Open(ctx, o.otlpEndpoint, "casetrack", buildVersion().String(), o.traceSample); err != nil {
			return nil, fmt.Errorf("--otlp-endpoint: %w", err)
		}
	}
	return t, nil
}

// store wraps the event store in what counts and traces its work.
func (t *telemetry) store(s domain.EventStore) domain.EventStore {
	if t.tracing != nil {
		s = t.tracing.Store(s)
	}
	return t.metrics.Store(s)
}

// projections wraps the runners the bus delivers to and the API rebuilds.
func (t *telemetry) projections(runners []projections.Live) []projections.Live {
	if t.tracing != nil {
		runners = t.tracing.Projections(runners...)
	}
	return t.metrics.Projections(runners...)
}

func (t *telemetry) serviceOptions() []app.ServiceOption {
	if t.tracing != nil {
		return []app.ServiceOption{app.WithObservers(t.metrics, t.tracing)}
	}
	return []app.ServiceOption{app.WithObservers(t.metrics)}
}

// apiOptions serve /metrics (policy.go: to admins) and watch the requests.
func (t *telemetry) apiOptions() []httpapi.Option {
	opts := []httpapi.Option{httpapi.WithMetrics(t.metrics.Handler()), httpapi.WithObservers(t.metrics)}
	if t.tracing != nil {
		opts = append(opts, httpapi.WithObservers(t.tracing))
	}
	return opts
}

// handler starts a trace per request, before anything else sees it.
func (t *telemetry) handler(h http.Handler) http.Handler {
	if t.tracing != nil {
		return t.tracing.Handler(h)
	}
	return h
}

// close sends the spans still buffered.
func (t *telemetry) close(logger *slog.Logger) {
	if t.tracing == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.tracing.Shutdown(ctx); err != nil {
		logger.Warn("traces not all sent", "err", err)
	}
}

// serveMetrics serves /metrics alone, without sign-in, on ln until ctx
// ends (--metrics-addr).
func (t *telemetry) serveMetrics(ctx context.Context, ln net.Listener, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		logger.Error("metrics listener stopped", "err", err)
	}
}
