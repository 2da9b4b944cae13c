package otel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// end closes a span, marking it failed on err.
func end(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, string(domain.ErrorCode(err)))
	}
	span.End()
}

// store traces the reads and appends made within a traced request; the
// relay's and projections' endless reading of the log starts no trace.
type store struct {
	domain.EventStore
	t *Tracing
}

// Store wraps an event store; it keeps EventByID when the store has it.
func (t *Tracing) Store(s domain.EventStore) domain.EventStore {
	w := store{s, t}
	if f, ok := s.(domain.EventFinder); ok {
		return struct {
			store
			domain.EventFinder
		}{w, f}
	}
	return w
}

// start begins a store span when ctx is traced.
func (s store) start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, trace.SpanFromContext(ctx) // not recording: End does nothing
	}
	return s.t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

func (s store) Append(ctx context.Context, req domain.AppendRequest) (res domain.AppendResult, err error) {
	ctx, span := s.start(ctx, "store append", attribute.String("casetrack.stream", req.StreamID), attribute.Int("casetrack.events", len(req.Events)))
	defer func() { end(span, err) }()
	return s.EventStore.Append(ctx, req)
}

func (s store) ReadStream(ctx context.Context, streamID string, q domain.StreamQuery) (events []domain.Envelope, err error) {
	ctx, span := s.start(ctx, "store read stream", attribute.String("casetrack.stream", streamID))
	defer func() { end(span, err) }()
	return s.EventStore.ReadStream(ctx, streamID, q)
}

// projection traces each event a projection folds, under the span of the
// command that recorded it.
type projection struct {
	projections.Live
	t *Tracing
}

// Projections wraps the runners the bus delivers to.
func (t *Tracing) Projections(runners ...projections.Live) []projections.Live {
	out := make([]projections.Live, len(runners))
	for i, r := range runners {
		out[i] = projection{r, t}
	}
	return out
}

func (p projection) Handle(e domain.Envelope) (err error) {
	parent, ok := commandSpan(e)
	if !ok {
		return p.Live.Handle(e)
	}
	_, span := p.t.tracer.Start(trace.ContextWithRemoteSpanContext(context.Background(), parent), "project "+p.Name(),
		trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attribute.String("casetrack.projection", p.Name()),
			attribute.String("casetrack.event", e.Type), attribute.Int64("casetrack.position", int64(e.Position))))
	defer func() { end(span, err) }()
	return p.Live.Handle(e)
}
