package http

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// recorder is an Observer that keeps what it saw.
type recorder struct{ seen []string }

func (o *recorder) Request(r *http.Request, route string, status int, _ time.Duration) {
	o.seen = append(o.seen, r.Method+" "+route+" "+http.StatusText(status))
}

// One access line per request: method, route pattern, status, duration,
// user, request ID; never the path (it names the compound), the body or
// the token. The observers see the same route and status.
func TestAccessLogLine(t *testing.T) {
	f := newFixture(t)
	obs := &recorder{}
	f.srv = f.newServer(app.NewService(f.store, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return f.now })), f.log,
		WithObservers(obs))
	token := f.as(street)
	f.log.Reset()
	// The compound's ID has letters no hexadecimal ID (request, trace) holds.
	rec := f.do("POST", "/api/v1/compounds/yq7/register", registerBody, bearer(token)...)
	if rec.Code != 201 {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	line := f.log.String()
	id := rec.Header().Get("X-Request-ID")
	for _, want := range []string{"msg=request", "method=POST", "route=/api/v1/compounds/{id}/register", "status=201", "took=",
		"user=zgc", "request_id=" + id} {
		if !strings.Contains(line, want) {
			t.Errorf("access line lacks %s: %s", want, line)
		}
	}
	for _, never := range []string{"yq7", "阳光花园", token} {
		if strings.Contains(line, never) {
			t.Errorf("access line holds %q: %s", never, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one line per request: %s", line)
	}
	if len(id) != 36 {
		t.Errorf("request ID %q, want a new UUID", id)
	}
	f.do("GET", "/api/v1/nowhere", nil, bearer(token)...)
	if want := []string{"POST /api/v1/compounds/{id}/register Created", "GET unmatched Not Found"}; strings.Join(obs.seen, "|") != strings.Join(want, "|") {
		t.Errorf("observer saw %q, want %q", obs.seen, want)
	}
}

// A proxy's X-Request-ID is kept when it looks like one; anything else
// (spaces, line breaks, a novel) is replaced, never logged.
func TestRequestIDFromProxy(t *testing.T) {
	f := newFixture(t)
	for in, kept := range map[string]bool{
		"a1b2-c3d4.e5:f6_7": true, "": false, "two words": false, "line\nbreak": false, strings.Repeat("x", 65): false, "名字": false,
	} {
		f.log.Reset()
		rec := f.do("GET", "/healthz", nil, "X-Request-ID", in)
		got := rec.Header().Get("X-Request-ID")
		if kept != (got == in) || got == "" {
			t.Errorf("X-Request-ID %q answered %q (kept: %v)", in, got, kept)
		}
		if !kept && in != "" && strings.Contains(f.log.String(), in) {
			t.Errorf("X-Request-ID %q logged: %s", in, f.log.String())
		}
	}
}

// metricsStub answers /metrics as the Prometheus handler would.
var metricsStub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte("# metrics\n"))
})

// /metrics: admins only, and no parameters.
func TestMetricsRoute(t *testing.T) {
	f, _ := servedFixture(t, WithMetrics(metricsStub))
	if rec := f.do("GET", "/metrics", nil, bearer(f.as(admin))...); rec.Code != 200 || rec.Body.String() != "# metrics\n" {
		t.Errorf("admin: %d %s", rec.Code, rec.Body)
	}
	problemOf(t, f.do("GET", "/metrics", nil, "Authorization", ""), 401)
	for _, role := range []domain.Role{inspector, street, auditor, hotline} {
		problemOf(t, f.do("GET", "/metrics", nil, bearer(f.as(role))...), 403)
	}
	hasViolation(t, problemOf(t, f.do("GET", "/metrics?name[]=go_goroutines", nil, bearer(f.as(admin))...), 400), "name[]", "param.unknown")
	hasViolation(t, problemOf(t, f.do("GET", "/metrics?%zz", nil, bearer(f.as(admin))...), 400), "%zz", "param.encoding")
}
