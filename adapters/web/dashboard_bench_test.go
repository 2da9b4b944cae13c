package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/adapters/web"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// TestMain runs the package with the collector setting of the casetrack
// binary (projections.TuneGC), so that the 1M-event benchmark's collector,
// marking a 1 GB live model, runs as often as the server's.
func TestMain(m *testing.M) {
	projections.TuneGC()
	os.Exit(m.Run())
}

// assetRef is an asset a page references, as a browser would load it.
var assetRef = regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)

// BenchmarkDashboard1M serves the inspector's dashboard over the 1M-event
// city (sqlitetest.City) through the binary's handler chain (API server,
// access rules, sessions, compression, pages), against the targets:
// first load ≤ 1 MB transferred compressed, server render p99 ≤ 50 ms.
// Pages are kept until their tables change, so the renders are measured
// twice: as served between events (dashboard_*: kept pages) and as the
// first render of each page after an event (dashboard_miss_*: laid out,
// executed and compressed anew). Baselines from the same run: /healthz, a
// static asset, and the league API's JSON of the same tables.
func BenchmarkDashboard1M(b *testing.B) {
	store := sqlitetest.City(b, sqlite.Open)
	defer store.Close()
	book := domain.DefaultRuleBook()
	cps := projections.NewMemoryCheckpoints()
	dir, _ := projections.NewRunner(directory.New, cps, 1<<40)
	dl, _ := projections.NewRunner(deadlines.New, cps, 1<<40)
	lr, _ := projections.NewRunner(func() *league.Model { return league.New(book) }, cps, 1<<40)
	catchUp := sqlitetest.CatchUp(b, store, lr, dir, dl)

	ls := league.NewService(lr, store, league.DefaultConfig())
	accounts := auth.New(memory.NewStore(), nil)
	var home directory.Entry // the street office's and community worker's scope; the benchmark signs in as the inspector
	dir.Read(func(m *directory.Model) { home = m.List(directory.Filter{})[0] })
	createAccounts(b, accounts, home)
	svc := app.NewService(store, book)
	pages, err := web.New(web.Options{Service: svc, Store: store, Directory: dir, Deadlines: dl, League: ls, Accounts: accounts,
		Principal: httpapi.WebUser, Now: func() time.Time { return today }})
	if err != nil {
		b.Fatal(err)
	}
	api := httpapi.NewServer(svc, store, dir, accounts, slog.New(slog.NewTextHandler(io.Discard, nil)),
		httpapi.WithLeague(ls), httpapi.WithDeadlines(dl), httpapi.WithWeb(pages),
		httpapi.WithLimits(httpapi.Limits{SignInFailures: 5, SignInWindow: time.Minute, Lockout: time.Minute, TokenRequests: 1 << 30}))
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens["inspector"])
		req.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String())
		}
		return w
	}

	// First load: the page, then every asset it references; the bytes are
	// those on the wire (gzip, as the browser asks for).
	t := time.Now()
	page := get("/dashboard")
	cold := time.Since(t)
	transferred, raw := page.Body.Len(), len(gunzip(b, page))
	for _, m := range assetRef.FindAllStringSubmatch(string(gunzip(b, page)), -1) {
		a := get(m[1])
		transferred += a.Body.Len()
		raw += len(gunzip(b, a))
	}

	// Renders: a few periods and levels, round and round (tables are
	// cached per minute, as served; a new minute recomputes them). Pages
	// are kept until their tables change: these renders are the kept
	// pages'; the renders after an event (misses, below) lay them out anew.
	var paths, apiPaths []string
	levels, periods := []string{"street", "community", "district", "compound"}, []string{"2025", "2025-Q4", "2025-06"}
	for _, level := range levels {
		for _, period := range periods {
			paths = append(paths, "/dashboard?level="+level+"&period="+period)
			apiPaths = append(apiPaths, "/api/v1/league/"+level+"?period="+period)
		}
	}
	for _, p := range append(paths, apiPaths...) { // the first view of each computes its tables
		get(p)
	}
	report := func(unit string, lat []time.Duration) {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, unit+"_p50_ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, unit+"_p99_ms")
	}
	measure := func(unit string, paths ...string) {
		var lat []time.Duration
		for i := range 300 {
			t := time.Now()
			get(paths[i%len(paths)])
			lat = append(lat, time.Since(t))
		}
		report(unit, lat)
	}
	var lat []time.Duration
	cpu := sqlitetest.CPUTime()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		get(paths[i%len(paths)])
		lat = append(lat, time.Since(t))
	}
	// The process's CPU per render: on a shared machine the latencies wait
	// for a core, this does not.
	renderCPU := (sqlitetest.CPUTime() - cpu) / time.Duration(len(lat))
	report("dashboard", lat)
	b.ReportMetric(float64(renderCPU.Microseconds())/1000, "dashboard_cpu_ms/render")
	// Reported after the loop: b.Loop's first call resets the metrics.
	b.ReportMetric(catchUp.Seconds(), "catch_up_s")
	b.ReportMetric(float64(cold.Microseconds())/1000, "cold_render_ms")
	b.ReportMetric(float64(transferred)/1e6, "first_load_MB_gzip")
	b.ReportMetric(float64(raw)/1e6, "first_load_MB_raw")
	measure("league_api", apiPaths...)
	measure("healthz", "/healthz")
	measure("asset", "/assets/static/app.css")

	// Misses: an event reaches the league tables (a compound renamed, as
	// the relay delivers it; the shared city is not written), every table
	// the pages read is computed again at the new position (untimed: a
	// user's request is answered from the tables before while they are),
	// and then each page is rendered anew, which its new position shows.
	var missLat []time.Duration
	var missCPU time.Duration
	etags := map[string]string{}
	for _, p := range paths {
		etags[p] = get(p).Header().Get("ETag")
	}
	for i := 0; len(missLat) < 300; i++ {
		pos := lr.Position() + 1
		if err := lr.Apply(renamed(b, home.ID, pos, i)); err != nil {
			b.Fatal(err)
		}
		for _, level := range levels {
			for _, period := range append(periods[:2:2], months("2025")...) {
				p, _ := league.ParsePeriod(period)
				req := league.Request{Query: league.Query{Level: league.Level(level), Period: p, WorstFirst: level == "compound"},
					View: projections.Query{MinPosition: pos}}
				if _, err := ls.Table(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, p := range paths {
			cpu, t := sqlitetest.CPUTime(), time.Now()
			w := get(p)
			missLat = append(missLat, time.Since(t))
			missCPU += sqlitetest.CPUTime() - cpu
			if tag := w.Header().Get("ETag"); tag == etags[p] {
				b.Fatalf("%s after an event: the page kept before (ETag %s)", p, tag)
			} else {
				etags[p] = tag
			}
		}
	}
	report("dashboard_miss", missLat)
	b.ReportMetric(float64((missCPU/time.Duration(len(missLat))).Microseconds())/1000, "dashboard_miss_cpu_ms/render")
}

// months are the months of a year, as periods.
func months(year string) []string {
	var out []string
	for m := 1; m <= 12; m++ {
		out = append(out, fmt.Sprintf("%s-%02d", year, m))
	}
	return out
}

// renamed is the event of a compound's i-th new name, at position pos.
func renamed(b *testing.B, compound string, pos uint64, i int) domain.Envelope {
	typ, schema, data, err := domain.EncodeEvent(domain.CompoundRenamed{Name: fmt.Sprintf("小区 %d", i), Reason: "benchmark", At: today})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	return domain.Envelope{EventID: fmt.Sprintf("bench-rename-%d", pos), StreamID: domain.StreamID(compound), Position: pos,
		Type: typ, SchemaVersion: schema, Data: data, OccurredAt: now, RecordedAt: now}
}

// gunzip is a response's body as sent before compression.
func gunzip(b *testing.B, w *httptest.ResponseRecorder) []byte {
	if w.Header().Get("Content-Encoding") != "gzip" {
		return w.Body.Bytes()
	}
	z, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
