package http

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/deadlines"
)

func TestDeadlines(t *testing.T) {
	f := newFixture(t)
	feed := withRunner(f, func() *deadlines.Model { return deadlines.New() }, WithDeadlines)
	f.okAt("c1", "register", registerBody, "2025-01-01")
	f.okAt("c2", "register", strings.Replace(registerBody, "海淀", "朝阳", 1), "2025-01-01")
	// Consultations received Monday 2 June 2025 at midnight: dispatch within 24 h, reply by Thursday's end.
	for _, id := range []string{"c1", "c2"} {
		f.okAt(id, "receive-complaint", `{"complaint_id":"k","channel":"hotline","kind":"consultation","category":"fees","summary":"x"}`, "2025-06-02")
	}
	f.okAt("c2", "dispatch-complaint", `{"complaint_id":"k","unit":"甲物业"}`, "2025-06-02")
	feed()

	board := func(query string) []string {
		t.Helper()
		rec := f.do("GET", "/api/v1/deadlines"+query, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		b := decode[struct {
			Position uint64           `json:"position"`
			Overdue  []deadlines.Item `json:"overdue"`
			DueSoon  []deadlines.Item `json:"due_soon"`
		}](t, rec)
		var out []string
		for _, list := range []struct {
			tag   string
			items []deadlines.Item
		}{{"overdue", b.Overdue}, {"soon", b.DueSoon}} {
			for _, it := range list.items {
				out = append(out, list.tag+" "+it.Compound+" "+string(it.Kind)+" "+it.Due.In(domain.China).Format(time.DateTime))
			}
		}
		return out
	}
	c1Dispatch := "c1 complaint_dispatch 2025-06-03 00:00:00"
	c1Reply, c2Reply := "c1 complaint_reply 2025-06-05 23:59:59", "c2 complaint_reply 2025-06-05 23:59:59"
	for _, tc := range []struct {
		query string
		want  []string
	}{
		// A day means its start: on 3 June the dispatch limit of that midnight is due, not yet overdue.
		{"?at=2025-06-03&soon_days=1", []string{"soon " + c1Dispatch}},
		{"?at=2025-06-04&soon_days=14", []string{"overdue " + c1Dispatch, "soon " + c1Reply, "soon " + c2Reply}},
		{"?at=2025-06-04", []string{"overdue " + c1Dispatch, "soon " + c1Reply, "soon " + c2Reply}}, // 14 days by default
		{"?at=2025-06-04&soon_days=0", []string{"overdue " + c1Dispatch}},
		{"?at=2025-06-04&district=朝阳", []string{"soon " + c2Reply}},
		{"?at=2025-06-04&street=中关村&community=东区&compound=c1", []string{"overdue " + c1Dispatch, "soon " + c1Reply}},
		{"?at=2025-06-04&street=望京", nil},
		{"?at=2025-06-04&kind=complaint_reply", []string{"soon " + c1Reply, "soon " + c2Reply}},
		{"?at=2025-06-04&kind=listing", nil},
	} {
		if got := board(tc.query); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", tc.query, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}

	p := problemOf(t, f.do("GET", "/api/v1/deadlines?at=tomorrow&soon_days=-1", nil), http.StatusBadRequest)
	hasViolation(t, p, "at", "param.time")
	hasViolation(t, p, "soon_days", "param.integer")
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/deadlines?soon_days=100000", nil), http.StatusBadRequest), "soon_days", "param.soon_days")
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/deadlines?kind=complaint", nil), http.StatusBadRequest), "kind", "param.deadline_kind")
	f.srv.waitTimeout = 10 * time.Millisecond
	problemOf(t, f.do("GET", "/api/v1/deadlines?min_position=99", nil), http.StatusServiceUnavailable)
}
