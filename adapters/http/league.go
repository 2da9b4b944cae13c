package http

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/xuri/excelize/v2"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections/league"
)

// Option configures optional parts of the server.
type Option func(*Server)

// WithLeague serves the campaign league tables.
func WithLeague(l *league.Service) Option {
	return func(s *Server) {
		s.league = l
		s.router.Get("/api/v1/league/{level}", s.handleLeague)
		s.router.Get("/api/v1/campaign", s.handleCampaign)
	}
}

// handleLeague answers a league table: ?period=2025|2025-Q2|2025-06|FROM..TO,
// sort=best|worst, limit, unit (one row), explain (the events behind each
// figure), as_of (a past time) or as_of_position, min_position, format=csv.
func (s *Server) handleLeague(w http.ResponseWriter, r *http.Request) {
	p := newParams(r)
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
	limit := int(p.uint("limit", 1))
	unit := p.q.Get("unit")
	req.Explain = p.q.Get("explain") == "true" || p.q.Get("explain") == "1"
	if req.Explain && unit == "" {
		p.fail("explain", "param.explain_needs_unit", "explain lists events, so it needs one unit", "explain 须同时指定 unit")
	}
	format := p.q.Get("format")
	if format != "" && format != "json" && format != "csv" && format != "xlsx" {
		p.fail("format", "param.format", "must be json, csv or xlsx", "须为 json、csv 或 xlsx")
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), asOfTimeout)
	defer cancel()
	req.View.Wait = s.waitTimeout
	tb, err := s.league.Table(ctx, req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if unit != "" {
		rows := tb.Rows[:0]
		for _, row := range tb.Rows {
			if row.Unit == unit {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no unit %q in the %s table", unit, level))
			return
		}
		tb.Rows = rows
	}
	if limit > 0 && limit < len(tb.Rows) {
		tb.Rows = tb.Rows[:limit]
	}
	switch format {
	case "csv":
		writeCSV(w, tb)
		return
	case "xlsx":
		if err := writeXLSX(w, tb); err != nil {
			s.logger.Error("xlsx export", "err", err)
		}
		return
	}
	s.respond(w, r, http.StatusOK, tb)
}

// tableRecords lays a table out as a header of Chinese column names and
// one record a unit, for the spreadsheet exports.
func tableRecords(tb league.Table) [][]any {
	col := func(code string) string { return labels.Of(labels.ZH, labels.Column, code) }
	header := []any{col("rank"), col("unit"), col("score"), col("list"), col("rising")}
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
		rec := []any{row.Rank, row.Name, row.Score, list, col(map[bool]string{true: "yes", false: "no"}[row.Rising])}
		for _, m := range row.Metrics {
			if m.Value != nil {
				rec = append(rec, *m.Value)
			} else {
				rec = append(rec, "")
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
	for _, rec := range tableRecords(tb) {
		fields := make([]string, len(rec))
		for i, v := range rec {
			switch v := v.(type) {
			case float64:
				fields[i] = strconv.FormatFloat(v, 'f', 4, 64)
			default:
				fields[i] = fmt.Sprint(v)
			}
		}
		cw.Write(fields)
	}
	cw.Flush()
}

// writeXLSX exports a table as an Excel workbook, numbers as numbers.
func writeXLSX(w http.ResponseWriter, tb league.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "排名"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, rec := range tableRecords(tb) {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err == nil {
			err = f.SetSheetRow(sheet, cell, &rec)
		}
		if err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", exportName(tb, "xlsx"))
	return f.Write(w)
}

func (s *Server) handleCampaign(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, http.StatusOK, struct {
		Config  league.Config      `json:"config"`
		Metrics []league.MetricDef `json:"metrics"`
	}{s.league.Config(), league.Metrics})
}
