package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// The read models land in PostgreSQL from the same folds that answer the
// API: SQL over the tables gives the figures the models give.
func TestReadModelsForSQLReaders(t *testing.T) {
	dsn := freshSchema(t)
	s := open(t, dsn)
	ctx := context.Background()
	cfg := demo.DefaultConfig()
	cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 1, 3, 10
	if _, err := demo.Load(ctx, app.NewService(s, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(s.Keys(), slog.New(slog.DiscardHandler)))), cfg, 4, nil); err != nil {
		t.Fatal(err)
	}
	dir, lg := directory.New(), league.New(domain.DefaultRuleBook())
	dirRunner, errDir := projections.NewRunner(func() *directory.Model { return dir }, projections.NewMemoryCheckpoints(), 1<<20)
	lgRunner, errLg := projections.NewRunner(func() *league.Model { return lg }, projections.NewMemoryCheckpoints(), 1<<20)
	creditRunner, errCredit := projections.NewRunner(func() *credit.Model { return credit.New(domain.DefaultRuleBook()) },
		projections.NewMemoryCheckpoints(), 1<<20)
	deadlinesRunner, errDeadlines := projections.NewRunner(func() *deadlines.Model { return deadlines.New() },
		projections.NewMemoryCheckpoints(), 1<<20)
	if err := errors.Join(errDir, errLg, errCredit, errDeadlines); err != nil {
		t.Fatal(err)
	}
	for _, r := range []projections.Live{dirRunner, lgRunner, creditRunner, deadlinesRunner} {
		if err := r.CatchUp(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tables := league.NewService(lgRunner, s, league.DefaultConfig())
	models := []projections.Exporter{dirRunner, tables, creditRunner, deadlinesRunner} // tables: the complaints and the league tables
	head := lg.Position()
	exportCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ExportTables(exportCtx, time.Hour, slog.New(slog.DiscardHandler), models...)
	}()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM rm_positions WHERE position = $1`, int64(head)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == len(models) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d projections exported at position %d", n, len(models), head)
		}
	}
	cancel()
	<-done

	// Compounds and their open complaints, as the case files count them.
	var compounds, open int
	if err := conn.QueryRow(ctx, `SELECT count(*), sum(open_complaints) FROM rm_compounds`).Scan(&compounds, &open); err != nil {
		t.Fatal(err)
	}
	list := dir.List(directory.Filter{})
	wantOpen := 0
	for _, e := range list {
		wantOpen += e.OpenComplaints
	}
	if compounds != len(list) || open != wantOpen || compounds != 30 {
		t.Errorf("rm_compounds: %d compounds with %d open complaints; the model has %d with %d", compounds, open, len(list), wantOpen)
	}
	// Complaints received per street in 2025, as the league table counts them.
	year, _ := league.ParsePeriod("2025")
	tb := lg.Table(league.DefaultConfig(), league.Query{Level: league.LevelStreet, Period: year})
	rows, err := conn.Query(ctx, `SELECT c.district || '/' || c.street, count(*) FROM rm_complaints x JOIN rm_compounds c USING (compound_id)
		WHERE x.received_at >= $1 AND x.received_at < $2 GROUP BY 1`, year.From, year.To)
	if err != nil {
		t.Fatal(err)
	}
	bySQL, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct {
		Street string
		N      float64
	}, error) {
		var v struct {
			Street string
			N      float64
		}
		return v, r.Scan(&v.Street, &v.N)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bySQL) != len(tb.Rows) || len(bySQL) != 3 {
		t.Fatalf("SQL has %d streets, the table %d", len(bySQL), len(tb.Rows))
	}
	for _, sq := range bySQL {
		found := false
		for _, r := range tb.Rows {
			for _, m := range r.Metrics {
				if r.Unit == sq.Street && m.Key == "complaints_per_1000" {
					found = true
					if m.Num != sq.N || sq.N == 0 {
						t.Errorf("%s: SQL counts %v complaints in 2025, the league table %v", sq.Street, sq.N, m.Num)
					}
				}
			}
		}
		if !found {
			t.Errorf("street %s is not in the league table", sq.Street)
		}
	}
	// The league table of 2025 as the API serves it.
	served, err := tables.Table(ctx, league.Request{Query: league.Query{Level: league.LevelStreet, Period: year}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range served.Rows {
		var rank int
		var score float64
		var list string
		var responseRate *float64
		if err := conn.QueryRow(ctx, `SELECT rank, score, list, (SELECT value FROM jsonb_to_recordset(metrics) AS m(key text, value float8)
			WHERE key = 'response_rate') FROM rm_league WHERE level = 'street' AND period = '2025' AND unit = $1`, r.Unit).Scan(&rank, &score, &list, &responseRate); err != nil {
			t.Fatalf("%s: %v", r.Unit, err)
		}
		want := r.Metrics[slices.IndexFunc(r.Metrics, func(v league.Value) bool { return v.Key == "response_rate" })].Value
		if rank != r.Rank || score != r.Score || list != r.List || (responseRate == nil) != (want == nil) || want != nil && *want != *responseRate {
			t.Errorf("%s in SQL: rank %d, score %v, list %q, response %v; served: %d, %v, %q, %v", r.Unit, rank, score, list, responseRate, r.Rank, r.Score, r.List, want)
		}
	}
	// What each complaint is and how it ended, as the model has it.
	var categorised, consultations, solvedRows, wantSolved, wantConsult int
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE category <> ''), count(*) FILTER (WHERE kind = 'consultation'),
		count(*) FILTER (WHERE solved) FROM rm_complaints`).Scan(&categorised, &consultations, &solvedRows); err != nil {
		t.Fatal(err)
	}
	for _, x := range lg.Complaints {
		if x.Kind.String() == string(domain.KindConsultation) {
			wantConsult++
		}
		if len(x.Calls) > 0 && x.Calls[len(x.Calls)-1].Solved {
			wantSolved++
		}
	}
	if categorised != len(lg.Complaints) || consultations != wantConsult || solvedRows != wantSolved {
		t.Errorf("rm_complaints: %d categorised of %d, %d consultations (want %d), %d solved (want %d)",
			categorised, len(lg.Complaints), consultations, wantConsult, solvedRows, wantSolved)
	}
	// A grade in SQL: the civil-code set's base 80 with -5 points is 75, grade A (70–79).
	var grade string
	if err := conn.QueryRow(ctx, `SELECT grade FROM rm_credit_grades WHERE rule_set = 'civil-code-2021'
		AND (min_score <= 80 - 5 OR min_score IS NULL) ORDER BY min_score DESC NULLS LAST LIMIT 1`).Scan(&grade); err != nil || grade != "A" {
		t.Errorf("grade of 75 in SQL: %q, %v", grade, err)
	}
	for _, table := range []string{"rm_deadlines", "rm_credit_items", "rm_league", "rm_credit_grades"} {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d rows, %v", table, n, err)
		}
	}

	// A write older than the tables is skipped; they never go back in the log.
	_, old, _ := dirRunner.SQLTables()
	if written, err := s.WriteTables(ctx, "directory", head-1, old[:1]); err != nil || written {
		t.Errorf("an older write was taken: %v, %v", written, err)
	}
	// A failed write leaves the tables as they were.
	bad := []projections.SQLTable{{Name: "rm_compounds", Columns: []string{"compound_id"}, Rows: [][]any{{"x"}}}}
	if _, err := s.WriteTables(ctx, "directory", head+1, bad); err == nil {
		t.Error("a row missing NOT NULL columns was written")
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM rm_compounds`).Scan(&compounds); err != nil || compounds != 30 {
		t.Errorf("after a failed write: %d compounds, %v", compounds, err)
	}
}
