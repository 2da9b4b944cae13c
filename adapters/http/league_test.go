package http

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/casetrack/casetrack/audit"
	"io"
	"net/url"
	"slices"
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
	f.audit, f.verifier = runAudit(t, f.store, svc.Halt)
	f.srv = f.newServer(svc, io.Discard, WithAudit(f.audit),
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
			Key     string   `json:"key"`
			Value   *float64 `json:"value"`
			Den     float64  `json:"denominator"`
			Explain struct {
				Numerator []string `json:"numerator_events"`
			} `json:"explain"`
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
		if m.Key == "complaints_per_1000" && (m.Den != 120 || len(m.Explain.Numerator) != 2) {
			t.Fatalf("complaints_per_1000 %+v", m)
		}
	}
	// As the log stood after the first complaint: one event behind it.
	rec = f.do("GET", fmt.Sprintf("/api/v1/league/street?period=%d&unit=海淀/中关村&explain=1&as_of_position=%d", year, first.Position), nil)
	tb = decode[tableJSON](t, rec)
	for _, m := range tb.Rows[0].Metrics {
		if m.Key == "complaints_per_1000" && len(m.Explain.Numerator) != 1 {
			t.Fatalf("as of position %d: %+v", first.Position, m)
		}
	}
	if tb.Position != first.Position {
		t.Fatalf("as-of table at position %d, want %d", tb.Position, first.Position)
	}

	rec = f.do("GET", fmt.Sprintf("/api/v1/league/compound?period=%d&format=csv", year), nil)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(rec.Body.String(), "排名,编号,区,街道,社区,名称,综合得分") {
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
	// ID, district, street, community, name; then the score, lists and metrics.
	if err != nil || len(rows) != 2 || rows[0][0] != "排名" || rows[0][9] != "响应率" ||
		!slices.Equal(rows[1][1:6], []string{"海淀/中关村", "海淀", "中关村", "", "中关村"}) {
		t.Fatalf("rows %v (%v)", rows, err)
	}
	if v, _ := wb.GetCellValue("排名", "N2"); v != "8.33333333333333" { // 每千户投诉量: 1 of 120 households
		t.Fatalf("complaints per 1,000 households %q", v)
	}
	// Committee coverage (S): 0 of 1 eligible compound, a rate shown as a percentage.
	if v, _ := wb.GetCellValue("排名", "S2"); v != "0.00%" {
		t.Fatalf("committee coverage %q, want 0.00%%", v)
	}
	panes, err := wb.GetPanes("排名")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("header row not frozen: %+v %v", panes, err)
	}
	about, _ := wb.GetRows("说明")
	props, _ := wb.GetDocProps()
	if len(about) != 8 || about[7][0] != "审计检查点" || !strings.HasPrefix(about[7][1], "tree_size=2 ") || about[5][0] != "日志位置" || about[5][1] != "2" || !strings.Contains(props.Description, "日志位置：2") {
		t.Fatalf("about %v, properties %+v", about, props)
	}
}

// A CSV export opens with what it shows, formats rates as percentages, and
// is never older than the log: with the projection behind, it waits (and
// here gives up) rather than answer a stale table.
func TestLeagueCSVHeaderAndFreshness(t *testing.T) {
	f, _, feed := leagueFixture(t)
	f.ok("c1", "register", registerBody)
	feed()
	year := f.now.In(domain.China).Year()
	url := fmt.Sprintf("/api/v1/league/street?period=%d&format=csv", year)
	body := f.do("GET", url, nil).Body.String()
	lines := strings.Split(strings.TrimPrefix(body, "\ufeff"), "\n")
	if lines[0] != "考核活动,物业矛盾专项整治考核（默认）" || lines[2] != fmt.Sprintf("统计周期,%d-01-01 至 %d-12-31", year, year) ||
		lines[5] != "日志位置,1" || !strings.HasPrefix(lines[9], "排名,编号,区,街道,社区,名称") {
		t.Fatalf("csv:\n%s", body)
	}
	// It names a checkpoint of the tree at its position, signed and stored.
	c, err := f.audit.Head(context.Background(), 1)
	if err != nil || lines[7] != fmt.Sprintf("审计检查点,tree_size=1 root=%s", c.Root) {
		t.Fatalf("checkpoint line %q, want tree 1 %s (%v)", lines[7], c.Root, err)
	}
	if cps, _ := f.store.(audit.CheckpointStore).Checkpoints(context.Background()); len(cps) == 0 {
		t.Fatal("the export's checkpoint was not stored")
	}
	if !strings.Contains(lines[10], ",0.00%,") {
		t.Errorf("no percentage in %q", lines[10])
	}
	f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`)
	f.srv.waitTimeout = 50 * time.Millisecond
	if rec := f.do("GET", url, nil); rec.Code == 200 {
		t.Fatalf("an export answered from the projection behind the log:\n%s", rec.Body)
	}
	feed()
	if body := f.do("GET", url, nil).Body.String(); !strings.Contains(body, "日志位置,2") {
		t.Fatalf("after catching up:\n%s", body)
	}
}

// A league table as of the past is counted from the live model, so it is
// served while every replay slot is taken; an explained one (its events as
// they were) replays, and waits for a slot like any replay.
func TestLeagueAsOfTakesNoReplaySlot(t *testing.T) {
	f, _, feed := leagueFixture(t)
	year := f.now.In(domain.China).Year()
	f.ok("c1", "register", registerBody)
	first := f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`)
	f.ok("c1", "receive-complaint", `{"complaint_id":"k2","channel":"hotline","kind":"complaint","category":"fees","summary":"y"}`)
	feed()
	for range cap(f.srv.replays) {
		f.srv.replays <- struct{}{}
	}
	path := fmt.Sprintf("/api/v1/league/street?period=%d&unit=海淀/中关村&as_of_position=%d", year, first.Position)
	rec := f.do("GET", path, nil)
	if rec.Code != 200 {
		t.Fatalf("as of position %d with the replay slots taken: %d %s", first.Position, rec.Code, rec.Body)
	}
	tb := decode[tableJSON](t, rec)
	for _, m := range tb.Rows[0].Metrics {
		if m.Key == "complaints_per_1000" && m.Value != nil && *m.Value != 1000.0/120 {
			t.Fatalf("as of position %d: %+v, want the first complaint only", first.Position, m)
		}
	}
	if tb.Position != first.Position {
		t.Fatalf("as-of table at position %d, want %d", tb.Position, first.Position)
	}
	if rec := f.do("GET", path+"&explain=1", nil); rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("explained with the replay slots taken: %d %s", rec.Code, rec.Body)
	}
}

// A league table is answered a page at a time (100 rows unless limit says
// otherwise): walking its cursor yields the whole ranked table once, in
// order, with the whole table's ranks, live and as of a past position;
// an export is whole; another table's cursor is refused.
func TestLeaguePages(t *testing.T) {
	f, _, feed := leagueFixture(t)
	year := f.now.In(domain.China).Year()
	const compounds = leagueRows + 3
	var last uint64
	for i := range compounds {
		street := []string{"中关村", "学院路"}[i%2]
		last = f.ok(fmt.Sprintf("c%03d", i), "register", strings.Replace(registerBody, "中关村", street, 1)).Position
		if i%5 == 0 { // complaints spread the scores: ranks differ
			f.ok(fmt.Sprintf("c%03d", i), "receive-complaint", fmt.Sprintf(`{"complaint_id":"k%d","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`, i))
		}
	}
	feed()
	type pageJSON struct {
		Total      int    `json:"total"`
		NextCursor string `json:"next_cursor"`
		Rows       []struct {
			Rank int    `json:"rank"`
			Unit string `json:"unit"`
		} `json:"rows"`
	}
	get := func(target string) pageJSON {
		t.Helper()
		rec := f.do("GET", target, nil)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		return decode[pageJSON](t, rec)
	}
	for _, base := range []string{
		fmt.Sprintf("/api/v1/league/compound?period=%d", year),
		fmt.Sprintf("/api/v1/league/compound?period=%d&as_of_position=%d", year, last),
		fmt.Sprintf("/api/v1/league/compound?period=%d&street=学院路", year),
	} {
		whole := get(base + "&limit=1000")
		want := compounds
		if strings.Contains(base, "street=") {
			want = compounds / 2
		}
		if len(whole.Rows) != want || whole.Total != want || whole.NextCursor != "" {
			t.Fatalf("%s: %d rows of %d, next %q; want %d", base, len(whole.Rows), whole.Total, whole.NextCursor, want)
		}
		if first := get(base); len(first.Rows) != min(want, leagueRows) || first.Total != want || (want > leagueRows) != (first.NextCursor != "") {
			t.Fatalf("%s: default page of %d rows of %d, next %q", base, len(first.Rows), first.Total, first.NextCursor)
		}
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			target := base + "&limit=7"
			if cursor != "" {
				target += "&cursor=" + url.QueryEscape(cursor)
			}
			pg := get(target)
			if pages > compounds/7 || len(pg.Rows) > 7 || pg.NextCursor != "" && len(pg.Rows) != 7 || pg.Total != want {
				t.Fatalf("%s: page %d of %d rows of %d, next %q", target, pages, len(pg.Rows), pg.Total, pg.NextCursor)
			}
			for i, row := range pg.Rows {
				if w := whole.Rows[len(seen)+i]; row != w {
					t.Fatalf("%s: row %d is %+v, the whole table's %+v", target, len(seen)+i, row, w)
				}
			}
			for _, row := range pg.Rows {
				seen = append(seen, row.Unit)
			}
			if cursor = pg.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != want {
			t.Fatalf("%s: paged %d rows, want %d", base, len(seen), want)
		}
	}
	if whole := get(fmt.Sprintf("/api/v1/league/compound?period=%d&limit=1000", year)); whole.Rows[0].Rank == whole.Rows[len(whole.Rows)-1].Rank {
		t.Fatalf("every compound ranked %d: the pages' ranks test nothing", whole.Rows[0].Rank)
	}
	rec := f.do("GET", fmt.Sprintf("/api/v1/league/compound?period=%d&format=csv", year), nil)
	if lines := strings.Count(rec.Body.String(), "\n"); rec.Code != 200 || lines != 8+1+1+compounds { // header block, blank line, column names, rows
		t.Fatalf("csv export of %d lines (%d): %s", lines, rec.Code, rec.Body)
	}
	street := get(fmt.Sprintf("/api/v1/league/street?period=%d&limit=1", year))
	for _, target := range []string{
		"/api/v1/league/compound?cursor=" + url.QueryEscape(street.NextCursor),            // another table's
		"/api/v1/league/compound?cursor=bGVhZ3VlL2NvbXBvdW5kADAy",                         // "league/compound\x0002": not as written
		"/api/v1/league/compound?cursor=bGVhZ3VlL2NvbXBvdW5kAC0x",                         // "league/compound\x00-1"
		"/api/v1/league/compound?cursor=bGVhZ3VlL2NvbXBvdW5kADk5OTk5OTk5OTk5OTk5OTk5OTk5", // beyond int
	} {
		hasViolation(t, problemOf(t, f.do("GET", target, nil), 400), "cursor", "param.cursor")
	}
	if street.NextCursor == "" {
		t.Fatal("a street table of two rows at limit 1 has no next page")
	}
	// A cursor past the end is an empty page, not an error: the table may have shrunk.
	if pg := get(fmt.Sprintf("/api/v1/league/compound?period=%d&cursor=%s", year, "bGVhZ3VlL2NvbXBvdW5kADk5OTk")); len(pg.Rows) != 0 || pg.NextCursor != "" || pg.Total != compounds {
		t.Fatalf("past the end: %+v", pg)
	}
}
