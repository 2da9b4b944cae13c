package web_test

// Browser tests: Debian's Chromium, headless, driven by chromedp. One
// browser serves every test (a tab each), so that `make test` stays fast.
// Each test signs in through the sign-in page as the account of a role.

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/casetrack/casetrack/projections/directory"
)

const (
	browserTimeout = 240 * time.Second // one test, start to end (the screenshot tour of every page takes long on a busy machine)
	screenshotDir  = "../../docs/screenshots"
)

// update writes the screenshots to screenshotDir; without it they are
// taken (the pages must render) but not written, so that a test run
// leaves the checkout clean (three of them are committed for the README).
var update = flag.Bool("update", false, "write the browser tests' screenshots to docs/screenshots")

var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
)

// browser starts Chromium once for the package; CASETRACK_NO_BROWSER=1
// skips the browser tests on a machine without it (CI installs it).
func browser(t *testing.T) (context.Context, *city) {
	t.Helper()
	if os.Getenv("CASETRACK_NO_BROWSER") == "1" {
		t.Skip("CASETRACK_NO_BROWSER=1")
	}
	browserOnce.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			browserErr = fmt.Errorf("chromium is not installed (apt-get install chromium, as .ci/run does): %w", err)
			return
		}
		opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("lang", "zh-CN"), chromedp.WindowSize(1366, 768)}
		alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		browserCtx, _ = chromedp.NewContext(alloc)
		browserErr = chromedp.Run(browserCtx) // starts the browser
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browserCtx, newCity(t)
}

// tab opens a tab acting as role, bounded by browserTimeout.
func tab(t *testing.T, role string) (context.Context, *city) {
	t.Helper()
	b, c := browser(t)
	ctx, cancel := chromedp.NewContext(b)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	var consoleErrors []string
	var mu sync.Mutex
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			consoleErrors = append(consoleErrors, e.ExceptionDetails.Error())
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range consoleErrors {
			t.Errorf("script error in the page: %s", e)
		}
	})
	if err := chromedp.Run(ctx, network.Enable(), chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	if role != "" {
		signIn(t, ctx, c, role)
	}
	return ctx, c
}

// signIn signs in as role's account through the sign-in page, as a
// person would; the tab then lands on the role's home page.
func signIn(t *testing.T, ctx context.Context, c *city, role string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(c.url+"/sign-in"), chromedp.WaitVisible("#name", chromedp.ByID),
		chromedp.SendKeys("#name", accountOf[role], chromedp.ByID), chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID), chromedp.WaitNotPresent("#password", chromedp.ByID))
}

// signOut presses the header's sign-out button.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, chromedp.Click("header form.inline button", chromedp.NodeVisible), chromedp.WaitVisible("#password", chromedp.ByID))
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// chartData is the first series of a drawn chart, as ECharts holds it.
func chartData(id string, out *string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(function(){var c = echarts.getInstanceByDom(document.getElementById(%q));
		return c ? JSON.stringify([c.getOption().xAxis[0].data, c.getOption().series[0].data]) : "";})()`, id), out)
}

// A period change reloads the table and redraws the chart in place.
func TestBrowserDashboardPeriodChange(t *testing.T) {
	ctx, c := tab(t, "inspector")
	var caption, before, after, location string
	run(t, ctx, chromedp.Navigate(c.url+"/dashboard?period=2025"),
		chromedp.WaitVisible("#league-table"),
		chromedp.Poll(`document.getElementById("bars") && echarts.getInstanceByDom(document.getElementById("bars")) !== undefined`, nil),
		chartData("bars", &before))
	if before == "" || before == "[[],[]]" {
		t.Fatalf("no bar chart drawn: %q", before)
	}
	run(t, ctx,
		chromedp.SetValue(`select[name=period]`, "2025-Q1"),
		chromedp.Evaluate(`document.querySelector("select[name=period]").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		chromedp.Poll(`document.querySelector("#league-table caption").textContent.includes("2025-Q1")`, nil),
		chromedp.Poll(`echarts.getInstanceByDom(document.getElementById("bars")) !== undefined`, nil),
		chromedp.Text("#league-table caption", &caption), chartData("bars", &after), chromedp.Location(&location))
	if after == before {
		t.Errorf("the bar chart did not change with the period: %s", after)
	}
	if !strings.Contains(location, "period=2025-Q1") {
		t.Errorf("the address does not follow the period: %s", location)
	}
	var drawn string
	run(t, ctx, chromedp.AttributeValue("#bars", "data-chart", &drawn, nil))
	if !strings.Contains(drawn, "\"series\"") {
		t.Errorf("chart data attribute: %.200s", drawn)
	}
}

// From a figure to the events behind it, and on to their compound.
func TestBrowserDrillDown(t *testing.T) {
	ctx, c := tab(t, "inspector")
	var rows int
	var compoundURL, heading string
	run(t, ctx, chromedp.Navigate(c.url+"/dashboard?period=2025"),
		chromedp.WaitVisible("#league-table"),
		chromedp.Click(`#league-table tbody tr:first-child a[href*="metric=response_rate"]`, chromedp.NodeVisible),
		chromedp.WaitVisible("#explain-events"),
		chromedp.Evaluate(`document.querySelectorAll("#explain-events a.compound-link").length`, &rows))
	if rows == 0 {
		t.Fatal("no events behind the response rate")
	}
	var marked, against string
	run(t, ctx, chromedp.Evaluate(`String(document.querySelectorAll("#explain-events tr.against").length)`, &marked),
		chromedp.Text("#events-h", &against))
	if marked != "0" && !strings.Contains(against, "未达标") {
		t.Errorf("%s events marked against the unit, but the heading does not count them: %q", marked, against)
	}
	run(t, ctx, chromedp.AttributeValue(`#explain-events a.compound-link`, "href", &compoundURL, nil),
		chromedp.Click(`#explain-events a.compound-link`, chromedp.NodeVisible),
		chromedp.WaitVisible("#timeline"),
		chromedp.Text("h1", &heading))
	_, anchor, _ := strings.Cut(compoundURL, "#")
	var found bool
	run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`document.getElementById(%q) !== null`, anchor), &found))
	if !found {
		t.Errorf("the compound page has no event %s on its timeline", anchor)
	}
	if heading == "" {
		t.Error("compound page without a heading")
	}
}

// A command form filled and sent with the keyboard alone: the field error
// comes back in Chinese next to its input; corrected, the new event is on
// the compound's timeline.
func TestBrowserCommandForm(t *testing.T) {
	ctx, c := tab(t, "street_office")
	id := "WEB-" + fmt.Sprint(time.Now().UnixNano()%1e6)
	var fieldError, first string
	run(t, ctx, chromedp.Navigate(c.url+"/compounds/C0002/commands/receive-complaint"),
		chromedp.WaitVisible("#f-complaint_id"),
		// From the top of the page: the skip link, into the content, past
		// the way back, to the first field.
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab),
		chromedp.Poll(`document.activeElement && document.activeElement.id === "f-complaint_id"`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.KeyEvent("bad id!"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.ArrowDown), // channel: hotline
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), // kind: complaint
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.ArrowDown), // category: service quality
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(" "), // urgent
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("电梯停运三天"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(".field.invalid .field-error"),
		chromedp.Text(".field.invalid .field-error", &fieldError))
	if !strings.Contains(fieldError, "工单号须为") {
		t.Fatalf("field error %q, want the Chinese message of complaint.id_format", fieldError)
	}
	var invalid string
	run(t, ctx, chromedp.AttributeValue("#f-complaint_id", "aria-invalid", &invalid, nil))
	if invalid != "true" {
		t.Error("the wrong input is not marked aria-invalid")
	}
	var summary string
	run(t, ctx, chromedp.Value("#f-summary", &summary))
	if summary != "电梯停运三天" {
		t.Errorf("the form lost what was typed: summary %q", summary)
	}
	// The field in error has the focus: the keyboard corrects it there.
	run(t, ctx, chromedp.Poll(`document.activeElement && document.activeElement.id === "f-complaint_id"`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(2)), // Ctrl+A
		chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(id), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible("#timeline"),
		chromedp.Text("#timeline li:first-child", &first))
	if !strings.Contains(first, "投诉受理") || !strings.Contains(first, id) || !strings.Contains(first, accountOf["street_office"]+" · ") {
		t.Errorf("newest timeline entry %q, want the received complaint %s by the signed-in user", first, id)
	}
}

// The auditor's slider shows the compound as it stood at an earlier version.
func TestBrowserAuditSlider(t *testing.T) {
	ctx, c := tab(t, "auditor")
	var versionBefore, versionAfter, location, treeSize string
	var rowsBefore, rowsAfter int
	run(t, ctx, chromedp.Navigate(c.url+"/history?compound=C0001"),
		chromedp.WaitVisible("#history-events"),
		chromedp.Text("#log-tree-size", &treeSize),
		chromedp.Text("#state-version", &versionBefore),
		chromedp.Evaluate(`document.querySelectorAll("#history-events tbody tr").length`, &rowsBefore),
		chromedp.Focus("#version"), chromedp.KeyEvent(kb.Home),
		chromedp.Poll(`document.getElementById("state-version").textContent === "1"`, nil),
		chromedp.Text("#state-version", &versionAfter),
		chromedp.Evaluate(`document.querySelectorAll("#history-events tbody tr").length`, &rowsAfter),
		chromedp.Location(&location))
	if versionBefore == "1" || rowsBefore < 2 {
		t.Fatalf("compound C0001 has too short a history: version %s, %d events", versionBefore, rowsBefore)
	}
	if rowsAfter != 1 {
		t.Errorf("as of version 1: %d events shown, want 1", rowsAfter)
	}
	// The page names the whole log's verdict and the tree it was checked at.
	now, err := c.audit.Head(context.Background(), 0)
	if n, _ := strconv.ParseUint(treeSize, 10, 64); err != nil || n < c.head || n > now.Size {
		t.Errorf("the page shows a verified tree of %q events, want %d to %d (%v)", treeSize, c.head, now.Size, err)
	}
	if !strings.Contains(location, "version=1") {
		t.Errorf("the address does not follow the slider: %s", location)
	}
}

// Every page: no serious or critical axe-core violation, every input
// labelled, and a screenshot at an office screen and a phone.
func TestBrowserAccessibilityAndScreenshots(t *testing.T) {
	ctx, c := tab(t, "")
	_, other := elsewhere(t, c)
	// Each page as the role whose home it is, or who uses it most.
	pages := []struct{ name, role, path, ready string }{
		{"dashboard", "inspector", "/dashboard?period=2025", "#league-table"},
		{"explain", "inspector", "/explain?period=2025&level=street&unit=" + firstStreetUnit(t, c) + "&metric=satisfaction_rate", "#explain-events"},
		{"street", "street_office", "/street", "#deadlines"},
		{"compound", "street_office", "/compounds/C0001", "#timeline"},
		{"command", "street_office", "/compounds/C0001/commands/receive-complaint", "#form"},
		{"refused", "street_office", "/compounds/" + other.ID, "main h1"},
		{"history", "auditor", "/history?compound=C0001", "#history-events"},
		{"import", "street_office", "/import", "#import-form"},
		{"operations", "admin", "/operations", "#accounts"},
		{"signin", "", "/sign-in", "#password"},
	}
	role := ""
	for _, p := range pages {
		if p.role != role {
			run(t, ctx, chromedp.EmulateViewport(1366, 768, chromedp.EmulateScale(1)))
			if p.role == "" {
				signOut(t, ctx)
			} else {
				signIn(t, ctx, c, p.role)
			}
			role = p.role
		}
		for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
			var unlabelled string
			var png []byte
			run(t, ctx, chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateScale(1)),
				chromedp.Navigate(c.url+p.path), chromedp.WaitVisible(p.ready))
			axeClean(t, ctx, fmt.Sprintf("%s at %dpx", p.name, size[0]))
			run(t, ctx, chromedp.Evaluate(`JSON.stringify(Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
					.filter(function (el) { return el.labels.length === 0 && !el.getAttribute("aria-label"); }).map(function (el) { return el.name; }))`, &unlabelled),
				chromedp.CaptureScreenshot(&png))
			if unlabelled != "[]" {
				t.Errorf("%s: inputs without a label: %s", p.name, unlabelled)
			}
			screenshot(t, fmt.Sprintf("%s-%d.png", p.name, size[0]), png)
		}
	}
}

// Signing in as each role lands on its own home page, whose navigation
// holds only the pages the role may open; signing out returns to sign-in.
func TestBrowserSignInEachRole(t *testing.T) {
	ctx, c := tab(t, "")
	var path string
	run(t, ctx, chromedp.Navigate(c.url+"/dashboard"), chromedp.WaitVisible("#password", chromedp.ByID),
		chromedp.Evaluate(`location.pathname`, &path))
	if path != "/sign-in" {
		t.Fatalf("nobody asking for the dashboard is at %s, want /sign-in", path)
	}
	homes := map[string]string{"admin": "/operations", "inspector": "/dashboard", "street_office": "/street",
		"community_worker": "/street", "hotline": "/street", "auditor": "/history"}
	for role, home := range homes {
		var nav []string
		signIn(t, ctx, c, role)
		run(t, ctx, chromedp.WaitVisible("main h1"), chromedp.Evaluate(`location.pathname`, &path),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("header nav a")).map(function (a) { return a.getAttribute("href"); })`, &nav))
		if path != home {
			t.Errorf("%s lands on %s, want %s", role, path, home)
		}
		if !slices.Contains(nav, home) || role == "hotline" && slices.Contains(nav, "/dashboard") || role != "admin" && slices.Contains(nav, "/operations") {
			t.Errorf("%s's navigation: %v", role, nav)
		}
		signOut(t, ctx)
	}
}

// A street office reaches only its street's compounds: every compound
// link of its pages stays in its street, and another street's compound,
// typed as an address, shows the refusal page.
func TestBrowserStreetOfficeScope(t *testing.T) {
	ctx, c := tab(t, "street_office")
	home, other := elsewhere(t, c)
	var street map[string]string
	c.directory.Read(func(m *directory.Model) {
		street = map[string]string{}
		for _, e := range m.List(directory.Filter{}) {
			street[e.ID] = e.Street
		}
	})
	for _, page := range []string{"/street", "/dashboard?period=2025&level=compound", "/history"} {
		var ids []string
		run(t, ctx, chromedp.Navigate(c.url+page), chromedp.WaitVisible("main h1"),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("a[href^='/compounds/'], option")).map(function (a) {
				return (a.getAttribute("href") || "/compounds/" + a.value).split("/")[2].split("?")[0]; })`, &ids))
		linked := 0
		for _, id := range ids {
			if s, ok := street[id]; ok {
				linked++
				if s != home.Street {
					t.Errorf("%s links to %s of %s", page, id, s)
				}
			}
		}
		if linked == 0 {
			t.Errorf("%s links to no compound", page)
		}
	}
	var h1, body string
	run(t, ctx, chromedp.Navigate(c.url+"/compounds/"+other.ID), chromedp.WaitVisible("main h1"),
		chromedp.Text("main h1", &h1), chromedp.Text("main", &body))
	if h1 != "无权访问" || strings.Contains(body, other.Name) {
		t.Errorf("typing /compounds/%s shows %q: %s", other.ID, h1, body)
	}
}

// firstStreetUnit is the league unit of the city's first street.
func firstStreetUnit(t *testing.T, c *city) string {
	t.Helper()
	_, _, body := get(t, c.url+"/api/v1/league/street?period=2025&limit=1")
	_, rest, ok := strings.Cut(body, `"unit":"`)
	if !ok {
		t.Fatalf("no street in the league: %s", body)
	}
	unit, _, _ := strings.Cut(rest, `"`)
	return url.QueryEscape(unit)
}

// The admin rebuilds a projection from the operations page and sees its
// position; a broken campaign file is refused with its file and line, and
// the campaign in force stays.
func TestBrowserOperations(t *testing.T) {
	ctx, c := tab(t, "admin")
	var done, position, campaign string
	run(t, ctx, chromedp.Navigate(c.url+"/operations"), chromedp.WaitVisible("#rebuild-league", chromedp.ByID),
		chromedp.Text("#campaign-name", &campaign, chromedp.ByID),
		chromedp.Click("#rebuild-league", chromedp.ByID), chromedp.WaitVisible("#done", chromedp.ByID),
		chromedp.Text("#done", &done, chromedp.ByID))
	if !strings.Contains(done, "重建") {
		t.Errorf("after the rebuild button: %q", done)
	}
	// The rebuilt model is swapped in once caught up: the page shows the head again.
	run(t, ctx, chromedp.Navigate(c.url+"/operations"), chromedp.Text("#position-league", &position, chromedp.ByID))
	if position != fmt.Sprint(c.head) {
		t.Errorf("league position %q after the rebuild, want %d", position, c.head)
	}
	if err := os.WriteFile(c.campaign, []byte("name = \"坏的\"\n[[metric]\nkey =\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var msg, after string
	run(t, ctx, chromedp.Navigate(c.url+"/operations"), chromedp.WaitVisible("#reload-campaign", chromedp.ByID),
		chromedp.Click("#reload-campaign", chromedp.ByID), chromedp.WaitVisible("#operation-error", chromedp.ByID),
		chromedp.Text("#operation-error", &msg, chromedp.ByID), chromedp.Text("#campaign-name", &after, chromedp.ByID))
	if !strings.Contains(msg, c.campaign) || !strings.Contains(msg, "line") || !strings.Contains(msg, "考核配置有误") {
		t.Errorf("bad campaign file shown as %q", msg)
	}
	if after != campaign {
		t.Errorf("the campaign changed from %q to %q on a bad file", campaign, after)
	}
	axeClean(t, ctx, "operations with an error")
}

// axeClean runs axe-core in the tab's page: no serious or critical violation.
func axeClean(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	axe, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is missing: run `make assets` (%v)", err)
	}
	var violations string
	run(t, ctx, chromedp.Evaluate(string(axe), nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
			return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
				.map(function (v) { return v.id + ": " + v.nodes.map(function (n) { return n.target.join(" "); }).join(", "); }));
		})`, &violations, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if violations != "[]" {
		t.Errorf("%s: axe-core: %s", what, violations)
	}
}

// The API reference renders the server's own /openapi.json in Swagger UI,
// for anyone (no sign-in), under the strict content security policy: no
// violation is reported, and every operation of the document is shown.
func TestBrowserAPIReference(t *testing.T) {
	ctx, c := tab(t, "")
	var violations string
	var operations int
	var registerShown bool
	run(t, ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(`window.__csp = [];
				document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });`).Do(ctx)
			return err
		}),
		chromedp.Navigate(c.url+"/docs"),
		chromedp.WaitVisible(".swagger-ui .opblock", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".swagger-ui .opblock").length`, &operations),
		chromedp.Evaluate(`!!document.querySelector('.swagger-ui [data-path="/api/v1/compounds/{id}/register"]')`, &registerShown),
		chromedp.Evaluate(`JSON.stringify(window.__csp)`, &violations))
	if operations < 80 || !registerShown {
		t.Errorf("%d operations shown, register shown: %v", operations, registerShown)
	}
	if violations != "[]" {
		t.Errorf("content security policy violations: %s", violations)
	}
	var shot []byte
	run(t, ctx, chromedp.CaptureScreenshot(&shot))
	screenshot(t, "docs-1366.png", shot)
}

// screenshot writes a page's picture to screenshotDir when asked (-update).
func screenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	if !*update {
		return
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
