package http

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/xuri/excelize/v2"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// Option configures optional parts of the server.
type Option func(*Server)

// WithLeague serves the campaign league tables.
func WithLeague(l *league.Service) Option {
	return func(s *Server) {
		s.league = l
		s.handle("GET", "/api/v1/league/{level}", api{summary: "a league table of the campaign, a page of its ranked rows, its figures explained on request",
			query: []string{"period", "sort", "limit", "cursor", "unit", "explain", "format", "district", "street", "community", "as_of", "as_of_position",
				"min_position"}, answer: leaguePage{}, exports: true, problems: []domain.Code{domain.CodeNotFound}}, s.handleLeague)
		s.handle("GET", "/api/v1/campaign", api{summary: "the campaign in force: its configuration and metrics", answer: campaign{}},
			s.handleCampaign)
	}
}

// leagueRows is a league table's page when the client names no limit: a
// city's compound table has thousands of rows (tens of MB of JSON), most
// of a one-off answer's cost; an export is whole unless limited.
const leagueRows = 100

// leaguePage is a page of a league table: Rows holds at most limit of the
// Total rows shown to this caller, from the cursor's.
type leaguePage struct {
	league.Table
	Total      int    `json:"total"` // the rows of the table this caller may see, in its area
	NextCursor string `json:"next_cursor,omitempty"`
}

// handleLeague answers a league table: ?period=2025|2025-Q2|2025-06|FROM..TO,
// sort=best|worst, limit and cursor (a page of the ranked rows), unit (one
// row), explain (the events behind each figure), as_of (a past time) or
// as_of_position, min_position, format=csv, and district, street,
// community: the rows of the units inside that area (ranks stay those of
// the whole table).
func (s *Server) handleLeague(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "period", "sort", "limit", "cursor", "unit", "explain", "format", "district", "street", "community",
		"as_of", "as_of_position", "min_position")
	level := league.Level(chi.URLParam(r, "level"))
	if !level.Valid() {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no league table of %q: use street, community, district, compound or company", level))
		return
	}
	req := league.Request{Query: league.Query{Level: level, WorstFirst: level == league.LevelCompound}, View: p.view(true)}
	period := p.q.Get("period")
	if period == "" {
		period = strconv.Itoa(time.Now().In(domain.China).Year())
	}
	var err error
	if req.Period, err = league.ParsePeriod(period); err != nil {
		p.fail("period", "param.period", err.Error(), "周期格式应为 2025、2025-Q2、2025-06 或 2025-01-01..2025-06-30")
	} else if p.inRange("period", req.Period.From) {
		p.inRange("period", req.Period.To.Add(-time.Nanosecond))
	}
	switch p.q.Get("sort") {
	case "", "default":
	case "best":
		req.WorstFirst = false
	case "worst":
		req.WorstFirst = true
	default:
		p.fail("sort", "param.sort", "must be best or worst", "须为 best 或 worst")
	}
	format := p.q.Get("format")
	if format != "" && format != "json" && format != "csv" && format != "xlsx" {
		p.fail("format", "param.format", "must be json, csv or xlsx", "须为 json、csv 或 xlsx")
	}
	export := format == "csv" || format == "xlsx"
	rows := leagueRows
	if export {
		rows = 0
	}
	pg, from := p.ranked("league/"+string(level), rows)
	unit := p.text("unit")
	switch p.q.Get("explain") {
	case "", "false", "0":
	case "true", "1":
		req.Explain = true
	default:
		p.fail("explain", "param.boolean", "must be true or false", "须为 true 或 false")
	}
	if req.Explain && unit == "" {
		p.fail("explain", "param.explain_needs_unit", "explain lists events, so it needs one unit", "explain 须同时指定 unit")
	}
	area := s.areaFilter(p, level)
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	// Tables above the compound rank whole units and are shown whole; their
	// explanations list compounds' events, so a scoped account explains only
	// units within its scope (its compounds, its street, its community).
	scope := principalOf(r).Scope
	scoped := !scope.City()
	if scoped && req.Explain && level != league.LevelCompound && (level == league.LevelCompany || !scope.Covers(unitPlace(unit))) {
		s.Error(w, r, domain.Errorf(domain.CodeForbidden, "your account explains only units within its own part of the city"))
		return
	}
	// A table of the past is counted from the live model's known facts;
	// only an explained one is replayed.
	ctx, done, err := s.bound(r, &req.View, req.Explain)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	defer done()
	// A past table that no filter narrows is paged by the model, which
	// then copies out only the page's rows: the table is made for this one
	// request, and most of its cost was the thousands of rows a page was
	// cut from. A live table stays whole: its encoded pages are cut from
	// the one cached table.
	paged := !export && !(scoped && level == league.LevelCompound) && unit == "" && area == nil &&
		(!req.View.AsOf.IsZero() || req.View.AsOfPosition > 0)
	if paged {
		req.Offset, req.Limit = from, pg.limit
	}
	if export {
		// An export is filed as evidence: never older than the log now, so
		// the first export after a write has that write.
		if err := s.upToHead(ctx, &req.View); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	tb, err := s.league.Table(ctx, req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// The rows this caller is shown of the whole table: its scope's
	// compounds, the unit or area asked, the page.
	trim := func(tb league.Table) (leaguePage, error) {
		if paged {
			out := leaguePage{Table: tb, Total: tb.Units}
			if next := from + len(tb.Rows); len(tb.Rows) > 0 && next < tb.Units {
				out.NextCursor = pg.cursor(strconv.Itoa(next))
			}
			return out, nil
		}
		if scoped && level == league.LevelCompound {
			in := s.compoundsInScope(r)
			rows := tb.Rows[:0:0] // the rows are the cache's: filtered into a new slice
			for _, row := range tb.Rows {
				if in[row.Unit] {
					rows = append(rows, row)
				}
			}
			tb.Rows = rows
		}
		if unit != "" || area != nil {
			rows := tb.Rows[:0:0]
			for _, row := range tb.Rows {
				if (unit == "" || row.Unit == unit) && (area == nil || area(row.Unit)) {
					rows = append(rows, row)
				}
			}
			if len(rows) == 0 && unit != "" {
				return leaguePage{}, domain.Errorf(domain.CodeNotFound, "no unit %q in the %s table", unit, level)
			}
			tb.Rows = rows
		}
		out := leaguePage{Table: tb, Total: len(tb.Rows)}
		out.Rows, out.NextCursor = window(pg, from, tb.Rows)
		return out, nil
	}
	// An export is evidence: it names a signed checkpoint, written now if
	// need be; a table on screen names the tree unsigned.
	if tb.Position > 0 {
		if tb.Checkpoint, err = s.checkpointAt(ctx, tb.Position, export); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	if export {
		if pg, err := trim(tb); err != nil {
			s.Error(w, r, err)
		} else if format == "csv" {
			writeCSV(w, pg.Table)
		} else if err := writeXLSX(w, pg.Table); err != nil {
			s.logger.Error("xlsx export", "err", err)
		}
		return
	}
	if tb.Edition == 0 { // a table of the past, or explained: made for this request
		pg, err := trim(tb)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.respond(w, r, http.StatusOK, pg)
		return
	}
	// A table of the live model is encoded once for each query and caller's
	// scope, until the table is computed again (its edition) or snapshotted
	// (its snapshot) or its tree head is first known; a compound table's rows
	// are placed by the directory.
	q := p.q
	q.Del("min_position")
	key := fmt.Sprintf("league/%s?%s|%+v|%t", level, q.Encode(), scope, infoOf(r).mask)
	ver := fmt.Sprint(tb.Edition, "/", tb.Snapshot, "/", treeHeadText(tb.Checkpoint))
	if level == league.LevelCompound && (scoped || area != nil) {
		ver += fmt.Sprint("/", s.dir.Position())
	}
	e, err := s.answers.Get(key, ver, func() ([]byte, error) {
		pg, err := trim(tb)
		if err != nil {
			return nil, err
		}
		return s.marshal(r, pg)
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	e.Write(w, r, http.StatusOK)
}

// unitPlace reads a league unit's path (district/street/community) as a place.
func unitPlace(unit string) domain.Profile {
	parts := append(strings.SplitN(unit, "/", 3), "", "")
	return domain.Profile{District: parts[0], Street: parts[1], Community: parts[2]}
}

// upToHead makes a live view wait for the last position of the log (or the
// one asked, if later); views of the past are fixed already.
func (s *Server) upToHead(ctx context.Context, q *projections.Query) error {
	if !q.AsOf.IsZero() || q.AsOfPosition != 0 {
		return nil
	}
	head := s.league.Position()
	for { // the runner trails the log by a few events: page past them
		page, err := s.store.ReadAll(ctx, head, 1000)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		head = page[len(page)-1].Position
	}
	q.MinPosition = max(q.MinPosition, head)
	return nil
}

// percent is a fraction an export shows as a percentage.
type percent float64

// exportHeader names what an export shows: the campaign, period, knowledge
// time, log position and checkpoint it was computed at.
func exportHeader(tb league.Table) [][2]string {
	return [][2]string{
		{"考核活动", tb.Campaign},
		{"层级", string(tb.Level)},
		{"统计周期", tb.From.In(domain.China).Format(time.DateOnly) + " 至 " + tb.To.Add(-time.Second).In(domain.China).Format(time.DateOnly)},
		{"数据截至（知识时间）", tb.AsOf.In(domain.China).Format(time.RFC3339)},
		{"判定时间", tb.JudgedAt.In(domain.China).Format(time.RFC3339)},
		{"日志位置", strconv.FormatUint(tb.Position, 10)},
		{"快照位置", strconv.FormatUint(tb.Snapshot, 10)},
		{"审计检查点", treeHeadText(tb.Checkpoint)},
	}
}

// treeHeadText shows an audit checkpoint in an export's header.
func treeHeadText(c *league.TreeHead) string {
	if c == nil {
		return "无"
	}
	return fmt.Sprintf("tree_size=%d root=%s", c.Size, c.Root)
}

// areaFilter reads district, street and community, which narrow a table to
// the units inside an area: an area containing the table's units (a
// district for the street table; not a street for the street table, nor
// any area for the company table, whose units lie in many). Units of the
// street and community tables are keyed by their path (district/street/…);
// compounds are placed by the directory.
func (s *Server) areaFilter(p *params, level league.Level) func(unit string) bool {
	depth := map[league.Level]int{league.LevelDistrict: 1, league.LevelStreet: 2, league.LevelCommunity: 3, league.LevelCompound: 4}[level]
	var want [3]string
	narrowed := false
	for i, name := range []string{"district", "street", "community"} {
		if want[i] = p.text(name); want[i] == "" {
			continue
		}
		narrowed = true
		if i+1 >= depth {
			p.fail(name, "param.area_level", "cannot narrow the "+string(level)+" table", "不能用于"+string(level)+"榜单")
		}
	}
	if !narrowed {
		return nil
	}
	matches := func(path [3]string) bool {
		for i := range want {
			if want[i] != "" && want[i] != path[i] {
				return false
			}
		}
		return true
	}
	if level != league.LevelCompound {
		return func(unit string) bool {
			pl := unitPlace(unit)
			return matches([3]string{pl.District, pl.Street, pl.Community})
		}
	}
	return func(unit string) bool {
		var e directory.Entry
		var ok bool
		s.dir.Read(func(m *directory.Model) { e, ok = m.Get(unit) })
		return ok && matches([3]string{e.District, e.Street, e.Community})
	}
}

// tableRecords lays a table out as a header of Chinese column names and
// one record a unit, for the spreadsheet exports; rates are percents.
func tableRecords(tb league.Table) [][]any {
	col := func(code string) string { return labels.Of(labels.ZH, labels.Column, code) }
	header := []any{col("rank"), col("id"), col("district"), col("street"), col("community"), col("name"), col("score"), col("list"), col("rising")}
	if len(tb.Rows) > 0 {
		for _, m := range tb.Rows[0].Metrics {
			header = append(header, labels.Of(labels.ZH, labels.Metric, m.Key))
		}
	}
	out := [][]any{header}
	for _, row := range tb.Rows {
		list := ""
		if row.List != "" {
			list = labels.Of(labels.ZH, labels.List, row.List)
		}
		rec := []any{row.Rank, row.Unit, row.District, row.Street, row.Community, row.Name, row.Score, list,
			col(map[bool]string{true: "yes", false: "no"}[row.Rising])}
		for _, m := range row.Metrics {
			switch {
			case m.Value == nil:
				rec = append(rec, "")
			case m.Unit == "percent":
				rec = append(rec, percent(*m.Value))
			default:
				rec = append(rec, *m.Value)
			}
		}
		out = append(out, rec)
	}
	return out
}

func exportName(tb league.Table, ext string) string {
	return fmt.Sprintf(`attachment; filename="league-%s-%s.%s"`, tb.Level, tb.From.Format("20060102"), ext)
}

// writeCSV exports a table as UTF-8 CSV with a BOM, so that spreadsheet
// programs read the Chinese headers right.
func writeCSV(w http.ResponseWriter, tb league.Table) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", exportName(tb, "csv"))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	for _, kv := range exportHeader(tb) { // a header block, then a blank line, then the table
		cw.Write([]string{inert(kv[0]), inert(kv[1])}) // the campaign's name comes from its configuration
	}
	cw.Write([]string{""})
	for _, rec := range tableRecords(tb) {
		fields := make([]string, len(rec))
		for i, v := range rec {
			switch v := v.(type) {
			case float64:
				fields[i] = strconv.FormatFloat(v, 'f', 4, 64)
			case percent:
				fields[i] = strconv.FormatFloat(float64(v)*100, 'f', 2, 64) + "%"
			default:
				fields[i] = inert(fmt.Sprint(v))
			}
		}
		cw.Write(fields)
	}
	cw.Flush()
}

// inert keeps a spreadsheet from reading a text cell as a formula: a cell
// starting with =, +, -, @, tab or carriage return gets a leading
// apostrophe (OWASP, "CSV injection"). Names come from users.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeXLSX exports a table as an Excel workbook, numbers as numbers and
// text as text: SetCellValue and SetSheetRow write strings as string cells,
// never formulas.
func writeXLSX(w http.ResponseWriter, tb league.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "排名"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	for i, rec := range tableRecords(tb) {
		for j, v := range rec {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err == nil {
				if p, ok := v.(percent); ok {
					err = f.SetCellValue(sheet, cell, float64(p))
					if err == nil {
						err = f.SetCellStyle(sheet, cell, cell, pct)
					}
				} else {
					err = f.SetCellValue(sheet, cell, v)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	// The header row stays in view; what the table shows is in the
	// document's properties and on a sheet of its own.
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	about := "说明"
	if _, err := f.NewSheet(about); err != nil {
		return err
	}
	var desc []string
	for i, kv := range exportHeader(tb) {
		if err := f.SetSheetRow(about, fmt.Sprintf("A%d", i+1), &[]string{kv[0], kv[1]}); err != nil {
			return err
		}
		desc = append(desc, kv[0]+"："+kv[1])
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: tb.Campaign, Subject: exportHeader(tb)[2][1],
		Description: strings.Join(desc, "；"), Keywords: fmt.Sprintf("position=%d snapshot=%d checkpoint=%s", tb.Position, tb.Snapshot, treeHeadText(tb.Checkpoint)),
		Creator: "casetrack"}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", exportName(tb, "xlsx"))
	return f.Write(w)
}

type campaign struct {
	Config  league.Config      `json:"config"`
	Metrics []league.MetricDef `json:"metrics"`
}

func (s *Server) handleCampaign(w http.ResponseWriter, r *http.Request) {
	if !s.noParams(w, r) {
		return
	}
	s.respond(w, r, http.StatusOK, campaign{s.league.Config(), league.Metrics})
}
