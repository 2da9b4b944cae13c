package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/credit"
)

// withRunner serves a model made by newModel through opt on f's server;
// feed applies what the store holds, as the bus would.
func withRunner[M projections.Projection](f *fixture, newModel func() M, opt func(*projections.Runner[M]) Option) (feed func()) {
	f.t.Helper()
	runner, err := projections.NewRunner(newModel, projections.NewMemoryCheckpoints(), 100)
	if err != nil {
		f.t.Fatal(err)
	}
	opt(runner)(f.srv)
	return func() {
		events, err := f.store.ReadAll(context.Background(), 0, 0)
		if err != nil {
			f.t.Error(err)
			return
		}
		for _, e := range events {
			if err := runner.Handle(e); err != nil {
				f.t.Error(err)
			}
		}
	}
}

func TestCredit(t *testing.T) {
	f := newFixture(t)
	feed := withRunner(f, func() *credit.Model { return credit.New(domain.DefaultRuleBook()) }, WithCredit)
	f.okAt("c1", "register", registerBody, "2025-01-01")
	f.okAt("c2", "register", strings.Replace(registerBody, "甲物业", "乙/丙物业", 1), "2025-01-01")
	last := f.okAt("c1", "record-enforcement", `{"violation":"misuse_maintenance_fund","penalty":"罚款"}`, "2025-03-01")
	feed()

	list := decode[struct {
		Position  uint64           `json:"position"`
		Companies []credit.Summary `json:"companies"`
	}](t, f.do("GET", "/api/v1/credit?at=2025-06-01", nil))
	if want := []credit.Summary{{Company: "乙/丙物业", Score: 80, Grade: "AA"}, {Company: "甲物业", Score: 39, Grade: "C", Blacklisted: true, Items: 1}}; list.Position != last.Position ||
		len(list.Companies) != 2 || list.Companies[0] != want[0] || list.Companies[1] != want[1] {
		t.Fatalf("list %+v", list)
	}

	ledger := func(company, query string) creditLedger {
		t.Helper()
		rec := f.do("GET", "/api/v1/credit/"+url.PathEscape(company)+query, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return decode[creditLedger](t, rec)
	}
	// The item dates from 2025-03-01 00:00 and lasts 12 months: the whole of 28 February 2026, not 1 March.
	for _, tc := range []struct {
		at    string
		score int
		grade string
		items int
	}{{"2025-02-28", 80, "AA", 0}, {"2025-03-01", 39, "C", 1}, {"2026-02-28", 39, "C", 1}, {"2026-03-01", 80, "AA", 0}} {
		if l := ledger("甲物业", "?at="+tc.at); l.Score != tc.score || l.Grade != tc.grade || len(l.Items) != tc.items || l.Blacklisted != (tc.items > 0) {
			t.Errorf("at %s: %+v", tc.at, l)
		}
	}
	if l := ledger("甲物业", "?at=2025-06-01"); l.Items[0].Kind != credit.KindMisuseFund || l.Items[0].Points != -41 || l.Items[0].Compound != "c1" || l.Items[0].EventID == "" {
		t.Errorf("item %+v", l.Items[0])
	}
	if l := ledger("乙/丙物业", ""); l.Company != "乙/丙物业" || l.Score != 80 {
		t.Errorf("a name with a slash: %+v", l)
	}

	p := problemOf(t, f.do("GET", "/api/v1/credit/"+url.PathEscape("丁物业"), nil), http.StatusNotFound)
	if !strings.Contains(p.Detail, "丁物业") {
		t.Errorf("404 does not name the company: %+v", p)
	}
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/credit?at=yesterday", nil), http.StatusBadRequest), "at", "param.time")
	p = problemOf(t, f.do("GET", "/api/v1/credit/x?at=soon&min_position=next", nil), http.StatusBadRequest)
	hasViolation(t, p, "at", "param.time")
	hasViolation(t, p, "min_position", "param.integer")

	// Read-your-writes: the answer waits until the model has the new item.
	next := f.okAt("c1", "record-enforcement", `{"violation":"unauthorised_service_cut_or_fee_change","penalty":"责令改正"}`, "2025-04-01")
	fed := make(chan struct{})
	go func() { time.Sleep(20 * time.Millisecond); feed(); close(fed) }()
	if l := ledger("甲物业", "?at=2025-06-01&min_position="+strconv.FormatUint(next.Position, 10)); l.Score != 19 || l.Position != next.Position {
		t.Errorf("after the wait: %+v", l)
	}
	<-fed
	f.srv.waitTimeout = 10 * time.Millisecond
	problemOf(t, f.do("GET", "/api/v1/credit?min_position=99", nil), http.StatusServiceUnavailable)
}
