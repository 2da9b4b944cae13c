package otel

import (
	"context"
	"crypto/rand"

	"go.opentelemetry.io/otel/trace"
)

// spanIDKey asks the ID generator for a given span ID: a command's span
// gets the one its events can name (commandSpanID).
type spanIDKey struct{}

// idGenerator makes random IDs, except a span ID asked for in the context.
type idGenerator struct{}

func (idGenerator) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	var tid trace.TraceID
	for !tid.IsValid() {
		rand.Read(tid[:])
	}
	return tid, idGenerator{}.NewSpanID(ctx, tid)
}

func (idGenerator) NewSpanID(ctx context.Context, _ trace.TraceID) trace.SpanID {
	if id, ok := ctx.Value(spanIDKey{}).(trace.SpanID); ok {
		return id
	}
	var sid trace.SpanID
	for !sid.IsValid() {
		rand.Read(sid[:])
	}
	return sid
}
