package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections/deadlines"
)

// compoundData is a compound's case file.
type compoundData struct {
	View      domain.CompoundView
	Timeline  []entry // newest first
	Steps     []step
	Deadlines []deadlines.Item
	Chart     chart
	Commands  []string
	At        time.Time
}

// entry is one event of a timeline, with a short summary of its payload.
type entry struct {
	domain.Envelope
	Summary string
}

// step is one stage of committee formation with its legal deadline.
type step struct {
	Label   string
	Done    bool
	At      time.Time
	Due     time.Time // zero: none open
	Overdue bool
}

func (h *Handler) compound(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	c, events, err := h.o.Service.Load(r.Context(), id, domain.StreamQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !c.Registered() {
		h.render(w, r, http.StatusNotFound, "notfound", "", nil)
		return
	}
	l, now := lang(w, r), h.o.Now()
	d := compoundData{View: c.View(), Timeline: timeline(l, h.masked(r, events)), Commands: domain.CommandNames(), At: now}
	h.o.Deadlines.Read(func(m *deadlines.Model) {
		// Every open deadline of the compound, however far off.
		b := m.Board(now, 100*365*24*time.Hour, deadlines.Filter{Compound: id})
		d.Deadlines = append(b.Overdue, b.DueSoon...)
	})
	if err := h.openComplainants(r, d.View.Complaints); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Steps = committeeSteps(l, d.View.Committee, d.Deadlines, now)
	d.Chart = complaintChart(l, d.View.Complaints, now)
	h.render(w, r, http.StatusOK, "compound", "street", d)
}

func timeline(l labels.Lang, events []domain.Envelope) []entry {
	out := make([]entry, len(events))
	for i, e := range events {
		out[len(events)-1-i] = entry{Envelope: e, Summary: summary(l, e.Data)}
	}
	return out
}

// summaryGroups label the payload fields that hold codes; a field name
// shared by two vocabularies (kind) is tried in each.
var summaryGroups = map[string][]labels.Group{
	"channel": {labels.Channel}, "category": {labels.ComplaintCategory}, "kind": {labels.ComplaintKind, labels.CompoundKind},
	"satisfaction": {labels.Satisfaction}, "cause": {labels.LawsuitCause}, "outcome": {labels.LawsuitOutcome},
	"company_side": {labels.LawsuitSide}, "prevailing": {labels.LawsuitSide}, "term": {labels.MeasureTerm},
	"matter": {labels.Matter}, "reason": {labels.LeaveReason}, "violation": {labels.CompanyViolation}, "role": {labels.GroupRole},
}

// summary shows a payload's plain fields as "field: value", briefly, the
// fields and the codes among the values labelled.
func summary(l labels.Lang, data json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		switch v.(type) {
		case string, float64, bool:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		v := fmt.Sprint(m[k])
		if b, ok := m[k].(bool); ok {
			v = labels.Of(l, labels.Column, map[bool]string{true: "yes", false: "no"}[b])
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			v = t.In(domain.China).Format("2006-01-02 15:04")
		}
		for _, g := range summaryGroups[k] {
			if labels.Has(g, v) {
				v = labels.Of(l, g, v)
				break
			}
		}
		if len([]rune(v)) > 40 {
			v = string([]rune(v)[:40]) + "…"
		}
		parts = append(parts, labels.Of(l, labels.Field, k)+": "+v)
		if len(parts) == 5 {
			break
		}
	}
	return strings.Join(parts, " · ")
}

// committeeSteps lays out committee formation: application, preparatory
// group, election, filing (with its legal deadline), re-election (with its).
func committeeSteps(l labels.Lang, cv domain.CommitteeView, open []deadlines.Item, now time.Time) []step {
	due := func(k deadlines.Kind) (time.Time, bool) {
		for _, it := range open {
			if it.Kind == k {
				return it.Due, it.Due.Before(now)
			}
		}
		return time.Time{}, false
	}
	w := func(s string) string { return labels.Of(l, labels.Word, s) }
	steps := []step{{Label: w("step_applied")}, {Label: w("step_preparing")}, {Label: w("step_elected")}, {Label: w("step_filed")}, {Label: w("step_reelection")}}
	if cv.AppliedAt != nil {
		steps[0].Done, steps[0].At = true, *cv.AppliedAt
	}
	steps[1].Done = len(cv.PreparatoryGroup) > 0
	if s := cv.Serving; s != nil {
		steps[0].Done, steps[1].Done = true, true
		steps[2].Done, steps[2].At = true, s.ElectedAt
		if s.FiledAt != nil {
			steps[3].Done, steps[3].At = true, *s.FiledAt
		}
		steps[4].Done = s.ReelectionStarted
		steps[4].At = s.TermEnd
	}
	steps[3].Due, steps[3].Overdue = due(deadlines.KindCommitteeFiling)
	steps[4].Due, steps[4].Overdue = due(deadlines.KindReelection)
	return steps
}

// complaintChart counts the compound's complaints by month received, in
// the year of now against the year before.
func complaintChart(l labels.Lang, cs []domain.ComplaintView, now time.Time) chart {
	year := now.In(domain.China).Year()
	if n := len(cs); n > 0 {
		latest := slices.MaxFunc(cs, func(a, b domain.ComplaintView) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
		year = latest.ReceivedAt.In(domain.China).Year()
	}
	cur, prev := make([]int, 12), make([]int, 12)
	for _, c := range cs {
		t := c.ReceivedAt.In(domain.China)
		switch t.Year() {
		case year:
			cur[t.Month()-1]++
		case year - 1:
			prev[t.Month()-1]++
		}
	}
	months := make([]string, 12)
	for i := range months {
		months[i] = fmt.Sprintf("%02d", i+1)
	}
	return monthLines(l, year, months, cur, prev, nil)
}

// openComplainants opens the complainants' names and phones for a user
// whose role calls residents back (policy: adapters/http); every read is
// recorded. Others see that there is someone, not who.
func (h *Handler) openComplainants(r *http.Request, cs []domain.ComplaintView) error {
	u, pd := h.user(r), h.o.Service.Personal()
	if u == nil || !u.Personal || pd == nil {
		return nil
	}
	ps := make([]domain.Personal, len(cs))
	for i, c := range cs {
		ps[i] = c.Complainant
	}
	opened, err := pd.Open(r.Context(), app.Reader{User: u.Name, Role: u.Role, Purpose: r.Method + " " + r.URL.Path}, ps)
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].Complainant = opened[i]
	}
	return nil
}
