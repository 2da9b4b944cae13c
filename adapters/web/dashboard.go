package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/casetrack/casetrack/adapters/http/encoded"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

const (
	readTimeout = 30 * time.Second // an explained table as of a past time replays the log
	chartBars   = 20               // the bar chart shows the first units of the table's order
	maxExplain  = 500              // events listed behind one figure
	tableRows   = 100              // rows of the league table per page: a city has thousands of compounds
)

// leagueForm is the dashboard's pickers, as read from the query.
type leagueForm struct {
	Level, Period, Sort, AsOf, Unit string
	Page                            int // of the table, from 1
}

func (f leagueForm) params(extra ...string) []string {
	return append([]string{"level", f.Level, "period", f.Period, "sort", f.Sort, "as_of", f.AsOf}, extra...)
}

// Link is a labelled link.
type Link struct{ Label, URL string }

// dashboardData is the campaign dashboard.
type dashboardData struct {
	Form    leagueForm
	Levels  []string
	Periods []string
	Table   league.Table
	Rows    template.HTML // the rows of the table's page shown (tableBody)
	Pages   int
	Prev    string // links to the table's neighbouring pages, if any
	Next    string
	Metrics []string      // the configured metrics, in the table's column order
	Red     template.HTML // the red list's items (listItems)
	Black   template.HTML
	Bars    chart
	Lines   chart
	Export  []Link
}

// chart is an ECharts option set and, per category, the page its figure
// leads to; app.js reads both from data attributes.
type chart struct {
	Option map[string]any
	Links  []string
}

func (h *Handler) leagueForm(r *http.Request) (leagueForm, league.Request, error) {
	q := r.URL.Query()
	f := leagueForm{Level: q.Get("level"), Period: q.Get("period"), Sort: q.Get("sort"), AsOf: q.Get("as_of"), Unit: q.Get("unit")}
	if f.Level == "" {
		f.Level = string(league.LevelStreet)
	}
	if f.Period == "" {
		f.Period = strconv.Itoa(h.o.Now().In(domain.China).Year())
	}
	var bad []domain.Violation
	f.Page = 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			bad = append(bad, domain.Violation{Rule: "param.page", Field: "page", Message: "page: must be a whole number from 1",
				MessageZH: "page：须为从 1 起的整数"})
		}
		f.Page = n
	}
	level := league.Level(f.Level)
	if !level.Valid() {
		bad = append(bad, domain.Violation{Rule: "param.level", Field: "level",
			Message: "level: must be street, community, district, compound or company", MessageZH: "level：须为 street、community、district、compound 或 company"})
	}
	period, err := league.ParsePeriod(f.Period)
	if err != nil {
		bad = append(bad, domain.Violation{Rule: "param.period", Field: "period", Message: "period: " + err.Error(),
			MessageZH: "period：周期格式应为 2025、2025-Q2、2025-06 或 2025-01-01..2025-06-30"})
	}
	if f.Sort != "" && f.Sort != "best" && f.Sort != "worst" {
		bad = append(bad, domain.Violation{Rule: "param.sort", Field: "sort", Message: "sort: must be best or worst", MessageZH: "sort：须为 best 或 worst"})
	}
	asOf, err := day(r, "as_of", true)
	if err != nil {
		bad = append(bad, domain.ErrorOf(err).Violations...)
	}
	if len(bad) > 0 {
		return f, league.Request{}, &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: bad}
	}
	req := league.Request{Query: league.Query{Level: level, Period: period, WorstFirst: f.Sort == "worst" || f.Sort == "" && level == league.LevelCompound},
		View: projections.Query{AsOf: asOf}}
	return f, req, nil
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	if h.o.League == nil {
		h.fail(w, r, domain.Internal(errNoLeague, "dashboard"))
		return
	}
	f, req, err := h.leagueForm(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f.Unit != "" && f.Level == string(league.LevelCompound) && !h.unitInScope(r, league.LevelCompound, f.Unit) {
		h.Refuse(w, r, forbidden)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	tables, err := h.dashboardTables(ctx, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := lang(w, r)
	build := func() ([]byte, error) {
		d, err := h.dashboardData(r, l, f, tables)
		if err != nil {
			return nil, err
		}
		return h.execute(r, l, "dashboard", "dashboard", d, len(d.Rows)+len(d.Red)+len(d.Black))
	}
	var e *encoded.Answer
	if version, live := h.dashboardVersion(r, tables); live {
		e, err = h.dashboards.Get(h.pageKey(r, l, "dashboard"), version, build)
	} else { // a past model's tables are made for this request, and so is its page
		var b []byte
		if b, err = build(); err == nil {
			e, err = encoded.For(r, pageType, b)
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Vary", pageVary)
	e.Write(w, r, http.StatusOK)
}

// dashboardTables are the tables a dashboard shows: the period's, and
// each month's of the period's year, which the month chart sums.
type dashboardTables struct {
	table  league.Table
	months [12]league.Table
}

func (h *Handler) dashboardTables(ctx context.Context, req league.Request) (dashboardTables, error) {
	var t dashboardTables
	var err error
	if t.table, err = h.o.League.Table(ctx, req); err != nil {
		return t, err
	}
	year := req.Period.From.In(domain.China).Year()
	for m := range t.months {
		mreq := req
		mreq.Period, _ = league.ParsePeriod(fmt.Sprintf("%d-%02d", year, m+1))
		mreq.Explain = false
		if t.months[m], err = h.o.League.Table(ctx, mreq); err != nil {
			return t, err
		}
	}
	return t, nil
}

// dashboardVersion names what a dashboard page is made from besides its
// request (pageKey): its tables, each computed once for its query,
// judging minute and the model's position (league.Table.Edition), and,
// for a scoped user's compound table, the directory that places their
// compounds (inScope; tables above the compound are shown whole). Tables
// of a past model have no edition: such a page is not kept (live false).
func (h *Handler) dashboardVersion(r *http.Request, t dashboardTables) (version string, live bool) {
	b := strconv.AppendUint(nil, t.table.Edition, 10)
	live = t.table.Edition != 0
	for _, m := range t.months {
		b = strconv.AppendUint(append(b, ','), m.Edition, 10)
		live = live && m.Edition != 0
	}
	if !h.scope(r).City() && t.table.Level == league.LevelCompound {
		b = strconv.AppendUint(append(b, '/'), h.o.Directory.Position(), 10)
	}
	return string(b), live
}

// dashboardData lays out a dashboard from its tables, as the user may see them.
func (h *Handler) dashboardData(r *http.Request, l labels.Lang, f leagueForm, t dashboardTables) (dashboardData, error) {
	tb := t.table
	h.inScope(r, &tb)
	d := dashboardData{Form: f, Table: tb, Periods: periods(h.o.Now()),
		Levels: []string{"street", "community", "district", "compound", "company"}}
	for _, m := range h.o.League.Config().Metrics {
		d.Metrics = append(d.Metrics, m.Key)
	}
	var red, black []league.Row // every unit tied into a list is on it: thousands of compounds, at times
	for _, row := range tb.Rows {
		switch row.List {
		case "red":
			red = append(red, row)
		case "black":
			black = append(black, row)
		}
	}
	d.Pages = max(1, (len(tb.Rows)+tableRows-1)/tableRows)
	if f.Page > d.Pages {
		return d, &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: []domain.Violation{{
			Rule: "param.page", Field: "page", Message: fmt.Sprintf("page: the table has %d pages", d.Pages),
			MessageZH: fmt.Sprintf("page：该表共 %d 页", d.Pages)}}}
	}
	d.Rows = tableBody(l, f, tb.Rows[(f.Page-1)*tableRows:min(len(tb.Rows), f.Page*tableRows)])
	if f.Page > 1 {
		d.Prev = query("/dashboard", f.params("unit", f.Unit, "page", strconv.Itoa(f.Page-1))...)
	}
	if f.Page < d.Pages {
		d.Next = query("/dashboard", f.params("unit", f.Unit, "page", strconv.Itoa(f.Page+1))...)
	}
	slices.SortFunc(red, func(a, b league.Row) int { return a.Rank - b.Rank })
	slices.SortFunc(black, func(a, b league.Row) int { return b.Rank - a.Rank })
	d.Red, d.Black = listItems(f, red), listItems(f, black)
	d.Bars = barChart(l, f, tb)
	d.Lines = h.monthChart(r, l, f, tb.From.In(domain.China).Year(), t.months)
	api := "/api/v1/league/" + f.Level
	d.Export = []Link{{"XLSX", query(api, "period", f.Period, "sort", f.Sort, "as_of", f.AsOf, "format", "xlsx")},
		{"CSV", query(api, "period", f.Period, "sort", f.Sort, "as_of", f.AsOf, "format", "csv")}}
	return d, nil
}

// periods offers this year and the two before, each with its quarters and months.
func periods(now time.Time) []string {
	var out []string
	y := now.In(domain.China).Year()
	for year := y; year > y-3; year-- {
		out = append(out, strconv.Itoa(year))
		for q := 1; q <= 4; q++ {
			out = append(out, fmt.Sprintf("%d-Q%d", year, q))
		}
		for m := 1; m <= 12; m++ {
			out = append(out, fmt.Sprintf("%d-%02d", year, m))
		}
	}
	return out
}

func barChart(l labels.Lang, f leagueForm, tb league.Table) chart {
	var names []string
	var scores []float64
	var links []string
	for i, row := range tb.Rows {
		if i == chartBars {
			break
		}
		names = append(names, row.Name)
		scores = append(scores, float64(int(row.Score*10))/10)
		links = append(links, query("/explain", f.params("unit", row.Unit)...))
	}
	return chart{Links: links, Option: map[string]any{
		"aria":    map[string]any{"enabled": true},
		"title":   map[string]any{"text": labels.Of(l, labels.Column, "score"), "left": 0, "textStyle": map[string]any{"fontSize": 14}},
		"tooltip": map[string]any{},
		"grid":    map[string]any{"left": 40, "right": 10, "bottom": 90, "top": 40},
		"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"rotate": 45, "interval": 0}},
		"yAxis":   map[string]any{"type": "value", "max": 100},
		"series":  []map[string]any{{"type": "bar", "data": scores, "name": labels.Of(l, labels.Column, "score")}},
	}}
}

// monthChart counts complaints received per month of the period's year
// against the same months a year before, for one unit or the whole table,
// from the complaints_yoy figure of each month's table (this year over
// last). Without that metric in the campaign there is nothing to draw.
func (h *Handler) monthChart(r *http.Request, l labels.Lang, f leagueForm, year int, tables [12]league.Table) chart {
	var months []string
	cur, prev := make([]float64, 12), make([]float64, 12)
	var links []string
	found := false
	// A table seen whole (every row in scope) has one sum, which its
	// edition names: the charts of every period of the year share it.
	whole := f.Unit == "" && (f.Level != string(league.LevelCompound) || h.scope(r).City())
	for m, tb := range tables {
		p := fmt.Sprintf("%d-%02d", year, m+1)
		months = append(months, p)
		links = append(links, query("/explain", "level", f.Level, "period", p, "as_of", f.AsOf, "unit", f.Unit, "metric", "complaints_yoy"))
		var sum complaintSum
		if whole && tb.Edition != 0 {
			sum = h.monthSums.of(tb)
		} else {
			h.inScope(r, &tb)
			sum = complaints(tb, f.Unit)
		}
		found = found || sum.found
		cur[m], prev[m] = sum.cur, sum.prev
	}
	if !found {
		return chart{}
	}
	if f.Unit == "" {
		links = nil // the whole table has no one unit to explain
	}
	return monthLines(l, year, months, cur, prev, links)
}

// complaintSum is the complaints of a table's rows, this year and last,
// from their complaints_yoy figure; found is false without that metric.
type complaintSum struct {
	cur, prev float64
	found     bool
}

// complaints sums the rows of a table, or one unit's row.
func complaints(tb league.Table, unit string) complaintSum {
	var s complaintSum
	if len(tb.Rows) == 0 {
		return s
	}
	// Every row has the campaign's metrics in the same order: find the
	// column once, not per row (a compound table has thousands of rows).
	j := slices.IndexFunc(tb.Rows[0].Metrics, func(v league.Value) bool { return v.Key == "complaints_yoy" })
	if j < 0 {
		return s
	}
	s.found = true
	for i := range tb.Rows {
		if row := &tb.Rows[i]; unit == "" || row.Unit == unit {
			s.cur += row.Metrics[j].Num
			s.prev += row.Metrics[j].Den
		}
	}
	return s
}

// monthSums keeps the sums of whole month tables by edition: the sum of a
// city's compound table walks thousands of rows, most of a dashboard's
// render when its tables are new.
type monthSums struct {
	mu        sync.Mutex
	byEdition map[uint64]complaintSum
}

const maxMonthSums = 4096 // a few hundred tables are live: the rest are of tables computed again since

func (s *monthSums) of(tb league.Table) complaintSum {
	s.mu.Lock()
	sum, ok := s.byEdition[tb.Edition]
	s.mu.Unlock()
	if ok {
		return sum
	}
	sum = complaints(tb, "")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byEdition == nil || len(s.byEdition) >= maxMonthSums {
		s.byEdition = map[uint64]complaintSum{}
	}
	s.byEdition[tb.Edition] = sum
	return sum
}

// monthLines is the chart of complaints per month of a year against the
// same months of the year before.
func monthLines[N int | float64](l labels.Lang, year int, months []string, cur, prev []N, links []string) chart {
	this, last := strconv.Itoa(year), strconv.Itoa(year-1)
	return chart{Links: links, Option: map[string]any{
		"aria":    map[string]any{"enabled": true},
		"title":   map[string]any{"text": labels.Of(l, labels.Word, "complaints_per_month"), "left": 0, "textStyle": map[string]any{"fontSize": 14}},
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"data": []string{this, last}, "top": 28},
		"grid":    map[string]any{"left": 40, "right": 10, "bottom": 30, "top": 64},
		"xAxis":   map[string]any{"type": "category", "data": months},
		"yAxis":   map[string]any{"type": "value", "minInterval": 1},
		"series": []map[string]any{{"type": "line", "name": this, "data": cur},
			{"type": "line", "name": last, "data": prev, "lineStyle": map[string]any{"type": "dashed"}}},
	}}
}

// explainData is the drill-down of one unit's figures to the events
// behind them, each with its compound.
type explainData struct {
	Form    leagueForm
	Metric  string
	Row     league.Row
	Value   league.Value
	Events  []explained
	More    int // events left off
	Missing int // events not found in the unit's compounds (e.g. a company's former compounds)
}

type explained struct {
	Event    domain.Envelope
	Compound directory.Entry
	Against  bool // late, unsolved, unsatisfied, returned or reopened
}

func (h *Handler) explain(w http.ResponseWriter, r *http.Request) {
	if h.o.League == nil {
		h.fail(w, r, domain.Internal(errNoLeague, "explain"))
		return
	}
	f, req, err := h.leagueForm(r)
	if err == nil && f.Unit == "" {
		err = &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: []domain.Violation{{
			Rule: "param.unit", Field: "unit", Message: "unit: explaining figures needs one unit", MessageZH: "unit：须指定一个单位"}}}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.unitInScope(r, league.Level(f.Level), f.Unit) {
		h.Refuse(w, r, forbidden)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	req.Explain = true
	tb, err := h.o.League.Table(ctx, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := explainData{Form: f, Metric: r.URL.Query().Get("metric")}
	i := slices.IndexFunc(tb.Rows, func(row league.Row) bool { return row.Unit == f.Unit })
	if i < 0 {
		h.fail(w, r, domain.Errorf(domain.CodeNotFound, "no unit %q in the %s table", f.Unit, f.Level))
		return
	}
	d.Row = tb.Rows[i]
	if d.Metric == "" && len(d.Row.Metrics) > 0 {
		d.Metric = d.Row.Metrics[0].Key
	}
	j := slices.IndexFunc(d.Row.Metrics, func(v league.Value) bool { return v.Key == d.Metric })
	if j < 0 {
		h.fail(w, r, domain.Errorf(domain.CodeNotFound, "metric %q is not in the campaign", d.Metric))
		return
	}
	d.Value = d.Row.Metrics[j]
	var ids, againstIDs []string
	if x := d.Value.Explain; x != nil { // every event behind the figure, once
		ids = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(x.Denominator), x.Numerator...))))
		againstIDs = x.Against
	}
	if len(ids) > maxExplain {
		d.More, ids = len(ids)-maxExplain, ids[:maxExplain]
	}
	want, against := map[string]bool{}, map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for _, id := range againstIDs {
		against[id] = true
	}
	// The events are found in the streams of the unit's compounds: a table
	// holds event IDs only, and a unit has tens of compounds, not thousands.
	for _, c := range h.unitCompounds(league.Level(f.Level), f.Unit) {
		events, err := h.o.Store.ReadStream(ctx, domain.StreamID(c.ID), domain.StreamQuery{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, e := range events {
			if want[e.EventID] {
				d.Events = append(d.Events, explained{Event: e, Compound: c, Against: against[e.EventID]})
				delete(want, e.EventID)
			}
		}
	}
	d.Missing = len(want)
	for i := range d.Events {
		d.Events[i].Event = h.masked(r, []domain.Envelope{d.Events[i].Event})[0]
	}
	// Those against the unit first: they are what an inspector follows up.
	slices.SortStableFunc(d.Events, func(a, b explained) int {
		if a.Against != b.Against {
			return map[bool]int{true: -1, false: 1}[a.Against]
		}
		return a.Event.OccurredAt.Compare(b.Event.OccurredAt)
	})
	h.render(w, r, http.StatusOK, "explain", "dashboard", d)
}

// unitInScope reports whether the user may explain a unit's figures. As
// the API: tables above the compound are shown whole, but a scoped user
// explains only units within its scope, whose events are its own.
func (h *Handler) unitInScope(r *http.Request, level league.Level, unit string) bool {
	scope := h.scope(r)
	switch {
	case scope.City():
		return true
	case level == league.LevelCompany:
		return false
	case level == league.LevelCompound:
		in := false
		h.o.Directory.Read(func(m *directory.Model) {
			e, ok := m.Get(unit)
			in = ok && scope.Covers(e.District, e.Street, e.Community)
		})
		return in
	}
	p := append(strings.SplitN(unit, "/", 3), "", "")
	return scope.Covers(p[0], p[1], p[2])
}

// inScope keeps, of a compound table, the rows of the user's compounds
// (tables above the compound are shown whole, as the API does).
func (h *Handler) inScope(r *http.Request, tb *league.Table) {
	scope := h.scope(r)
	if scope.City() || tb.Level != league.LevelCompound {
		return
	}
	rows := tb.Rows[:0:0]
	h.o.Directory.Read(func(m *directory.Model) {
		for _, row := range tb.Rows {
			if e, ok := m.Get(row.Unit); ok && scope.Covers(e.District, e.Street, e.Community) {
				rows = append(rows, row)
			}
		}
	})
	tb.Rows = rows
}

// unitCompounds are the compounds of a league unit, from the directory.
func (h *Handler) unitCompounds(level league.Level, unit string) []directory.Entry {
	var out []directory.Entry
	h.o.Directory.Read(func(m *directory.Model) {
		path := strings.Split(unit, "/")
		var f directory.Filter
		switch level {
		case league.LevelCompound:
			if e, ok := m.Get(unit); ok {
				out = append(out, e)
			}
			return
		case league.LevelCompany:
			for _, e := range m.List(f) {
				if e.PropertyCompany == unit {
					out = append(out, e)
				}
			}
			return
		}
		f.District = path[0]
		if len(path) > 1 {
			f.Street = path[1]
		}
		if len(path) > 2 {
			f.Community = path[2]
		}
		out = m.List(f)
	})
	return out
}
