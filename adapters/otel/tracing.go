// Package otel traces casetrack with OpenTelemetry: each HTTP request
// (otelhttp), the command it runs, the store's reads and appends under it,
// and each projection folding the command's events, delivered later by
// the bus, all in one trace. Spans go to an OTLP/HTTP collector; tracing
// is off unless serve is given --otlp-endpoint. The other packages offer
// hooks (app.Observer, http.Observer) or are wrapped (Store, Projections);
// none imports OpenTelemetry.
//
// How a projection's span finds its trace: the bus delivers events read
// back from the store, long after the request, maybe in another instance,
// with nothing but the envelope. So the envelope carries the trace: a
// command's correlation ID is its trace ID (when the caller sent none),
// and the command's span ID is derived from its stream and command ID
// (commandSpanID, through the provider's ID generator). A projection's
// span names that span as its parent.
package otel

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/casetrack/casetrack/domain"
)

// Tracing makes the spans; it implements app.Observer and http.Observer.
type Tracing struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
}

// Open exports spans to the OTLP/HTTP collector at endpoint (a URL such as
// http://collector:4318), sampling ratio of the traces started here (0–1;
// a caller's traceparent decides for its own). The standard
// OTEL_EXPORTER_OTLP_* variables (headers, certificates, timeout) apply.
func Open(ctx context.Context, endpoint, service, version string, ratio float64) (*Tracing, error) {
	if ratio < 0 || ratio > 1 {
		return nil, errors.New("the trace sampling ratio must lie between 0 and 1")
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, err
	}
	return New(service, version, ratio, sdktrace.NewBatchSpanProcessor(exp)), nil
}

// New traces into the given processors (tests: tracetest's recorder).
func New(service, version string, ratio float64, processors ...sdktrace.SpanProcessor) *Tracing {
	root := sdktrace.TraceIDRatioBased(ratio)
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithIDGenerator(idGenerator{}),
		// A projection's parent is remote and carries no sampling flag: the
		// ratio decides again on the same trace ID, as it did for the command.
		sdktrace.WithSampler(sdktrace.ParentBased(root, sdktrace.WithRemoteParentNotSampled(root))),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", service), attribute.String("service.version", version))),
	}
	for _, p := range processors {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	return &Tracing{provider: tp, tracer: tp.Tracer("github.com/casetrack/casetrack")}
}

// Shutdown sends the spans still buffered.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.provider.Shutdown(ctx) }

// Handler starts a span per request, continuing a caller's W3C traceparent.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "http", otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(propagation.TraceContext{}))
}

// Request names the request's span by its route pattern once routed
// (http.Observer); the status and duration are otelhttp's.
func (t *Tracing) Request(r *http.Request, route string, _ int, _ time.Duration) {
	span := trace.SpanFromContext(r.Context())
	span.SetName(r.Method + " " + route)
	span.SetAttributes(attribute.String("http.route", route))
}

// Command starts the command's span under the request's, with the span ID
// its events will name (app.Observer). Its trace ID becomes the
// correlation ID of a command sent without one.
func (t *Tracing) Command(ctx context.Context, name, compoundID, commandID string) (context.Context, string, func(string)) {
	ctx = context.WithValue(ctx, spanIDKey{}, commandSpanID(domain.StreamID(compoundID), commandID))
	ctx, span := t.tracer.Start(ctx, "command "+name, trace.WithAttributes(
		attribute.String("casetrack.command", name), attribute.String("casetrack.compound", compoundID)))
	ctx = context.WithValue(ctx, spanIDKey{}, nil) // the spans under it get IDs of their own
	return ctx, span.SpanContext().TraceID().String(), func(outcome string) {
		span.SetAttributes(attribute.String("casetrack.outcome", outcome))
		if outcome != "recorded" && outcome != "duplicate" && outcome != "unchanged" {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}
}

// commandSpanID is the span ID of the command that wrote to stream with
// commandID: what every event of the command carries.
func commandSpanID(stream, commandID string) trace.SpanID {
	sum := sha256.Sum256([]byte("casetrack command\x00" + stream + "\x00" + commandID))
	var id trace.SpanID
	copy(id[:], sum[:])
	if !id.IsValid() {
		id[7] = 1
	}
	return id
}

// commandSpan is the span context of the command that recorded e, as a
// remote parent; false when e's correlation ID is not a trace ID (the
// caller sent its own, or the command ran untraced).
func commandSpan(e domain.Envelope) (trace.SpanContext, bool) {
	id, err := trace.TraceIDFromHex(e.CorrelationID)
	if err != nil || e.CommandID == "" {
		return trace.SpanContext{}, false
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: id, SpanID: commandSpanID(e.StreamID, e.CommandID), Remote: true}), true
}
