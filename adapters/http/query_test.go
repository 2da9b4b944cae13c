package http

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// An unknown parameter is refused by name, in English and Chinese, instead
// of being ignored as if a filter had applied.
func TestUnknownParameterNamed(t *testing.T) {
	f := newFixture(t)
	f.ok("c1", "register", registerBody)
	for _, target := range []string{
		"/api/v1/compounds?page=2",
		"/api/v1/compounds/c1?page=2",
		"/api/v1/compounds/c1/history?page=2",
		"/api/v1/compounds/c1/set-red-flags?page=2",
	} {
		method, body := "GET", any(nil)
		if strings.HasSuffix(target, "flags?page=2") {
			method, body = "POST", `{}`
		}
		p := problemOf(t, f.do(method, target, body), http.StatusBadRequest)
		hasViolation(t, p, "page", "param.unknown")
		if !strings.Contains(p.Errors[0].Message, "page: is not a parameter here") || !strings.Contains(p.Errors[0].MessageZH, "不是此处的参数") {
			t.Errorf("%s: %+v", target, p.Errors)
		}
	}
	p := problemOf(t, f.do("GET", "/api/v1/compounds?district=%zz&str%zeet=x&limit=1&limit=2", nil), http.StatusBadRequest)
	hasViolation(t, p, "district", "param.encoding")
	hasViolation(t, p, "str%zeet", "param.encoding")
	hasViolation(t, p, "limit", "param.repeated")
	if p := problemOf(t, f.do("GET", "/api/v1/compounds?"+strings.Repeat("x=1&", 1000), nil), http.StatusBadRequest); len(p.Errors) != maxViolations {
		t.Errorf("%d violations for 1000 bad parameters, want the first %d", len(p.Errors), maxViolations)
	}
}

// Times outside 1949-10-01 … a year ahead are a field error, not a 500.
func TestTimeRange(t *testing.T) {
	f, _, feed := leagueFixture(t)
	f.ok("c1", "register", registerBody)
	feed()
	for target, field := range map[string]string{
		"/api/v1/league/compound?period=2025-01-01..9999-12-31": "period",
		"/api/v1/league/compound?period=1900-01-01..1900-12-31": "period",
		"/api/v1/compounds?as_of=9999-12-31":                    "as_of",
		"/api/v1/compounds/c1?at=1800-01-01":                    "at",
		"/api/v1/compounds/c1/history?to=9999-12-31T00:00:00Z":  "to",
	} {
		hasViolation(t, problemOf(t, f.do("GET", target, nil), http.StatusBadRequest), field, "param.time_range")
	}
}

// Paging a list with its cursor yields every item exactly once, in order;
// a cursor of another list, or garbage, is a 400.
func TestCursorRoundTrip(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for i := range 7 {
		id := fmt.Sprintf("c%d", i)
		ids = append(ids, id)
		f.ok(id, "register", registerBody)
	}
	for i := range 4 {
		f.ok("c0", "set-red-flags", fmt.Sprintf(`{"red_property":%t}`, i%2 == 0))
	}
	last := f.ok("c0", "change-property-company", `{"company":"乙物业"}`)
	walk := func(base string, items func(*http.Response, []byte) ([]string, string)) []string {
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			target := base + "&limit=3"
			if cursor != "" {
				target += "&cursor=" + url.QueryEscape(cursor)
			}
			rec := f.do("GET", target, nil)
			if rec.Code != 200 || pages > 10 {
				t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
			}
			page, next := items(rec.Result(), rec.Body.Bytes())
			if len(page) > 3 || next != "" && len(page) != 3 {
				t.Fatalf("%s: page of %d, next %q", target, len(page), next)
			}
			seen = append(seen, page...)
			if cursor = next; cursor == "" {
				return seen
			}
		}
	}
	got := walk(fmt.Sprintf("/api/v1/compounds?min_position=%d", last.Position), func(_ *http.Response, b []byte) ([]string, string) {
		var res struct {
			Compounds  []directory.Entry `json:"compounds"`
			NextCursor string            `json:"next_cursor"`
		}
		mustUnmarshal(t, b, &res)
		var out []string
		for _, c := range res.Compounds {
			out = append(out, c.ID)
		}
		return out, res.NextCursor
	})
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("compounds paged %v, want %v", got, ids)
	}
	versions := walk("/api/v1/compounds/c0/history?type=CompoundRegistered,RedFlagsSet,PropertyCompanyChanged", func(_ *http.Response, b []byte) ([]string, string) {
		var res struct {
			Events     []domain.Envelope `json:"events"`
			NextCursor string            `json:"next_cursor"`
		}
		mustUnmarshal(t, b, &res)
		var out []string
		for _, e := range res.Events {
			out = append(out, fmt.Sprint(e.Version))
		}
		return out, res.NextCursor
	})
	if strings.Join(versions, ",") != "1,2,3,4,5,6" {
		t.Errorf("history paged %v", versions)
	}

	first := decode[struct {
		NextCursor string `json:"next_cursor"`
	}](t, f.do("GET", "/api/v1/compounds/c0/history?limit=1", nil))
	for _, target := range []string{
		"/api/v1/compounds?cursor=" + url.QueryEscape(first.NextCursor), // another list's
		"/api/v1/compounds/c1/history?cursor=" + url.QueryEscape(first.NextCursor),
		"/api/v1/compounds?cursor=garbage!",
		"/api/v1/compounds?cursor=Y29tcG91bmRz", // "compounds" without a key
		"/api/v1/compounds?limit=0",
		"/api/v1/compounds?limit=1001",
	} {
		p := problemOf(t, f.do("GET", target, nil), http.StatusBadRequest)
		field := "cursor"
		if strings.Contains(target, "limit") {
			field = "limit"
		}
		hasViolation(t, p, field, "")
	}
}

// history narrows by actor (and type); the chain is still checked whole.
func TestHistoryActor(t *testing.T) {
	f := newFixture(t)
	wang, li := bearer(f.user("wang", street, zgc)), bearer(f.user("li", street, zgc))
	f.ok("c1", "register", registerBody, wang...)
	f.ok("c1", "set-red-flags", `{"red_property":true}`, li...)
	f.ok("c1", "change-property-company", `{"company":"乙物业"}`, wang...)
	res := decode[historyJSON](t, f.do("GET", "/api/v1/compounds/c1/history?actor=wang", nil))
	if len(res.Events) != 2 || res.Events[0].Version != 1 || res.Events[1].Version != 3 || !res.ChainValid {
		t.Errorf("%+v", res)
	}
	res = decode[historyJSON](t, f.do("GET", "/api/v1/compounds/c1/history?actor=wang&type=PropertyCompanyChanged", nil))
	if len(res.Events) != 1 || res.Events[0].Version != 3 {
		t.Errorf("%+v", res)
	}
}

// The compound table narrows to an area (ranks stay the whole table's);
// an area that cannot contain the table's units is refused.
func TestLeagueAreaFilter(t *testing.T) {
	f, _, feed := leagueFixture(t)
	f.ok("c1", "register", registerBody)
	f.ok("c2", "register", strings.Replace(registerBody, "中关村", "学院路", 1))
	f.caughtUp(f.ok("c3", "register", strings.Replace(registerBody, "东区", "西区", 1)).Position)
	feed()
	year := f.now.In(domain.China).Year()
	units := func(query string) []string {
		t.Helper()
		rec := f.do("GET", fmt.Sprintf("/api/v1/league/%s&period=%d&min_position=3", query, year), nil)
		var out []string
		for _, r := range decode[tableJSON](t, rec).Rows {
			out = append(out, r.Unit)
		}
		return out
	}
	for query, want := range map[string]string{
		"compound?street=中关村":                     "c1,c3",
		"compound?street=中关村&community=西区":        "c3",
		"compound?district=海淀&street=学院路":         "c2",
		"compound?district=朝阳":                    "",
		"community?street=中关村&sort=best":          "海淀/中关村/东区,海淀/中关村/西区",
		"street?district=海淀&sort=best":            "海淀/中关村,海淀/学院路",
		"compound?sort=best&community=东区&limit=1": "c1",
	} {
		got := units(query)
		if strings.Join(got, ",") != want {
			// c1 and c2 may rank either way; compare as sets where two are expected
			if !sameSet(got, strings.Split(want, ",")) {
				t.Errorf("%s: %v, want %s", query, got, want)
			}
		}
	}
	for _, q := range []string{"street?street=中关村", "district?district=海淀", "company?district=海淀", "street?community=东区"} {
		p := problemOf(t, f.do("GET", "/api/v1/league/"+q, nil), http.StatusBadRequest)
		hasViolation(t, p, q[strings.Index(q, "?")+1:strings.Index(q, "=")], "param.area_level")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		if m[s]--; m[s] < 0 {
			return false
		}
	}
	return true
}

// A compound named like a formula is exported as text: an apostrophe in
// CSV (OWASP), a string cell in XLSX.
func TestExportFormulaInjection(t *testing.T) {
	f, _, feed := leagueFixture(t)
	name := `=HYPERLINK("http://x","y")`
	body := strings.Replace(registerBody, "阳光花园", strings.ReplaceAll(name, `"`, `\"`), 1)
	f.ok("c1", "register", body)
	f.ok("c2", "register", strings.Replace(registerBody, "阳光花园", "@SUM(A1)", 1))
	feed()
	year := f.now.In(domain.China).Year()
	rec := f.do("GET", fmt.Sprintf("/api/v1/league/compound?period=%d&format=csv&sort=best", year), nil)
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff")))
	r.FieldsPerRecord = -1 // a header block of pairs, a blank line (skipped), then the table
	records, err := r.ReadAll()
	if err != nil || rec.Code != 200 || len(records) != 11 || records[8][5] != "名称" {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	names := []string{records[9][5], records[10][5]}
	if !sameSet(names, []string{"'" + name, "'@SUM(A1)"}) {
		t.Errorf("CSV names %q", names)
	}
	rec = f.do("GET", fmt.Sprintf("/api/v1/league/compound?period=%d&format=xlsx", year), nil)
	wb, err := excelize.OpenReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range []string{"F2", "F3"} { // 名称
		if formula, _ := wb.GetCellFormula("排名", cell); formula != "" {
			t.Errorf("%s is a formula %q", cell, formula)
		}
		if ty, _ := wb.GetCellType("排名", cell); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want a string", cell, ty)
		}
	}
}

// The CSV header block is escaped like the table: the campaign's name
// comes from its configuration.
func TestExportHeaderBlockInert(t *testing.T) {
	rec := httptest.NewRecorder()
	writeCSV(rec, league.Table{Campaign: "=cmd|' /C calc'!A0", Level: league.LevelCompound})
	first, _, _ := strings.Cut(strings.TrimPrefix(rec.Body.String(), "\ufeff"), "\n")
	if first != "考核活动,'=cmd|' /C calc'!A0" {
		t.Errorf("header block line %q", first)
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"阳光花园": "阳光花园", "": "", "a=b": "a=b",
	} {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q, want %q", in, got, want)
		}
	}
}

// missingStore loses version 2 of every stream it reads, as a bad restore would.
type missingStore struct{ *memory.Store }

func (s missingStore) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	events, err := s.Store.ReadStream(ctx, id, q)
	out := events[:0]
	for _, e := range events {
		if e.Version != 2 {
			out = append(out, e)
		}
	}
	return out, err
}

// A damaged stream is reported as such (problem code integrity), not 500;
// its history still lists what is there, flagged.
func TestDamagedStreamRead(t *testing.T) {
	f := newFixtureOn(t, missingStore{memory.NewStore()})
	f.ok("c1", "register", registerBody)
	f.ok("c1", "set-red-flags", `{"red_property":true}`)
	f.ok("c1", "change-property-company", `{"company":"乙物业"}`)
	for _, target := range []string{"/api/v1/compounds/c1", "/api/v1/compounds/c1?version=1"} {
		p := problemOf(t, f.do("GET", target, nil), http.StatusConflict)
		if p.Code != "integrity" || !strings.Contains(p.Detail, "expected version 2, found 3") {
			t.Errorf("%s: %+v", target, p)
		}
	}
	h := decode[historyJSON](t, f.do("GET", "/api/v1/compounds/c1/history", nil))
	if h.ChainValid || len(h.Events) != 2 || !strings.Contains(h.ChainError, "expected version 2") {
		t.Errorf("%+v", h)
	}
}

// blockingStore, once blocking, holds every read of the log until
// released: a replay in progress.
type blockingStore struct {
	*memory.Store
	blocking *atomic.Bool
	release  chan struct{}
}

func (s blockingStore) wait(ctx context.Context) error {
	if !s.blocking.Load() {
		return nil
	}
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s blockingStore) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Envelope, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Store.ReadAll(ctx, after, limit)
}

// As-of replays beyond the cap are answered 503 with Retry-After at once;
// live reads are not capped, nor is a list of compounds as of the past
// (read from the directory's histories, it neither replays nor reads the
// store), and a freed slot serves again.
func TestReplayCap(t *testing.T) {
	mem := memory.NewStore()
	store := blockingStore{mem, new(atomic.Bool), make(chan struct{})}
	f := newFixtureOn(t, store)
	runner, err := projections.NewRunner(func() *league.Model { return league.New(domain.DefaultRuleBook()) }, projections.NewMemoryCheckpoints(), 5)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = NewServer(f.srv.svc, store, f.srv.dir, f.accounts, f.srv.logger, WithWorkLimits(2, 1),
		WithLeague(league.NewService(runner, store, league.DefaultConfig())))
	registered := f.ok("c1", "register", registerBody)
	f.caughtUp(f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`).Position)
	if err := runner.CatchUp(t.Context(), mem); err != nil {
		t.Fatal(err)
	}
	f.as(auditor) // the reader's account, made before the reads run side by side
	// An explained table of the past replays (its events as they were).
	replay := fmt.Sprintf("/api/v1/league/street?period=%d&unit=海淀/中关村&explain=1&as_of_position=%d", f.now.In(domain.China).Year(), registered.Position)
	store.blocking.Store(true)
	var wg sync.WaitGroup
	for range 2 { // these hold both slots until the store is unblocked
		wg.Go(func() { f.do("GET", replay, nil) })
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(f.srv.replays) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the replays did not start")
		}
		time.Sleep(time.Millisecond)
	}
	rec := f.do("GET", replay, nil)
	if p := problemOf(t, rec, http.StatusServiceUnavailable); p.Code != domain.CodeUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("%+v, Retry-After %q", p, rec.Header().Get("Retry-After"))
	}
	rec = f.do("GET", fmt.Sprintf("/api/v1/compounds?as_of_position=%d", registered.Position), nil)
	if l := decode[compoundList](t, rec); rec.Code != 200 || l.Position != registered.Position || len(l.Compounds) != 1 || l.Compounds[0].OpenComplaints != 0 {
		t.Errorf("compounds as of position %d with the replay slots taken: %d %s", registered.Position, rec.Code, rec.Body)
	}
	close(store.release)
	wg.Wait()
	if rec := f.do("GET", replay, nil); rec.Code != 200 {
		t.Errorf("after the replays: %d %s", rec.Code, rec.Body)
	}
}

// A second rebuild while one runs is answered 503 with Retry-After.
func TestRebuildCap(t *testing.T) {
	f, runner, feed := leagueFixture(t)
	f.ok("c1", "register", registerBody)
	feed()
	f.srv.rebuilds <- struct{}{} // a rebuild of another projection is running
	rec := f.do("POST", "/api/v1/projections/"+runner.Name()+"/rebuild", nil)
	if problemOf(t, rec, http.StatusServiceUnavailable); rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	<-f.srv.rebuilds
	if rec := f.do("POST", "/api/v1/projections/"+runner.Name()+"/rebuild", nil); rec.Code != http.StatusAccepted {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// While the server starts it is alive but not ready, and says so.
func TestStarting(t *testing.T) {
	h := Starting("loading the demo city")
	for path, status := range map[string]int{"/healthz": 200, "/readyz": 503, "/api/v1/compounds": 503} {
		rec := httptestDo(h, "GET", path)
		if rec.Code != status {
			t.Errorf("%s: %d", path, rec.Code)
		}
		if status == 503 {
			if p := problemOf(t, rec, 503); !strings.Contains(p.Detail, "loading the demo city") || rec.Header().Get("Retry-After") == "" {
				t.Errorf("%s: %+v", path, p)
			}
		}
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func httptestDo(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

type historyJSON struct {
	ChainValid bool              `json:"chain_valid"`
	ChainError string            `json:"chain_error"`
	Events     []domain.Envelope `json:"events"`
	NextCursor string            `json:"next_cursor"`
}

// caughtUp waits until the directory has applied position.
func (f *fixture) caughtUp(position uint64) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.srv.dir.WaitFor(ctx, position); err != nil {
		f.t.Fatal(err)
	}
}
