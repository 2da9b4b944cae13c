package prometheus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/adapters/http/servertest"
	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// A command's counter and latency histogram, the store's append, and the
// projection's position and lag are on /metrics after the command; only
// an admin may scrape it.
func TestScrapeAfterCommand(t *testing.T) {
	m := New()
	store := m.Store(memory.NewStore())
	srv := servertest.New(t, store, []app.ServiceOption{app.WithObservers(m)}, httpapi.WithObservers(m), httpapi.WithMetrics(m.Handler()))
	runners := m.Projections(srv.Directory)
	scrape := func() string {
		rec := servertest.Do(srv.Handler, "GET", "/metrics", srv.Admin, "")
		if rec.Code != 200 {
			t.Fatalf("/metrics as admin: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	before := scrape() // the accounts' appends
	if rec := servertest.Do(srv.Handler, "POST", "/api/v1/compounds/c1/register", srv.Street, servertest.RegisterBody); rec.Code != 201 {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	// A second registration is refused by the domain: another outcome.
	if rec := servertest.Do(srv.Handler, "POST", "/api/v1/compounds/c1/register", srv.Street, servertest.RegisterBody); rec.Code != 422 {
		t.Fatalf("second register: %d %s", rec.Code, rec.Body)
	}
	if rec := servertest.Do(srv.Handler, "GET", "/metrics", srv.Street, ""); rec.Code != 403 {
		t.Errorf("/metrics as a street office: %d, want 403", rec.Code)
	}
	text := scrape()
	for _, want := range []string{
		`casetrack_commands_total{command="register",outcome="recorded"} 1`,
		`casetrack_commands_total{command="register",outcome="rejected"} 1`,
		`casetrack_command_duration_seconds_count{command="register"} 2`,
		`casetrack_http_request_duration_seconds_count{method="POST",route="/api/v1/compounds/{id}/register",status="201"} 1`,
		`casetrack_http_request_duration_seconds_count{method="POST",route="/api/v1/compounds/{id}/register",status="422"} 1`,
		`casetrack_http_request_duration_seconds_bucket{method="POST",route="/api/v1/compounds/{id}/register",status="201",le="+Inf"} 1`,
		`casetrack_projection_position{projection="directory"} 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// One append of one event: the refused registration wrote nothing.
	for _, series := range []string{"casetrack_store_append_events_count", "casetrack_store_append_events_sum", `casetrack_store_appends_total{outcome="ok"}`} {
		if b, a := metricValue(t, before, series), metricValue(t, text, series); a != fmt.Sprint(atoi(t, b)+1) {
			t.Errorf("%s went from %s to %s, want one more", series, b, a)
		}
	}
	head := metricValue(t, text, "casetrack_log_head_position")
	if lag := metricValue(t, text, `casetrack_projection_lag_events{projection="directory"}`); lag != head || head == "0" {
		t.Errorf("lag %s with head %s, want the head: the directory has folded nothing", lag, head)
	}
	// Folded: no lag.
	all, err := store.ReadAll(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if err := runners[0].Handle(e); err != nil {
			t.Fatal(err)
		}
	}
	if lag := metricValue(t, scrape(), `casetrack_projection_lag_events{projection="directory"}`); lag != "0" {
		t.Errorf("lag %s after folding everything, want 0", lag)
	}
}

// metricValue is the value of the sample named series (name and labels).
func metricValue(t *testing.T, text, series string) string {
	t.Helper()
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			return v
		}
	}
	t.Fatalf("no %s in /metrics", series)
	return ""
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A rebuild and a fold that fails are counted per projection.
func TestRebuildsAndBusErrors(t *testing.T) {
	m := New()
	store := m.Store(memory.NewStore())
	r, err := projections.NewRunner(func() *failing { return &failing{} }, projections.NewMemoryCheckpoints(), 10)
	if err != nil {
		t.Fatal(err)
	}
	live := m.Projections(r)[0]
	if err := live.Rebuild(t.Context(), store); err != nil {
		t.Fatal(err)
	}
	if err := live.Handle(domain.Envelope{Position: 1, StreamID: "c1", Type: "CompoundRegistered"}); err == nil {
		t.Fatal("the failing projection folded an event")
	}
	rec := servertest.Do(m.Handler(), "GET", "/metrics", "", "")
	for _, want := range []string{`casetrack_projection_rebuilds_total{outcome="ok",projection="failing"} 1`,
		`casetrack_bus_errors_total{projection="failing"} 1`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// failing is a projection that folds nothing.
type failing struct{ Pos uint64 }

func (*failing) Name() string                { return "failing" }
func (*failing) Apply(domain.Envelope) error { return errors.New("cannot fold") }
func (f *failing) Position() uint64          { return f.Pos }
func (f *failing) Snapshot() ([]byte, error) { return projections.GobSnapshot(f) }
func (f *failing) Restore(b []byte) error    { return projections.GobRestore(b, f, &failing{}) }
func (*failing) Handled() []string           { return []string{"CompoundRegistered"} }
