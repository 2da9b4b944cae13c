package otel

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/adapters/http/servertest"
	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/watermill"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// One command sent over HTTP makes one connected trace: the request, the
// command under it, the store's append under the command, and the
// directory projection folding the event, delivered by the Watermill bus,
// under the command too. The event's correlation ID is the trace's ID.
func TestCommandTraceFromHTTPToProjection(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr := New("casetrack", "test", 1, rec)
	store := tr.Store(memory.NewStore())
	srv := servertest.New(t, store, []app.ServiceOption{app.WithObservers(tr)}, httpapi.WithObservers(tr))
	handler := tr.Handler(srv.Handler)

	ctx, cancel := context.WithCancel(context.Background())
	bus := watermill.NewInProcess(store, slog.New(slog.NewTextHandler(io.Discard, nil)), tr.Projections(srv.Directory)...)
	done := make(chan error, 1)
	go func() { done <- bus.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	// The bus folds a backlog (here the accounts' events) straight from the
	// store, untraced, before live delivery; the command must come after.
	select {
	case <-bus.Live():
	case <-time.After(10 * time.Second):
		t.Fatal("the bus did not start live delivery in 10 s")
	}
	res := servertest.Do(handler, "POST", "/api/v1/compounds/c1/register", srv.Street, servertest.RegisterBody)
	if res.Code != 201 {
		t.Fatalf("register: %d %s", res.Code, res.Body)
	}
	events, err := store.ReadStream(ctx, domain.StreamID("c1"), domain.StreamQuery{})
	if err != nil || len(events) != 1 {
		t.Fatalf("stream c1: %d events, %v", len(events), err)
	}
	// The projection's span ends just after the fold, so a reader woken by
	// the fold (WaitFor) may look before it has ended: wait for the span.
	for deadline := time.Now().Add(10 * time.Second); !ended(rec, "project directory") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}

	byName := map[string]tracetest.SpanStub{}
	var projected bool
	for _, s := range rec.Ended() {
		stub := tracetest.SpanStubFromReadOnlySpan(s)
		if stub.Name == "project directory" {
			projected = true
		}
		if stub.SpanContext.TraceID().String() == events[0].CorrelationID {
			byName[stub.Name] = stub
		}
	}
	if !projected {
		t.Fatalf("no span of the directory projection; spans: %v; correlation %s", names(rec), events[0].CorrelationID)
	}
	request, command, appended, folded := byName["POST /api/v1/compounds/{id}/register"], byName["command register"],
		byName["store append"], byName["project directory"]
	for name, s := range map[string]tracetest.SpanStub{"request": request, "command": command, "append": appended, "projection": folded} {
		if !s.SpanContext.IsValid() {
			t.Fatalf("no %s span in the trace %s (correlation ID of the event); spans: %v", name, events[0].CorrelationID, names(rec))
		}
	}
	if request.Parent.IsValid() {
		t.Errorf("the request span has a parent: %v", request.Parent)
	}
	for _, link := range []struct {
		child, parent tracetest.SpanStub
	}{{command, request}, {appended, command}, {folded, command}} {
		if link.child.Parent.SpanID() != link.parent.SpanContext.SpanID() {
			t.Errorf("%s is under %s, want under %s", link.child.Name, link.child.Parent.SpanID(), link.parent.Name)
		}
	}
}

func ended(rec *tracetest.SpanRecorder, name string) bool {
	for _, s := range rec.Ended() {
		if s.Name() == name {
			return true
		}
	}
	return false
}

func names(rec *tracetest.SpanRecorder) []string {
	var out []string
	for _, s := range rec.Ended() {
		out = append(out, s.Name()+" "+s.SpanContext().TraceID().String())
	}
	return out
}
