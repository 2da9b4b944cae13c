package http

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
)

// leagueFixture is a server with league tables over a memory store; feed
// delivers the log to the league runner as the bus would.
func leagueFixture(t *testing.T) (*fixture, *projections.Runner[*league.Model], func()) {
	f := newFixture(t)
	cps := projections.NewMemoryCheckpoints()
	runner, err := projections.NewRunner(func() *league.Model { return league.New(domain.DefaultRuleBook()) }, cps, 5)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.NewService(f.store, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return f.now }))
	f.srv = f.newServer(svc, io.Discard,
		WithLeague(league.NewService(runner, f.store, league.DefaultConfig())),
		WithProjections(f.store, runner))
	feed := func() {
		all, _ := f.store.ReadAll(context.Background(), 0, 0)
		for _, e := range all {
			if err := runner.Handle(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f, runner, feed
}

type tableJSON struct {
	Position uint64 `json:"position"`
	Rows     []struct {
		Rank    int     `json:"rank"`
		Unit    string  `json:"unit"`
		Score   float64 `json:"score"`
		Metrics []struct {
			Key    string   `json:"key"`
			Value  *float64 `json:"value"`
			Den    float64  `json:"denominator"`
			Events []string `json:"events"`
		} `json:"metrics"`
	} `json:"rows"`
}

func TestLeagueEndpoint(t *testing.T) {
	f, _, feed := leagueFixture(t)
	year := f.now.In(domain.China).Year()
	f.ok("c1", "register", registerBody)
	f.ok("c2", "register", strings.Replace(registerBody, "中关村", "学院路", 1))
	first := f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`)
	f.ok("c1", "receive-complaint", `{"complaint_id":"k2","channel":"hotline","kind":"complaint","category":"fees","summary":"y"}`)
	feed()

	rec := f.do("GET", fmt.Sprintf("/api/v1/league/street?period=%d", year), nil)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	tb := decode[tableJSON](t, rec)
	if len(tb.Rows) != 2 || tb.Rows[0].Rank != 1 || tb.Rows[0].Unit != "海淀/学院路" {
		t.Fatalf("rows %+v", tb.Rows)
	}
	// One unit, explained: the two complaint events behind its count.
	rec = f.do("GET", fmt.Sprintf("/api/v1/league/street?period=%d&unit=海淀/中关村&explain=1", year), nil)
	tb = decode[tableJSON](t, rec)
	for _, m := range tb.Rows[0].Metrics {
		if m.Key == "complaints_per_1000" && (m.Den != 120 || len(m.Events) != 2) {
			t.Fatalf("complaints_per_1000 %+v", m)
		}
	}
	// As the log stood after the first complaint: one event behind it.
	rec = f.do("GET", fmt.Sprintf("/api/v1/league/street?period=%d&unit=海淀/中关村&explain=1&as_of_position=%d", year, first.Position), nil)
	tb = decode[tableJSON](t, rec)
	for _, m := range tb.Rows[0].Metrics {
		if m.Key == "complaints_per_1000" && len(m.Events) != 1 {
			t.Fatalf("as of position %d: %+v", first.Position, m)
		}
	}
	if tb.Position != first.Position {
		t.Fatalf("as-of table at position %d, want %d", tb.Position, first.Position)
	}

	rec = f.do("GET", fmt.Sprintf("/api/v1/league/compound?period=%d&format=csv", year), nil)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(rec.Body.String(), "排名,单位,综合得分") {
		t.Fatalf("csv: %s %s", ct, rec.Body)
	}
	problemOf(t, f.do("GET", "/api/v1/league/planet", nil), 404)
	p := problemOf(t, f.do("GET", "/api/v1/league/street?period=2025-Q5&sort=up&explain=1", nil), 400)
	hasViolation(t, p, "period", "param.period")
	hasViolation(t, p, "sort", "param.sort")
	hasViolation(t, p, "explain", "param.explain_needs_unit")
	problemOf(t, f.do("GET", fmt.Sprintf("/api/v1/league/street?period=%d&unit=nowhere", year), nil), 404)
	rec = f.do("GET", "/api/v1/campaign", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "response_rate") {
		t.Fatalf("campaign: %d %s", rec.Code, rec.Body)
	}
}

// Read-your-writes: a query with min_position waits for the projection.
func TestLeagueMinPosition(t *testing.T) {
	f, _, feed := leagueFixture(t)
	res := f.ok("c1", "register", registerBody)
	go func() { time.Sleep(50 * time.Millisecond); feed() }()
	rec := f.do("GET", fmt.Sprintf("/api/v1/league/compound?min_position=%d", res.Position), nil)
	if tb := decode[tableJSON](t, rec); rec.Code != 200 || len(tb.Rows) != 1 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	// The league waits no longer than any other read.
	f.srv.waitTimeout = 10 * time.Millisecond
	start := time.Now()
	rec = f.do("GET", "/api/v1/league/compound?min_position=99", nil)
	if problemOf(t, rec, 503); time.Since(start) > 2*time.Second || rec.Header().Get("Retry-After") == "" {
		t.Errorf("waited %v for a position never reached", time.Since(start))
	}
}

func TestProjectionStatusAndRebuild(t *testing.T) {
	f, runner, feed := leagueFixture(t)
	f.ok("c1", "register", registerBody)
	feed()
	rec := f.do("POST", "/api/v1/projections/league/rebuild", nil)
	if rec.Code != 202 {
		t.Fatalf("rebuild: %d %s", rec.Code, rec.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st []struct {
			Name       string `json:"name"`
			Position   uint64 `json:"position"`
			Rebuilding bool   `json:"rebuilding"`
		}
		if err := json.Unmarshal(f.do("GET", "/api/v1/projections", nil).Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		if len(st) == 1 && !st[0].Rebuilding && st[0].Position == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pos, halted := runner.Status(); pos != 1 || halted != nil {
		t.Fatalf("after rebuild: %d %v", pos, halted)
	}
	problemOf(t, f.do("POST", "/api/v1/projections/nope/rebuild", nil), 404)
}

// The XLSX export is a real workbook with the Chinese headers and numbers.
func TestLeagueXLSX(t *testing.T) {
	f, _, feed := leagueFixture(t)
	f.ok("c1", "register", registerBody)
	f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`)
	feed()
	rec := f.do("GET", fmt.Sprintf("/api/v1/league/street?period=%d&format=xlsx", f.now.In(domain.China).Year()), nil)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	wb, err := excelize.OpenReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.GetRows("排名")
	if err != nil || len(rows) != 2 || rows[0][0] != "排名" || rows[0][5] != "响应率" || rows[1][1] != "中关村" {
		t.Fatalf("rows %v (%v)", rows, err)
	}
	if v, _ := wb.GetCellValue("排名", "J2"); v == "" { // 每千户投诉量: 1 of 120 households
		t.Fatal("no figure for complaints per 1,000 households")
	}
}
