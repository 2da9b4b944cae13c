package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/domain"
)

func get(t *testing.T, target string, headers ...string) (int, http.Header, string) {
	t.Helper()
	return send(t, http.MethodGet, target, nil, headers...)
}

// send makes one request as the default user (headers may override),
// without following redirects, and reads the answer.
func send(t *testing.T, method, target string, body io.Reader, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Authorization", defaultAuth)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// Every page answers in Chinese by default, in English on request, under
// a strict content security policy; the API keeps its own 404s.
func TestPagesRender(t *testing.T) {
	c := newCity(t)
	pages := map[string]string{
		"/dashboard?period=2025":                      "考核看板",
		"/dashboard?period=2025&level=compound":       "考核看板",
		"/street":                                     "期限看板",
		"/compounds/C0001":                            "事件时间线",
		"/compounds/C0001/commands/receive-complaint": "受理投诉",
		"/history?compound=C0001":                     "哈希链完整",
		"/history":                                    "请选择小区",
		"/sign-in":                                    `name="password"`,
	}
	for path, want := range pages {
		status, h, body := get(t, c.url+path)
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want 200 with %q", path, status, want)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " onclick=") || strings.Contains(body, " style=") {
			t.Errorf("GET %s: inline script, handler or style", path)
		}
	}
	if _, _, body := get(t, c.url+"/dashboard?period=2025&lang=en"); !strings.Contains(body, "Campaign dashboard") || !strings.Contains(body, "Streets") {
		t.Error("English dashboard not in English")
	}
	if status, h, _ := get(t, c.url+"/api/v1/nothing"); status != http.StatusNotFound || !strings.Contains(h.Get("Content-Type"), "problem+json") {
		t.Errorf("unknown API path: %d %s, want a 404 problem", status, h.Get("Content-Type"))
	}
	if status, _, _ := get(t, c.url+"/assets/dist/htmx.min.js"); status != http.StatusOK {
		t.Errorf("htmx asset: %d", status)
	}
}

// Bad parameters are answered with the field named, never a 500.
func TestPagesRefuseBadInput(t *testing.T) {
	c := newCity(t)
	for path, field := range map[string]string{
		"/dashboard?period=yesterday":         "period",
		"/dashboard?level=planet":             "level",
		"/dashboard?as_of=soon":               "as_of",
		"/explain?period=2025":                "unit",
		"/history?compound=C0001&from=monday": "from",
		"/history?compound=C0001&type=Nope":   "type",
	} {
		status, _, body := get(t, c.url+path)
		if status != http.StatusBadRequest || !strings.Contains(body, field) {
			t.Errorf("GET %s: %d %q, want 400 naming %s", path, status, body, field)
		}
	}
	for _, path := range []string{"/compounds/NOPE1", "/compounds/C0001/commands/fly", "/history?compound=ZZZ9", "/street?street=" + url.QueryEscape("无/此街道"), "/nowhere"} {
		if status, _, _ := get(t, c.url+path); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
}

// Each role lands on its own home page.
func TestHomeByRole(t *testing.T) {
	c := newCity(t)
	for role, want := range map[string]string{"": "/sign-in", "admin": "/operations", "inspector": "/dashboard", "street_office": "/street",
		"community_worker": "/street", "hotline": "/street", "auditor": "/history"} {
		_, h, _ := get(t, c.url+"/", as(role)...)
		if got := h.Get("Location"); got != want {
			t.Errorf("role %q lands on %q, want %q", role, got, want)
		}
	}
}

// The dashboard's first load (page, scripts, style) is sent compressed
// and stays well under the 1 MB the issue allows.
func TestDashboardWeight(t *testing.T) {
	c := newCity(t)
	total := 0
	for _, path := range []string{"/dashboard?period=2025", "/assets/dist/htmx.min.js", "/assets/dist/echarts.min.js",
		"/assets/static/app.js", "/assets/static/app.css"} {
		req, _ := http.NewRequest(http.MethodGet, c.url+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // set by hand: the transport then leaves the body compressed
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d, encoding %q", path, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		total += len(b)
	}
	t.Logf("dashboard first load: %d bytes compressed", total)
	if total > 1<<20 {
		t.Errorf("dashboard first load is %d bytes compressed, over 1 MB", total)
	}
}

// BenchmarkDashboard is the dashboard as served on the small demo city:
// the page kept after the first render (BenchmarkDashboard1M measures the
// 1M-event city, and the renders after an event).
func BenchmarkDashboard(b *testing.B) {
	c := newCity(b)
	for b.Loop() {
		res, err := http.Get(c.url + "/dashboard?period=2025")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// The drill-down marks exactly the events the league counts against the
// unit, and finds every event behind the figure in the unit's compounds.
func TestExplainMarksWhatTheLeagueCountsAgainst(t *testing.T) {
	c := newCity(t)
	_, _, body := get(t, c.url+"/api/v1/league/street?period=2025&limit=1")
	var tb struct {
		Rows []struct{ Unit string } `json:"rows"`
	}
	if err := json.Unmarshal([]byte(body), &tb); err != nil || len(tb.Rows) == 0 {
		t.Fatalf("league: %v %s", err, body)
	}
	unit := url.QueryEscape(tb.Rows[0].Unit)
	_, _, body = get(t, c.url+"/api/v1/league/street?period=2025&explain=true&unit="+unit)
	var explained struct {
		Rows []struct {
			Metrics []struct {
				Key     string `json:"key"`
				Explain struct {
					Numerator   []string `json:"numerator_events"`
					Denominator []string `json:"denominator_events"`
					Against     []string `json:"against"`
				} `json:"explain"`
			} `json:"metrics"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(body), &explained); err != nil || len(explained.Rows) != 1 {
		t.Fatalf("explain: %v %s", err, body)
	}
	checked := 0
	unique := func(ids ...[]string) int {
		return len(slices.Compact(slices.Sorted(slices.Values(slices.Concat(ids...)))))
	}
	for _, m := range explained.Rows[0].Metrics {
		events := unique(m.Explain.Numerator, m.Explain.Denominator)
		if events == 0 || events > 500 {
			continue
		}
		_, _, page := get(t, c.url+"/explain?period=2025&level=street&unit="+unit+"&metric="+m.Key)
		if got, want := strings.Count(page, `class="overdue against"`), unique(m.Explain.Against); got != want {
			t.Errorf("%s: %d rows marked against, the league counts %d", m.Key, got, want)
		}
		if got := strings.Count(page, `class="compound-link"`); got != events {
			t.Errorf("%s: %d events listed, the league counts %d", m.Key, got, events)
		}
		checked++
	}
	if checked < 3 {
		t.Errorf("only %d metrics had events to check", checked)
	}
}

func post(t *testing.T, target string, form url.Values, headers ...string) (int, http.Header, string) {
	t.Helper()
	return send(t, http.MethodPost, target, strings.NewReader(form.Encode()), headers...)
}

// A form answers with the API's field errors in the user's language next
// to the field, keeps what was typed, and records nothing; corrected, it
// records once and goes to the new event.
func TestCommandFormErrorsThenRecords(t *testing.T) {
	c := newCity(t)
	form := url.Values{"command_id": {"web-test-1"}, "complaint_id": {"bad id!"}, "channel": {"hotline"}, "kind": {"complaint"},
		"category": {"fees"}, "summary": {"物业费上涨"}}
	target := c.url + "/compounds/C0003/commands/receive-complaint"
	before, _ := c.store.ReadStream(t.Context(), domain.StreamID("C0003"), domain.StreamQuery{})
	for lang, want := range map[string]string{"zh": "工单号须为", "en": "complaint ID must be"} {
		status, _, body := post(t, target+"?lang="+lang, form)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, `aria-invalid="true" aria-describedby="err-complaint_id"`) {
			t.Errorf("%s: %d, want the form again with %q on complaint_id", lang, status, want)
		}
		if !strings.Contains(body, "物业费上涨") {
			t.Errorf("%s: the form lost the summary", lang)
		}
	}
	bad := url.Values{"amount_fen": {"lots"}, "lawsuit_id": {"L-1"}}
	if _, _, body := post(t, c.url+"/compounds/C0003/commands/file-lawsuit", bad); !strings.Contains(body, "须为数字") {
		t.Error("a non-number in a number field is not named")
	}
	form.Set("complaint_id", "WEB-2")
	for range 2 { // the same form sent twice records once
		status, h, _ := post(t, target, form)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/compounds/C0003#e") {
			t.Fatalf("corrected form: %d to %q, want 303 to the new event", status, h.Get("Location"))
		}
	}
	after, _ := c.store.ReadStream(t.Context(), domain.StreamID("C0003"), domain.StreamQuery{})
	if len(after) != len(before)+1 {
		t.Errorf("%d events recorded, want 1", len(after)-len(before))
	}
	if status, _, _ := post(t, c.url+"/compounds/C0003/commands/fly", form); status != http.StatusNotFound {
		t.Errorf("unknown command: %d", status)
	}
}

// The API reference is public and renders this server's document only:
// no query (Swagger UI's ?url= or configUrl) changes what it loads.
func TestDocsPage(t *testing.T) {
	c := newCity(t)
	for _, path := range []string{"/docs", "/docs?lang=en", "/docs?url=https%3A%2F%2Fevil.example.com%2Fx.json&configUrl=%2F%2Fevil.example.com", "/docs?%zz=%G1"} {
		status, h, body := get(t, c.url+path, "Authorization", "")
		if status != http.StatusOK || !strings.Contains(body, `data-spec="/openapi.json"`) || strings.Count(body, "data-spec=") != 1 ||
			!strings.Contains(body, "/assets/dist/swagger-ui-bundle.js") {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
	}
	for _, asset := range []string{"/assets/dist/swagger-ui-bundle.js", "/assets/dist/swagger-ui.css"} {
		if status, _, body := get(t, c.url+asset, "Authorization", ""); status != http.StatusOK || len(body) < 10000 {
			t.Errorf("GET %s: %d, %d bytes", asset, status, len(body))
		}
	}
}
