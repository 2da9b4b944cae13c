// Package prometheus exposes casetrack's metrics in the Prometheus format,
// through prometheus/client_golang, on a registry of its own: requests by
// route and status, commands by name and outcome, the store's appends,
// the projections' positions and lag, rebuilds, bus errors, replays in
// flight, and the Go runtime. The other packages only offer hooks
// (app.Observer, http.Observer) or are wrapped (Store, Projection); none
// imports Prometheus. docs/operations.md lists every metric.
package prometheus

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every metric; it implements app.Observer and http.Observer.
type Metrics struct {
	reg *prom.Registry

	requests     *prom.HistogramVec // method, route, status
	commands     *prom.CounterVec   // command, outcome
	commandTime  *prom.HistogramVec // command
	appends      *prom.CounterVec   // outcome
	appendEvents prom.Histogram
	appendTime   prom.Histogram
	rebuilds     *prom.CounterVec // projection, outcome
	busErrors    *prom.CounterVec // projection
	head         *atomic.Uint64   // the highest log position seen (Store); nil until then
}

// latency buckets, in seconds: from a cached read to a slow replay.
var latency = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New makes the metrics and registers the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prom.NewRegistry()}
	m.requests = prom.NewHistogramVec(prom.HistogramOpts{Name: "casetrack_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by method, route pattern and status.", Buckets: latency},
		[]string{"method", "route", "status"})
	m.commands = prom.NewCounterVec(prom.CounterOpts{Name: "casetrack_commands_total",
		Help: "Commands run, by command name and outcome (recorded, duplicate, unchanged, or the error code)."},
		[]string{"command", "outcome"})
	m.commandTime = prom.NewHistogramVec(prom.HistogramOpts{Name: "casetrack_command_duration_seconds",
		Help: "Time to decide and record a command, by command name.", Buckets: latency}, []string{"command"})
	m.appends = prom.NewCounterVec(prom.CounterOpts{Name: "casetrack_store_appends_total",
		Help: "Appends to the event store, by outcome (ok, duplicate, conflict, error)."}, []string{"outcome"})
	m.appendEvents = prom.NewHistogram(prom.HistogramOpts{Name: "casetrack_store_append_events",
		Help: "Events per append (the batch a command writes atomically).", Buckets: []float64{1, 2, 3, 5, 10, 25, 50, 100, 250}})
	m.appendTime = prom.NewHistogram(prom.HistogramOpts{Name: "casetrack_store_append_duration_seconds",
		Help: "Time of an append, until it is durable.", Buckets: latency})
	m.rebuilds = prom.NewCounterVec(prom.CounterOpts{Name: "casetrack_projection_rebuilds_total",
		Help: "Projection rebuilds finished, by projection and outcome (ok, error)."}, []string{"projection", "outcome"})
	m.busErrors = prom.NewCounterVec(prom.CounterOpts{Name: "casetrack_bus_errors_total",
		Help: "Events a projection failed to fold as the bus delivered them, each attempt (after the retries the event goes to the poison topic)."},
		[]string{"projection"})
	m.reg.MustRegister(m.requests, m.commands, m.commandTime, m.appends, m.appendEvents, m.appendTime, m.rebuilds, m.busErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request counts an answered request (http.Observer).
func (m *Metrics) Request(r *http.Request, route string, status int, took time.Duration) {
	m.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// Command times and counts a command (app.Observer).
func (m *Metrics) Command(ctx context.Context, name, _, _ string) (context.Context, string, func(string)) {
	start := time.Now()
	return ctx, "", func(outcome string) {
		m.commands.WithLabelValues(name, outcome).Inc()
		m.commandTime.WithLabelValues(name).Observe(time.Since(start).Seconds())
	}
}

// InFlight reports the replays to a past state and the rebuilds running,
// as the HTTP server counts them.
func (m *Metrics) InFlight(now func() (replays, rebuilds int)) {
	m.reg.MustRegister(
		prom.NewGaugeFunc(prom.GaugeOpts{Name: "casetrack_replays_in_flight", Help: "Replays to a past state (as_of reads) running now."},
			func() float64 { n, _ := now(); return float64(n) }),
		prom.NewGaugeFunc(prom.GaugeOpts{Name: "casetrack_rebuilds_in_flight", Help: "Blue/green projection rebuilds running now."},
			func() float64 { _, n := now(); return float64(n) }))
}
